"""A class's load on 1 replica against 2 replicas behind HAProxy, on this machine, in one run.

Starts the app as a teacher would, with `deploy/replicas.py` (HAProxy in front, cookie
stickiness), first with 1 replica (the baseline) and then with 2, and drives the same load
through HAProxy each time: N students back to back on one page, as `bench_classroom.py` does
(its `Scenario`: each student opens the page through Streamlit's agent API,
`POST /_stcore/agent/interact`, then picks a new digit and waits for the rerun, again and
again). An agent session lives in the replica that created it and is named by the
`session_id` in each request's body, so each simulated student keeps a cookie jar of its own
(one per thread), as a browser does: HAProxy's CNNVIZ_REPLICA cookie keeps it on its replica.

Prints per setup: updates per second, p50/p95 latency, errors, how the students were spread
over the replicas (and that none changed replica), each replica's start-up time (launch to
healthy, as the script measures it) and its RSS after the load, with its model engine's; then
the ratios 2 replicas / 1 replica.

The machine is shared (other programs' load comes and goes), so the two setups alternate,
`--rounds` times, and the ratios are of all rounds pooled.

Run: `python bench/bench_replicas.py` (about 4 minutes); `--students 30 --seconds 30
--rounds 2 --pages feature_maps,convolution`.
"""

from __future__ import annotations

import argparse
import http.cookiejar
import os
import re
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from bench.bench_classroom import APP, Scenario, interact, milliseconds  # noqa: E402
from cnnviz.deploy import REPLICA_HEADER, free_plan  # noqa: E402

BASELINE_REPLICAS = 1
AGENT_FLAGS = ["--server.enableAgentApi", "true", "--server.agentMaxSessions", "400"]


class StudentCookies(urllib.request.HTTPCookieProcessor):
    """A cookie jar per thread (one simulated student each in `Scenario`), installed for every
    `urlopen`; it also notes which replicas answered each thread."""

    def __init__(self):  # no shared jar: `cookiejar` is the calling thread's
        self.local = threading.local()
        self.seen: list[set[str]] = []
        self.lock = threading.Lock()

    @property
    def cookiejar(self) -> http.cookiejar.CookieJar:
        if not hasattr(self.local, "jar"):
            self.local.jar, self.local.replicas = http.cookiejar.CookieJar(), set()
            with self.lock:
                self.seen.append(self.local.replicas)
        return self.local.jar

    def http_response(self, request, response):
        self.cookiejar.extract_cookies(response, request)
        self.local.replicas.add(response.headers.get(REPLICA_HEADER, "none"))
        return response

    https_response = http_response

    def spread(self) -> tuple[Counter, int]:
        """Students per replica, and how many were answered by more than one."""
        with self.lock:
            sessions = [replicas for replicas in self.seen if replicas]
            self.seen.clear()
        return Counter(min(r) for r in sessions if len(r) == 1), sum(len(r) > 1 for r in sessions)


@dataclass
class Deployment:
    """`deploy/replicas.py` running on loopback, and what it printed."""

    process: subprocess.Popen
    output: Path
    url: str

    def lines(self) -> str:
        return self.output.read_text(errors="replace")

    def replicas(self) -> list[tuple[str, int, float]]:
        """(name, pid, seconds from launch to healthy) of each replica."""
        found = re.findall(
            r"replica (r\d+) on \S+ \(pid (\d+)\) healthy after ([\d.]+) s", self.lines()
        )
        return sorted((name, int(pid), float(seconds)) for name, pid, seconds in found)

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(60)
        except subprocess.TimeoutExpired:
            self.process.kill()


