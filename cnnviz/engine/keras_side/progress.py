"""The training loop's eyes: progress events, a stop within a batch, the best epoch kept.

`ProgressCallback` turns Keras's callbacks into `cnnviz.training` events. Keras reports the
running mean of the loss over the epoch so far; each `BatchEvent` instead carries the mean over
the batches since the previous event, so a curve of them is what its legend says. The first
batches of a run include TensorFlow's tracing and are not timed; the time per batch after them
(validation pauses included) gives the time left. A loss that stops being a number ends the run
as "diverged".
"""

from __future__ import annotations

import math
import sys
import time
from collections.abc import Callable
from dataclasses import replace

import keras
import numpy as np

from cnnviz.training.checkpoints import write_epoch
from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import BatchEvent, EpochEvent, TrainingEvent

BATCH_REPORT_INTERVAL = 0.1  # seconds: at most ~10 batch events a second
WARM_UP_BATCHES = 3  # the first batches of a run include tracing: not timed


def finite(value) -> float | None:
    """A float, or None for NaN and infinities (which JSON cannot hold)."""
    value = float(value)
    return value if math.isfinite(value) else None


class ProgressCallback(keras.callbacks.Callback):
    """Reports batches and epochs, stops on request or divergence, keeps the best weights.

    Args:
        config: The run's settings (epochs, batch size, early-stopping patience).
        train_size: Training images per epoch.
        report: Receives every event; None: events are only kept in `history`.
        should_stop: Checked after every batch; True stops the run after that batch.
        checkpoint_dir: The job's checkpoint folder: after each completed epoch the best
            weights so far and the history are written there (`cnnviz.training.checkpoints`),
            so the epochs survive a worker or an engine that dies. None: no checkpoints.

    After training: `history` (an `EpochEvent` per completed epoch), `best_epoch` and
    `best_weights`, `stopped_by` (None, "user", "early_stopping" or "diverged"), `stopped_at`
    (`(epoch, batch)` of the last batch trained when the run ended early), `samples` and
    `busy` (images trained and the seconds spent on them), `loss_range` (the first and the
    largest loss of the batches reported, to tell an exploding run).
    """

    def __init__(
        self,
        config: TrainingConfig,
        train_size: int,
        report: Callable[[TrainingEvent], None] | None,
        should_stop: Callable[[], bool] | None,
        checkpoint_dir=None,
    ):
        super().__init__()
        self.checkpoint_dir = checkpoint_dir
        self.config, self.train_size = config, train_size
        self.report, self.should_stop = report or (lambda event: None), should_stop
        self.batches = -(-train_size // config.batch_size)
        self.history, self.best_weights, self.best_epoch = [], None, None
        self.best_accuracy, self.stopped_by, self.stopped_at = -math.inf, None, None
        self.samples, self.busy = 0, 0.0  # trained images and seconds spent on them
        self.start = time.monotonic()
        self.trained_batches, self.steady_start = 0, None  # for the time per batch
        self.loss_range: tuple[float, float] | None = None

    def on_epoch_begin(self, epoch, logs=None):
        self.epoch, self.done, self.epoch_samples = epoch + 1, 0, 0
        self.epoch_start = self.batch_end = time.monotonic()
        self.last_report, self.reported = -math.inf, (0, 0.0, 0.0)

    def on_train_batch_end(self, batch, logs=None):
        self.batch_end = time.monotonic()
        self.done, self.trained_batches = batch + 1, self.trained_batches + 1
        if self.trained_batches == WARM_UP_BATCHES:
            self.steady_start = self.batch_end
        self.epoch_samples += min(self.config.batch_size, self.train_size - self.epoch_samples)
        logs = logs or {}
        if not math.isfinite(float(logs.get("loss", 0.0))):
            self._stop("diverged")
        elif self.should_stop is not None and self.should_stop():
            self._stop("user")
        last = self.done == self.batches or self.model.stop_training
        if last or self.batch_end - self.last_report >= BATCH_REPORT_INTERVAL:
            self.last_report = self.batch_end
            self.report(self._batch_event(logs))

    def on_epoch_end(self, epoch, logs=None):
        self.samples += self.epoch_samples
        self.busy += self.batch_end - self.epoch_start
        if self.done < self.batches or self.stopped_by == "diverged":
            return  # not a whole epoch, or one whose weights are not numbers any more
        metrics = {key: _logged(logs, key) for key in ("loss", "accuracy")}
        metrics |= {key: _logged(logs, key) for key in ("val_loss", "val_accuracy")}
        accuracy = metrics["val_accuracy"] if metrics["val_accuracy"] is not None else -math.inf
        if accuracy > self.best_accuracy:
            self.best_accuracy, self.best_epoch = accuracy, epoch + 1
            self.best_weights = self.model.get_weights()
        event = EpochEvent(
            epoch=epoch + 1,
            epochs=self.config.epochs,
            **metrics,
            best_epoch=self.best_epoch,
            **self._rate(),
            filters=self._filters(),
        )
        self.history.append(event)
        if self.checkpoint_dir is not None:
            self._checkpoint()
        self.report(event)
        patience = self.config.early_stopping_patience
        if self.stopped_by is None and patience and epoch + 1 - self.best_epoch >= patience:
            self._stop("early_stopping")
        if self.stopped_by is None and self.should_stop is not None and self.should_stop():
            self._stop("user")

    def _checkpoint(self) -> None:
        """Keep this epoch on disk; a checkpoint that cannot be written never stops training."""
        history = [replace(past, filters=None) for past in self.history]
        progress = {"elapsed": time.monotonic() - self.start, "samples": self.samples}
        try:
            write_epoch(
                self.checkpoint_dir,
                history,
                self.best_epoch,
                self.best_weights,
                **progress,
                busy=self.busy,
            )
        except (OSError, ValueError) as error:
            print(f"Could not write the epoch's checkpoint: {error}", file=sys.stderr)

    def _stop(self, why: str) -> None:
        self.stopped_by, self.stopped_at = why, (self.epoch, self.done)
        self.model.stop_training = True

    def _batch_event(self, logs) -> BatchEvent:
        """The mean loss and accuracy of the batches since the previous event, from Keras's
        running means over the epoch: `(n * mean_n - m * mean_m) / (n - m)`."""
        done, loss_mean, accuracy_mean = self.done, _logged(logs, "loss"), _logged(logs, "accuracy")
        before, loss_before, accuracy_before = self.reported
        covers = done - before
        self.reported = (done, loss_mean or 0.0, accuracy_mean or 0.0)

        def interval(mean, mean_before):
            return None if mean is None else finite((done * mean - before * mean_before) / covers)

        loss = interval(loss_mean, loss_before)
        if loss is not None:
            first, peak = self.loss_range or (loss, loss)
            self.loss_range = (first, max(peak, loss))
        return BatchEvent(
            epoch=self.epoch,
            batch=done,
            batches=self.batches,
            covers=covers,
            loss=loss,
            accuracy=interval(accuracy_mean, accuracy_before),
            seconds_per_batch=self._seconds_per_batch(),
            **self._rate(),
        )

    def _seconds_per_batch(self) -> float | None:
        """Wall time per batch since the warm-up, validation pauses included (None before)."""
        steady = self.trained_batches - WARM_UP_BATCHES
        if self.steady_start is None or steady < 1:
            return None
        return (self.batch_end - self.steady_start) / steady

    def _rate(self) -> dict:
        """Elapsed time, this epoch's training speed so far and the current learning rate."""
        seconds = max(self.batch_end - self.epoch_start, 1e-9)
        learning_rate = self.model.optimizer.learning_rate.numpy()
        return {
            "elapsed": time.monotonic() - self.start,
            "samples_per_second": self.epoch_samples / seconds,
            "learning_rate": float(learning_rate),
        }

    def _filters(self) -> np.ndarray:
        conv = next(lay for lay in self.model.layers if isinstance(lay, keras.layers.Conv2D))
        return conv.kernel.numpy()


def _logged(logs, key: str) -> float | None:
    """A metric Keras logged, as a finite float; None if missing or not a number."""
    logs = logs or {}
    return finite(logs[key]) if key in logs else None
