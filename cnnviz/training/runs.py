"""Saved training runs and bundled models: which there are, finding one, reading manifests.

A run is a manifest `name.json` and the data files it names (`run_files`); bundled models live
in `assets/models`, saved runs in the models folder. A run is listed only when its manifest is
usable and the files it names are there with the sizes it gives; anything else is skipped and
said in `ModelCatalog.problems()`, naming the file. Saving, deleting and cleaning up are
`run_store`'s (each one atomic step), who may replace or delete a run `run_owners`'s, and what
a manifest says `run_contents`'s. Listing reads JSON only, no TensorFlow, so the pages answer
at once.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from cnnviz.locations import BUNDLED_MODELS_DIR, saved_models_dir
from cnnviz.messages import Invalid, Phrase
from cnnviz.training.run_contents import (
    class_names,
    confusion_counts,
    misclassified_indices,
    run_history,
    run_summary,
)
from cnnviz.training.run_files import (
    MAX_NAME_LENGTH,
    NAME_PATTERN,
    SUFFIXES,
    check_run_name,
    files_problem,
    load_manifest,
    named_files,
    run_paths,
    sanitise_name,
)
from cnnviz.training.run_owners import SavePolicy
from cnnviz.training.run_store import available_name, clean_runs, delete_run_files

# Where the readers and the file names were before they had modules of their own.
__all__ = ["MAX_NAME_LENGTH", "NAME_PATTERN", "SUFFIXES", "run_paths", "sanitise_name"]
__all__ += ["class_names", "confusion_counts", "misclassified_indices", "run_history"]
__all__ += ["run_summary"]
# A reader that finds a file gone reads the manifest again: a save replaced the run meanwhile.
READ_ATTEMPTS = 3


class UnknownModel(Invalid):  # noqa: N818 (the engine protocol's name)
    """No model has the requested name."""


@dataclass(frozen=True)
class ModelInfo:
    """A model that can be served: a bundled one (assets) or a saved training run.

    Attributes:
        name, source: The run's name; "bundled" or "saved".
        path: Its `.keras` file; `weights` its `.weights.h5` file (None if it has none).
        manifest: Its manifest, checked (`run_files.manifest_problem`).
        sha256: The `.keras` file's SHA-256 as the manifest gives it (None: not given), checked
            by the engine when it loads the model.
    """

    name: str
    source: Literal["bundled", "saved"]
    path: str
    manifest: dict[str, Any]
    weights: str | None = None
    sha256: str | None = None

    @property
    def owner(self) -> str | None:
        """The SHA-256 of the owner token of the session that saved it (None: nobody's)."""
        return self.manifest.get("owner")


class ModelCatalog:
    """The models of two folders; a bundled model wins a name clash with a saved one.

    Args:
        bundled_dir: Folder of the bundled models (`assets/models`).
        models_dir: Folder of saved training runs.
    """

    def __init__(self, bundled_dir: str | Path, models_dir: str | Path):
        self.bundled_dir, self.models_dir = Path(bundled_dir), Path(models_dir)

    def scan(self) -> tuple[list[ModelInfo], list[str]]:
        """Every usable model (bundled ones first, each group sorted by name) and a sentence
        per run skipped, naming its file."""
        found: dict[str, ModelInfo] = {}
        problems = []
        for source, directory in (("bundled", self.bundled_dir), ("saved", self.models_dir)):
            infos, skipped = runs_in(directory, source)
            problems += skipped
            for info in infos:
                found.setdefault(info.name, info)
        return list(found.values()), problems

    def list_models(self) -> list[ModelInfo]:
        """Every usable model on disk, bundled ones first, each group sorted by name."""
        return self.scan()[0]

    def problems(self) -> list[str]:
        """A sentence per run skipped (a damaged manifest, files that do not match it)."""
        return self.scan()[1]

    def saved_runs(self) -> list[ModelInfo]:
        """The saved runs (not bundled), newest first."""
        saved = [info for info in self.list_models() if info.source == "saved"]
        saved.sort(key=lambda info: info.name)
        return sorted(saved, key=lambda info: str(info.manifest.get("date", "")), reverse=True)

    def bundled_names(self) -> frozenset[str]:
        """The names the bundled models take: never a saved run's."""
        found = self.bundled_dir.glob("*.json") if self.bundled_dir.is_dir() else []
        return frozenset(path.stem for path in found if NAME_PATTERN.fullmatch(path.stem))

    def resolve(self, name) -> ModelInfo:
        """The model called `name`, its files checked against its manifest.

        Raises:
            UnknownModel: If there is none (the message lists the names there are, and says
                why a run of that name was skipped).
        """
        problems = []
        if isinstance(name, str) and NAME_PATTERN.fullmatch(name):
            for source, directory in (("bundled", self.bundled_dir), ("saved", self.models_dir)):
                info, problem = read_run(directory, name, source)
                if info is not None:
                    return info
                problems += [f"{source.capitalize()} {name!r}: {problem}."] if problem else []
        available = ", ".join(info.name for info in self.list_models())
        skipped = "".join(f" {problem}" for problem in problems)
        raise UnknownModel(
            "errors.runs.unknown_model",
            name=repr(name),
            available=available or Phrase("errors.runs.none_yet"),
            skipped=skipped,
        )

    def find(self, name) -> Path:
        """The `.keras` file of the model called `name` (see `resolve`)."""
        return Path(self.resolve(name).path)

    def version(self, name) -> str:
        """What identifies the current model file of `name` (its name, size and modification
        time), "" if there is no such model: a run saved again gets a new version."""
        try:
            path = self.find(name)
            stat = path.stat()
        except (UnknownModel, OSError):
            return ""
        return f"{path.name}:{stat.st_size}:{stat.st_mtime_ns}"

    def save_policy(self, owner: str | None = None, replace: str = "own") -> SavePolicy:
        """The `SavePolicy` of a save into the models folder: the bundled names reserved."""
        return SavePolicy(owner, replace, self.bundled_names())

    def available_name(self, name, owner: str | None = None, replace: str = "own") -> str:
        """The name a run saved now as `name` would get (see `run_store.available_name`): the
        page can say so before training."""
        return available_name(self.models_dir, name, self.save_policy(owner, replace))

    def delete_run(self, name, owner: str | None = None, teacher: bool = False) -> list[Path]:
        """Delete the saved run `name` if the session with owner token `owner` saved it, or in
        teacher mode: its manifest first (so it is unlisted at once), then its data files.
        Bundled models cannot be deleted.

        Returns:
            The paths removed.

        Raises:
            ValueError: If `name` is not a plain run name, names a bundled model or no saved
                run (the message lists the saved runs there are), or another session saved it.
        """
        check_run_name(name)
        if name in self.bundled_names():
            raise Invalid("errors.runs.bundled", name=repr(name))
        if not run_paths(self.models_dir, name)["manifest"].is_file():
            saved = ", ".join(info.name for info in self.saved_runs())
            raise Invalid(
                "errors.runs.no_saved_run",
                name=repr(name),
                saved=saved or Phrase("errors.runs.none_yet"),
            )
        return delete_run_files(self.models_dir, name, owner, teacher)

    def clean(self) -> list[Path]:
        """Remove what interrupted saves left in the models folder (`run_store.clean_runs`)."""
        return clean_runs(self.models_dir)


def default_catalog() -> ModelCatalog:
    """The bundled models and the saved runs, in their default places (as the engine has)."""
    return ModelCatalog(BUNDLED_MODELS_DIR, saved_models_dir())


def read_run(directory, name: str, source: str = "saved") -> tuple[ModelInfo | None, str | None]:
    """Run `name` of a folder: `(info, None)`, `(None, None)` if it has no manifest, or
    `(None, why)` if it cannot be served (`why` names the file)."""
    path = run_paths(directory, name)["manifest"]
    problem = None
    for _ in range(READ_ATTEMPTS):
        manifest, problem = load_manifest(path)
        if manifest is None:
            return None, problem
        try:
            files = named_files(directory, name, manifest)
        except ValueError as error:
            return None, f"{path}: {error}"
        problem = files_problem(files, "files" in manifest)
        if problem is None:
            model, weights = files["model"], files.get("weights")
            exists = weights is not None and os.path.isfile(weights.path)
            weights_path = str(weights.path) if exists else None
            info = ModelInfo(name, source, str(model.path), manifest, weights_path, model.sha256)
            return info, None
    return None, f"{path} does not match its files: {problem}"


def runs_in(directory, source: str = "saved") -> tuple[list[ModelInfo], list[str]]:
    """The usable runs of one folder, sorted by name, and a sentence per run skipped."""
    directory = Path(directory)
    found = sorted(directory.glob("*.json")) if directory.is_dir() else []
    infos, problems = [], []
    for path in found:
        if NAME_PATTERN.fullmatch(path.stem):
            info, problem = read_run(directory, path.stem, source)
            infos += [info] if info else []
            problems += [f"Skipped run {path.stem!r}: {problem}."] if problem else []
    return infos, problems


def models_in(directory, source: str = "saved") -> list[ModelInfo]:
    """The usable runs of one folder, sorted by name."""
    return runs_in(directory, source)[0]
