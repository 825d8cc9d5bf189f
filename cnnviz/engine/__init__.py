"""The model engine: the one process that runs TensorFlow, shared by every session.

TensorFlow never runs in the Streamlit process (Streamlit clears the Keras session after every
script run). The app starts the engine once with `EngineClient.start()` and sends it requests:
predictions, every layer's output, attributions, and training jobs that run in worker processes.

The Streamlit side: `api` (`EngineAPI`, the requests both backends answer), `backends`
(`CNNVIZ_ENGINE`: the local engine, or a Ray cluster's), `protocol` (messages, errors,
`JobStatus`), `launcher` (starts `python -m cnnviz.engine`) and `client` (`EngineClient`, the
local backend). The engine side: `server` (answers requests), `scheduler` (the job queue, a
cap, one worker process per job) and `jobs` (job kinds and the worker). `ray_side/` is the
optional Ray backend; `keras_side/` is the only folder of cnnviz that imports TensorFlow.
Importing this package imports neither TensorFlow, Keras nor Ray.
"""

from cnnviz.engine.client import EngineClient
from cnnviz.engine.launcher import EngineOptions
from cnnviz.engine.protocol import (
    PROTOCOL_VERSION,
    RESTART_MESSAGE,
    EngineError,
    EngineInfo,
    EngineRestarted,
    JobRefused,
    JobStatus,
    ProtocolMismatchError,
    UnknownJob,
)
from cnnviz.training.runs import UnknownModel

__all__ = [
    "PROTOCOL_VERSION",
    "RESTART_MESSAGE",
    "EngineClient",
    "EngineError",
    "EngineInfo",
    "EngineOptions",
    "EngineRestarted",
    "JobRefused",
    "JobStatus",
    "ProtocolMismatchError",
    "UnknownJob",
    "UnknownModel",
]
