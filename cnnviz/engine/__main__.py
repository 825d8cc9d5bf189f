"""Run the model engine: `python -m cnnviz.engine [--address host:port] [--models-dir DIR] ...`.

The client (`EngineClient.start`) launches this with the secret key in the environment variable
`CNNVIZ_ENGINE_AUTHKEY` (hex), never on the command line. The engine writes one line,
`READY <address>`, to stdout once it listens; everything after goes to stderr (the log).
"""

from __future__ import annotations

import argparse
import atexit
import logging
import os
import sys
from pathlib import Path

from cnnviz.engine.logfile import capture_stderr
from cnnviz.engine.protocol import AUTHKEY_ENV, PARENT_PID_ENV
from cnnviz.engine.server import EngineConfig, EngineServer


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    """Command-line options, with the environment's defaults."""
    parser = argparse.ArgumentParser(prog="python -m cnnviz.engine", description=__doc__)
    parser.add_argument("--address", help="listen on loopback TCP host:port, not a Unix socket")
    parser.add_argument("--models-dir", default=os.environ.get("CNNVIZ_MODELS_DIR"))
    parser.add_argument("--bundled-dir", help="directory of bundled models (assets/models)")
    parser.add_argument("--max-jobs", type=int, default=os.environ.get("CNNVIZ_MAX_JOBS", 1))
    parser.add_argument("--lease-seconds", type=float, default=30.0)
    parser.add_argument("--log-file", help="keep the engine's log here, bounded in size")
    parser.add_argument("--log-max-bytes", type=int, default=5_000_000)
    args = parser.parse_args(argv)
    if args.max_jobs < 1:
        parser.error(f"--max-jobs must be at least 1. Received {args.max_jobs}.")
    if args.lease_seconds <= 0:
        parser.error(f"--lease-seconds must be more than 0. Received {args.lease_seconds}.")
    if args.address is not None:
        host, _, port = args.address.rpartition(":")
        if not host or not port.isdigit():
            parser.error(f"--address must look like 127.0.0.1:8765. Received {args.address!r}.")
        args.address = (host, int(port))
    return args


def main(argv: list[str] | None = None) -> None:
    """Start the engine and serve until SIGTERM or the parent's death."""
    args = parse_args(argv)
    try:
        authkey = bytes.fromhex(os.environ.pop(AUTHKEY_ENV, ""))
    except ValueError:
        authkey = b""
    if len(authkey) < 16:
        sys.exit(f"Set {AUTHKEY_ENV} to a secret of at least 16 bytes, in hex.")
    # Keep stdout for the READY line only; anything printed later lands in the log (stderr),
    # so the engine can never block on a pipe that nobody reads.
    ready_fd = os.dup(1)
    if args.log_file:
        copier = capture_stderr(Path(args.log_file), args.log_max_bytes)
        # An engine that fails (say, at start) prints its traceback, then exits: let the log's
        # copier take all of it before the process ends (atexit runs after the traceback).
        atexit.register(_drain_log, copier)
    os.dup2(2, 1)
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
    )

    defaults = EngineConfig()
    parent = os.environ.pop(PARENT_PID_ENV, "")
    config = EngineConfig(
        bundled_dir=Path(args.bundled_dir) if args.bundled_dir else defaults.bundled_dir,
        models_dir=Path(args.models_dir) if args.models_dir else defaults.models_dir,
        max_jobs=args.max_jobs,
        lease_seconds=args.lease_seconds,
        address=args.address,
        parent_pid=int(parent) if parent.isdigit() else None,
    )
    EngineServer(config, authkey).serve(ready_fd)


def _drain_log(copier, timeout: float = 5.0) -> None:
    """Close this process's ends of the log's pipe and wait for the copier to write the rest."""
    for stream in (sys.stdout, sys.stderr):
        stream.flush()
    for descriptor in (1, 2):
        os.close(descriptor)
    copier.join(timeout)


if __name__ == "__main__":
    main()
