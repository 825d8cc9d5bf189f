"""Run inside the cluster (a Ray task): make sure the job board and the Serve app are there.

The app server never imports the engine's server side (`server`, `scheduler`, and through
them the job and model code): `RayEngineClient.connect` asks a task to run
`ensure_running` on the cluster, and afterwards finds the board by name and the Serve app by
its handle.
"""

from __future__ import annotations

import time

from ray import serve

from cnnviz.engine.protocol import EngineError
from cnnviz.engine.ray_side import APP_NAME, BOARD_NAME, NAMESPACE
from cnnviz.engine.ray_side.jobs import JobBoard
from cnnviz.engine.ray_side.serving import forward_passes_app
from cnnviz.engine.server import EngineConfig

_BOARD_CONCURRENCY = 64


def ensure_running(config: dict, settings: dict, timeout: float) -> None:
    """Create the job board unless it exists, and deploy the forward passes unless Serve
    runs them (waiting, at most `timeout` seconds, for one another app server is deploying).

    Args:
        config: `EngineConfig`'s fields (paths as strings).
        settings: `RaySettings`' fields.
        timeout: Seconds the forward passes may take to be ready.

    Raises:
        EngineError: If Serve does not run the forward passes within `timeout`.
    """
    engine_config = EngineConfig(**config)
    JobBoard.options(
        name=BOARD_NAME,
        namespace=NAMESPACE,
        lifetime="detached",
        get_if_exists=True,
        num_cpus=0,
        max_concurrency=_BOARD_CONCURRENCY,
    ).remote(engine_config, settings["job_cpus"])
    deadline = time.monotonic() + timeout
    if _app_state() not in ("RUNNING", "DEPLOYING"):
        app = forward_passes_app(engine_config, settings["max_replicas"], settings["replica_cpus"])
        # Not waiting inside Serve: its own wait has no bound.
        serve._run(app, _blocking=False, name=APP_NAME, route_prefix=None)
    while (state := _app_state()) != "RUNNING":
        if state not in ("DEPLOYING", None) or time.monotonic() > deadline:
            cpus = f"{settings['replica_cpus']:g} CPU(s) per replica"
            raise EngineError(
                f"Ray Serve did not start the forward passes within {timeout:g} s (the app is "
                f"{state or 'missing'}). Does the cluster have {cpus} free? The replicas' "
                "logs are under /tmp/ray/session_latest/logs/serve/ on its machines."
            )
        time.sleep(0.25)


def _app_state() -> str | None:
    """The Serve app's status (`RUNNING`, `DEPLOYING`, ...), None if it is not there."""
    status = serve.status().applications.get(APP_NAME)
    return None if status is None else str(status.status.value)
