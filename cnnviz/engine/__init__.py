"""The model engine: the one process that runs TensorFlow, shared by every session.

TensorFlow never runs in the Streamlit process (Streamlit clears the Keras session after every
script run). The app starts the engine once with `EngineClient.start()` and sends it requests:
predictions, every layer's output, attributions, and training jobs that run in worker processes.

The Streamlit side: `protocol` (messages, errors, `JobStatus`), `launcher` (starts
`python -m cnnviz.engine`) and `client` (`EngineClient`). The engine side: `server` (answers
requests), `scheduler` (the job queue, a cap, one worker process per job) and `jobs` (job kinds
and the worker). `keras_side/` is the only folder of cnnviz that imports TensorFlow. Importing
this package imports neither TensorFlow nor Keras.
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
