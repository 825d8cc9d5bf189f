"""A class on one laptop: N sessions of the served app, each changing its input image.

Starts the app (the lesson's pages plus a page that only writes a title, `bench/classroom/`)
on a loopback port with Streamlit's agent API on, and drives real sessions through
`POST /_stcore/agent/interact`: each session opens a page, then sets the picker's example
number (a new digit: everything on the page that depends on the input is computed again) and
waits for the rerun to finish. Prints, per page and scenario, the p50/p95/max latency of an
update, errors, and each page's cost as a ratio to the title-only page in the same run; then
the server's RSS at start and end and its peak.

Scenarios (the issue's): 1 user, one update at a time; 10 users updating every ~2 s each;
30 users every ~2 s while one training job runs; 30 users back to back.

Run: `python bench/bench_classroom.py` (about 4 minutes), `--seconds 20` per scenario,
`--pages convolution,feature_maps`, `--soak 600` for a 10-minute memory run (30 users every
~2 s, RSS every minute).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
APP = "bench/classroom/app.py"
BASELINE = "title_only"
EXAMPLES = 2000  # the bundled sample's test digits


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Server:
    """The app on a loopback port with the agent API on; its memory from /proc."""

    def __init__(self):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = tempfile.NamedTemporaryFile(prefix="cnnviz-bench-", suffix=".log")  # noqa: SIM115 (closed in stop)
        command = [sys.executable, "-m", "streamlit", "run", APP, "--server.port", str(self.port)]
        command += ["--server.address", "127.0.0.1", "--server.headless", "true"]
        command += ["--server.enableAgentApi", "true", "--server.agentMaxSessions", "400"]
        environment = {**os.environ, "PYTHONPATH": str(REPO)}
        self.process = subprocess.Popen(
            command, cwd=REPO, env=environment, stdout=self.log, stderr=subprocess.STDOUT
        )
        for _ in range(240):
            try:
                with urllib.request.urlopen(f"{self.url}/_stcore/health", timeout=1):
                    return
            except OSError:
                time.sleep(0.25)
        raise RuntimeError(f"the app did not start; see {self.log.name}")

    def memory_mb(self, field: str = "VmRSS") -> float:
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024
        return float("nan")

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=20)
        self.log.close()


def interact(url: str, body: dict, timeout: float = 120) -> tuple[float, dict]:
    """One agent request: its wall time in seconds and the snapshot it returned."""
    request = urllib.request.Request(
        f"{url}/_stcore/agent/interact",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=timeout) as response:
        snapshot = json.load(response)
    return time.perf_counter() - start, snapshot


def failed(snapshot: dict) -> str | None:
    """Why a snapshot is not a clean, finished run (an exception on the page), or None."""
    if snapshot.get("status") != "ready":
        return f"status {snapshot.get('status')}"
    if '"type": "exception"' in json.dumps(snapshot.get("tree")):
        return "an exception on the page"
    return None


class Scenario:
    """Sessions on one page, each updating every `interval` seconds (0: back to back)."""

    def __init__(self, url: str, page: str, users: int, interval: float, seconds: float):
        self.url, self.page, self.users = url, page, users
        self.interval, self.seconds = interval, seconds
        self.latencies: list[float] = []
        self.errors: list[str] = []
        self.lock = threading.Lock()

    def session(self, seed: int, start_at: float, stop_at: float) -> None:
        rng = random.Random(seed)
        try:
            _, snapshot = interact(self.url, {"page": self.page})
            session_id = snapshot["session_id"]
        except (OSError, KeyError, ValueError) as error:
            with self.lock:
                self.errors.append(f"opening the page: {error}")
            return
        time.sleep(max(0.0, start_at - time.monotonic()) + rng.uniform(0, self.interval))
        while time.monotonic() < stop_at:
            body = {
                "session_id": session_id,
                "widget_state": {"picker_index": rng.randrange(EXAMPLES)},
            }
            try:
                seconds, snapshot = interact(self.url, body)
                problem = failed(snapshot)
            except (OSError, ValueError) as error:
                seconds, problem = float("nan"), str(error)
            with self.lock:
                if problem:
                    self.errors.append(problem)
                else:
                    self.latencies.append(seconds)
            if self.interval:
                time.sleep(self.interval * rng.uniform(0.8, 1.2))

    def run(self) -> Scenario:
        start_at = time.monotonic() + 2 + 0.05 * self.users  # every session open first
        stop_at = start_at + self.seconds
        threads = [
            threading.Thread(target=self.session, args=(seed, start_at, stop_at))
            for seed in range(self.users)
        ]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        return self

    def summary(self) -> dict[str, float]:
        times = sorted(self.latencies) or [float("nan")]
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        return {"p50": statistics.median(times), "p95": p95, "max": times[-1]}


def one_user_cost(url: str, page: str, updates: int = 15) -> float:
    """Median seconds of one update with nobody else on the server."""
    _, snapshot = interact(url, {"page": page})
    session_id = snapshot["session_id"]
    times = []
    for index in range(updates + 2):
        seconds, snapshot = interact(
            url, {"session_id": session_id, "widget_state": {"picker_index": index * 37 % EXAMPLES}}
        )
        if failed(snapshot):
            raise RuntimeError(f"{page}: {failed(snapshot)}")
        times.append(seconds)
    return statistics.median(times[2:])  # the first runs fill the caches


def start_training(url: str) -> str:
    """A training job on the engine (all 8,000 sample images, 50 epochs), via the Training page."""
    _, snapshot = interact(url, {"page": "training"})
    session_id = snapshot["session_id"]
    settings = {"training_train_size": 0, "training_epochs": 50, "training_run_name": "bench-class"}
    interact(url, {"session_id": session_id, "widget_state": settings})
    interact(url, {"session_id": session_id, "trigger": {"key": "training_train"}})
    return session_id


def stop_training(url: str, session_id: str) -> None:
    try:
        interact(url, {"session_id": session_id, "trigger": {"key": "training_stop"}})
    except (OSError, ValueError) as error:
        print(f"  (stopping the training job: {error})")


def milliseconds(value: float) -> str:
    return f"{value * 1000:7.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30, help="length of each scenario")
    parser.add_argument("--pages", default="feature_maps,convolution")
    parser.add_argument("--soak", type=float, default=0, help="also a memory run this long")
    arguments = parser.parse_args()
    pages = arguments.pages.split(",")

    server = Server()
    try:
        print(f"server on {server.url}, RSS at start {server.memory_mb():.0f} MB")
        baseline = one_user_cost(server.url, BASELINE)
        print("\n1 user, one update (median of 15); baseline: the title-only page", end="")
        print(milliseconds(baseline))
        for page in pages:
            cost = one_user_cost(server.url, page)
            print(
                f"  {page:14s} {milliseconds(cost)}   {cost / baseline:5.1f}x the title-only page"
            )

        scenarios = [(10, 2.0, False), (30, 2.0, True), (30, 0.0, False)]
        for users, interval, training in scenarios:
            pace = f"every ~{interval:g} s" if interval else "back to back"
            print(f"\n{users} users, {pace}" + (", one training job running" if training else ""))
            job = start_training(server.url) if training else None
            try:
                for page in pages:
                    result = Scenario(server.url, page, users, interval, arguments.seconds).run()
                    stats = result.summary()
                    print(
                        f"  {page:14s} p50 {milliseconds(stats['p50'])}"
                        f"  p95 {milliseconds(stats['p95'])}"
                        f"  max {milliseconds(stats['max'])}  updates {len(result.latencies):4d}"
                        f"  errors {len(result.errors)}"
                        + (f" ({result.errors[0]})" if result.errors else "")
                    )
            finally:
                if job:
                    stop_training(server.url, job)
        if arguments.soak:
            print(f"\nMemory: 30 users every ~2 s on {pages[0]} for {arguments.soak:g} s")
            start = server.memory_mb()
            soak = Scenario(server.url, pages[0], 30, 2.0, arguments.soak)
            thread = threading.Thread(target=soak.run)
            thread.start()
            while thread.is_alive():
                thread.join(60)
                print(f"  RSS {server.memory_mb():.0f} MB")
            end = server.memory_mb()
            print(f"  RSS from {start:.0f} MB to {end:.0f} MB; errors {len(soak.errors)}")
        print(
            f"\nserver RSS at the end {server.memory_mb():.0f} MB, "
            f"peak {server.memory_mb('VmHWM'):.0f} MB"
        )
    finally:
        server.stop()


if __name__ == "__main__":
    main()
