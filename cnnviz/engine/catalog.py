"""Which models the engine can serve: bundled ones and saved training runs, found on disk.

Bundled models live in `assets/models/<name>.keras`, saved runs in the models directory, each
next to a `<name>.json` manifest. A model counts once both files exist (a training run writes
its manifest last, so a run still being saved is not served half-written). Listing needs no
TensorFlow, so it answers at once.
"""

from __future__ import annotations

import json
import os
import re
import sys
from pathlib import Path

from cnnviz.engine.protocol import ModelInfo, UnknownModel

REPO = Path(__file__).resolve().parents[2]
BUNDLED_DIR = REPO / "assets" / "models"
DEFAULT_MODELS_DIR = REPO / "models"
# Plain file names only: a model name can never point outside its directory.
NAME_PATTERN = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")
MAX_NAME_LENGTH = 64
SAVED_RUN_SUFFIXES = (".json", ".keras", ".weights.h5")  # manifest first: unlisted at once


class ModelCatalog:
    """The models of two directories; a bundled model wins a name clash with a saved one.

    Args:
        bundled_dir: Directory of the bundled models (`assets/models`).
        models_dir: Directory of saved training runs.
    """

    def __init__(self, bundled_dir: str | Path, models_dir: str | Path):
        self.dirs = (("bundled", Path(bundled_dir)), ("saved", Path(models_dir)))

    def list_models(self) -> list[ModelInfo]:
        """Every model on disk, bundled ones first, each group sorted by name."""
        found: dict[str, ModelInfo] = {}
        for source, directory in self.dirs:
            paths = sorted(directory.glob("*.keras")) if directory.is_dir() else []
            for path in paths:
                usable = NAME_PATTERN.fullmatch(path.stem) and path.stem not in found
                if usable and (manifest := _manifest(path)) is not None:
                    found[path.stem] = ModelInfo(path.stem, source, str(path), manifest)
        return list(found.values())

    def find(self, name) -> Path:
        """The `.keras` file of the model called `name`.

        Raises:
            UnknownModel: If there is none; the message lists the names there are.
        """
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            for _, directory in self.dirs:
                path = directory / f"{name}.keras"
                if path.is_file() and path.with_suffix(".json").is_file():
                    return path
        available = ", ".join(info.name for info in self.list_models()) or "none yet"
        raise UnknownModel(f"No model named {name!r}. Available: {available}.")


def sanitise_name(name) -> str:
    """A run name safe as a file name: letters, digits, "-" and "_", at most 64 characters.

    Every run of other characters becomes one "_"; leading and trailing "_" are dropped.

    Raises:
        ValueError: if `name` is not a string or nothing usable is left (empty, only dots).

    Example:

    >>> sanitise_name("my run (v2)")
    'my_run_v2'
    """
    if not isinstance(name, str):
        raise ValueError(f"A run name must be a string. Received {type(name).__name__}: {name!r}.")
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).strip("_")[:MAX_NAME_LENGTH]
    if not cleaned.strip("-"):
        raise ValueError(
            "A run name needs at least one letter or digit (letters, digits, '-' and '_' are "
            f"kept, up to {MAX_NAME_LENGTH} characters). Received {name!r}."
        )
    return cleaned


def delete_saved_run(name, models_dir: str | Path | None = None) -> list[Path]:
    """Delete the saved training run `name`: its manifest first (so it is unlisted), then
    its `.keras` and `.weights.h5` files. Bundled models cannot be deleted.

    Args:
        name: A saved run's name, as `list_models` gives it.
        models_dir: The folder of saved runs; None: `saved_models_dir()`.

    Returns:
        The paths removed.

    Raises:
        ValueError: If `name` is not a plain run name, names a bundled model, or no saved run
            has it (the message lists the saved runs there are).
    """
    directory = Path(models_dir) if models_dir is not None else saved_models_dir()
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise ValueError(f"A run name has letters, digits, '_', '-' and '.'. Received {name!r}.")
    if (BUNDLED_DIR / f"{name}.keras").is_file():
        raise ValueError(f"{name!r} is a bundled model; only saved runs can be deleted.")
    paths = [directory / f"{name}{suffix}" for suffix in SAVED_RUN_SUFFIXES]
    if not paths[0].is_file():
        catalog = ModelCatalog(BUNDLED_DIR, directory)
        saved = [info.name for info in catalog.list_models() if info.source == "saved"]
        raise ValueError(
            f"No saved run named {name!r}. Saved runs: {', '.join(saved) or 'none yet'}."
        )
    removed = []
    for path in paths:
        if path.is_file():
            path.unlink()
            removed.append(path)
    return removed


def saved_models_dir() -> Path:
    """Where training runs are saved: `$CNNVIZ_MODELS_DIR`, else `<repo>/models`."""
    return Path(os.environ.get("CNNVIZ_MODELS_DIR") or DEFAULT_MODELS_DIR)


def default_catalog() -> ModelCatalog:
    """The bundled models and the saved runs, in their default places (as the engine has)."""
    return ModelCatalog(BUNDLED_DIR, saved_models_dir())


def _manifest(path: Path) -> dict | None:
    """The model's `.json` manifest: None if it is missing, {} if unreadable (logged)."""
    manifest_path = path.with_suffix(".json")
    if not manifest_path.is_file():
        return None
    try:
        manifest = json.loads(manifest_path.read_text())
    except (OSError, ValueError) as error:
        print(f"Ignoring unreadable manifest {manifest_path}: {error}", file=sys.stderr)
        return {}
    return manifest if isinstance(manifest, dict) else {}
