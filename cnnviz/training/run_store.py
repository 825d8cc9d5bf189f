"""Saving, replacing, deleting and cleaning up runs, each change one atomic step.

A save (`commit_run`) takes data files already written to hidden temporaries and, holding the
folder's lock (`fcntl.flock` on `.runs.lock`, released by the system if the process dies):

1. picks the name: the one asked for, or the next free `name-2`, `name-3`, ... when a run of
   that name exists that the policy does not allow replacing, or a bundled model has it;
2. renames the temporaries to new versioned names (`name.v<version>.keras`, ...): nothing a
   reader can see changes;
3. writes the manifest, naming those files with their sizes and SHA-256, to a temporary and
   renames it over `name.json`: the one step that switches the run from old to new;
4. removes the data files of `name` the new manifest does not name.

A process killed at any point leaves the previous run listed and whole, or the new one; what it
leaves besides (temporaries, unnamed data files) `clean_runs` removes. Readers never lock: they
read the manifest, then its files. Who may replace or delete a run is `run_owners`'s question.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import re
from collections.abc import Iterator, Mapping
from pathlib import Path

from cnnviz.training.run_files import (
    DATA_KINDS,
    MAX_NAME_LENGTH,
    SUFFIXES,
    TEMPORARY_PATTERN,
    check_run_name,
    data_files_of,
    file_sha256,
    load_manifest,
    named_files,
    new_version,
    run_paths,
    sanitise_name,
    temporary_path,
    versioned_path,
)
from cnnviz.training.run_owners import SavePolicy, is_owner, owner_id

MANIFEST_FORMAT = 2
LOCK_FILE = ".runs.lock"
# The previous format's backups and temporaries: `.name.<16 hex>.tmp<suffix>[.old]`.
_OLD_TEMPORARY = re.compile(r"\..+\.[0-9a-f]{16}\.tmp(?:\.keras|\.weights\.h5|\.json)(?:\.old)?")
_VERSIONED = re.compile(
    r"(?P<name>[A-Za-z0-9][A-Za-z0-9_-]*)\.v[0-9a-f]{16}(?:\.keras|\.weights\.h5)"
)


@contextlib.contextmanager
def runs_lock(directory) -> Iterator[None]:
    """Hold the folder's lock: one save, delete or clean-up at a time, across processes."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(directory / LOCK_FILE, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        os.close(descriptor)  # closing releases the lock


def available_name(directory, name: str, policy: SavePolicy) -> str:
    """The name a save of `name` under `policy` gets: `name` itself if no run has it or the
    policy may replace that run, else the first free `name-2`, `name-3`, ...

    Raises:
        ValueError: If `name` is not a usable run name.
    """
    base = sanitise_name(name)
    for number in range(1, 10_000):
        suffix = "" if number == 1 else f"-{number}"
        candidate = base[: MAX_NAME_LENGTH - len(suffix)] + suffix
        if candidate in policy.reserved:
            continue
        manifest, problem = load_manifest(run_paths(directory, candidate)["manifest"])
        if (manifest is None and problem is None) or policy.may_replace(manifest):
            return candidate
    raise ValueError(f"No free name left for run {name!r} in {directory}. Received {name!r}.")


def commit_run(
    directory, name: str, staged: Mapping[str, Path], manifest: dict, policy: SavePolicy
) -> str:
    """Make the staged data files and `manifest` the run `name`, in one atomic switch.

    Args:
        directory: The models folder (created if missing); the staged files must be in it.
        name: The run's name (sanitised); see `available_name` for the name it gets.
        staged: Temporaries by kind: "model" (required) and "weights"; renamed, never copied.
        manifest: JSON-able entries; `name`, `format`, `owner` and `files` are set here.
        policy: Whose run may be replaced, and the names not to take.

    Returns:
        The name the run was saved under.

    Raises:
        ValueError: For a bad name, staged kinds, or a manifest that is not JSON (NaN too).
        OSError: If writing fails; the previous run of the name is then left as it was.
    """
    if "model" not in staged or set(staged) - set(DATA_KINDS):
        raise ValueError(
            f"A run needs a staged 'model' (and 'weights'). Received {sorted(staged)}."
        )
    directory = Path(directory)
    outside = [str(path) for path in staged.values() if Path(path).parent != directory]
    if outside:
        raise ValueError(f"Staged files must be in {directory}. Received {outside}.")
    json.dumps(manifest, allow_nan=False)  # refuse NaN and objects before anything moves
    described = {kind: (file_sha256(path), os.stat(path).st_size) for kind, path in staged.items()}
    for path in staged.values():
        _sync_file(path)
    version = new_version()
    with runs_lock(directory):
        name = available_name(directory, name, policy)
        finals = {kind: versioned_path(directory, name, version, kind) for kind in staged}
        files = {
            kind: {"file": finals[kind].name, "bytes": described[kind][1], "sha256": digest}
            for kind, (digest, _) in described.items()
        }
        owner = None if policy.owner is None else owner_id(policy.owner)
        record = {**manifest, "name": name, "format": MANIFEST_FORMAT, "owner": owner}
        record["files"] = files
        _switch(directory, name, staged, finals, record)
        _remove_unnamed(directory, name, set(finals.values()))
    return name