def start(replicas: int, folder: Path) -> Deployment:
    """HAProxy and `replicas` replicas of the bench's app (`bench_classroom.APP`)."""
    plan = free_plan(replicas)
    output = folder / f"replicas-{replicas}.out"
    command = [sys.executable, str(REPO / "deploy" / "replicas.py"), "--replicas", str(replicas)]
    command += ["--address", plan.address, "--port", str(plan.port)]
    command += ["--first-port", str(plan.first_port)]
    command += ["--run-dir", str(folder / f"run-{replicas}"), "--app", APP, "--", *AGENT_FLAGS]
    environment = {**os.environ, "PYTHONPATH": str(REPO)}
    with open(output, "wb") as log:
        process = subprocess.Popen(command, env=environment, stdout=log, stderr=subprocess.STDOUT)
    deployment = Deployment(process, output, plan.front_url)
    deadline = time.monotonic() + 240
    while "READY" not in deployment.lines():
        if process.poll() is not None or time.monotonic() > deadline:
            deployment.stop()
            raise RuntimeError(f"replicas.py did not start:\n{deployment.lines()}")
        time.sleep(0.2)
    return deployment


@dataclass(frozen=True)
class Process:
    kind: str  # "script", "Streamlit", "engine" or "HAProxy"
    parent: int
    cpu_seconds: float
    rss_mb: float


def processes(root: int) -> dict[int, Process]:
    """`root` (the script) and every process below it, read from /proc."""
    table = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
            command = (entry / "cmdline").read_bytes()
            status = (entry / "status").read_text().splitlines()
            rss = next(int(line.split()[1]) / 1024 for line in status if line[:6] == "VmRSS:")
        except (OSError, ValueError, IndexError, StopIteration):
            continue  # gone, or a zombie
        kind = "engine" if b"cnnviz.engine" in command else "Streamlit"
        kind = "HAProxy" if b"haproxy" in command else kind
        ticks = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        table[int(entry.name)] = Process(kind, int(fields[1]), ticks, rss)
    below = {root}
    for _ in range(4):  # the script, its replicas and HAProxy, their engines, their workers
        below |= {pid for pid, process in table.items() if process.parent in below}
    found = {pid: table[pid] for pid in below & table.keys()}
    if root in found:
        found[root] = replace(found[root], kind="script")
    return found


def cpu_by_kind(before: dict[int, Process], after: dict[int, Process], seconds: float):
    """Cores each kind of process kept busy between two `processes` readings."""
    busy: dict[str, float] = Counter()
    for pid, process in after.items():
        earlier = before[pid].cpu_seconds if pid in before else 0.0
        busy[process.kind] += (process.cpu_seconds - earlier) / seconds
    return dict(busy)


@dataclass
class Setup:
    """What one setup measured."""

    replicas: int
    ready: float  # seconds from starting the script to its READY line
    first_page: dict[str, float]  # replica -> seconds of its first page (engine start included)
    result: Scenario
    spread: Counter
    moved: int
    cores: dict[str, float]
    memory: list[tuple[str, float, float, float]]  # (replica, Streamlit MB, engine MB, boot s)


def first_page_seconds(replica_url: str, page: str) -> float:
    """One new session straight to a replica: its first page, the engine's start included."""
    return interact(replica_url, {"page": page})[0]


def measure(replicas: int, page: str, students: int, seconds: float, cookies, folder: Path):
    """One setup: start it, warm every replica, run the load, note CPU and memory; stop it."""
    started = time.monotonic()
    deployment = start(replicas, folder)
    ready = time.monotonic() - started
    try:
        booted = deployment.replicas()
        plan_urls = re.findall(r"replica (r\d+) on (\S+) ", deployment.lines())
        first = {name: first_page_seconds(url, page) for name, url in plan_urls}
        Scenario(deployment.url, page, 2 * replicas, 0.0, 8).run()  # every cache warm
        cookies.spread()
        before, clock = processes(deployment.process.pid), time.monotonic()
        own = os.times()
        result = Scenario(deployment.url, page, students, 0.0, seconds).run()
        elapsed = time.monotonic() - clock
        after = processes(deployment.process.pid)
        cores = cpu_by_kind(before, after, elapsed)
        mine = os.times()
        cores["load generator (this bench)"] = (
            mine.user + mine.system - own.user - own.system
        ) / elapsed
        spread, moved = cookies.spread()
        memory = []
        for name, pid, boot in booted:
            engines = [p.rss_mb for p in after.values() if p.kind == "engine" and p.parent == pid]
            streamlit = after[pid].rss_mb if pid in after else float("nan")
            memory.append((name, streamlit, sum(engines), boot))
    finally:
        deployment.stop()
    return Setup(replicas, ready, first, result, spread, moved, cores, memory)


