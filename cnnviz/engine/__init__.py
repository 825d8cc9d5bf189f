"""The model engine: the one process that runs TensorFlow, shared by every session.

TensorFlow never runs in the Streamlit process (Streamlit clears the Keras session after every
script run). The app starts the engine once with `EngineClient.start()` and sends it requests:
predictions, every layer's output, and training jobs that run in worker processes.

Modules: `protocol` (messages, dataclasses, errors); `launcher` and `client` (the Streamlit
side); `server`, `catalog` (which models exist), `store` (models in memory, the only module here
importing TensorFlow, with `cnnviz.activations` and `cnnviz.attribution`), `scheduler` and
`jobs` (the engine side). Importing this package imports neither TensorFlow nor Keras.
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
    LayerActivation,
    LayerOutput,
    ModelInfo,
    ProtocolMismatchError,
    UnknownJob,
    UnknownModel,
)

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
    "LayerActivation",
    "LayerOutput",
    "ModelInfo",
    "ProtocolMismatchError",
    "UnknownJob",
    "UnknownModel",
]
