"""What a training job reports while it runs: one event per batch (throttled) and per epoch.

Events are typed: the training loop in the engine makes them, they cross from the worker process
to the page, and the live chart, the progress line, the command line's progress bar and the
saved manifest read the same fields. Epochs and batches count from 1; `elapsed` is seconds
since training started; a metric that is not a finite number (a diverging run) is None.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, fields

import numpy as np


@dataclass(frozen=True)
class BatchEvent:
    """Progress within an epoch: the running means of loss and accuracy over the epoch so far.

    Attributes:
        epoch, batch: Where training is (both from 1); `batches` per epoch.
        loss, accuracy: Keras's running means over the epoch's batches so far.
        elapsed: Seconds since training started.
        samples_per_second: This epoch's training speed so far.
        learning_rate: The optimizer's current learning rate.
    """

    epoch: int
    batch: int
    batches: int
    loss: float | None
    accuracy: float | None
    elapsed: float
    samples_per_second: float
    learning_rate: float

    @property
    def epochs_done(self) -> float:
        """Training so far in epochs: 2.5 halfway through the third epoch."""
        return self.epoch - 1 + self.batch / self.batches


@dataclass(frozen=True)
class EpochEvent:
    """One completed epoch: training and validation scores, and the first layer's filters.

    Attributes:
        epoch: The epoch just completed (from 1); `epochs` planned in all.
        loss, accuracy: Training scores over the epoch; `val_loss`, `val_accuracy` on the
            validation images after it.
        best_epoch: The epoch with the best validation accuracy so far.
        elapsed, samples_per_second, learning_rate: As in `BatchEvent`.
        filters: The first Conv2D's kernel `(k, k, channels, filters)` after the epoch, for
            the live view; None where it is not kept (a saved manifest).
    """

    epoch: int
    epochs: int
    loss: float | None
    accuracy: float | None
    val_loss: float | None
    val_accuracy: float | None
    best_epoch: int | None
    elapsed: float
    samples_per_second: float
    learning_rate: float
    filters: np.ndarray | None = None

    @property
    def gap(self) -> float | None:
        """The generalisation gap in loss: validation minus training (None if one is missing)."""
        if self.val_loss is None or self.loss is None:
            return None
        return self.val_loss - self.loss

    def to_dict(self) -> dict:
        """The event without its filters, as plain numbers for a JSON manifest."""
        data = asdict(self)
        del data["filters"]
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> EpochEvent:
        """An event from `to_dict`'s format (a manifest's history); missing scores are None.

        Raises:
            ValueError: If `data` is not a mapping with at least a whole `epoch`.
        """
        if not isinstance(data, Mapping) or not isinstance(data.get("epoch"), int):
            raise ValueError(f"An epoch of a run's history needs an `epoch`. Received {data!r}.")
        known = {field.name for field in fields(cls)} - {"filters"}
        values = {name: data.get(name) for name in known}
        values["epochs"] = values["epochs"] or data["epoch"]
        for name in ("elapsed", "samples_per_second", "learning_rate"):
            values[name] = values[name] or 0.0
        return cls(**values)


TrainingEvent = BatchEvent | EpochEvent


def seconds_left(event: BatchEvent, epochs: int, batch_size: int) -> float:
    """Time for the rest of this epoch and the remaining ones, at this epoch's speed.

    Example:
        >>> event = BatchEvent(1, 10, 40, 0.5, 0.8, 2.0, 640.0, 0.001)
        >>> seconds_left(event, epochs=2, batch_size=64)  # 70 batches of 64 at 640 images/s
        7.0
    """
    per_batch = batch_size / max(event.samples_per_second, 1e-9)
    remaining = event.batches - event.batch + (epochs - event.epoch) * event.batches
    return remaining * per_batch


@dataclass(frozen=True)
class TrainingOutcome:
    """How a training job ended: the saved run and its held-out scores.

    Attributes:
        run_name: The name the run is saved under; `saved` whether it was (at least one
            epoch completed), `paths` its files by kind ("model", "weights", "manifest").
        test_accuracy, test_loss: The best epoch's weights on the held-out test split.
        best_epoch: The epoch whose weights were kept (highest validation accuracy).
        epochs_completed: Whole epochs trained.
        stopped_by: None (all epochs ran), "user" or "early_stopping".
        elapsed: Seconds from the start of training to the end of scoring.
        samples_per_second: Training speed over all epochs.
        confusion_matrix: Counts `[true][predicted]` on the test split.
        misclassified: Indices of (the first) misclassified test images.
        history: One `EpochEvent` per completed epoch, without filters.
    """

    run_name: str
    saved: bool
    paths: dict[str, str]
    test_accuracy: float
    test_loss: float | None
    best_epoch: int | None
    epochs_completed: int
    stopped_by: str | None
    elapsed: float
    samples_per_second: float
    confusion_matrix: list[list[int]]
    misclassified: list[int]
    history: list[EpochEvent]

    @property
    def stopped(self) -> bool:
        """Whether training ended before its last epoch (by the user or early stopping)."""
        return self.stopped_by is not None
