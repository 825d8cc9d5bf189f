"""The engine's training job: train, save the run, say how it ended.

Registered as the engine's "train" job kind (`cnnviz.engine.jobs.JOB_KINDS`); it runs in a
worker process of the engine, reporting `BatchEvent`s and `EpochEvent`s as `fit.train` makes
them.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace

import tensorflow as tf

from cnnviz.engine.keras_side.fit import TrainingResult, train
from cnnviz.engine.keras_side.save import save_run
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.network.config import CNNConfig, ConvBlock
from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import TrainingEvent, TrainingOutcome
from cnnviz.training.run_owners import SavePolicy
from cnnviz.training.runs import ModelCatalog, run_paths, sanitise_name

WARM_UP_NETWORK = CNNConfig(conv_blocks=(ConvBlock(2),), dense_units=())
# What the outcome takes from `fit.TrainingResult` as it is.
RESULT_FIELDS = ("test_accuracy", "test_loss", "best_epoch", "epochs_completed", "stopped_by")
RESULT_FIELDS += ("stopped_at", "loss_range", "elapsed", "samples_per_second")


def training_threads(environ=os.environ, cores: int | None = None) -> int:
    """How many threads a training worker computes with: `CNNVIZ_TRAINING_THREADS`, or every
    core but one, so that one core stays with the app's pages while a class trains.

    Example:
        >>> training_threads({}, cores=2), training_threads({}, cores=1)
        (1, 1)
        >>> training_threads({"CNNVIZ_TRAINING_THREADS": "4"}, cores=2)
        4

    Raises:
        ValueError: If `CNNVIZ_TRAINING_THREADS` is not a whole number of at least 1.
    """
    text = environ.get("CNNVIZ_TRAINING_THREADS")
    if text is None:
        return max(1, (cores or os.cpu_count() or 1) - 1)
    if not text.strip().isdigit() or int(text) < 1:
        raise ValueError(
            f"CNNVIZ_TRAINING_THREADS must be a whole number of at least 1. Received {text!r}."
        )
    return int(text)


def warm_up() -> None:
    """Get a waiting worker ready to train: its threads limited (`training_threads`), the
    bundled digits read, Keras's training step compiled once on a tiny network, so the real
    job's first batch comes soon."""
    threads = training_threads()
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)
    config = TrainingConfig(model=WARM_UP_NETWORK, train_size=32, validation_size=32, epochs=1)
    train(replace(config, batch_size=32))


def run_job(
    params: dict, report: Callable[[TrainingEvent], None], should_stop: Callable[[], bool]
) -> TrainingOutcome:
    """Train `params["config"]`, save the run as `params["run_name"]`, return the outcome.

    The run is saved (with its best weights) also when the user stopped it, provided at least
    one epoch completed; otherwise `saved` is False and `paths` is empty. A run of that name
    that the save may not replace stays: the new one is saved as `name-2`, ..., and
    `run_name` says the name used.

    Args:
        params: `{"config": TrainingConfig.to_dict(), "save_dir": str, "run_name": str}`, and
            optionally `"owner"` (the session's owner token, kept as its SHA-256), `"replace"`
            ("own", the default: only a run this owner saved; "any": teacher mode; "never"),
            `"bundled_dir"` (whose models' names a run never takes) and `"checkpoint_dir"`
            (where each completed epoch is kept, `fit.train`); the engine sets the last two.
        report: Receives the `BatchEvent`s and `EpochEvent`s of `fit.train`.
        should_stop: Checked after every batch.

    Raises:
        ValueError: on bad params, a bad config or an unavailable dataset.
    """
    _save_target(params)  # refuse bad params before training, not after
    config = TrainingConfig.from_dict(params["config"])
    result = train(config, report, should_stop, checkpoint_dir=params.get("checkpoint_dir"))
    return save_and_summarise(result, params)


def save_and_summarise(result: TrainingResult, params: dict) -> TrainingOutcome:
    """Save a training's result as `params` ask (see `run_job`), and say how it ended.

    Raises:
        ValueError: on bad params.
        OSError: if the run cannot be written (the previous run of its name stays).
    """
    name, catalog, policy = _save_target(params)
    paths = {}
    if result.epochs_completed:
        saved = save_run(result, None, catalog.models_dir, name, policy)
        name, paths = saved.name, {"model": saved.path, "weights": saved.weights}
        paths["manifest"] = str(run_paths(catalog.models_dir, name)["manifest"])
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


def _save_target(params) -> tuple[str, ModelCatalog, SavePolicy]:
    """The run's name, the catalog it is saved into and the policy of its save."""
    if not isinstance(params, dict) or {"config", "save_dir", "run_name"} - params.keys():
        raise ValueError(
            "Training job params must be a dict with keys 'config', 'save_dir' and 'run_name'. "
            f"Received {params!r}."
        )
    catalog = ModelCatalog(params.get("bundled_dir", BUNDLED_MODELS_DIR), params["save_dir"])
    policy = catalog.save_policy(params.get("owner"), params.get("replace", "own"))
    return sanitise_name(params["run_name"]), catalog, policy