def delete_run_files(directory, name: str, owner: str | None, teacher: bool) -> list[Path]:
    """Delete run `name` if `owner` (a token) saved it or `teacher` is True: its manifest
    first (it is unlisted at once), then every data file of the name, under the folder's lock.

    Returns:
        The paths removed.

    Raises:
        ValueError: If `name` is not a plain run name, has no manifest, or is someone else's.
    """
    check_run_name(name)
    manifest_path = run_paths(directory, name)["manifest"]
    with runs_lock(directory):
        if not manifest_path.is_file():
            raise ValueError(f"No saved run named {name!r}. Received {name!r}.")
        if not (teacher or is_owner(load_manifest(manifest_path)[0], owner)):
            raise ValueError(
                f"Run `{name}` was saved by another session; only its owner can delete it (or "
                "a teacher: see the README's teacher mode)."
            )
        os.unlink(manifest_path)
        removed = [manifest_path]
        for path in data_files_of(directory, name):
            removed += _unlink(path)
        _sync_directory(directory)
    return removed


def clean_runs(directory) -> list[Path]:
    """Remove what interrupted saves left in a models folder: temporaries whose writer is no
    longer alive, the previous format's temporaries and `.old` backups, and versioned data
    files that no manifest names. Runs and files of unknown kinds are left alone.

    Returns:
        The paths removed.
    """
    directory = Path(directory)
    if not directory.is_dir():
        return []
    removed = []
    with runs_lock(directory):
        for path in sorted(directory.iterdir()):
            if _is_stale_temporary(path.name):
                removed += _unlink(path)
        found = (_VERSIONED.fullmatch(path.name) for path in directory.iterdir())
        names = {match["name"] for match in found if match}
        for name in sorted(names):
            removed += _remove_unnamed(directory, name, _named_paths(directory, name))
    return removed


def _switch(directory: Path, name: str, staged, finals, record: dict) -> None:
    """Steps 2 and 3 of a save; if one fails, the new files go and the old run stays."""
    manifest = temporary_path(directory, name, SUFFIXES["manifest"])
    try:
        for kind, path in staged.items():
            os.replace(path, finals[kind])
        with open(manifest, "w") as file:
            file.write(json.dumps(record, indent=1, allow_nan=False) + "\n")
            file.flush()
            os.fsync(file.fileno())
        os.replace(manifest, run_paths(directory, name)["manifest"])
    except BaseException:
        for path in (manifest, *finals.values()):
            with contextlib.suppress(OSError):
                os.unlink(path)
        raise
    _sync_directory(directory)


def _named_paths(directory: Path, name: str) -> set[Path]:
    """The data files the manifest of `name` names; every data file of the name if its
    manifest is unreadable (a damaged run is the owner's or a teacher's to delete)."""
    manifest, problem = load_manifest(run_paths(directory, name)["manifest"])
    if problem is not None:
        return set(data_files_of(directory, name))
    try:
        return {file.path for file in named_files(directory, name, manifest or {}).values()}
    except ValueError:
        return set(data_files_of(directory, name))


def _remove_unnamed(directory: Path, name: str, keep: set[Path]) -> list[Path]:
    """Remove the data files of `name` other than `keep` (the run is already saved: a file
    that will not go stays for the next clean-up)."""
    removed = []
    for path in data_files_of(directory, name):
        if path not in keep:
            removed += _unlink(path)
    return removed


def _unlink(path: Path) -> list[Path]:
    """Remove a file; one that is gone already, or not ours to remove, is left out."""
    try:
        os.unlink(path)
    except OSError:
        return []
    return [path]


def _is_stale_temporary(file_name: str) -> bool:
    """A temporary of a save whose process is gone, or of the previous format (no pid)."""
    temporary = TEMPORARY_PATTERN.fullmatch(file_name)
    if temporary:
        return not process_alive(int(temporary["pid"]))
    return bool(_OLD_TEMPORARY.fullmatch(file_name))


def process_alive(pid: int) -> bool:
    """Whether a process with this id exists (another user's counts: it cannot be asked)."""
    try:
        os.kill(pid, 0)  # no signal sent: only asks whether the process exists
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process: alive
        pass
    return True


def _sync_file(path) -> None:
    with open(path, "rb") as file:
        os.fsync(file.fileno())


def _sync_directory(directory) -> None:
    """Make the renames durable, so a power cut after a save keeps the new manifest. Some file
    systems cannot sync a folder: the renames are atomic anyway, only durability is lost."""
    with contextlib.suppress(OSError):
        descriptor = os.open(directory, os.O_RDONLY)
        try:
            os.fsync(descriptor)
        finally:
            os.close(descriptor)