def latency_line(label: str, updates: int, seconds: float, latencies: list[float], errors: list):
    """One line: throughput, p50/p95 and errors; returns those figures."""
    times = sorted(latencies) or [float("nan")]
    figures = {
        "rate": updates / seconds,
        "p50": statistics.median(times),
        "p95": times[min(len(times) - 1, int(0.95 * len(times)))],
    }
    print(
        f"  {label}: {figures['rate']:6.1f} updates/s  p50 {milliseconds(figures['p50'])}"
        f"  p95 {milliseconds(figures['p95'])}  updates {updates:4d}  errors {len(errors)}"
        + (f" ({errors[0]})" if errors else "")
    )
    return figures


def report(setup: Setup, seconds: float) -> None:
    result = setup.result
    label = f"{setup.replicas} replica(s)"
    latency_line(label, len(result.latencies), seconds, result.latencies, result.errors)
    students = ", ".join(f"{name} {count}" for name, count in sorted(setup.spread.items()))
    print(f"    students per replica: {students}; answered by two replicas: {setup.moved}")
    busy = ", ".join(f"{kind} {cores:.2f}" for kind, cores in sorted(setup.cores.items()))
    print(f"    cores busy during the load (of {os.cpu_count()}): {busy}")
    print(f"    READY {setup.ready:.1f} s after the script started")
    for name, streamlit, engine, boot in setup.memory:
        first = f"first page {setup.first_page[name]:.1f} s"
        memory = f"RSS after the load {streamlit:.0f} MB (Streamlit)"
        if engine:
            first += " (its engine starting)"
            memory += f" + {engine:.0f} MB (its engine)"
        print(f"    {name}: launch to healthy {boot:.1f} s, {first}; {memory}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--students", type=int, default=30, help="students, back to back")
    parser.add_argument("--seconds", type=float, default=30, help="length of each load")
    parser.add_argument("--pages", default="feature_maps", help="comma-separated pages")
    parser.add_argument(
        "--rounds", type=int, default=2, help="1 replica, then 2, this many times (2)"
    )
    arguments = parser.parse_args()
    if arguments.students < 1 or arguments.seconds <= 0 or arguments.rounds < 1:
        parser.error(
            "--students and --rounds must be at least 1 and --seconds more than 0. Received "
            f"{arguments.students}, {arguments.rounds} and {arguments.seconds:g}."
        )
    cookies = StudentCookies()
    urllib.request.install_opener(urllib.request.build_opener(cookies))
    with tempfile.TemporaryDirectory(prefix="cnnviz-bench-replicas-") as folder:
        for page in arguments.pages.split(","):
            print(
                f"\n{arguments.students} students back to back on {page}, "
                f"{arguments.seconds:g} s each; baseline: {BASELINE_REPLICAS} replica; "
                f"{arguments.rounds} round(s), the setups alternating"
            )
            pooled = {BASELINE_REPLICAS: [], 2: []}
            for number in range(1, arguments.rounds + 1):
                print(f" round {number}")
                for replicas in (BASELINE_REPLICAS, 2):
                    setup = measure(
                        replicas, page, arguments.students, arguments.seconds, cookies, Path(folder)
                    )
                    report(setup, arguments.seconds)
                    pooled[replicas].append(setup.result)
            print(" all rounds")
            figures = {}
            for replicas, results in pooled.items():
                latencies = [value for result in results for value in result.latencies]
                errors = [error for result in results for error in result.errors]
                seconds = arguments.seconds * len(results)
                label = f"{replicas} replica(s)"
                figures[replicas] = latency_line(label, len(latencies), seconds, latencies, errors)
            one, two = figures[BASELINE_REPLICAS], figures[2]
            print(
                f"  2 replicas / 1 replica: throughput {two['rate'] / one['rate']:.2f}x, "
                f"p50 {two['p50'] / one['p50']:.2f}x, p95 {two['p95'] / one['p95']:.2f}x"
            )


if __name__ == "__main__":
    main()
