"""Forward passes on Ray Serve: the `ForwardPasses` deployment, replicas scaled with the load.

Each replica is the local engine's `EngineServer` without jobs: it loads models from the same
catalog (bundled models, then the shared saved-runs folder), reloads one whose file changed,
and answers each request with `EngineServer.handle`, so answers and errors are the local
engine's. Serve keeps between `min_replicas` and `max_replicas` replicas, aiming at
`TARGET_ONGOING_REQUESTS` requests in progress per replica.
"""

from __future__ import annotations

import logging

from ray import serve

from cnnviz.engine.api import JOB_REQUESTS
from cnnviz.engine.protocol import ProtocolMismatchError, error_reply
from cnnviz.engine.server import EngineConfig, EngineServer

TARGET_ONGOING_REQUESTS = 2


@serve.deployment(name="ForwardPasses", max_ongoing_requests=8)
class ForwardPasses:
    """One replica: every request but the job requests, answered as the local engine does."""

    def __init__(self, config: EngineConfig):
        logging.basicConfig(
            level=logging.INFO, format="%(asctime)s %(name)s %(levelname)s: %(message)s"
        )
        self.server = EngineServer(config, b"")

    def handle(self, request) -> tuple:
        """The reply to one request: `("ok", result)` or an error reply; never raises."""
        if isinstance(request, tuple) and len(request) == 3 and request[1] in JOB_REQUESTS:
            return error_reply(ProtocolMismatchError(f"Forward passes have no {request[1]!r}."))
        return self.server.handle(request)


def forward_passes_app(
    config: EngineConfig, max_replicas: int, replica_cpus: float
) -> serve.Application:
    """The Serve application: `ForwardPasses` with autoscaling from 1 to `max_replicas`."""
    autoscaling = {
        "min_replicas": 1,
        "initial_replicas": 1,
        "max_replicas": max_replicas,
        "target_ongoing_requests": TARGET_ONGOING_REQUESTS,
        "upscale_delay_s": 3.0,
        "downscale_delay_s": 60.0,
    }
    deployment = ForwardPasses.options(
        autoscaling_config=autoscaling, ray_actor_options={"num_cpus": replica_cpus}
    )
    return deployment.bind(config)
