"""Serve cnnviz from N Streamlit replicas behind HAProxy on one machine.

    python deploy/replicas.py --replicas 2 [--port 8501] [--first-port 8601]
        [--address 0.0.0.0] [--run-dir DIR] [--max-jobs TOTAL] [-- extra streamlit flags]

Writes the HAProxy configuration for N replicas into the run folder (a new temporary one
unless --run-dir is given), starts N `streamlit run app.py` replicas on loopback ports
first-port.. (headless, each with its own log in the run folder, all sharing one generated
cookie secret, the environment passed through), waits until each answers GET /_stcore/health,
starts `haproxy -W -db -f <config>` in front of them and prints
`READY http://<address>:<port> replicas=N`. Ctrl-C (SIGINT) or SIGTERM stops HAProxy and every
replica, with its model engine. A replica that stops on its own is reported; HAProxy sends its
students to the others, where they start a new session.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import os
import secrets
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from cnnviz import deploy  # noqa: E402
from cnnviz.engine.backends import ENGINE_ENV, engine_address  # noqa: E402

EPILOG = """\
the model engine: with the default local engine each replica starts an engine of its own
(TensorFlow, about 720 MB each); --max-jobs TOTAL splits TOTAL training jobs at once across
them through CNNVIZ_MAX_JOBS, at least 1 per replica (so with fewer jobs than replicas each
still runs 1). Without --max-jobs each engine takes CNNVIZ_MAX_JOBS from the environment
(default 1). With CNNVIZ_ENGINE=ray://host:port the replicas share the cluster's engine
instead (no engine process each) and --max-jobs is refused: the cluster sets its own cap.
Every other setting (CNNVIZ_MODELS_DIR, CNNVIZ_TEACHER_MODE...) reaches the replicas as it
is set here.

flags after `--` go to every `streamlit run`, for example
  -- --server.enableXsrfProtection true --server.maxUploadSize 50
