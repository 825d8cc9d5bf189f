"""How long the app waits on a broken model engine, and what a training job keeps of it.

Starts the engine as the app does (`EngineClient.start`) and, each a few times:
- kills it (SIGKILL): seconds until the next call is answered by a new engine;
- stops it (SIGSTOP, a hung engine: the kernel still accepts its connections): seconds until
  the next call is answered by a new engine, with a pooled connection left from a previous call
  and with a fresh one;
- kills it while a training job runs (after its second epoch): seconds until the job's run is
  saved from its last checkpoint, and how many of its epochs were kept.
The named baseline is the client before issue 12: a killed engine was restarted on the next
call, but a hung one blocked every caller for the request timeout (600 s) and then forever in
the connection handshake, and a killed job's epochs were lost.

Run: `python bench/bench_engine_recovery.py` (about two minutes).
"""

from __future__ import annotations

import contextlib
import os
import signal
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from cnnviz.engine import EngineClient  # noqa: E402
from cnnviz.network.config import CNNConfig, ConvBlock  # noqa: E402
from cnnviz.training.config import TrainingConfig  # noqa: E402
from cnnviz.training.events import EpochEvent  # noqa: E402

BASELINE_HUNG_SECONDS = 600.0  # the old request timeout; after it, the handshake never ended
REPEATS = 3


def timed_call(client: EngineClient) -> float:
    start = time.perf_counter()
    client.ping()
    return time.perf_counter() - start


def killed(client: EngineClient) -> float:
    os.kill(client.ping().pid, signal.SIGKILL)
    time.sleep(0.2)
    return timed_call(client)


def hung(client: EngineClient, pooled: bool) -> float:
    pid = client.ping().pid  # leaves a pooled connection
    if not pooled:
        client._idle.clear()  # the next call connects afresh, as a new session's would
    os.kill(pid, signal.SIGSTOP)
    seconds = timed_call(client)
    with contextlib.suppress(ProcessLookupError):  # the client killed it already
        os.kill(pid, signal.SIGKILL)
    return seconds


def training_job_survives(client: EngineClient) -> tuple[float, int, int]:
    model = CNNConfig(conv_blocks=(ConvBlock(4),), dense_units=(8,))
    config = TrainingConfig(model=model, train_size=512, validation_size=64, epochs=100)
    params = {"config": config.to_dict(), "run_name": "bench-recovery", "owner": "bench"}
    job_id = client.submit_job("train", params, session="bench-recovery")
    status = client.job_status(job_id)
    while sum(isinstance(e, EpochEvent) for e in status.events) < 2:
        time.sleep(0.2)
        status = client.job_status(job_id)
    trained = sum(isinstance(e, EpochEvent) for e in status.events)
    os.kill(client.pid, signal.SIGKILL)
    start = time.perf_counter()
    while status.active or status.id != job_id:
        time.sleep(0.2)
        status = client.job_status(job_id)  # the first call restarts the engine
    kept = status.result.epochs_completed if status.result else 0
    return time.perf_counter() - start, trained, kept


def main() -> None:
    folder = Path(tempfile.mkdtemp(prefix="cnnviz-bench-recovery-"))
    client = EngineClient.start(models_dir=folder, log_path=folder / "engine.log")
    try:
        timed_call(client)
        normal = statistics.median(timed_call(client) for _ in range(20))
        print(f"a call to a healthy engine: {normal * 1000:.1f} ms (median of 20)")
        rows = [
            ("killed engine, next call", [killed(client) for _ in range(REPEATS)], None),
            ("hung engine, pooled connection", [hung(client, True) for _ in range(REPEATS)], 1),
            ("hung engine, new connection", [hung(client, False) for _ in range(REPEATS)], 1),
        ]
        print(f"\n{'':34s} {'median':>8s} {'worst':>8s}   against the baseline")
        for label, seconds, hangs in rows:
            worst = max(seconds)
            against = (
                f"{worst / BASELINE_HUNG_SECONDS:.3f}x the old {BASELINE_HUNG_SECONDS:g} s bound "
                "(then a hang for ever)"
                if hangs
                else "restarted before too"
            )
            print(f"{label:34s} {statistics.median(seconds):7.2f}s {worst:7.2f}s   {against}")
        print(f"restarts: {client.restarts}; the page's notice: {client.restart_notice(0)}")
        seconds, trained, kept = training_job_survives(client)
        print(
            f"\ntraining job, engine killed after {trained} epoch(s): run saved {seconds:.1f} s "
            f"later with {kept} epoch(s) kept (baseline: 0 kept, the job unknown)"
        )
    finally:
        client.close()


if __name__ == "__main__":
    main()
