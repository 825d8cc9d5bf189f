"""`RayEngineClient`: the `EngineAPI` the pages use when the engine's work runs on Ray.

Connecting (`RayEngineClient.connect("ray://host:10001")`) joins the cluster through Ray Client
in the `cnnviz` namespace, finds or creates the detached `JobBoard` actor and the `cnnviz`
Serve application (`ForwardPasses`), then sends each request to one of them: job requests and
`ping` to the board, everything else to Serve, which picks a replica. Every wait is bounded by
the same `EngineOptions` as the local engine's (`request_timeout`, `long_request_timeout`);
an answer over its bound is an `EngineError`, never a restart: Ray restarts what dies itself.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import importlib
import os
import socket
import time
from pathlib import Path

import grpc
import ray
from ray import serve

from cnnviz.engine.api import JOB_REQUESTS, LONG_REQUESTS, EngineAPI
from cnnviz.engine.launcher import EngineOptions
from cnnviz.engine.protocol import PROTOCOL_VERSION, EngineError, error_from_reply
from cnnviz.engine.ray_side import APP_NAME, BOARD_NAME, NAMESPACE
from cnnviz.locations import BUNDLED_MODELS_DIR, REPO_ROOT, saved_models_dir
from cnnviz.validation import check_real, check_whole

_joined: dict[str, str] = {}  # the cluster this process joined


@dataclasses.dataclass(frozen=True)
class RaySettings:
    """How the engine's work is spread on the cluster.

    Attributes:
        max_replicas: Most `ForwardPasses` replicas Serve may start under load (at least 1).
        replica_cpus: CPUs each replica reserves.
        job_cpus: CPUs each training or transfer job reserves.
    """

    max_replicas: int = 4
    replica_cpus: float = 1.0
    job_cpus: float = 1.0

    def __post_init__(self):
        check_whole(self.max_replicas, f"{_SETTING_NAMES['max_replicas']} (replicas)", low=1)
        for name in ("replica_cpus", "job_cpus"):
            check_real(getattr(self, name), f"{_SETTING_NAMES[name]} (CPUs)", 0.0, 1024.0)

    @classmethod
    def from_environment(cls) -> RaySettings:
        """The settings `CNNVIZ_RAY_MAX_REPLICAS`, `CNNVIZ_RAY_REPLICA_CPUS` and
        `CNNVIZ_RAY_JOB_CPUS` give, the defaults for those unset.

        Raises:
            ValueError: For a value that is not a number in range, naming the variable.
        """
        values = {}
        for field, variable in _SETTING_NAMES.items():
            text = os.environ.get(variable, "").strip()
            if not text:
                continue
            try:
                values[field] = int(text) if field == "max_replicas" else float(text)
            except ValueError:
                kind = "a whole number" if field == "max_replicas" else "a number"
                raise ValueError(f"{variable} must be {kind}. Received {text!r}.") from None
        return cls(**values)


_SETTING_NAMES = {
    "max_replicas": "CNNVIZ_RAY_MAX_REPLICAS",
    "replica_cpus": "CNNVIZ_RAY_REPLICA_CPUS",
    "job_cpus": "CNNVIZ_RAY_JOB_CPUS",
}


class RayEngineClient(EngineAPI):
    """The engine's requests answered on a Ray cluster; thread-safe (Ray Client is).

    Create one with `RayEngineClient.connect(address, ...)`.
    """

    def __init__(self, address: str, options: EngineOptions, board, forward):
        self.address, self.options = address, options
        self._board, self._forward = board, forward

    @classmethod
    def connect(
        cls,
        address: str,
        options: EngineOptions | None = None,
        settings: RaySettings | None = None,
        /,
        **fields,
    ) -> RayEngineClient:
        """Join the cluster at `address` and make sure the board and Serve app are there.

        Args:
            address: Ray Client's address, `ray://host:port` (port 10001 by default).
            options: `EngineOptions`, any field of which may also be given by name: the
                directories, `max_jobs` (cluster-wide), `lease_seconds`, and the timeouts.
            settings: Replicas and CPUs (`RaySettings`).

        Raises:
            EngineError: If nothing answers at `address` within `connect_timeout`, Ray
                refuses the connection, or the cluster's job board keeps runs in another
                folder than this app server reads.
        """
        options = dataclasses.replace(options or EngineOptions(), **fields)
        settings = settings or RaySettings.from_environment()
        config = _engine_config(options)
        join(address, options.timeout, options.connect_timeout)
        # The board and the Serve app are made inside the cluster: this process never
        # imports the engine's server side.
        ensure = ray.remote(num_cpus=0, max_retries=0)(_ensure_running)
        try:
            ray.get(
                ensure.remote(config, dataclasses.asdict(settings), options.timeout),
                timeout=options.timeout + 30,
            )
        except ray.exceptions.RayTaskError as error:
            raise EngineError(str(error.cause) if error.cause else str(error)) from error
        except Exception as error:
            raise EngineError(
                f"The Ray cluster at {address} did not set up the engine's work within "
                f"{options.timeout:g} s: {type(error).__name__}: {error}"
            ) from error
        client = cls(address, options, ray.get_actor(BOARD_NAME, namespace=NAMESPACE), None)
        info = client.ping()
        if Path(info.models_dir).resolve() != Path(config["models_dir"]).resolve():
            raise EngineError(
                f"The Ray cluster's job board saves runs in {info.models_dir}, but this app "
                f"server reads them from {config['models_dir']}. Give every app server and "
                "every Ray node one shared folder at the same path (CNNVIZ_MODELS_DIR)."
            )
        client._forward = serve.get_app_handle(APP_NAME)
        return client

    def close(self) -> None:
        """Disconnect from the cluster; the board and the Serve app stay for other servers."""
        ray.shutdown()

    def _call(self, method: str, **kwargs):
        request = (PROTOCOL_VERSION, method, kwargs)
        options = self.options
        bound = options.long_request_timeout if method in LONG_REQUESTS else options.request_timeout
        try:
            if method in JOB_REQUESTS:
                reply = ray.get(self._board.handle.remote(request), timeout=bound)
            else:
                reply = _outside_event_loop(
                    lambda: self._forward.handle.remote(request).result(timeout_s=bound)
                )
        except TimeoutError as error:  # Ray's GetTimeoutError is one too
            raise EngineError(
                f"The model engine on Ray did not answer {method!r} within {bound:g} s. Try "
                "again with less work (fewer steps or images)."
            ) from error
        except Exception as error:  # Ray's own failures: a dead actor, a lost connection...
            raise EngineError(
                f"The model engine on Ray failed while answering {method!r}: "
                f"{type(error).__name__}: {error}"
            ) from error
        if reply[0] == "ok":
            return reply[1]
        raise error_from_reply(*reply[1:])


def join(address: str, timeout: float, connect_timeout: float = 3.0) -> None:
    """`ray.init` through Ray Client, tried again while `timeout` lasts: a busy head takes a
    while to start the server process each client gets (Ray gives up after about 30 s).

    Raises:
        EngineError: At once if nothing, or something that is not Ray Client, answers at
            `address` within `connect_timeout`; after `timeout` if Ray does not let us in.
    """
    if ray.is_initialized():
        if _joined.get("address") == address:
            return
        ray.shutdown()  # one process talks to one cluster
    check_listening(address, connect_timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            ray.init(
                address,
                namespace=NAMESPACE,
                runtime_env={"env_vars": {"PYTHONPATH": str(REPO_ROOT)}},
                log_to_driver=False,
                logging_level="WARNING",
            )
            _joined["address"] = address
            return
        except ConnectionError as error:
            ray.shutdown()
            if time.monotonic() > deadline:
                message = f"Ray did not let this server in at {address}: {error}"
                raise EngineError(message) from error
        except Exception as error:
            raise EngineError(f"Ray refused the connection at {address}: {error}") from error


def _outside_event_loop(call):
    """`call()` here, or in another thread if this one runs an asyncio event loop (Serve's
    handles refuse to wait inside one; a Streamlit script thread has none)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return call()
    with concurrent.futures.ThreadPoolExecutor(max_workers=1) as pool:
        return pool.submit(call).result()


