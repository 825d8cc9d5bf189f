"""A saved run's files: their names, its manifest, and the checks made before it is listed.

A run named `name` is its manifest `name.json` and the data files the manifest names with
their size and SHA-256: `name.v<version>.keras` (architecture and weights) and
`name.v<version>.weights.h5` (the weights alone), `<version>` 16 hex digits new for every
save. The manifest is the run: saving writes new data files under new names and then replaces
the manifest in one rename (`run_store.commit_run`), so a reader sees the old set or the new
one, never a mix. Runs saved before versions (the bundled models) name `name.keras` and
`name.weights.h5`; a manifest without `files` means `name.keras` beside it. A sanitised name
has no dot, so a data file or a temporary (`.name.<pid>.<random>.tmp<suffix>`) is never
taken for a run. Nothing here imports TensorFlow.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from cnnviz.messages import Invalid
from cnnviz.validation import is_real, is_whole

MAX_NAME_LENGTH = 64
# Plain file names without dots: a run's name never points outside its folder, and never
# matches one of its data files or temporaries.
NAME_PATTERN = re.compile(rf"[A-Za-z0-9][A-Za-z0-9_-]{{0,{MAX_NAME_LENGTH - 1}}}")
SUFFIXES = {"model": ".keras", "weights": ".weights.h5", "manifest": ".json"}
DATA_KINDS = ("model", "weights")
VERSION_PATTERN = re.compile(r"[0-9a-f]{16}")
TEMPORARY_PATTERN = re.compile(
    r"\.(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\.(?P<pid>\d+)\.[0-9a-f]{16}\.tmp"
    r"(?:\.keras|\.weights\.h5|\.json)"
)
# A manifest is a few kB (its history, 64 misclassified indices); more is not a manifest.
MAX_MANIFEST_BYTES = 4_000_000
_LARGEST_COUNT = 2**53  # a count beyond this is no count (and no JSON reader keeps it exact)


@dataclass(frozen=True)
class RunFile:
    """One data file of a run, as its manifest describes it (None: the manifest does not say)."""

    path: Path
    bytes: int | None = None
    sha256: str | None = None


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
        raise Invalid("errors.runs.not_text", kind=type(name).__name__, received=repr(name))
    cleaned = re.sub(r"[^A-Za-z0-9_-]+", "_", name).lstrip("_-")[:MAX_NAME_LENGTH].rstrip("_")
    if not NAME_PATTERN.fullmatch(cleaned):
        raise Invalid("errors.runs.no_letters", most=MAX_NAME_LENGTH, received=repr(name))
    return cleaned


def check_run_name(name) -> str:
    """`name` if it is a plain run name (`NAME_PATTERN`), else a ValueError that names it."""
    if not isinstance(name, str) or not NAME_PATTERN.fullmatch(name):
        raise Invalid("errors.runs.bad_name", most=MAX_NAME_LENGTH, received=repr(name))
    return name


def run_paths(directory, name: str) -> dict[str, Path]:
    """The run's manifest and its unversioned file names: `{"model": name.keras, "weights":
    name.weights.h5, "manifest": name.json}`. The manifest's path is always right; a run
    saved since versions keeps its data under the names its manifest gives (`named_files`)."""
    return {kind: Path(directory) / f"{name}{suffix}" for kind, suffix in SUFFIXES.items()}


def versioned_path(directory, name: str, version: str, kind: str) -> Path:
    """Where a save with `version` (16 hex digits) puts its `kind` file ("model", "weights")."""
    return Path(directory) / f"{name}.v{version}{SUFFIXES[kind]}"


def new_version() -> str:
    """A fresh version for a save: 16 random hex digits."""
    return secrets.token_hex(8)


def temporary_path(directory, name: str, suffix: str) -> Path:
    """A fresh hidden path `.name.<pid>.<random>.tmp<suffix>` to write a file before it is
    renamed into place; the writer's pid tells `run_store.clean_runs` whether it is alive."""
    return Path(directory) / f".{name}.{os.getpid()}.{secrets.token_hex(8)}.tmp{suffix}"


def data_file_pattern(name: str) -> re.Pattern:
    """Matches the file names of every data file `name` can have, versioned or not."""
    return re.compile(rf"{re.escape(name)}(?:\.v[0-9a-f]{{16}})?(?:\.keras|\.weights\.h5)")


def data_files_of(directory, name: str) -> list[Path]:
    """The data files of run `name` present in `directory` (any version), sorted."""
    pattern = data_file_pattern(name)
    directory = Path(directory)
    found = directory.glob(f"{name}.*") if directory.is_dir() else []
    return sorted(path for path in found if pattern.fullmatch(path.name))


def file_sha256(path) -> str:
    """The SHA-256 of a file, read in 1 MB pieces."""
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        while chunk := file.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()


def load_manifest(path) -> tuple[dict | None, str | None]:
    """Read a manifest: `(manifest, None)`, `(None, None)` if there is none, or `(None, why)`
    if it cannot be used (unreadable, too large, not JSON, not an object, a field of the
    wrong kind); `why` names the file."""
    path = Path(path)
    try:
        with open(path, "rb") as file:
            text = file.read(MAX_MANIFEST_BYTES + 1)
    except FileNotFoundError:
        return None, None
    except OSError as error:
        return None, f"{path} cannot be read ({error})"
    if len(text) > MAX_MANIFEST_BYTES:
        return None, f"{path} is larger than a manifest can be ({MAX_MANIFEST_BYTES:,} bytes)"
    try:
        manifest = json.loads(text)
    except (ValueError, RecursionError) as error:  # RecursionError: absurdly deep nesting
        return None, f"{path} is not valid JSON ({str(error)[:80]})"
    if not isinstance(manifest, dict):
        return None, f"{path} holds a {type(manifest).__name__}, not a manifest (a JSON object)"
    problem = manifest_problem(manifest)
    return (None, f"{path}: {problem}") if problem else (manifest, None)


def manifest_problem(manifest: dict) -> str | None:
    """What makes a manifest unusable, or None: a known field of the wrong kind (None is
    accepted for every field: "not measured")."""
    for field, (check, accepted) in _FIELDS.items():
        value = manifest.get(field)
        if value is not None and not check(value):
            return f"`{field}` must be {accepted}. Received {_glimpse(value)}"
    return None


def named_files(directory, name: str, manifest: dict) -> dict[str, RunFile]:
    """The data files a manifest names, in `directory`; a manifest without `files` (an early
    save) has `name.keras` and `name.weights.h5`.

    Raises:
        ValueError: If `files` is malformed, or names a file that is not one of `name`'s.
    """
    files = manifest.get("files")
    if files is None:
        paths = run_paths(directory, name)
        return {kind: RunFile(paths[kind]) for kind in DATA_KINDS}
    if not isinstance(files, dict) or not isinstance(files.get("model"), dict):
        raise ValueError(f"`files` must map 'model' to a file. Received {_glimpse(files)}")
    allowed = data_file_pattern(name)
    named = {}
    for kind in DATA_KINDS:
        entry = files.get(kind)
        if entry is None and kind == "weights":
            continue
        file = entry.get("file") if isinstance(entry, dict) else None
        size, digest = (entry.get("bytes"), entry.get("sha256")) if file else (None, None)
        valid = isinstance(file, str) and allowed.fullmatch(file) and file.endswith(SUFFIXES[kind])
        valid = valid and (size is None or (is_whole(size) and 0 <= size < _LARGEST_COUNT))
        if not valid or not (digest is None or re.fullmatch(r"[0-9a-f]{64}", str(digest))):
            raise ValueError(
                f"`files.{kind}` must give one of {name!r}'s {SUFFIXES[kind]} files with its "
                f"bytes and sha256. Received {_glimpse(entry)}"
            )
        named[kind] = RunFile(Path(directory) / file, size, digest)
    return named


def files_problem(files: dict[str, RunFile], manifest_given: bool) -> str | None:
    """Why the files are not all there as described (missing, another size), or None. An
    early save's weights file (`manifest_given` False) may be missing."""
    for kind, file in files.items():
        try:
            size = os.stat(file.path).st_size
        except FileNotFoundError:
            if kind == "weights" and not manifest_given:
                continue
            return f"its {kind} file {file.path.name} is missing"
        except OSError as error:
            return f"its {kind} file {file.path.name} cannot be read ({error})"
        if file.bytes is not None and size != file.bytes:
            return f"its {kind} file {file.path.name} has {size:,} bytes, not {file.bytes:,}"
    return None


def _glimpse(value) -> str:
    text = repr(value)
    return f"{type(value).__name__} {text[:60]}{'…' if len(text) > 60 else ''}"


def _count(value) -> bool:
    return is_whole(value) and abs(value) < _LARGEST_COUNT


def _number(value) -> bool:
    return is_real(value) and abs(value) < 1e15


def _counts(value) -> bool:
    return isinstance(value, list) and len(value) < 100_000 and all(map(_count, value))


def _square(value) -> bool:
    rows = len(value) if isinstance(value, list) else 0
    return 0 < rows <= 1000 and all(_counts(row) and len(row) == rows for row in value)


def _names(value) -> bool:
    return (
        isinstance(value, list)
        and 0 < len(value) <= 1000
        and all(isinstance(name, str) and len(name) <= 200 for name in value)
    )


_TEXT = (lambda value: isinstance(value, str) and len(value) <= 10_000, "text")
_COUNT = (_count, "a whole number")
_NUMBER = (_number, "a finite number")
_DICT = (lambda value: isinstance(value, dict), "a JSON object")
_FIELDS = {
    "name": _TEXT,
    "date": _TEXT,
    "dataset": _TEXT,
    "owner": _TEXT,
    "stopped_by": _TEXT,
    "command": _TEXT,
    "format": _COUNT,
    "seed": _COUNT,
    "parameters": _COUNT,
    "epochs_completed": _COUNT,
    "best_epoch": _COUNT,
    "train_size": _COUNT,
    "validation_size": _COUNT,
    "test_size": _COUNT,
    "test_accuracy": (lambda value: _number(value) and 0 <= value <= 1, "a number from 0 to 1"),
    "test_loss": _NUMBER,
    "elapsed": _NUMBER,
    "samples_per_second": _NUMBER,
    "best_weights_restored": (lambda value: isinstance(value, bool), "true or false"),
    "config": _DICT,
    "versions": _DICT,
    "files": _DICT,
    "history": (lambda value: isinstance(value, list), "a list of epochs"),
    "class_names": (_names, "a list of 1 to 1000 names (strings)"),
    "confusion_matrix": (_square, "a square table of whole numbers"),
    "misclassified": (
        lambda value: _counts(value) and all(index >= 0 for index in value),
        "a list of image indices (whole numbers from 0)",
    ),
}
