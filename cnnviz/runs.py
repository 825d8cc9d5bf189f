"""Saved training runs: a model, its weights and a JSON manifest per run, written atomically.

A run named `name` in a folder is three files: `name.keras` (architecture and weights, for
`keras.saving.load_model`; saved for inference, without optimizer state or compile settings),
`name.weights.h5` (the weights alone, as the lecture saves them) and
`name.json` (the manifest: config, metrics per epoch, test scores, library versions, and the
size and SHA-256 of the other two). Each is written under a temporary name in the same folder,
then renamed into place with `os.replace`, the manifest last: a run is listed only once its
manifest exists, and a save that fails part-way puts back the previous run of that name.
`run_job` is the engine's training job: train, save, summarise.
"""

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

from cnnviz import training
from cnnviz.engine.catalog import (  # TF-free, so the page can show names; re-exported
    MAX_NAME_LENGTH,
    sanitise_name,  # noqa: F401
)

MANIFEST_FORMAT = 1
SUFFIXES = {"model": ".keras", "weights": ".weights.h5", "manifest": ".json"}  # rename order


def run_paths(directory, name) -> dict[str, Path]:
    """The run's files: `{"model": .keras, "weights": .weights.h5, "manifest": .json}`."""
    return {kind: Path(directory) / f"{name}{suffix}" for kind, suffix in SUFFIXES.items()}


def save_run(result_or_model, manifest: dict | None, directory, name: str) -> Path:
    """Save a model (or a `TrainingResult`) and its manifest as run `name`, atomically.

    Args:
        result_or_model: A `training.TrainingResult` (its manifest is built from it) or a
            `keras.Model`.
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
    if isinstance(result_or_model, training.TrainingResult):
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


def list_runs(directory) -> list[dict]:
    """The manifests of the complete runs in `directory`, newest first (none if it is missing)."""
    manifests = []
    for path in Path(directory).glob("*.json"):
        if path.name.startswith(".") or not run_paths(directory, path.stem)["model"].is_file():
            continue
        try:
            manifest = json.loads(path.read_text())
        except (OSError, ValueError):
            continue  # not a run's manifest: someone else's file
        if isinstance(manifest, dict) and manifest.get("name") == path.stem:
            manifests.append(manifest)
    manifests.sort(key=lambda m: m["name"])
    return sorted(manifests, key=lambda m: str(m.get("date", "")), reverse=True)


def delete_run(directory, name: str) -> None:
    """Delete run `name`: the manifest first (so it is no longer listed), then its files.

    Raises:
        ValueError: if there is no such run.
    """
    _read_manifest(directory, name)
    paths = run_paths(directory, name)
    paths["manifest"].unlink()
    paths["model"].unlink(missing_ok=True)
    paths["weights"].unlink(missing_ok=True)


def result_manifest(result: training.TrainingResult) -> dict:
    """A `TrainingResult` as manifest entries: config, sizes, metrics, test scores."""
    return {
        "config": result.config.to_dict(),
        "seed": result.config.seed,
        "dataset": result.config.dataset,
        **result.sizes,
        "class_names": list(result.class_names),
        "parameters": result.model.count_params(),
        "history": [{k: v for k, v in event.items() if k != "filters"} for event in result.history],
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


def run_job(params: dict, report, should_stop) -> dict:
    """The engine's training job: train, save the run, return a JSON-able summary.

    The run is saved (with its best weights) also when the user stopped it, provided at least
    one epoch completed; otherwise `saved` is False and `paths` is empty.

    Args:
        params: `{"config": TrainingConfig.to_dict(), "save_dir": str, "run_name": str}`.
        report: Receives the events described in `training.train`.
        should_stop: Checked after every batch.

    Returns:
        `{"run_name", "saved", "paths", "test_accuracy", "test_loss", "best_epoch",
        "epochs_completed", "stopped", "stopped_by", "elapsed", "samples_per_second",
        "confusion_matrix", "misclassified", "history"}`, `history` without the filters and
        `paths` mapping "model", "weights" and "manifest" to file paths.

    Raises:
        ValueError: on bad params, a bad config or an unavailable dataset.
    """
    if not isinstance(params, dict) or {"config", "save_dir", "run_name"} - params.keys():
        raise ValueError(
            "Training job params must be a dict with keys 'config', 'save_dir' and 'run_name'. "
            f"Received {params!r}."
        )
    name = sanitise_name(params["run_name"])
    config = training.TrainingConfig.from_dict(params["config"])
    result = training.train(config, report, should_stop)
    paths = {}
    if result.epochs_completed:
        save_run(result, None, params["save_dir"], name)
        paths = {kind: str(path) for kind, path in run_paths(params["save_dir"], name).items()}
    manifest = result_manifest(result)
    keys = ("test_accuracy", "test_loss", "best_epoch", "epochs_completed", "stopped_by")
    keys += ("elapsed", "samples_per_second", "confusion_matrix", "misclassified", "history")
    summary = {"run_name": name, "saved": bool(paths), "paths": paths}
    return {**summary, "stopped": result.stopped_early, **{key: manifest[key] for key in keys}}


def _read_manifest(directory, name) -> dict:
    if not isinstance(name, str) or sanitise_name(name) != name:
        raise ValueError(
            "A saved run's name has only letters, digits, '-' and '_' (at most "
            f"{MAX_NAME_LENGTH} characters). Received {name!r}."
        )
    path = run_paths(directory, name)["manifest"]
    try:
        return json.loads(path.read_text())
    except FileNotFoundError:
        names = ", ".join(repr(m["name"]) for m in list_runs(directory)) or "none"
        raise ValueError(
            f"No run named {name!r} in {directory}. Received {name!r}; saved runs: {names}."
        ) from None
    except (OSError, ValueError) as error:
        raise ValueError(f"Run {name!r} has an unreadable manifest {path}: {error}.") from error


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