def _engine_config(options: EngineOptions) -> dict:
    """The board's and replicas' `EngineConfig` fields: this app server's folders and job
    rules (paths in full, as every machine sees the same ones)."""
    return {
        "bundled_dir": str(Path(options.bundled_dir or BUNDLED_MODELS_DIR).resolve()),
        "models_dir": str(Path(options.models_dir or saved_models_dir()).resolve()),
        "max_jobs": options.max_jobs or _max_jobs_from_environment(),
        "lease_seconds": options.lease_seconds or 30.0,
    }


def _max_jobs_from_environment() -> int:
    """`CNNVIZ_MAX_JOBS` (jobs at once across the cluster), 1 when unset.

    Raises:
        ValueError: For anything but a whole number of at least 1, naming the variable.
    """
    text = os.environ.get("CNNVIZ_MAX_JOBS", "").strip() or "1"
    if not text.isdigit() or int(text) < 1:
        raise ValueError(
            f"CNNVIZ_MAX_JOBS must be a whole number of at least 1. Received {text!r}."
        )
    return int(text)


def _ensure_running(config: dict, settings: dict, timeout: float) -> None:
    """`cluster.ensure_running`, imported where it runs: in a Ray worker of the cluster."""
    importlib.import_module("cnnviz.engine.ray_side.cluster").ensure_running(
        config, settings, timeout
    )


def check_listening(address: str, timeout: float) -> None:
    """Refuse within `timeout` an address where nothing listens, or something that does not
    speak gRPC (Ray Client's protocol) answers: Ray itself would retry for half a minute."""
    target = address.removeprefix("ray://")
    host, _, port = target.rpartition(":")
    try:
        with socket.create_connection((host, int(port)), timeout=timeout):
            pass
    except OSError as error:
        raise EngineError(
            f"Nothing answers at {address} ({error.strerror or error}). Start the Ray cluster "
            "(`ray start --head`), check the address, or unset CNNVIZ_ENGINE to use the "
            "engine on this machine."
        ) from error
    channel = grpc.insecure_channel(target)
    try:
        grpc.channel_ready_future(channel).result(timeout=timeout)
    except grpc.FutureTimeoutError as error:
        raise EngineError(
            f"Something listens at {address} but does not answer as Ray Client does within "
            f"{timeout:g} s. Check that it is the head's client port (10001 by default)."
        ) from error
    finally:
        channel.close()
