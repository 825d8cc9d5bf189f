"""Saving and loading runs: a model, its weights and a JSON manifest per run, written atomically.

The files of a run are `cnnviz.training.runs`'s: `name.keras` (saved for inference, without
optimizer state or compile settings), `name.weights.h5` and `name.json`. Each is written under
a temporary name in the same folder, then renamed into place with `os.replace`, the manifest
last: a run is listed only once its manifest exists, and a save that fails part-way puts back
the previous run of that name.
"""

from __future__ import annotations

import hashlib
import json
import os
import platform
import secrets
import shutil
from datetime import UTC, datetime
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from cnnviz.engine.keras_side.fit import TrainingResult
from cnnviz.training.runs import (
    MAX_NAME_LENGTH,
    SUFFIXES,
    models_in,
    read_manifest,
    run_paths,
    sanitise_name,
)

MANIFEST_FORMAT = 1


def save_run(result_or_model, manifest: dict | None, directory, name: str) -> Path:
    """Save a model (or a `TrainingResult`) and its manifest as run `name`, atomically.

    Args:
        result_or_model: A `TrainingResult` (its manifest is built from it) or a `keras.Model`.
        manifest: Extra JSON-able entries for the manifest (they win over computed ones), or
            None.
        directory: Folder of runs; created if missing.
        name: Run name, passed through `sanitise_name`; an existing run of that name is
            replaced only once every new file is written.

    Returns:
        Path of the saved `.keras` model.

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
    final = run_paths(directory, name)
    temporary = {kind: _temporary(directory, name, suffix) for kind, suffix in SUFFIXES.items()}
    try:
        model = _inference_copy(model)
        model.save(temporary["model"])
        model.save_weights(temporary["weights"])
        files = {kind: _describe(temporary[kind], final[kind]) for kind in ("model", "weights")}
        record.update(manifest or {})
        record.update(name=name, format=MANIFEST_FORMAT, date=_now(), versions=_versions())
        record["files"] = files
        temporary["manifest"].write_text(json.dumps(record, indent=1, allow_nan=False) + "\n")
        _commit(temporary, final)
    finally:
        for path in temporary.values():
            path.unlink(missing_ok=True)
    return final["model"]


def load_run(directory, name: str) -> tuple[keras.Model, dict]:
    """Load run `name`: its model (`keras.saving.load_model`, safe mode) and its manifest.

    Raises:
        ValueError: if there is no such run, or its model file does not match the manifest.
    """
    manifest = _read_manifest(directory, name)
    path = run_paths(directory, name)["model"]
    expected = manifest.get("files", {}).get("model", {}).get("sha256")
    if not path.is_file() or (expected and _sha256(path) != expected):
        raise ValueError(
            f"Run {name!r} is damaged: {path} is missing or does not match its manifest. "
            "Delete the run and train it again."
        )
    return keras.saving.load_model(path, safe_mode=True), manifest


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


def _read_manifest(directory, name) -> dict:
    if not isinstance(name, str) or sanitise_name(name) != name:
        raise ValueError(
            "A saved run's name has only letters, digits, '-' and '_' (at most "
            f"{MAX_NAME_LENGTH} characters). Received {name!r}."
        )
    path = run_paths(directory, name)["manifest"]
    manifest = read_manifest(path)
    if manifest is None:
        names = ", ".join(repr(info.name) for info in models_in(directory)) or "none"
        raise ValueError(
            f"No run named {name!r} in {directory}. Received {name!r}; saved runs: {names}."
        )
    return manifest


def _temporary(directory, name, suffix) -> Path:
    """A fresh path `.name.<random>.tmp<suffix>`: hidden, and unmistakably not a run."""
    return Path(directory) / f".{name}.{secrets.token_hex(8)}.tmp{suffix}"


def _inference_copy(model):
    """The model without its optimizer: a third of the size, and all that inference needs."""
    copy = model.__class__.from_config(model.get_config())
    copy.set_weights(model.get_weights())
    return copy


def _commit(temporary, final) -> None:
    """Rename the new files into place, manifest last; on failure put the old ones back."""
    backups, done = {}, []
    try:
        for kind, path in final.items():
            if path.exists():  # a hard link keeps the old file whatever happens to `path`
                backups[kind] = temporary[kind].with_name(temporary[kind].name + ".old")
                try:
                    os.link(path, backups[kind])
                except OSError:  # a file system without hard links
                    shutil.copy2(path, backups[kind])
        for kind in SUFFIXES:
            os.replace(temporary[kind], final[kind])
            done.append(kind)
    except BaseException:
        for kind in done:
            if kind in backups:
                os.replace(backups[kind], final[kind])
            else:
                final[kind].unlink(missing_ok=True)
        raise
    finally:
        for path in backups.values():
            path.unlink(missing_ok=True)


def _describe(path, final) -> dict:
    return {"file": final.name, "bytes": path.stat().st_size, "sha256": _sha256(path)}


def _sha256(path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _versions() -> dict:
    return {
        "tensorflow": tf.__version__,
        "keras": keras.__version__,
        "numpy": np.__version__,
        "python": platform.python_version(),
    }
