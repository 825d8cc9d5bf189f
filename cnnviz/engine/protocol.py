"""What the engine and its clients say to each other: requests, replies, results and errors.

A request is a tuple `(PROTOCOL_VERSION, method, kwargs)`; the engine replies `("ok", result)`
or `("error", error_type_name, message)`, the message a `cnnviz.messages.Phrase` when the
error was an `Invalid` one (so that the page shows it in its own language), else text.
Results are NumPy arrays, plain Python values, the dataclasses below and the core's
(`LayerActivation`, `ModelInfo`, training events). This module imports neither TensorFlow nor
Keras, so the Streamlit process can unpickle every reply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from cnnviz.messages import Invalid, Phrase
from cnnviz.training.runs import UnknownModel

# 2: LayerOutput.config; activation_maximisation, grad_cam and saliency.
# 3: layer_activations (LayerActivation from cnnviz.network); typed training events.
# 4: prepare_job (a worker waiting for the next job of a kind).
# 5: JobStatus.recovering (a job whose worker died, its completed epochs being saved).
# 6: layer_outputs (a batch of images through some layers: transfer learning's features).
# 7: imagenet_classify and imagenet_features (VGG16 with ImageNet weights from the Keras cache);
#    transfer jobs.
# 8: errors from `cnnviz.messages.Invalid` travel as a `Phrase` (key and values), not text.
PROTOCOL_VERSION = 8
# The engine reads its secret key (hex) and the pid to watch from these, never its command line.
AUTHKEY_ENV = "CNNVIZ_ENGINE_AUTHKEY"
PARENT_PID_ENV = "CNNVIZ_ENGINE_PARENT_PID"
JOB_STATES = ("queued", "running", "finished", "stopped", "failed")
ACTIVE_JOB_STATES = ("queued", "running")
RESTART_MESSAGE = "The model engine had stopped and was restarted."


@dataclass(frozen=True)
class EngineInfo:
    """The engine's answer to `ping`: who it is, how busy it is, where its models are.

    `models_dir` is where saved runs are served from: the place to save new ones.
    """

    pid: int
    protocol_version: int
    tensorflow_version: str
    uptime_seconds: float
    models_loaded: list[str]
    jobs_running: int
    jobs_queued: int
    max_jobs: int
    models_dir: str
    bundled_dir: str


@dataclass(frozen=True)
class JobStatus:
    """A job as the engine sees it.

    `events` holds the progress events numbered from the `since` asked for (a training job's
    are `BatchEvent`s and `EpochEvent`s); `event_count` is the number reported so far, the
    `since` to pass next time; `result` is what the job returned (a training job's
    `TrainingOutcome`); `worker_pid` the process that runs it (None while it waits or once it
    ended). `queue_position` counts from 1 while
    the job waits, else it is None. `recovering` is True while the engine saves the completed
    epochs of a training job whose worker died (or that an engine restart interrupted).
    """

    id: str
    kind: str
    session: str
    state: Literal["queued", "running", "finished", "stopped", "failed"]
    queue_position: int | None
    events: list[Any]
    event_count: int
    result: Any
    error: str | None
    params: dict = field(default_factory=dict)
    submitted_at: float | None = None
    started_at: float | None = None
    ended_at: float | None = None
    worker_pid: int | None = None
    recovering: bool = False

    @property
    def active(self) -> bool:
        """Whether the job is still queued or running."""
        return self.state in ACTIVE_JOB_STATES


class EngineError(RuntimeError):
    """The engine failed: it could not start, crashed, or hit an unexpected error."""


class ProtocolMismatchError(EngineError):
    """The engine speaks another protocol version than this client."""


class UnknownJob(ValueError):  # noqa: N818 (the protocol's names)
    """No job has the requested id (it expired, or the engine restarted since)."""


class JobRefused(ValueError):  # noqa: N818 (the protocol's names)
    """The job was not accepted, for example because its session already has one."""


class EngineRestarted(RuntimeWarning):
    """Notice (not raised) that the engine had died and was restarted: see `restart_notice`."""

    def __init__(self, message: str = RESTART_MESSAGE):
        super().__init__(message)


# Engine-side errors that reach the caller as themselves; anything else becomes EngineError.
USER_ERRORS: dict[str, type[Exception]] = {
    "ValueError": ValueError,
    "UnknownModel": UnknownModel,
    "UnknownJob": UnknownJob,
    "JobRefused": JobRefused,
    "ProtocolMismatchError": ProtocolMismatchError,
}


def error_reply(error: BaseException) -> tuple[str, str, str | Phrase]:
    """The reply for an exception raised while serving a request.

    ValueErrors the client does not know by name (say an `ImageError`) travel as plain
    ValueErrors, so they still reach the page as user errors; an `Invalid` one keeps its
    message's key and values (a `Phrase`), so the page can say it in its language.
    """
    name = type(error).__name__
    if isinstance(error, ValueError) and name not in USER_ERRORS:
        name = "ValueError"
    return ("error", name, error.phrase if isinstance(error, Invalid) else str(error))


def error_from_reply(type_name: str, message: str | Phrase) -> Exception:
    """The exception a client raises for an `("error", type_name, message)` reply."""
    if isinstance(message, Phrase):
        kind = USER_ERRORS.get(type_name, Invalid)
        kind = kind if issubclass(kind, Invalid) else Invalid  # still a ValueError
        return kind(message.key, **message.values)
    if type_name in USER_ERRORS:
        return USER_ERRORS[type_name](message)
    return EngineError(f"The model engine failed: {type_name}: {message}")
