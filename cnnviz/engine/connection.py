"""Connecting to the model engine with a bound on every wait (the Streamlit side).

`multiprocessing.connection.Client` has no timeout: against a stopped engine the kernel still
accepts the connection, and the handshake then waits for ever. `connect` bounds the connect and
the handshake; `EngineHungError` says an engine did not answer in time. This module imports
neither TensorFlow nor Keras.
"""

from __future__ import annotations

import socket
import struct
from multiprocessing.connection import Connection, answer_challenge, deliver_challenge

HUNG_MESSAGE = (
    "The model engine stopped answering (no reply to a health check within {seconds:g} s), "
    "so it was stopped and started again."
)


class EngineHungError(OSError):
    """The engine accepted a connection or a request but does not answer (say, stopped)."""


def connect(address, authkey: bytes, timeout: float) -> Connection:
    """A connection to the engine, its key proved both ways, within `timeout` seconds.

    `multiprocessing.connection.Client` has no timeout: against a stopped engine the kernel
    still accepts the connection, and the handshake then waits for ever. Here the socket's
    receive and send timeouts bound the handshake, and are cleared once it is done (requests
    are bounded by `poll`).

    Raises:
        EngineHungError: If connecting or the handshake takes longer than `timeout`.
        ConnectionRefusedError, FileNotFoundError: If nothing listens there (a dead engine).
    """
    family = socket.AF_UNIX if isinstance(address, str) else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.settimeout(timeout)
        sock.connect(address)
        sock.settimeout(None)
        _set_io_timeout(sock, timeout)
        connection = Connection(sock.detach())
    except TimeoutError as error:
        raise EngineHungError(
            f"The model engine did not accept a connection within {timeout:g} s."
        ) from error
    finally:
        sock.close()
    try:
        answer_challenge(connection, authkey)
        deliver_challenge(connection, authkey)
        with socket.socket(fileno=connection.fileno()) as view:
            _set_io_timeout(view, 0)
            view.detach()  # the connection keeps the descriptor
    except (BlockingIOError, TimeoutError) as error:
        connection.close()
        raise EngineHungError(
            f"The model engine accepted a connection but did not answer within {timeout:g} s."
        ) from error
    except BaseException:
        connection.close()
        raise
    return connection


def _set_io_timeout(sock: socket.socket, seconds: float) -> None:
    """Bound each blocking read and write on `sock` (0: no bound)."""
    whole = int(seconds)
    value = struct.pack("ll", whole, int((seconds - whole) * 1_000_000))
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, value)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDTIMEO, value)