(not --server.port, --server.address or --server.headless: this script sets them).
"""


# Ctrl-C, `kill`, and the terminal closing all stop everything.
STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)
PR_SET_PDEATHSIG = 1


class Stop(Exception):  # noqa: N818 (raised by SIGINT/SIGTERM: "stop")
    """SIGINT or SIGTERM arrived."""


class Failed(Exception):  # noqa: N818 (read as `raise Failed("...")`)
    """Starting failed in a way the message explains."""


def parse_args(argv: list[str]) -> tuple[argparse.Namespace, deploy.ReplicaPlan, list[str]]:
    """Options (before `--`), the plan they describe, and the flags for Streamlit (after it)."""
    parser = argparse.ArgumentParser(
        prog="python deploy/replicas.py",
        description=__doc__.split("\n\n")[0],
        epilog=EPILOG,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument(
        "--replicas", type=int, required=True, metavar="N", help="app servers, 1 to 64"
    )
    parser.add_argument("--port", type=int, default=8501, help="HAProxy's port (8501)")
    parser.add_argument(
        "--first-port", type=int, default=8601, metavar="PORT", help="replica 1's port (8601)"
    )
    parser.add_argument(
        "--address", default="0.0.0.0", help="HAProxy's IPv4 address (0.0.0.0: every network)"
    )
    parser.add_argument(
        "--run-dir", type=Path, metavar="DIR", help="config and logs (default: a new temp dir)"
    )
    parser.add_argument(
        "--max-jobs", type=int, metavar="TOTAL", help="training jobs at once, all replicas"
    )
    parser.add_argument("--app", default="app.py", help="the Streamlit script (app.py)")
    parser.add_argument(
        "--start-timeout", type=float, default=120, help="seconds a replica may take (120)"
    )
    split = argv.index("--") if "--" in argv else len(argv)
    arguments = parser.parse_args(argv[:split])
    flags = argv[split + 1 :]
    try:
        plan = deploy.ReplicaPlan(
            arguments.replicas, arguments.port, arguments.first_port, arguments.address
        )
        deploy.check_streamlit_flags(flags)
        if arguments.max_jobs is not None:
            deploy.split_max_jobs(arguments.max_jobs, arguments.replicas)
        cluster = engine_address(os.environ.get(ENGINE_ENV))  # refuses a bad setting
        if cluster and arguments.max_jobs is not None:
            raise ValueError(
                f"--max-jobs splits jobs among the replicas' own engines, but {ENGINE_ENV}="
                f"{cluster} runs them on the cluster: leave --max-jobs out. Received "
                f"--max-jobs {arguments.max_jobs}."
            )
        if not arguments.start_timeout > 0:
            raise ValueError(
                f"--start-timeout must be more than 0. Received {arguments.start_timeout}."
            )
        if not (REPO / arguments.app).is_file():
            raise ValueError(f"--app must be a script in {REPO}. Received {arguments.app!r}.")
        busy = deploy.ports_in_use(plan)
        if busy:
            raise ValueError(
                f"these ports are already in use: {', '.join(busy)} (another server?). "
                "Stop it, or choose other ports with --port and --first-port."
            )
    except ValueError as error:
        parser.error(str(error))
    return arguments, plan, flags


class Replicas:
    """HAProxy and the replicas this script started: each in a process group of its own, so
    that stopping one stops its engine and training workers with it."""

    def __init__(self, plan: deploy.ReplicaPlan, run_dir: Path):
        self.plan, self.run_dir = plan, run_dir
        self.replicas: dict[str, subprocess.Popen] = {}
        self.haproxy: subprocess.Popen | None = None
        self.launched: dict[str, float] = {}
        self.reported: set[str] = set()

    def log(self, name: str) -> Path:
        return self.run_dir / f"{name}.log"

    def start_replicas(self, arguments: argparse.Namespace, flags: list[str]) -> None:
        secret = secrets.token_hex(32)
        shares = [None] * self.plan.replicas
        if arguments.max_jobs is not None:
            shares = deploy.split_max_jobs(arguments.max_jobs, self.plan.replicas)
        for replica, max_jobs in zip(self.plan.servers, shares, strict=True):
            command = deploy.streamlit_command(sys.executable, arguments.app, replica, flags)
            environment = deploy.replica_environment(dict(os.environ), replica, secret, max_jobs)
            with open(self.log(f"replica-{replica.name}"), "ab") as log:
                self.launched[replica.name] = time.monotonic()
                self.replicas[replica.name] = subprocess.Popen(
                    command,
                    cwd=REPO,
                    env=environment,
                    stdin=subprocess.DEVNULL,
                    stdout=log,
                    stderr=subprocess.STDOUT,
                    start_new_session=True,
                    preexec_fn=stop_with_parent,
                )

    def wait_healthy(self, timeout: float) -> None:
        """Wait for every replica's GET /_stcore/health to answer 200, printing each one's
        start-up time (launch to healthy)."""
        deadline = time.monotonic() + timeout
        waiting = list(self.plan.servers)
        while waiting:
            for replica in list(waiting):
                process, log = self.replicas[replica.name], self.log(f"replica-{replica.name}")
                if process.poll() is not None:
                    raise Failed(
                        f"replica {replica.name} (port {replica.port}) exited with code "
                        f"{process.returncode} before it was healthy; see its log: {log}"
                    )
                if answers_200(replica.url + deploy.HEALTH_PATH):
                    waiting.remove(replica)
                    print(
                        f"replica {replica.name} on {replica.url} (pid {process.pid}) healthy "
                        f"after {time.monotonic() - self.launched[replica.name]:.1f} s; log: {log}",
                        flush=True,
                    )
            if waiting and time.monotonic() > deadline:
                replica = waiting[0]
                raise Failed(
                    f"replica {replica.name} did not answer GET {replica.url}{deploy.HEALTH_PATH} "
                    f"with 200 within {timeout:g} s; see its log: "
                    f"{self.log(f'replica-{replica.name}')}"
                )
            time.sleep(0.2)

    def start_haproxy(self, haproxy: str, config: Path) -> None:
        checked = subprocess.run(
            [haproxy, "-c", "-f", str(config)], capture_output=True, text=True, timeout=30
        )
        if checked.returncode != 0:
            raise Failed(f"haproxy refused {config}:\n{checked.stdout}{checked.stderr}")
        with open(self.log("haproxy"), "ab") as log:
            self.haproxy = subprocess.Popen(
                [haproxy, "-W", "-db", "-f", str(config)],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
                preexec_fn=stop_with_parent,
            )
        # 0.0.0.0 is every address of this machine, loopback included.
        address = deploy.REPLICA_ADDRESS if self.plan.address == "0.0.0.0" else self.plan.address
        deadline = time.monotonic() + 30
        while not answers_200(f"http://{address}:{self.plan.port}{deploy.HEALTH_PATH}"):
            if self.haproxy.poll() is not None or time.monotonic() > deadline:
                raise Failed(f"haproxy did not start; see its log: {self.log('haproxy')}")
            time.sleep(0.2)

    def watch(self) -> int:
        """Until a signal: say when a replica stops; end (1) when HAProxy or every replica has."""
        while True:
            for name, process in self.replicas.items():
                if process.poll() is not None and name not in self.reported:
                    self.reported.add(name)
                    print(
                        f"replica {name} stopped (exit code {process.returncode}); HAProxy sends "
                        f"its students to the others. Its log: {self.log(f'replica-{name}')}",
                        flush=True,
                    )
            if len(self.reported) == len(self.replicas):
                print("every replica has stopped; stopping HAProxy", flush=True)
                return 1
            if self.haproxy.poll() is not None:
                print(
                    f"haproxy stopped (exit code {self.haproxy.returncode}); see "
                    f"{self.log('haproxy')}",
                    flush=True,
                )
                return 1
            time.sleep(0.5)

    def stop(self) -> None:
        """HAProxy first (no new requests), then every replica with its engine: SIGTERM to the
        process, then to its group, SIGKILL after a bound."""
        if self.haproxy is not None:
            stop_group(self.haproxy, grace=10)
        processes = list(self.replicas.values())
        for process in processes:
            signal_group(process, signal.SIGTERM, leader_only=True)
        deadline = time.monotonic() + 15
        for process in processes:
            with contextlib.suppress(subprocess.TimeoutExpired):
                process.wait(max(0.1, deadline - time.monotonic()))
        for process in processes:
            stop_group(process, grace=5)


def answers_200(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as response:
            return response.status == 200
    except OSError:
        return False


def signal_group(process: subprocess.Popen, number: int, leader_only: bool = False) -> None:
    with contextlib.suppress(ProcessLookupError):
        if leader_only:
            if process.poll() is None:
                process.send_signal(number)
        else:
            os.killpg(process.pid, number)  # the group's id is its leader's pid


def stop_group(process: subprocess.Popen, grace: float) -> None:
    """SIGTERM to the process's group (the process, its engine, the engine's workers), SIGKILL
    to what is left after `grace` seconds."""
    signal_group(process, signal.SIGTERM)
    deadline = time.monotonic() + grace
    while group_alive(process) and time.monotonic() < deadline:
        time.sleep(0.1)
    signal_group(process, signal.SIGKILL)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(10)


def group_alive(process: subprocess.Popen) -> bool:
    process.poll()  # reaps the leader, which is our child
    try:
        os.killpg(process.pid, 0)
    except ProcessLookupError:
        return False
    return True


def stop_with_parent() -> None:
    """In a child, before it runs its program: SIGTERM when this script dies, even by SIGKILL
    (Linux's PR_SET_PDEATHSIG), so no replica or HAProxy outlives it."""
    if sys.platform == "linux":
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


def raise_stop(number, frame):
    raise Stop(signal.Signals(number).name)


def main(argv: list[str]) -> int:
    arguments, plan, flags = parse_args(argv)
    try:
        haproxy = deploy.find_haproxy()
    except FileNotFoundError as error:
        sys.exit(f"python deploy/replicas.py: error: {error}")
    run_dir = arguments.run_dir or Path(tempfile.mkdtemp(prefix="cnnviz-replicas-"))
    config = run_dir / "haproxy.cfg"
    try:
        run_dir.mkdir(parents=True, exist_ok=True)
        config.write_text(deploy.render_haproxy_config(plan), encoding="utf-8")
    except OSError as error:
        sys.exit(
            f"python deploy/replicas.py: error: cannot write the run folder {run_dir}: {error}"
        )

    for number in STOP_SIGNALS:
        signal.signal(number, raise_stop)
    servers = Replicas(plan, run_dir)
    code = 0
    try:
        servers.start_replicas(arguments, flags)
        servers.wait_healthy(arguments.start_timeout)
        servers.start_haproxy(haproxy, config)
        print(f"READY {plan.front_url} replicas={plan.replicas}", flush=True)
        print(f"logs and config: {run_dir}", flush=True)
        code = servers.watch()
    except Stop as stop:
        print(f"{stop}: stopping HAProxy and {plan.replicas} replica(s)", flush=True)
    except Failed as error:
        print(f"python deploy/replicas.py: error: {error}", file=sys.stderr, flush=True)
        code = 1
    finally:
        # A second Ctrl-C must not cut the stopping short.
        for number in STOP_SIGNALS:
            signal.signal(number, signal.SIG_IGN)
        servers.stop()
        print("stopped", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
