"""Saved training runs and bundled models on disk: their names, files and manifests.

A run named `name` in a folder is three files: `name.keras` (architecture and weights),
`name.weights.h5` (the weights alone, as the lecture saves them) and `name.json` (the manifest:
config, metrics per epoch, test scores, library versions, and the size and SHA-256 of the other
two). Bundled models live in `assets/models`, saved runs in the models folder. A model counts
once its `.keras` file and its manifest both exist: the engine's `keras_side.save` writes the
manifest last, so a run still being saved is never served half-written. Listing reads JSON only,
no TensorFlow, so the pages answer at once.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cnnviz.datasets.offline import MNIST_CLASS_NAMES
from cnnviz.formatting import format_duration
from cnnviz.locations import BUNDLED_MODELS_DIR, saved_models_dir
from cnnviz.training.events import EpochEvent

# Plain file names only: a model name can never point outside its directory.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
MAX_NAME_LENGTH = 64
SUFFIXES = {"model": ".keras", "weights": ".weights.h5", "manifest": ".json"}  # rename order


class UnknownModel(ValueError):  # noqa: N818 (the engine protocol's name)
    """No model has the requested name."""


@dataclass(frozen=True)
class ModelInfo:
    """A model that can be served: a bundled one (assets) or a saved training run."""

    name: str
    source: Literal["bundled", "saved"]
    path: str
    manifest: dict[str, Any]


def sanitise_name(name) -> str:
    """A run name safe as a file name: letters, digits, "-" and "_", at most 64 characters.

    Every run of other characters becomes one "_"; leading "-" and "_" and trailing "_" are
    dropped, so that the name starts with a letter or a digit: the rule by which saved runs
    are listed, served and deleted (`NAME_PATTERN`), so every name saved can be found again.

    Raises:
        ValueError: if `name` is not a string or nothing usable is left (empty, only dots).

    Example:
        >>> sanitise_name("my run (v2)"), sanitise_name("-x")
        ('my_run_v2', 'x')
    """
    if not isinstance(name, str):
        raise ValueError(f"A run name must be a string. Received {type(name).__name__}: {name!r}.")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).lstrip("_-")[:MAX_NAME_LENGTH].rstrip("_")
    if not NAME_PATTERN.fullmatch(cleaned):
        raise ValueError(
            "A run name needs at least one letter or digit (letters, digits, '-' and '_' are "
            f"kept, up to {MAX_NAME_LENGTH} characters). Received {name!r}."
        )
    return cleaned


def run_paths(directory, name: str) -> dict[str, Path]:
    """The run's files: `{"model": .keras, "weights": .weights.h5, "manifest": .json}`."""
    return {kind: Path(directory) / f"{name}{suffix}" for kind, suffix in SUFFIXES.items()}


class ModelCatalog:
    """The models of two folders; a bundled model wins a name clash with a saved one.

    Args:
        bundled_dir: Folder of the bundled models (`assets/models`).
        models_dir: Folder of saved training runs.
    """

    def __init__(self, bundled_dir: str | Path, models_dir: str | Path):
        self.bundled_dir, self.models_dir = Path(bundled_dir), Path(models_dir)

    def list_models(self) -> list[ModelInfo]:
        """Every model on disk, bundled ones first, each group sorted by name."""
        found: dict[str, ModelInfo] = {}
        for source, directory in (("bundled", self.bundled_dir), ("saved", self.models_dir)):
            for info in models_in(directory, source):
                found.setdefault(info.name, info)
        return list(found.values())

    def saved_runs(self) -> list[ModelInfo]:
        """The saved runs (not bundled), newest first."""
        saved = [info for info in self.list_models() if info.source == "saved"]
        saved.sort(key=lambda info: info.name)
        return sorted(saved, key=lambda info: str(info.manifest.get("date", "")), reverse=True)

    def find(self, name) -> Path:
        """The `.keras` file of the model called `name`.

        Raises:
            UnknownModel: If there is none; the message lists the names there are.
        """
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            for directory in (self.bundled_dir, self.models_dir):
                paths = run_paths(directory, name)
                if paths["model"].is_file() and paths["manifest"].is_file():
                    return paths["model"]
        available = ", ".join(info.name for info in self.list_models()) or "none yet"
        raise UnknownModel(f"No model named {name!r}. Available: {available}.")

    def version(self, name) -> str:
        """What identifies the current file of model `name` (its size and modification time),
        "" if there is no such model: a run saved again under its name gets a new version."""
        try:
            stat = self.find(name).stat()
        except (UnknownModel, OSError):
            return ""
        return f"{stat.st_size}-{stat.st_mtime_ns}"

    def delete_run(self, name) -> list[Path]:
        """Delete the saved run `name`: its manifest first (so it is unlisted at once), then
        its `.keras` and `.weights.h5` files. Bundled models cannot be deleted.

        Returns:
            The paths removed.

        Raises:
            ValueError: If `name` is not a plain run name, names a bundled model, or no saved
                run has it (the message lists the saved runs there are).
        """
        if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
            raise ValueError(
                f"A run name has letters, digits, '_', '-' and '.'. Received {name!r}."
            )
        if run_paths(self.bundled_dir, name)["model"].is_file():
            raise ValueError(f"{name!r} is a bundled model; only saved runs can be deleted.")
        paths = run_paths(self.models_dir, name)
        if not paths["manifest"].is_file():
            saved = ", ".join(info.name for info in self.saved_runs()) or "none yet"
            raise ValueError(f"No saved run named {name!r}. Saved runs: {saved}.")
        removed = []
        for kind in ("manifest", "model", "weights"):
            if paths[kind].is_file():
                paths[kind].unlink()
                removed.append(paths[kind])
        return removed


