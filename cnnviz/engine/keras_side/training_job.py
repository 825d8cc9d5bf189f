"""The engine's training job: train, save the run, say how it ended.

Registered as the engine's "train" job kind (`cnnviz.engine.jobs.JOB_KINDS`); it runs in a
worker process of the engine, reporting `BatchEvent`s and `EpochEvent`s as `fit.train` makes
them.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from cnnviz.engine.keras_side.fit import train
from cnnviz.engine.keras_side.save import save_run
from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import TrainingEvent, TrainingOutcome
from cnnviz.training.runs import run_paths, sanitise_name

# What the outcome takes from `fit.TrainingResult` as it is.
RESULT_FIELDS = ("test_accuracy", "test_loss", "best_epoch", "epochs_completed", "stopped_by")
RESULT_FIELDS += ("elapsed", "samples_per_second")


def run_job(
    params: dict, report: Callable[[TrainingEvent], None], should_stop: Callable[[], bool]
) -> TrainingOutcome:
    """Train `params["config"]`, save the run as `params["run_name"]`, return the outcome.

    The run is saved (with its best weights) also when the user stopped it, provided at least
    one epoch completed; otherwise `saved` is False and `paths` is empty.

    Args:
        params: `{"config": TrainingConfig.to_dict(), "save_dir": str, "run_name": str}`.
        report: Receives the `BatchEvent`s and `EpochEvent`s of `fit.train`.
        should_stop: Checked after every batch.

    Raises:
        ValueError: on bad params, a bad config or an unavailable dataset.
    """
    if not isinstance(params, dict) or {"config", "save_dir", "run_name"} - params.keys():
        raise ValueError(
            "Training job params must be a dict with keys 'config', 'save_dir' and 'run_name'. "
            f"Received {params!r}."
        )
    name = sanitise_name(params["run_name"])
    config = TrainingConfig.from_dict(params["config"])
    result = train(config, report, should_stop)
    paths = {}
    if result.epochs_completed:
        save_run(result, None, params["save_dir"], name)
        paths = {kind: str(path) for kind, path in run_paths(params["save_dir"], name).items()}
    scores = {field: getattr(result, field) for field in RESULT_FIELDS}
    return TrainingOutcome(
        run_name=name,
        saved=bool(paths),
        paths=paths,
        **scores,
        confusion_matrix=result.confusion_matrix.tolist(),
        misclassified=result.misclassified.tolist(),
        history=[replace(event, filters=None) for event in result.history],
    )
