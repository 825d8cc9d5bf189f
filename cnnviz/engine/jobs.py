"""Job kinds and the worker process that runs one job.

A job function has the signature `run_job(params, report, should_stop) -> result`: `report`
sends a progress event (a small picklable object: a training job's `BatchEvent`s and
`EpochEvent`s) to the engine, `should_stop()` turns True once a stop was asked, and the
returned picklable object is the job's result. Kinds are import paths resolved in the worker,
so the engine never imports what a job needs (TensorFlow for training).
"""

from __future__ import annotations

import importlib
import math
import os
import threading
import time
import traceback
from collections.abc import Callable

from cnnviz.validation import check_real

JOB_KINDS = {
    "train": "cnnviz.engine.keras_side.training_job:run_job",
    "recover": "cnnviz.engine.keras_side.recovery:recover_job",
    "transfer": "cnnviz.engine.keras_side.transfer_job:run_job",
    "save-transfer": "cnnviz.engine.keras_side.transfer_job:save_job",
    "sleep": "cnnviz.engine.jobs:sleep_job",
}
_PARENT_CHECK_SECONDS = 0.5
_SLEEP_SLICE_SECONDS = 0.02


def check_kind(kind) -> str:
    """`kind` if `JOB_KINDS` has it, else a ValueError naming the kinds there are."""
    if not isinstance(kind, str) or kind not in JOB_KINDS:
        available = ", ".join(sorted(JOB_KINDS))
        raise ValueError(f"Unknown job kind {kind!r}. Available: {available}.")
    return kind


def resolve_job(
    kind: str,
) -> Callable[[dict, Callable[[object], None], Callable[[], bool]], object]:
    """The job function registered for `kind` in `JOB_KINDS`, imported now.

    Raises:
        ValueError: If `kind` is not registered.
    """
    module, _, name = JOB_KINDS[check_kind(kind)].partition(":")
    return getattr(importlib.import_module(module), name)


def sleep_job(params: dict, report: Callable[[dict], None], should_stop: Callable[[], bool]):
    """A test job: `steps` steps of `seconds` each, reporting `{"step": i}` after each one.

    Args:
        params: `steps` (int, default 10), `seconds` per step (default 0.1), `busy` (bool:
            spin the CPU instead of sleeping), `ignore_stop` (bool: never look at
            `should_stop`, so the engine has to terminate the worker) and `fail` (a message:
            raise RuntimeError with it after the last step).
        report: Sends one progress event to the engine.
        should_stop: True once a stop was asked; checked every 20 ms.

    Returns:
        `{"steps": steps done, "stopped": bool}`.

    Raises:
        ValueError: If `steps` or `seconds` is not a number of at least 0.
        RuntimeError: With the `fail` message, when one is given.
    """
    steps, seconds = params.get("steps", 10), params.get("seconds", 0.1)
    for name, value in (("steps", steps), ("seconds", seconds)):
        check_real(value, f"`{name}`", 0.0, math.inf)
    for step in range(int(steps)):
        end = time.monotonic() + seconds
        while (left := end - time.monotonic()) > 0:
            if should_stop() and not params.get("ignore_stop"):
                return {"steps": step, "stopped": True}
            if not params.get("busy"):
                time.sleep(min(left, _SLEEP_SLICE_SECONDS))
        report({"step": step + 1})
    if params.get("fail"):
        raise RuntimeError(str(params["fail"]))
    return {"steps": int(steps), "stopped": False}


def error_message(error: BaseException) -> str:
    """A one-line message for a failed job: a ValueError's own words, else type and message."""
    if isinstance(error, ValueError):
        return str(error) or type(error).__name__
    return f"{type(error).__name__}: {error}" if str(error) else type(error).__name__


def run_worker(kind: str, inbox, connection, stop_event, parent_pid: int) -> None:
    """Run one job in this (worker) process, sending its events and outcome to the engine.

    The worker first imports its job's module (for training: TensorFlow) and runs the
    module's `warm_up()` if it has one, then waits for the job's params on `inbox`. A worker
    started before its job (a spare, see `JobManager.prepare`) is therefore ready the moment
    the job arrives. Messages are `("event", event)`, then `("result", result)` or
    `("error", message)`. The traceback of a failure goes to stderr (the engine's log), the
    message to the engine. A spare whose inbox closes without a job just exits.
    """
    _exit_with_parent(parent_pid)
    lock = threading.Lock()

    def report(event) -> None:
        with lock:
            connection.send(("event", event))

    try:
        job, failure = ready_job(kind), None
    except Exception as error:  # reported once a job arrives
        traceback.print_exc()
        job, failure = None, error
    try:
        params = inbox.recv()
    except (EOFError, OSError):
        connection.close()
        return
    try:
        if failure is not None:
            raise failure
        result = job(params, report, stop_event.is_set)
        with lock:
            connection.send(("result", result))
    except Exception as error:
        traceback.print_exc()
        try:
            with lock:
                connection.send(("error", error_message(error)))
        except OSError:
            pass  # The engine is gone; there is nobody to tell.
    finally:
        connection.close()


def ready_job(kind: str):
    """The job function of `kind`, its module imported and warmed up (`warm_up()`, if any)."""
    job = resolve_job(kind)
    warm_up = getattr(importlib.import_module(job.__module__), "warm_up", None)
    if warm_up is not None:
        warm_up()
    return job


def _exit_with_parent(parent_pid: int) -> None:
    """End this process as soon as the engine that started it is gone."""

    def watch():
        while os.getppid() == parent_pid:
            time.sleep(_PARENT_CHECK_SECONDS)
        os._exit(1)

    threading.Thread(target=watch, name="watch-engine", daemon=True).start()
