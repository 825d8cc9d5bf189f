"""The local backend of `EngineAPI`: start the engine process, talk to it, restart it if it
died.

This module imports neither TensorFlow nor Keras. One `EngineClient` is shared by every session
of the server and is safe to call from many threads at once: each call borrows a connection
from a small pool, and the engine serves each connection in its own thread.

Example:
    >>> engine = EngineClient.start(models_dir="models")
    >>> engine.predict("lecture", images).shape    # images (n, 28, 28) floats in 0..1
    (n, 10)
    >>> job_id = engine.submit_job("sleep", {"steps": 3}, session="abc")
    >>> engine.job_status(job_id).state
    'running'
"""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from multiprocessing.connection import Connection

from cnnviz.engine.api import LONG_REQUESTS, EngineAPI
from cnnviz.engine.connection import HUNG_MESSAGE, EngineHungError, connect
from cnnviz.engine.launcher import EngineOptions, EngineProcess
from cnnviz.engine.protocol import PROTOCOL_VERSION, EngineError, error_from_reply

# What a dead engine looks like from here, on connecting or in the middle of a request.
DEAD_ENGINE_ERRORS = (
    EOFError,
    ConnectionRefusedError,
    ConnectionResetError,
    BrokenPipeError,
    FileNotFoundError,
)
_IDLE_CONNECTIONS = 16


class EngineClient(EngineAPI):
    """A thread-safe handle on the engine process; restarts it once if a request finds it dead
    or hung.

    Nothing waits on the engine without a bound: connecting and proving the key take at most
    `connect_timeout`; an answer that takes longer than `health_after` makes the client `ping`
    the engine on a connection of its own, and an engine that does not answer that within
    `health_timeout` is hung: it is killed, started again and the request sent once more (a
    hung engine is noticed within about `health_after + health_timeout` seconds). A healthy
    engine may compute for up to `request_timeout` (`long_request_timeout` for
    `LONG_REQUESTS`).

    Create one with `EngineClient.start(...)`. `restarts` counts the restarts so far; the UI
    shows `restart_notice(seen)` as a warning.
    """

    def __init__(self, options: EngineOptions):
        self.options = options
        self.restarts = 0
        self.restart_reason = ""
        self._engine = EngineProcess(options)
        self._generation = 0
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._restart_lock = threading.Lock()
        self._closed = False
        # Stops the engine when the client is collected or the interpreter exits normally;
        # the engine also exits by itself when this process dies.
        self._finalizer = weakref.finalize(self, _terminate, [self._engine])

    @classmethod
    def start(cls, options: EngineOptions | None = None, /, **fields) -> EngineClient:
        """Launch the engine (`python -m cnnviz.engine`) and wait until it listens.

        Args:
            options: How to launch it; any `EngineOptions` field may also be given by name,
                for example `EngineClient.start(models_dir=path, max_jobs=2, log_path=log)`.

        Returns:
            A client connected to the new engine.

        Raises:
            TypeError: If a field name is not an `EngineOptions` field.
            EngineError: If the engine exits or is not listening within `timeout` seconds.
        """
        return cls(dataclasses.replace(options or EngineOptions(), **fields))

    @property
    def pid(self) -> int:
        """The engine's process id."""
        return self._engine.process.pid

    @property
    def address(self) -> str | tuple[str, int]:
        """Where the engine listens: a Unix socket path or `(host, port)`."""
        return self._engine.address

    def close(self) -> None:
        """Terminate the engine and its jobs (the app instead relies on the engine noticing
        that the server is gone)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        self._finalizer()

    def _call(self, method: str, **kwargs):
        """Send one request and return its result; on a dead or hung engine restart it once
        and send the request again."""
        request = (PROTOCOL_VERSION, method, kwargs)
        generation = self._generation
        try:
            reply = self._exchange(request)
        except (*DEAD_ENGINE_ERRORS, EngineHungError) as error:
            self._restart(generation, hung=isinstance(error, EngineHungError))
            try:
                reply = self._exchange(request)
            except (*DEAD_ENGINE_ERRORS, EngineHungError) as error:
                log = self.options.log_path
                where = f"Its log, {log}, says why." if log else "It was started without a log."
                raise EngineError(
                    f"The model engine stopped while answering {method!r}, even after a "
                    f"restart. {where}"
                ) from error
        if reply[0] == "ok":
            return reply[1]
        raise error_from_reply(*reply[1:])

    def _exchange(self, request: tuple) -> tuple:
        """One request and its reply over a pooled connection (closed if anything goes wrong).

        Raises:
            EngineHungError: If the engine stopped answering even a health check.
            EngineError: If a healthy engine took longer than the request's bound.
        """
        generation, connection = self._acquire()
        try:
            connection.send(request)
            self._wait_for_reply(connection, request[1])
            reply = connection.recv()
        except BaseException:
            connection.close()
            raise
        self._release(generation, connection)
        return reply

    def _wait_for_reply(self, connection: Connection, method: str) -> None:
        """Wait until `connection` has the reply, checking the engine's health while it lasts."""
        options = self.options
        bound = options.long_request_timeout if method in LONG_REQUESTS else options.request_timeout
        start = time.monotonic()
        next_check = start + options.health_after
        while not connection.poll(max(0.0, min(next_check, start + bound) - time.monotonic())):
            now = time.monotonic()
            if now >= start + bound:
                raise EngineError(
                    f"The model engine did not answer {method!r} within {bound:g} s. Try "
                    "again with less work (fewer steps or images)."
                )
            if now >= next_check:
                self._check_health()
                next_check = time.monotonic() + options.health_after

    def _check_health(self) -> None:
        """Raise `EngineHungError` unless the engine answers a `ping` within `health_timeout`."""
        with self._lock:
            engine = self._engine
        timeout = self.options.health_timeout
        connection = connect(engine.address, engine.authkey, self.options.connect_timeout)
        try:
            connection.send((PROTOCOL_VERSION, "ping", {}))
            if not connection.poll(timeout):
                raise EngineHungError(HUNG_MESSAGE.format(seconds=timeout))
            connection.recv()
        finally:
            connection.close()

    def _acquire(self) -> tuple[int, Connection]:
        with self._lock:
            if self._closed:
                raise EngineError("This engine client was closed.")
            generation, engine = self._generation, self._engine
            if self._idle:
                return generation, self._idle.pop()
        return generation, connect(engine.address, engine.authkey, self.options.connect_timeout)

    def _release(self, generation: int, connection: Connection) -> None:
        with self._lock:
            keep = not self._closed and generation == self._generation
            if keep and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _restart(self, generation: int, hung: bool = False) -> None:
        """Replace a dead (or hung: killed at once) engine, unless another thread already did
        since `generation`."""
        with self._restart_lock:
            if generation != self._generation:
                return
            self._engine.terminate(grace=0 if hung else 5)
            engine = EngineProcess(self.options)
            with self._lock:
                stale, self._idle = self._idle, []
                self._engine, self._generation = engine, self._generation + 1
                self.restarts += 1
                timeout = self.options.health_timeout
                self.restart_reason = HUNG_MESSAGE.format(seconds=timeout) if hung else ""
                self._finalizer.detach()
                self._finalizer = weakref.finalize(self, _terminate, [engine])
        for connection in stale:
            connection.close()


def _terminate(engines: list[EngineProcess]) -> None:
    for engine in engines:
        engine.terminate()
