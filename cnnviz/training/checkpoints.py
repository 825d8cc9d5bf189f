"""A running training job's checkpoint: what survives if its worker or the engine dies.

The engine gives each training job a folder (`<models>/.jobs/<job id>/`). Before the job starts
the engine writes `job.json` (the job's id, session and params); after each completed epoch the
worker writes the best weights so far (`best-epoch-N.npz`) and then `progress.json` (the
history, the best epoch and that file's name), each under a temporary name and renamed into
place, so a reader sees one whole checkpoint or the one before. A job that ends normally removes
its folder; one whose worker died leaves it, and the engine saves the completed epochs from it
as the run (`keras_side.training_job.recover_job`). NumPy and JSON only: no TensorFlow.
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz.training.events import EpochEvent
from cnnviz.training.run_store import process_alive

JOBS_FOLDER = ".jobs"
JOB_FILE, PROGRESS_FILE = "job.json", "progress.json"


@dataclass(frozen=True)
class Checkpoint:
    """A job's last checkpoint, as read back.

    Attributes:
        job_id, session, params: The job as it was submitted.
        history: One `EpochEvent` per completed epoch (without filters).
        best_epoch: The epoch whose weights `best_weights` are (1-based).
        best_weights: The model's weights at that epoch, in `model.get_weights()` order.
        stopped_at: `(epoch, batch)`: the epoch in progress when the last checkpoint was
            written and its last batch (the one after the last complete epoch, batch 0).
        elapsed, samples, busy: Seconds since training started, images trained, seconds
            spent training them.
        worker_pid: The worker that wrote it.
    """

    job_id: str
    session: str
    params: dict
    history: list[EpochEvent]
    best_epoch: int
    best_weights: list[np.ndarray]
    stopped_at: tuple[int, int]
    elapsed: float
    samples: int
    busy: float
    worker_pid: int | None


def jobs_folder(models_dir) -> Path:
    """Where the checkpoints of the running jobs of the engine serving `models_dir` live."""
    return Path(models_dir) / JOBS_FOLDER


def write_job_record(folder, job_id: str, session: str, params: dict) -> None:
    """Create the job's checkpoint folder with its `job.json` (the engine does, at start; the
    engine's pid goes in it, so another engine never takes over a job that is still alive)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    record = {"job_id": job_id, "session": session, "params": params, "engine_pid": os.getpid()}
    _write_atomically(folder / JOB_FILE, json.dumps(record).encode())


def write_epoch(folder, history: list[EpochEvent], best_epoch: int, best_weights, **progress):
    """Record a completed epoch: the best weights so far, then the progress that names them.

    Args:
        folder: The job's checkpoint folder.
        history: Every completed epoch so far.
        best_epoch: The epoch of `best_weights`.
        best_weights: `model.get_weights()` at that epoch.
        **progress: `elapsed`, `samples` and `busy` (plain numbers).
    """
    folder = Path(folder)
    weights_file = f"best-epoch-{best_epoch}.npz"
    if not (folder / weights_file).exists():
        arrays = {f"w{i}": np.asarray(weights) for i, weights in enumerate(best_weights)}
        temporary = folder / f".{secrets.token_hex(6)}.tmp.npz"
        np.savez(temporary, **arrays)
        os.replace(temporary, folder / weights_file)
    record = {
        "history": [event.to_dict() for event in history],
        "best_epoch": best_epoch,
        "weights": weights_file,
        "worker_pid": os.getpid(),
        **progress,
    }
    _write_atomically(folder / PROGRESS_FILE, json.dumps(record, allow_nan=False).encode())
    for old in folder.glob("best-epoch-*.npz"):  # only the file `progress.json` names is kept
        if old.name != weights_file:
            old.unlink(missing_ok=True)


def read_checkpoint(folder) -> Checkpoint | None:
    """The job's checkpoint, or None if it has no completed epoch or cannot be read."""
    folder = Path(folder)
    try:
        job = json.loads((folder / JOB_FILE).read_text())
        progress = json.loads((folder / PROGRESS_FILE).read_text())
        history = [EpochEvent.from_dict(entry) for entry in progress["history"]]
        weights_path = folder / Path(str(progress["weights"])).name
        with np.load(weights_path, allow_pickle=False) as stored:
            weights = [stored[f"w{i}"] for i in range(len(stored.files))]
        checkpoint = Checkpoint(
            job_id=str(job["job_id"]),
            session=str(job["session"]),
            params=dict(job["params"]),
            history=history,
            best_epoch=int(progress["best_epoch"]),
            best_weights=weights,
            stopped_at=(len(history) + 1, 0),
            elapsed=float(progress.get("elapsed", 0.0)),
            samples=int(progress.get("samples", 0)),
            busy=float(progress.get("busy", 0.0)),
            worker_pid=progress.get("worker_pid"),
        )
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return checkpoint if history and 1 <= checkpoint.best_epoch <= len(history) else None


def interrupted_jobs(checkpoints_dir) -> list[Path]:
    """The job folders in `checkpoints_dir` (a `jobs_folder`) whose engine is gone, oldest
    first: at an engine's start, those its predecessor's jobs left when they died with it.
    Folders of an engine still running (another server on the same models folder) are not
    listed."""
    folder = Path(checkpoints_dir)
    found = [path for path in folder.iterdir() if path.is_dir()] if folder.is_dir() else []
    found = [path for path in found if not _alive(_engine_pid(path))]
    return sorted(found, key=lambda path: path.stat().st_mtime)


def _engine_pid(folder: Path) -> int | None:
    try:
        pid = json.loads((folder / JOB_FILE).read_text()).get("engine_pid")
    except (OSError, ValueError, AttributeError):
        return None
    return pid if isinstance(pid, int) else None


def _alive(pid: int | None) -> bool:
    """Whether the engine `pid` still runs (this process is the new engine: not counted)."""
    return pid is not None and pid > 0 and pid != os.getpid() and process_alive(pid)


def remove_checkpoint(folder) -> None:
    """Delete a job's checkpoint folder (its run was saved, or there was nothing to keep)."""
    shutil.rmtree(folder, ignore_errors=True)


def _write_atomically(path: Path, data: bytes) -> None:
    """Write `path` whole or not at all, readable by its owner only (a job's params hold the
    session's owner token, which lets a recovered run be saved as that session's own)."""
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as file:
        file.write(data)
    os.replace(temporary, path)