def default_catalog() -> ModelCatalog:
    """The bundled models and the saved runs, in their default places (as the engine has)."""
    return ModelCatalog(BUNDLED_MODELS_DIR, saved_models_dir())


def read_manifest(path: Path) -> dict | None:
    """A model's `.json` manifest: None if it is missing, {} if unreadable (said in the log)."""
    if not path.is_file():
        return None
    try:
        manifest = json.loads(path.read_text())
    except (OSError, ValueError) as error:
        print(f"Ignoring unreadable manifest {path}: {error}", file=sys.stderr)
        return {}
    return manifest if isinstance(manifest, dict) else {}


def class_names(manifest: dict) -> list[str]:
    """The class names a run was trained on; a digit model's "0".."9" when it does not say."""
    names = manifest.get("class_names")
    return (
        [str(name) for name in names]
        if isinstance(names, list) and names
        else list(MNIST_CLASS_NAMES)
    )


def run_history(manifest: dict) -> list[EpochEvent]:
    """The run's epochs as events, in order; entries that are not epochs are left out."""
    history = manifest.get("history")
    events = []
    for entry in history if isinstance(history, list) else []:
        try:
            events.append(EpochEvent.from_dict(entry))
        except (TypeError, ValueError):
            continue
    return events


def models_in(directory, source: str = "saved") -> list[ModelInfo]:
    """The models of one folder, sorted by name: a `.keras` file with a manifest beside it."""
    directory = Path(directory)
    paths = sorted(directory.glob("*.keras")) if directory.is_dir() else []
    found = []
    for path in paths:
        manifest = read_manifest(path.with_suffix(".json"))
        if NAME_PATTERN.fullmatch(path.stem) and manifest is not None:
            found.append(ModelInfo(path.stem, source, str(path), manifest))
    return found


def run_summary(info: ModelInfo) -> dict:
    """One row of the runs table: how the run ended and the settings that tell runs apart.

    Example:
        >>> info = ModelInfo("r", "saved", "r.keras", {"test_accuracy": 0.9561, "config": {
        ...     "epochs": 30, "model": {"dropout": 0.3}}, "epochs_completed": 12})
        >>> row = run_summary(info)
        >>> row["Held-out accuracy (%)"], row["Epochs"], row["Regularisers"]
        (95.61, '12 of 30', 'dropout 0.3')
    """
    manifest = info.manifest
    config = manifest.get("config") if isinstance(manifest.get("config"), dict) else {}
    accuracy, elapsed = manifest.get("test_accuracy"), manifest.get("elapsed")
    planned = config.get("epochs", "?")
    run = manifest.get("epochs_completed", len(manifest.get("history") or []))
    return {
        "Run": info.name + (" (bundled)" if info.source == "bundled" else ""),
        "Held-out accuracy (%)": None if accuracy is None else round(100 * accuracy, 2),
        "Epochs": f"{run} of {planned}",
        "Best epoch": manifest.get("best_epoch"),
        "Training images": manifest.get("train_size", config.get("train_size")),
        "Regularisers": _regularisers(config.get("model") or {}),
        "Augmentation": _augmentation(config.get("augmentation") or {}),
        "Optimiser": _optimiser(config),
        "Time": None if elapsed is None else format_duration(elapsed),
    }


def _regularisers(model: dict) -> str:
    parts = ["batch norm"] if model.get("batch_norm") else []
    for key, name in (("spatial_dropout", "spatial dropout"), ("dropout", "dropout"), ("l2", "L2")):
        if model.get(key):
            parts.append(f"{name} {model[key]:g}")
    return ", ".join(parts) or "none"


def _augmentation(augmentation: dict) -> str:
    names = {"rotation": "rotation", "translation": "shift", "zoom": "zoom"}
    parts = [f"{names[key]} {augmentation[key]:g}" for key in names if augmentation.get(key)]
    return ", ".join(parts) or "none"


def _optimiser(config: dict) -> str:
    if "optimizer" not in config:
        return "—"
    schedule = ", cosine" if config.get("learning_rate_schedule") == "cosine" else ""
    return (
        f"{config['optimizer']} {config.get('learning_rate', '?'):g}, "
        f"batch {config.get('batch_size', '?')}{schedule}"
    )
