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

from cnnviz import i18n
from cnnviz.formatting import format_duration
from cnnviz.validation import is_real, is_whole


@dataclass(frozen=True, kw_only=True)
class BatchEvent:
    """Progress within an epoch: the batches trained since the previous event.

    Attributes:
        epoch, batch: Where training is (both from 1): `batch` is the last batch covered;
            `batches` per epoch.
        covers: How many batches the event covers (those since the previous event).
        loss, accuracy: Their mean loss and accuracy (None if the loss is not a number).
        elapsed: Seconds since training started.
        samples_per_second: This epoch's training speed so far.
        seconds_per_batch: Wall time per batch since the run's first batches (which include
            TensorFlow's tracing), validation included; None while there is no such measure.
        learning_rate: The optimizer's current learning rate.
    """

    epoch: int
    batch: int
    batches: int
    covers: int = 1
    loss: float | None
    accuracy: float | None
    elapsed: float
    samples_per_second: float
    seconds_per_batch: float | None = None
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
            ValueError: If `data` is not a mapping with at least a whole `epoch`, or a field is
                not what it should be (a whole number, a finite number or null).
        """
        epoch = data.get("epoch") if isinstance(data, Mapping) else None
        if not is_whole(epoch) or not 1 <= epoch < _LARGEST_EPOCH:
            raise ValueError(f"An epoch of a run's history needs an `epoch`. Received {data!r}.")
        values = {}
        for field in fields(cls):
            value = data.get(field.name)
            if field.name == "filters" or value is None:
                continue
            whole = field.name in ("epoch", "epochs", "best_epoch")
            usable = is_whole(value) if whole else is_real(value)
            if not usable or abs(value) >= _LARGEST_EPOCH * 1e6:
                raise ValueError(
                    f"An epoch's `{field.name}` must be a {'whole' if whole else 'finite'} number "
                    f"or null. Received {value!r}."
                )
            values[field.name] = int(value) if whole else float(value)
        values = {name: values.get(name) for name in _EPOCH_FIELDS}
        values["epochs"] = values["epochs"] or values["epoch"]
        for name in ("elapsed", "samples_per_second", "learning_rate"):
            values[name] = values[name] or 0.0
        return cls(**values)


TrainingEvent = BatchEvent | EpochEvent
_EPOCH_FIELDS = tuple(field.name for field in fields(EpochEvent) if field.name != "filters")
_LARGEST_EPOCH = 10**6
# A batch loss this many times the first one means the steps overshoot: the run exploded.
EXPLODED = 10.0


def seconds_left(event: BatchEvent, epochs: int) -> float | None:
    """Time for the rest of this epoch and the remaining ones, at the measured time per batch;
    None while it is still being measured.

    Example:
        >>> event = BatchEvent(epoch=1, batch=10, batches=40, loss=0.5, accuracy=0.8,
        ...                    elapsed=2.0, samples_per_second=640.0, seconds_per_batch=0.1,
        ...                    learning_rate=0.001)
        >>> round(seconds_left(event, epochs=2), 6)  # 70 batches to go, 0.1 s each
        7.0
    """
    if event.seconds_per_batch is None:
        return None
    remaining = event.batches - event.batch + (epochs - event.epoch) * event.batches
    return remaining * event.seconds_per_batch


@dataclass(frozen=True)
class TrainingOutcome:
    """How a training job ended: the saved run and its held-out scores.

    Attributes:
        run_name: The name the run is saved under; `saved` whether it was (at least one
            epoch completed), `paths` its files by kind ("model", "weights", "manifest").
        test_accuracy, test_loss: The best epoch's weights on the held-out test split.
        best_epoch: The epoch whose weights were kept (highest validation accuracy).
        epochs_completed: Whole epochs trained.
        stopped_by: None (all epochs ran), "user", "early_stopping", "diverged" or
            "interrupted" (the worker died: the completed epochs were saved afterwards).
        stopped_at: `(epoch, batch)` of the last batch trained, when the run ended early.
        loss_range: The first and the largest batch loss, to tell a run whose loss exploded.
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
    stopped_at: tuple[int, int] | None = None
    loss_range: tuple[float, float] | None = None

    @property
    def stopped(self) -> bool:
        """Whether training ended before its last epoch (by the user or early stopping)."""
        return self.stopped_by is not None


def describe_outcome(outcome: TrainingOutcome, config, *, language: str = "en") -> tuple[str, str]:
    """How a run ended, in a sentence or two, and how to show it: "success", "warning" or
    "error" (a diverged run).

    Args:
        outcome: The job's outcome.
        config: The run's `TrainingConfig` (its epochs, learning rate and dataset).
        language: The message's language ("en" or "es").

    Example:
        >>> from cnnviz.training.config import TrainingConfig
        >>> outcome = TrainingOutcome(
        ...     run_name="r", saved=True, paths={}, test_accuracy=0.9, test_loss=0.3,
        ...     best_epoch=3, epochs_completed=3, stopped_by="user", elapsed=12.0,
        ...     samples_per_second=900.0, confusion_matrix=[], misclassified=[], history=[],
        ...     stopped_at=(4, 2))
        >>> describe_outcome(outcome, TrainingConfig(epochs=20))[1][:52]
        'Stopped during epoch 4 of 20 (after batch 2): 3 comp'
    """

    def say(key: str, **values) -> str:
        return i18n.translate(language, f"training.outcome.{key}", **values)

    level, message = _ending(outcome, config, say)
    if outcome.loss_range and outcome.loss_range[1] > EXPLODED * outcome.loss_range[0]:
        first, peak = outcome.loss_range
        message += say("exploded", peak=peak, first=first, rate=config.learning_rate)
        level = "error" if level == "success" else level
    return level, message


def _ending(outcome: TrainingOutcome, config, say) -> tuple[str, str]:
    epochs = config.epochs
    where = ""
    if outcome.stopped_at is not None:
        epoch, batch = outcome.stopped_at
        where = say("during", epoch=epoch, epochs=epochs, batch=batch)
        if outcome.stopped_by != "diverged" and epoch == outcome.epochs_completed:
            where = say("after", epoch=epoch, epochs=epochs)
    complete = say("complete", count=outcome.epochs_completed)
    kept = say(
        "kept",
        best=outcome.best_epoch,
        run=outcome.run_name,
        accuracy=outcome.test_accuracy,
        dataset=config.dataset,
    )
    if outcome.stopped_by == "diverged":
        first = say("diverged", where=where, rate=config.learning_rate)
        before = say("diverged_before", complete=complete, kept=kept)
        return "error", first + (before if outcome.saved else "")
    if not outcome.saved:
        return "warning", say("nothing_saved", where=where)
    if outcome.stopped_by == "interrupted":
        epoch = outcome.epochs_completed + 1
        return "warning", say(
            "interrupted", epoch=epoch, epochs=epochs, complete=complete, kept=kept
        )
    if outcome.stopped_by == "user":
        return "warning", say("stopped", where=where, complete=complete, kept=kept)
    if outcome.stopped_by == "early_stopping":
        patience = config.early_stopping_patience
        return "success", say(
            "early_stopping", where=where, patience=patience, complete=complete, kept=kept
        )
    duration = format_duration(outcome.elapsed)
    return "success", say("finished", epochs=epochs, duration=duration, kept=kept)
