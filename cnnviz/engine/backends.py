"""Which engine answers the pages: the setting `CNNVIZ_ENGINE` and `open_engine`.

- Unset, empty or `local` (the default): the engine process on this machine
  (`EngineClient`), nothing to set up.
- `ray://host:port`: a Ray cluster reached through Ray Client (`RayEngineClient`): forward
  passes on Ray Serve, jobs as Ray tasks. Needs `pip install -r requirements-ray.txt`.

Importing this module imports neither TensorFlow, Keras nor Ray.
"""

from __future__ import annotations

import os

from cnnviz.engine.api import EngineAPI
from cnnviz.engine.client import EngineClient
from cnnviz.engine.protocol import EngineError

ENGINE_ENV = "CNNVIZ_ENGINE"
_RAY_SCHEME = "ray://"


def engine_address(setting: str | None) -> str | None:
    """None for the local engine, else the Ray Client address the setting names.

    Raises:
        ValueError: If the setting is neither empty, `local` nor `ray://host:port`.
    """
    value = (setting or "").strip()
    if value in ("", "local"):
        return None
    host, _, port = value.removeprefix(_RAY_SCHEME).rpartition(":")
    if value.startswith(_RAY_SCHEME) and host and port.isdigit() and 0 < int(port) < 65536:
        return value
    raise ValueError(
        f"{ENGINE_ENV} must be empty or 'local' (the engine on this machine), or "
        f"'ray://host:port' (a Ray cluster's client address, port 10001 by default). "
        f"Received {value!r}."
    )


def open_engine(setting: str | None = None, **options) -> EngineAPI:
    """The engine the setting names (`$CNNVIZ_ENGINE` when `setting` is None), connected.

    Args:
        setting: As `CNNVIZ_ENGINE` takes it.
        **options: `EngineOptions` fields (`log_path`, `models_dir`, `max_jobs`, timeouts...).

    Raises:
        ValueError: For a setting `engine_address` refuses.
        EngineError: If the engine does not start, the cluster cannot be reached, or Ray is
            not installed.
    """
    address = engine_address(os.environ.get(ENGINE_ENV) if setting is None else setting)
    if address is None:
        return EngineClient.start(**options)
    try:
        from cnnviz.engine.ray_side.client import RayEngineClient  # imports Ray
    except ImportError as error:
        raise EngineError(
            f"{ENGINE_ENV}={address} asks for Ray, which is not installed here ({error}). "
            "Install it with `pip install -r requirements-ray.txt`, or unset "
            f"{ENGINE_ENV} to use the engine on this machine."
        ) from error
    options.pop("log_path", None)  # the cluster keeps its own logs
    return RayEngineClient.connect(address, **options)
