"""Saving and loading runs: a model, its weights and a JSON manifest per run, atomically.

`save_run` writes the model (for inference, without optimizer state or compile settings) and
its weights to hidden temporaries beside the runs, then `cnnviz.training.run_store.commit_run`
renames them to new versioned names and switches the run's manifest to them in one rename: a
reader sees the previous run or the new one, whole, whenever the save stops. `load_run` checks
the archive (`cnnviz.training.model_archive`) and the SHA-256 its manifest gives before Keras
loads it, in safe mode.
"""

from __future__ import annotations

import platform
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from cnnviz.engine.keras_side.fit import TrainingResult
from cnnviz.training.model_archive import check_model_archive
from cnnviz.training.run_files import (
    SUFFIXES,
    check_run_name,
    file_sha256,
    sanitise_name,
    temporary_path,
)
from cnnviz.training.run_owners import SavePolicy
from cnnviz.training.run_store import commit_run
from cnnviz.training.runs import ModelInfo, read_run, runs_in


def save_run(
    result_or_model, manifest: dict | None, directory, name: str, policy: SavePolicy | None = None
) -> ModelInfo:
    """Save a model (or a `TrainingResult`) and its manifest as run `name`, atomically.

    Args:
        result_or_model: A `TrainingResult` (its manifest is built from it) or a `keras.Model`.
        manifest: Extra JSON-able entries for the manifest (they win over computed ones), or
            None.
        directory: Folder of runs; created if missing.
        name: Run name, passed through `sanitise_name`.
        policy: Whose run of that name may be replaced and which names are not to be taken
            (`run_store.SavePolicy`); a run that may not be replaced stays and the new one is
            saved as `name-2`, ... Default: replace only a run this owner saved (no owner: none).

    Returns:
        The saved run as the catalog lists it (its `name` is the one actually used).

    Raises:
        ValueError: on a bad name, or if `result_or_model` is neither a result nor a model.
        OSError: if writing fails; the previous run of that name is then left as it was.
    """
    name = sanitise_name(name)
    if isinstance(result_or_model, TrainingResult):
        model, record = result_or_model.model, result_manifest(result_or_model)
    elif isinstance(result_or_model, keras.Model):
        model, record = result_or_model, {}
    else:
        raise ValueError(
            "save_run saves a TrainingResult or a keras.Model. "
            f"Received {type(result_or_model).__name__}."
        )
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    staged = {kind: temporary_path(directory, name, SUFFIXES[kind]) for kind in SUFFIXES}
    del staged["manifest"]  # written by the commit, which names the files in it
    try:
        model = _inference_copy(model)
        model.save(staged["model"])
        model.save_weights(staged["weights"])
        record.update(manifest or {})
        record.update(date=_now(), versions=_versions())
        saved = commit_run(directory, name, staged, record, policy or SavePolicy())
    finally:
        for path in staged.values():
            path.unlink(missing_ok=True)
    info, problem = read_run(directory, saved)
    if info is None:  # replaced or deleted by another save in the meantime
        raise OSError(f"Run {saved!r} changed while it was being saved: {problem}")
    return info


def load_run(directory, name: str) -> tuple[keras.Model, dict]:
    """Load run `name`: its model (`keras.saving.load_model`, safe mode) and its manifest.

    Raises:
        ValueError: if there is no such run, or its model file is not a sound archive or does
            not match the manifest.
    """
    check_run_name(name)
    info, problem = read_run(directory, name)
    if problem is not None:
        raise ValueError(f"Run {name!r} is damaged: {problem}. Delete it and train it again.")
    if info is None:
        names = ", ".join(repr(run.name) for run in runs_in(directory)[0]) or "none"
        raise ValueError(
            f"No run named {name!r} in {directory}. Received {name!r}; saved runs: {names}."
        )
    check_model_archive(info.path)
    if info.sha256 and file_sha256(info.path) != info.sha256:
        raise ValueError(
            f"Run {name!r} is damaged: {info.path} does not match its manifest. "
            "Delete it and train it again."
        )
    return keras.saving.load_model(info.path, safe_mode=True), info.manifest


def result_manifest(result: TrainingResult) -> dict:
    """A `TrainingResult` as manifest entries: config, sizes, metrics, test scores."""
    return {
        "config": result.config.to_dict(),
        "seed": result.config.seed,
        "dataset": result.config.dataset,
        **result.sizes,
        "class_names": list(result.class_names),
        "parameters": result.model.count_params(),
        "history": [event.to_dict() for event in result.history],
        "epochs_completed": result.epochs_completed,
        "best_epoch": result.best_epoch,
        "best_weights_restored": result.best_weights_restored,
        "stopped_by": result.stopped_by,
        "test_accuracy": result.test_accuracy,
        "test_loss": result.test_loss,
        "confusion_matrix": result.confusion_matrix.tolist(),
        "misclassified": result.misclassified.tolist(),
        "elapsed": result.elapsed,
        "samples_per_second": result.samples_per_second,
    }


def _inference_copy(model):
    """The model without its optimizer: a third of the size, and all that inference needs."""
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _versions() -> dict:
    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
