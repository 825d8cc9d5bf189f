"""Saving what a dead training worker had finished: its completed epochs, as the run.

Registered as the engine's "recover" job kind (`cnnviz.engine.jobs.JOB_KINDS`); the engine's
scheduler starts it, under the dead job's id, when a training worker dies before it could save
(killed, out of memory, or the engine itself died and was started again). It reads the job's
checkpoint (`cnnviz.training.checkpoints`), scores the best completed epoch's weights on the
held-out test split, saves the run exactly as the training job would have, and removes the
checkpoint.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from pathlib import Path

from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.fit import TrainingResult, evaluate, training_data
from cnnviz.engine.keras_side.training_job import save_and_summarise
from cnnviz.training.checkpoints import Checkpoint, read_checkpoint, remove_checkpoint
from cnnviz.training.config import TrainingConfig, validation_images
from cnnviz.training.events import TrainingOutcome

# How long to wait for the dead worker to be gone before reading what it wrote.
WORKER_GONE_SECONDS = 10.0
STOPPED_BY = "interrupted"


def recover_job(params: dict, report: Callable, should_stop: Callable[[], bool]) -> TrainingOutcome:
    """Score and save the completed epochs kept in `params["checkpoint_dir"]`.

    Args:
        params: The training job's params and `checkpoint_dir`, its checkpoint folder.
        report: Unused (the epochs were reported when they were trained).
        should_stop: Unused: saving takes seconds and keeps what was trained.

    Returns:
        The `TrainingOutcome`, `stopped_by` "interrupted" and `stopped_at` the epoch that was
        in progress.

    Raises:
        ValueError: If the checkpoint is missing or cannot be read.
    """
    folder = Path(params["checkpoint_dir"])
    checkpoint = read_checkpoint(folder)
    if checkpoint is not None:
        _wait_until_gone(checkpoint.worker_pid)
        checkpoint = read_checkpoint(folder)  # the last epoch it may still have written
    if checkpoint is None:
        remove_checkpoint(folder)
        raise ValueError(
            f"The training job's checkpoint in {folder} could not be read, so its completed "
            "epochs could not be saved. Train again."
        )
    outcome = save_and_summarise(result_from_checkpoint(checkpoint), checkpoint.params)
    remove_checkpoint(folder)
    return outcome


def result_from_checkpoint(checkpoint: Checkpoint) -> TrainingResult:
    """The `TrainingResult` of the epochs a checkpoint kept: its best weights, scored now."""
    config = TrainingConfig.from_dict(checkpoint.params["config"])
    model = build_cnn(config.model)
    model.set_weights(checkpoint.best_weights)
    data = training_data(config)  # the classes it trained on, when it trained on some
    history = checkpoint.history
    return TrainingResult(
        model=model,
        config=config,
        history=history,
        **evaluate(model, data),
        best_epoch=checkpoint.best_epoch,
        best_weights_restored=checkpoint.best_epoch != len(history),
        stopped_by=STOPPED_BY,
        stopped_at=checkpoint.stopped_at,
        elapsed=checkpoint.elapsed,
        samples_per_second=checkpoint.samples / max(checkpoint.busy, 1e-9),
        class_names=data.class_names,
        sizes=_sizes(config, data),
    )


def _sizes(config: TrainingConfig, data) -> dict:
    validation = validation_images(config.validation_size, len(data.x_train))
    train_size = config.train_size or len(data.x_train) - validation
    return {"train_size": train_size, "validation_size": validation, "test_size": len(data.x_test)}


def _wait_until_gone(pid: int | None) -> None:
    """Wait (bounded) until the worker that wrote the checkpoint has exited."""
    deadline = time.monotonic() + WORKER_GONE_SECONDS
    while pid and pid != os.getpid() and time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return
        except PermissionError:  # someone else's process took the number: ours is gone
            return
        time.sleep(0.1)
