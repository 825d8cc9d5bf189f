"""The engine's log: everything the engine and its workers write to stderr, TensorFlow's C++
messages included, kept in one file of bounded size that only its owner can read.

`capture_stderr` points file descriptor 2 at a pipe and copies what arrives into the log from a
thread; when the file passes `max_bytes` it becomes `<log>.1` (replacing the older one) and a new
file starts, so the log never holds more than about twice `max_bytes`.
"""

from __future__ import annotations

import os
import threading
from pathlib import Path

OWNER_ONLY = 0o600


def open_owner_only(path: Path, mode: str = "ab"):
    """Open `path` for appending, creating it readable and writable by its owner only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, OWNER_ONLY)
    os.chmod(path, OWNER_ONLY)  # an older file keeps its mode: tighten it too
    return os.fdopen(descriptor, mode)


def capture_stderr(path: Path, max_bytes: int) -> threading.Thread:
    """Send this process's stderr (and its children's) into the bounded log at `path`.

    Returns:
        The (daemon) thread that copies the pipe into the file.
    """
    path = Path(path)
    reader, writer = os.pipe()
    os.dup2(writer, 2)
    os.close(writer)
    thread = threading.Thread(
        target=_copy, args=(reader, path, max_bytes), name="engine-log", daemon=True
    )
    thread.start()
    return thread


def _copy(reader: int, path: Path, max_bytes: int) -> None:
    log = open_owner_only(path)
    try:
        while chunk := os.read(reader, 65536):
            while chunk:
                room = max_bytes - log.tell()
                if room <= 0:
                    log.close()
                    os.replace(path, path.with_name(path.name + ".1"))
                    log, room = open_owner_only(path), max_bytes
                log.write(chunk[:room])
                chunk = chunk[room:]
            log.flush()
    finally:
        log.close()
