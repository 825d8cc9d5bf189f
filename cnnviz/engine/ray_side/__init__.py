"""The model engine on a Ray cluster: the optional backend `CNNVIZ_ENGINE=ray://host:port` picks.

The same requests, answers and job rules as the local engine, from Ray's own machinery:

- `serving`: forward passes (predictions, layer outputs, attributions, VGG16) answered by a
  Ray Serve deployment, `ForwardPasses`, whose replicas Serve adds and removes with the load.
  Each replica answers with the local engine's own `EngineServer.handle`.
- `jobs`: training and transfer jobs as Ray tasks, queued, capped, leased and stopped by one
  named actor, `JobBoard`, that runs the local engine's `JobManager` with Ray tasks for
  workers: the same queue, the same cap on running jobs across the whole cluster, the same
  progress events and the same stop within a second.
- `client`: `RayEngineClient`, the `EngineAPI` the pages use.

Every machine of the cluster needs this repository at the same path as the app servers, with
`requirements-ray.txt` installed, and the saved-runs folder (`CNNVIZ_MODELS_DIR`) shared at one
path. Importing this package imports nothing; its modules import Ray (never TensorFlow: the
replicas and tasks import it through `keras_side`, as the local engine does).
"""

NAMESPACE = "cnnviz"
APP_NAME = "cnnviz"
BOARD_NAME = "cnnviz-job-board"
