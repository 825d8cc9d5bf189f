"""A job's checkpoint: written whole after each epoch, read back exactly, never half."""

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from cnnviz.training.checkpoints import (
    PROGRESS_FILE,
    interrupted_jobs,
    jobs_folder,
    read_checkpoint,
    remove_checkpoint,
    write_epoch,
    write_job_record,
)
from cnnviz.training.events import EpochEvent

PARAMS = {"config": {"epochs": 5}, "run_name": "r", "save_dir": "/models"}


def epoch(number: int, val_accuracy: float) -> EpochEvent:
    return EpochEvent(
        epoch=number,
        epochs=5,
        loss=1.0 / number,
        accuracy=0.5,
        val_loss=0.7,
        val_accuracy=val_accuracy,
        best_epoch=number,
        elapsed=float(number),
        samples_per_second=100.0,
        learning_rate=0.001,
    )


def weights(seed: int) -> list[np.ndarray]:
    rng = np.random.default_rng(seed)
    return [rng.normal(size=(3, 3, 1, 4)).astype(np.float32), rng.normal(size=4)]


def test_a_checkpoint_reads_back_the_job_its_epochs_and_the_best_weights(tmp_path):
    folder = jobs_folder(tmp_path) / "job1"
    write_job_record(folder, "job1", "session-a", PARAMS)
    assert read_checkpoint(folder) is None  # no completed epoch yet: nothing to keep
    history = [epoch(1, 0.8), epoch(2, 0.9), epoch(3, 0.85)]
    write_epoch(folder, history[:1], 1, weights(1), elapsed=1.0, samples=100, busy=0.5)
    write_epoch(folder, history[:2], 2, weights(2), elapsed=2.0, samples=200, busy=1.0)
    write_epoch(folder, history, 2, weights(2), elapsed=3.0, samples=300, busy=1.5)
    checkpoint = read_checkpoint(folder)
    assert (checkpoint.job_id, checkpoint.session, checkpoint.params) == (
        "job1",
        "session-a",
        PARAMS,
    )
    assert checkpoint.history == history and checkpoint.best_epoch == 2
    assert checkpoint.stopped_at == (4, 0)  # the epoch in progress when it died
    for stored, expected in zip(checkpoint.best_weights, weights(2), strict=True):
        np.testing.assert_array_equal(stored, expected)
    assert (checkpoint.samples, checkpoint.busy, checkpoint.worker_pid) == (300, 1.5, os.getpid())
    assert sorted(path.name for path in folder.iterdir()) == [
        "best-epoch-2.npz",  # the epoch-1 weights are gone once no progress names them
        "job.json",
        "progress.json",
    ]
    assert (folder / "job.json").stat().st_mode & 0o777 == 0o600  # it holds the owner token
    remove_checkpoint(folder)
    assert not folder.exists()


@pytest.mark.parametrize(
    "damage",
    [
        lambda folder: (folder / PROGRESS_FILE).write_text("{not json"),
        lambda folder: (folder / PROGRESS_FILE).write_text(json.dumps([1, 2])),
        lambda folder: (folder / PROGRESS_FILE).write_text(json.dumps({"best_epoch": 9})),
        lambda folder: (folder / "best-epoch-1.npz").write_bytes(b"cut"),
        lambda folder: (folder / "best-epoch-1.npz").unlink(),
        lambda folder: (folder / "job.json").unlink(),
    ],
)
def test_a_damaged_checkpoint_reads_as_nothing_to_keep(tmp_path, damage):
    folder = tmp_path / "job"
    write_job_record(folder, "job", "s", PARAMS)
    write_epoch(folder, [epoch(1, 0.8)], 1, weights(1), elapsed=1.0, samples=1, busy=1.0)
    damage(folder)
    assert read_checkpoint(folder) is None


def test_only_jobs_of_an_engine_that_is_gone_count_as_interrupted(tmp_path):
    checkpoints = jobs_folder(tmp_path)
    assert interrupted_jobs(checkpoints) == []
    gone = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True
    )
    alive = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
    try:
        for name, pid in (("gone", int(gone.stdout)), ("alive", alive.pid)):
            write_job_record(checkpoints / name, name, "s", PARAMS)
            record = json.loads((checkpoints / name / "job.json").read_text())
            assert record["engine_pid"] == os.getpid()
            record["engine_pid"] = pid
            (checkpoints / name / "job.json").write_text(json.dumps(record))
        assert [path.name for path in interrupted_jobs(checkpoints)] == ["gone"]
    finally:
        alive.kill()
        alive.wait()
    assert sorted(path.name for path in interrupted_jobs(checkpoints)) == ["alive", "gone"]


def test_a_checkpoint_killed_while_being_written_still_reads_as_the_one_before(tmp_path):
    # The writer dies at every file operation in turn: a reader always gets epoch 1 or 2 whole.
    folder = tmp_path / "job"
    write_job_record(folder, "job", "s", PARAMS)
    write_epoch(folder, [epoch(1, 0.8)], 1, weights(1), elapsed=1.0, samples=1, busy=1.0)
    script = f"""
import os, signal, sys
import numpy as np
sys.path.insert(0, {str(os.getcwd())!r})
from tests.training.test_checkpoints import epoch, weights
from cnnviz.training import checkpoints
calls = 0
def dies(real):
    def call(*args, **kwargs):
        global calls
        calls += 1
        if calls == int(sys.argv[1]):
            os.kill(os.getpid(), signal.SIGKILL)
        return real(*args, **kwargs)
    return call
checkpoints.os.replace = dies(os.replace)
np.savez = dies(np.savez)
checkpoints.write_epoch({str(folder)!r}, [epoch(1, 0.8), epoch(2, 0.9)], 2, weights(2),
                        elapsed=2.0, samples=2, busy=2.0)
"""
    for step in range(1, 5):
        subprocess.run([sys.executable, "-c", script, str(step)], check=False)
        checkpoint = read_checkpoint(folder)
        assert checkpoint is not None and checkpoint.best_epoch == len(checkpoint.history)
        expected = weights(checkpoint.best_epoch)
        np.testing.assert_array_equal(checkpoint.best_weights[0], expected[0])
    assert read_checkpoint(folder).best_epoch == 2  # the last run was not killed
