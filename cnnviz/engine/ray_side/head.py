"""A Ray cluster of one machine on loopback, for trying the Ray backend, its tests and bench.

`LocalHead()` runs `ray start --head --block` on free loopback ports with token authentication
on (a new random token, put in this process's environment too, so Ray Client presents it), and
stops that head, and only it, when it closes. A department's cluster is started by its
administrators instead (README, "Deploying"); this is the same thing on one machine.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

AUTH_VARIABLES = ("RAY_AUTH_MODE", "RAY_AUTH_TOKEN")
_START_SECONDS = 180.0


def free_port() -> int:
    """A TCP port nobody listens on at this moment, on loopback."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def ray_command() -> str:
    """The `ray` command beside this interpreter, else the one on PATH."""
    beside = Path(sys.executable).with_name("ray")
    return str(beside) if beside.exists() else (shutil.which("ray") or "ray")


class LocalHead:
    """`with LocalHead(num_cpus=4) as address:` gives `ray://127.0.0.1:<port>`.

    Args:
        num_cpus: Logical CPUs the head offers (forward-pass replicas and jobs take 1 each).
        log_path: Where `ray start` writes what it says (its logs stay in /tmp/ray).
    """

    def __init__(self, num_cpus: int = 4, log_path: str | Path | None = None):
        self.num_cpus, self.log_path = num_cpus, log_path
        self.address: str | None = None
        self.started_seconds: float | None = None
        self._saved: dict[str, str | None] = {}
        self._process: subprocess.Popen | None = None

    def __enter__(self) -> str:
        client_port = free_port()
        self._saved = {name: os.environ.get(name) for name in AUTH_VARIABLES}
        os.environ.update({"RAY_AUTH_MODE": "token", "RAY_AUTH_TOKEN": secrets.token_hex(32)})
        _reload_ray_settings()
        # `--block`: the head's processes live as long as this one, and end with it (`ray
        # stop` would stop every Ray process of the machine, other heads' too).
        command = [ray_command(), "start", "--head", "--block", "--node-ip-address=127.0.0.1"]
        command += [f"--port={free_port()}", f"--ray-client-server-port={client_port}"]
        command += ["--include-dashboard=false", f"--num-cpus={self.num_cpus}"]
        command += ["--disable-usage-stats"]
        log = open(self.log_path, "wb") if self.log_path else subprocess.DEVNULL  # noqa: SIM115
        start = time.monotonic()
        try:
            self._process = subprocess.Popen(
                command,
                env=self._environment(),
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # the head's processes, and only they, share its session
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        while not _listening(client_port):
            if self._process.poll() is not None or time.monotonic() - start > _START_SECONDS:
                self.__exit__()
                said = Path(self.log_path).read_text()[-3000:] if self.log_path else ""
                raise RuntimeError(f"`ray start --head` did not start a head:\n{said}")
            time.sleep(0.2)
        self.started_seconds = time.monotonic() - start
        self.address = f"ray://127.0.0.1:{client_port}"
        return self.address

    def __exit__(self, *exc) -> None:
        if sys.modules.get("ray") is not None:
            sys.modules["ray"].shutdown()
        if self._process is not None:
            _end_session(self._process.pid)
            self._process.wait()
        self._restore()

    @staticmethod
    def _environment() -> dict:
        return {**os.environ, "RAY_USAGE_STATS_ENABLED": "0"}

    def _restore(self) -> None:
        for name, value in self._saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value


def _end_session(session: int, grace: float = 5.0) -> None:
    """SIGTERM every process of the session `ray start` leads (Ray's workers put themselves in
    process groups of their own, but stay in it), then SIGKILL what is left after `grace`."""
    deadline = time.monotonic() + grace
    for signal_number in (signal.SIGTERM, signal.SIGKILL):
        members = _session_members(session)
        for pid in members:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal_number)
        while _session_members(session) and time.monotonic() < deadline:
            time.sleep(0.1)


def _session_members(session: int) -> list[int]:
    """The live (not zombie) processes whose session id is `session`."""
    members = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if fields[0] != "Z" and int(fields[3]) == session:
            members.append(int(stat.parent.name))
    return members


def _listening(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=1.0):
            return True
    except OSError:
        return False


def _reload_ray_settings() -> None:
    """Ray reads its settings (the token mode among them) when first imported; if this process
    imported it already, read them again (an app server imports Ray only once CNNVIZ_ENGINE
    asks for it, after its environment is set)."""
    if sys.modules.get("ray") is not None:
        from ray._raylet import Config

        Config.initialize("")
