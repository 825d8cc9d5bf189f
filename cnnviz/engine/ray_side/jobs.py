"""Training and transfer jobs as Ray tasks, queued and capped by one named actor, `JobBoard`.

`JobBoard` runs the local engine's `EngineServer` with a `RayJobManager`: the local engine's
`JobManager` (queue, cap, one job per session, leases, events, stop and the grace before a
worker is terminated, checkpoints and recovery) whose workers are Ray tasks instead of
processes. A task talks to the board as a worker process talks to the engine over its pipes:
it takes its job's params, posts numbered messages (progress events, then the result or the
error) and asks every 0.2 s whether a stop was asked. Terminating a worker cancels its task;
killing it cancels it by force (its Ray worker process is killed).
"""

from __future__ import annotations

import itertools
import logging
import os
import threading
import traceback
from dataclasses import dataclass, field

import ray

from cnnviz.engine.api import JOB_REQUESTS
from cnnviz.engine.jobs import error_message, ready_job
from cnnviz.engine.protocol import ProtocolMismatchError, error_reply
from cnnviz.engine.ray_side import BOARD_NAME, NAMESPACE
from cnnviz.engine.scheduler import JobManager, _Worker
from cnnviz.engine.server import EngineConfig, EngineServer
from cnnviz.training.checkpoints import jobs_folder

_LOG = logging.getLogger("cnnviz.engine")
STOP_POLL_SECONDS = 0.2


class _TaskProcess:
    """A worker's Ray task, as `JobManager` treats a worker process."""

    def __init__(self, ref: ray.ObjectRef, pipes: _Pipes):
        self.ref, self._pipes = ref, pipes

    @property
    def pid(self) -> int | None:
        """The Ray worker's process id, once the task posted it."""
        return self._pipes.pid

    def is_alive(self) -> bool:
        ready, _ = ray.wait([self.ref], timeout=0)
        return not ready

    def join(self, timeout: float | None = None) -> None:
        ray.wait([self.ref], timeout=timeout)

    @property
    def exitcode(self) -> int | None:
        if self.is_alive():
            return None
        try:
            ray.get(self.ref, timeout=0)
        except Exception:  # cancelled, or the worker process died
            return 1
        return 0

    def terminate(self) -> None:
        ray.cancel(self.ref)

    def kill(self) -> None:
        ray.cancel(self.ref, force=True)


@dataclass(eq=False)
class _Pipes:
    """One worker task's link to the board: its params, its numbered messages, its stop flag."""

    pid: int | None = None
    params: object = None
    handed_over: threading.Event = field(default_factory=threading.Event)
    stop_event: threading.Event = field(default_factory=threading.Event)
    messages: dict = field(default_factory=dict)
    next_seq: int = 0
    arrived: threading.Condition = field(default_factory=threading.Condition)


class _Inbox:
    """The worker's inbox: `send` hands over the job's params, `close` a spare's end."""

    def __init__(self, pipes: _Pipes):
        self._pipes = pipes

    def send(self, params) -> None:
        self._pipes.params = params
        self._pipes.handed_over.set()

    def close(self) -> None:
        self._pipes.handed_over.set()


class _Reader:
    """The worker's messages in the order it posted them, as `JobManager._follow` reads a pipe."""

    def __init__(self, pipes: _Pipes, forget):
        self._pipes, self._forget = pipes, forget

    def poll(self, timeout: float = 0.0) -> bool:
        pipes = self._pipes
        with pipes.arrived:
            return pipes.arrived.wait_for(lambda: pipes.next_seq in pipes.messages, timeout)

    def recv(self):
        pipes = self._pipes
        with pipes.arrived:
            pipes.arrived.wait_for(lambda: pipes.next_seq in pipes.messages)
            message = pipes.messages.pop(pipes.next_seq)
            pipes.next_seq += 1
            return message

    def close(self) -> None:
        self._forget()


