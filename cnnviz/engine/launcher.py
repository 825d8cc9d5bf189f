"""Launching the model engine as its own program, `python -m cnnviz.engine`.

The engine is started with `subprocess.Popen` (never `multiprocessing` from the Streamlit
process, which runs pages as `__main__`), gets its secret key through the environment, and
announces its address with one `READY <address>` line on stdout. This module imports neither
TensorFlow nor Keras.
"""

from __future__ import annotations

import math
import os
import select
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

from cnnviz.engine.logfile import open_owner_only
from cnnviz.engine.protocol import AUTHKEY_ENV, PARENT_PID_ENV, EngineError
from cnnviz.locations import REPO_ROOT
from cnnviz.validation import check_real, check_whole


@dataclass(frozen=True)
class EngineOptions:
    """How to launch the engine (None: the engine's default, or its environment variable).

    Attributes:
        models_dir: Saved training runs (`CNNVIZ_MODELS_DIR`, else `<repo>/models`).
        bundled_dir: Bundled models (default `<repo>/assets/models`).
        max_jobs: Jobs running at once, server-wide (`CNNVIZ_MAX_JOBS`, else 1).
        lease_seconds: A job whose session stops polling this long is stopped (default 30).
        address: `"host:port"` for loopback TCP; None for a Unix socket in a private directory.
        log_path: File the engine's output is appended to (readable by its owner only, at
            most about twice `log_max_bytes`: it rotates to `<log>.1`); None discards it.
        log_max_bytes: When the log rotates.
        timeout: Seconds to wait for the engine to listen.
        connect_timeout: Seconds to connect and prove the key; an engine that does not is hung.
        health_after: Seconds an answer may take before the client checks, with a `ping` on a
            connection of its own, that the engine still answers at all.
        health_timeout: Seconds that `ping` may take; an engine that does not answer it is
            hung: it is killed and started again.
        request_timeout: Seconds any one answer may take while the engine is healthy.
        long_request_timeout: The same for the long requests (`LONG_REQUESTS`).
    """

    models_dir: str | Path | None = None
    bundled_dir: str | Path | None = None
    max_jobs: int | None = None
    lease_seconds: float | None = None
    address: str | None = None
    log_path: str | Path | None = None
    log_max_bytes: int = 5_000_000
    timeout: float = 60.0
    connect_timeout: float = 3.0
    health_after: float = 3.0
    health_timeout: float = 4.0
    request_timeout: float = 120.0
    long_request_timeout: float = 600.0

    def __post_init__(self):
        if self.max_jobs is not None:
            check_whole(self.max_jobs, "`max_jobs`", low=1)
        seconds = ("lease_seconds", "timeout", "connect_timeout", "health_after")
        seconds += ("health_timeout", "request_timeout", "long_request_timeout")
        for name in seconds:
            if getattr(self, name) is not None:
                check_real(getattr(self, name), f"`{name}` (seconds)", 0.0, math.inf, open_low=True)
        if self.address is not None:
            host, _, port = str(self.address).rpartition(":")
            if not (isinstance(self.address, str) and host and port.isdigit()):
                raise ValueError(
                    "`address` must look like '127.0.0.1:8765' (port 0: any free port). "
                    f"Received {self.address!r}."
                )

    def command(self) -> list[str]:
        """The engine's command line (no secrets on it)."""
        command = [sys.executable, "-m", "cnnviz.engine"]
        for flag, value in (
            ("--models-dir", self.models_dir),
            ("--bundled-dir", self.bundled_dir),
            ("--max-jobs", self.max_jobs),
            ("--lease-seconds", self.lease_seconds),
            ("--address", self.address),
            ("--log-file", self.log_path),
            ("--log-max-bytes", self.log_max_bytes if self.log_path else None),
        ):
            if value is not None:
                is_path = isinstance(value, Path) or flag.endswith(("-dir", "-file"))
                command += [flag, str(Path(value).resolve()) if is_path else str(value)]
        return command


class EngineProcess:
    """The running engine: its process, address and key (replaced on restart)."""

    def __init__(self, options: EngineOptions):
        self.options = options
        self.authkey = os.urandom(32)
        env = {**os.environ, AUTHKEY_ENV: self.authkey.hex(), PARENT_PID_ENV: str(os.getpid())}
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")]))
        # Until the engine takes its log over (`engine.logfile`), start-up errors land here.
        log = open_owner_only(Path(options.log_path)) if options.log_path else subprocess.DEVNULL
        try:
            self.process = subprocess.Popen(
                options.command(),
                cwd=REPO_ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=subprocess.PIPE,
                stderr=log,
            )
        finally:
            if log is not subprocess.DEVNULL:
                log.close()
        try:
            self.address = read_ready_line(self.process, options)
        except BaseException:
            self.terminate()
            raise
        finally:
            self.process.stdout.close()

    def terminate(self, grace: float = 5.0) -> None:
        """Stop the engine (SIGTERM, then SIGKILL after `grace` seconds; at once for 0: a hung
        engine cannot act on SIGTERM) and remove its socket directory."""
        if self.process.poll() is None:
            if grace > 0:
                self.process.terminate()
            try:
                self.process.wait(grace)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        address = getattr(self, "address", None)
        if isinstance(address, str) and Path(address).parent.name.startswith("cnnviz-engine-"):
            shutil.rmtree(Path(address).parent, ignore_errors=True)


def read_ready_line(process: subprocess.Popen, options: EngineOptions):
    """Wait for `READY <address>` on the engine's stdout; the address as `Client` takes it."""
    deadline, line = time.monotonic() + options.timeout, b""
    while not line.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            raise EngineError(f"The model engine did not start within {options.timeout:g} s.")
        readable, _, _ = select.select([process.stdout], [], [], min(left, 0.5))
        chunk = os.read(process.stdout.fileno(), 4096) if readable else b""
        if readable and not chunk:
            hint = f" See {options.log_path}." if options.log_path else ""
            code = process.wait(5)
            raise EngineError(f"The model engine exited (code {code}) before it was ready.{hint}")
        line += chunk
    text = line.decode().strip()
    if not text.startswith("READY "):
        raise EngineError(f"The model engine said {text!r} instead of 'READY <address>'.")
    address = text.removeprefix("READY ")
    if address.startswith("/"):
        return address
    host, _, port = address.rpartition(":")
    return (host, int(port))