class RayJobManager(JobManager):
    """`JobManager` whose workers are Ray tasks, each given `job_cpus` of the cluster's CPUs.

    Args:
        job_cpus: CPUs Ray reserves for each running (or waiting, prepared) worker.
        **settings: `JobManager`'s own.
    """

    def __init__(self, *args, job_cpus: float = 1.0, **settings):
        super().__init__(*args, **settings)
        self.job_cpus = job_cpus
        self._pipes: dict[str, _Pipes] = {}
        self._pipes_lock = threading.Lock()
        self._keys = itertools.count(1)

    def _spawn(self, kind: str) -> _Worker:
        with self._pipes_lock:
            key = f"{kind}-{next(self._keys)}"
            pipes = self._pipes[key] = _Pipes()
        task = run_job_task.options(num_cpus=self.job_cpus, name=f"cnnviz-{kind}")
        process = _TaskProcess(task.remote(kind, key), pipes)
        _LOG.info("a %s worker started as Ray task %s", kind, key)
        reader = _Reader(pipes, lambda: self._forget_pipes(key))
        return _Worker(kind, process, _Inbox(pipes), reader, pipes.stop_event)

    def _forget_pipes(self, key: str) -> None:
        with self._pipes_lock:
            self._pipes.pop(key, None)

    def _find(self, key: str) -> _Pipes | None:
        with self._pipes_lock:
            return self._pipes.get(key)

    def take_params(self, key: str, timeout: float) -> tuple:
        """`("job", params)` once they are handed over, `("wait",)` if they were not within
        `timeout` seconds, `("gone",)` if the worker was let go without a job."""
        pipes = self._find(key)
        if pipes is None:
            return ("gone",)
        if not pipes.handed_over.wait(timeout):
            return ("wait",)
        return ("gone",) if pipes.params is None else ("job", pipes.params)

    def post(self, key: str, seq: int, message: tuple) -> None:
        """A message from a worker, numbered from 0 in the order it was sent."""
        pipes = self._find(key)
        if pipes is None:
            return
        if message[0] == "pid":
            pipes.pid = message[1]
            return
        with pipes.arrived:
            pipes.messages[seq] = message
            pipes.arrived.notify_all()

    def stop_asked(self, key: str) -> bool:
        """Whether the worker should stop (also when the board forgot it)."""
        pipes = self._find(key)
        return pipes is None or pipes.stop_event.is_set()


@ray.remote(max_retries=0)
def run_job_task(kind: str, key: str) -> None:
    """One job in a Ray worker, as `cnnviz.engine.jobs.run_worker` runs one in a process."""
    board = ray.get_actor(BOARD_NAME, namespace=NAMESPACE)
    poster = _Poster(board, key)
    poster.post(("pid", os.getpid()))
    try:
        job, failure = ready_job(kind), None
    except Exception as error:  # reported once a job arrives
        traceback.print_exc()
        job, failure = None, error
    handed = ("wait",)
    while handed[0] == "wait":  # a spare waits for its job as long as it takes
        handed = ray.get(board.take_params.remote(key, 30.0))
    if handed[0] == "gone":
        return
    params = handed[1]
    stop = threading.Event()
    done = threading.Event()
    threading.Thread(target=_watch_stop, args=(board, key, stop, done), daemon=True).start()
    try:
        if failure is not None:
            raise failure
        poster.post(("result", job(params, poster.post_event, stop.is_set)))
    except Exception as error:
        traceback.print_exc()
        poster.post(("error", error_message(error)))
    finally:
        done.set()
        poster.flush()


class _Poster:
    """Numbered messages to the board, sent without waiting; `flush` waits for all of them."""

    def __init__(self, board, key: str):
        self._board, self._key = board, key
        self._seq, self._pending = 0, []
        self._lock = threading.Lock()

    def post(self, message: tuple) -> None:
        with self._lock:
            seq = -1 if message[0] == "pid" else self._seq
            self._seq += message[0] != "pid"
            self._pending.append(self._board.post.remote(self._key, seq, message))
            if len(self._pending) > 64:
                _, self._pending = ray.wait(self._pending, num_returns=len(self._pending) - 32)

    def post_event(self, event) -> None:
        self.post(("event", event))

    def flush(self) -> None:
        with self._lock:
            pending, self._pending = self._pending, []
        ray.get(pending)


def _watch_stop(board, key: str, stop: threading.Event, done: threading.Event) -> None:
    """Set `stop` once the board asks the job to stop (or cannot be reached)."""
    while not done.wait(STOP_POLL_SECONDS):
        try:
            asked = ray.get(board.stop_asked.remote(key), timeout=5.0)
        except Exception:  # the board is gone: nobody will read what the job does
            asked = True
        if asked:
            stop.set()
            return


@ray.remote
class JobBoard:
    """The cluster's one job runner: answers the job requests (and `ping`) of every app server."""

    def __init__(self, config: EngineConfig, job_cpus: float = 1.0):
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
        )
        self.jobs = RayJobManager(
            config.max_jobs,
            config.lease_seconds,
            checkpoints_dir=jobs_folder(config.models_dir),
            job_cpus=job_cpus,
        )
        self.server = EngineServer(config, b"", jobs=self.jobs)
        self.server.clean_models()
        self.jobs.recover_interrupted()
        _LOG.info("job board (pid %d) saving runs in %s", os.getpid(), config.models_dir)

    def handle(self, request) -> tuple:
        """The reply to a job request (or `ping`), as the local engine gives it."""
        if isinstance(request, tuple) and len(request) == 3 and request[1] not in JOB_REQUESTS:
            return error_reply(ProtocolMismatchError(f"The job board has no {request[1]!r}."))
        return self.server.handle(request)

    def take_params(self, key: str, timeout: float):
        return self.jobs.take_params(key, timeout)

    def post(self, key: str, seq: int, message: tuple) -> None:
        self.jobs.post(key, seq, message)

    def stop_asked(self, key: str) -> bool:
        return self.jobs.stop_asked(key)
