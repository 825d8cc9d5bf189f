"""Training events: what a job reports, as the chart, the page and the manifest read it."""

import numpy as np
import pytest

from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import (
    BatchEvent,
    EpochEvent,
    TrainingOutcome,
    describe_outcome,
    seconds_left,
)


def epoch_event(**changes):
    values = dict(
        epoch=2,
        epochs=5,
        loss=0.5,
        accuracy=0.8,
        val_loss=0.7,
        val_accuracy=0.75,
        best_epoch=2,
        elapsed=3.0,
        samples_per_second=900.0,
        learning_rate=1e-3,
    )
    return EpochEvent(**(values | changes))


def batch_event(epoch, batch, batches, **changes):
    values = dict(loss=0.3, accuracy=0.9, elapsed=1.0, samples_per_second=100.0)
    return BatchEvent(
        epoch=epoch, batch=batch, batches=batches, learning_rate=1e-3, **(values | changes)
    )


def test_batch_events_place_themselves_in_epochs():
    assert batch_event(1, 40, 40).epochs_done == 1.0
    assert batch_event(3, 10, 40).epochs_done == 2.25


def test_the_gap_is_validation_minus_training_loss():
    assert epoch_event().gap == pytest.approx(0.2)
    assert epoch_event(val_loss=None).gap is None and epoch_event(loss=None).gap is None


def test_an_epoch_round_trips_through_a_manifest_without_its_filters():
    event = epoch_event(filters=np.ones((3, 3, 1, 4)))
    data = event.to_dict()
    assert "filters" not in data and data["val_accuracy"] == 0.75
    assert EpochEvent.from_dict(data) == epoch_event()


def test_an_old_manifest_entry_fills_in_what_it_lacks():
    event = EpochEvent.from_dict({"epoch": 3, "val_accuracy": 0.9})
    assert (event.epoch, event.epochs, event.val_accuracy, event.loss) == (3, 3, 0.9, None)


@pytest.mark.parametrize("entry", [{"loss": 0.1}, [1, 2], {"epoch": "3"}])
def test_entries_that_are_not_epochs_are_refused(entry):
    with pytest.raises(ValueError, match="needs an `epoch`. Received"):
        EpochEvent.from_dict(entry)


def test_seconds_left_counts_the_batches_still_to_run():
    event = batch_event(1, 10, 40, seconds_per_batch=0.25)
    assert seconds_left(event, epochs=2) == 70 * 0.25
    assert seconds_left(batch_event(2, 40, 40, seconds_per_batch=0.25), epochs=2) == 0


def test_seconds_left_says_nothing_while_it_measures():
    assert seconds_left(batch_event(1, 1, 40), epochs=2) is None


def outcome(**changes):
    values = dict(
        run_name="run",
        saved=True,
        paths={},
        test_accuracy=0.912,
        test_loss=0.3,
        best_epoch=3,
        epochs_completed=3,
        stopped_by=None,
        elapsed=83.0,
        samples_per_second=900.0,
        confusion_matrix=[],
        misclassified=[],
        history=[],
    )
    return TrainingOutcome(**(values | changes))


@pytest.mark.parametrize(
    ("changes", "level", "start"),
    [
        ({}, "success", "Finished 3 epoch(s) in 1 min 23 s; the best, epoch 3, is saved as run"),
        (
            {"stopped_by": "user", "stopped_at": (4, 2)},
            "warning",
            "Stopped during epoch 4 of 3 (after batch 2): 3 complete epoch(s); the best",
        ),
        (
            {"stopped_by": "user", "stopped_at": (3, 8)},
            "warning",
            "Stopped after epoch 3 of 3: 3 complete epoch(s)",
        ),
        (
            {"stopped_by": "user", "stopped_at": (1, 5), "saved": False, "epochs_completed": 0},
            "warning",
            "Stopped during epoch 1 of 3 (after batch 5), before the first epoch ended: nothing",
        ),
        (
            {"stopped_by": "diverged", "stopped_at": (2, 7), "epochs_completed": 1},
            "error",
            "Training diverged during epoch 2 of 3 (after batch 7): the loss stopped being a "
            "number. Lower the learning rate (it was 0.001) and train again. Before that, 1 "
            "complete epoch(s); the best, epoch 3",
        ),
    ],
)
def test_describe_outcome_says_how_the_run_ended(changes, level, start):
    config = TrainingConfig(epochs=3)
    found_level, message = describe_outcome(outcome(**changes), config)
    assert (found_level, message[: len(start)]) == (level, start)
    if changes.get("saved", True):
        assert "held-out accuracy **91.2%** on the mnist-sample test images" in message


def test_describe_outcome_warns_when_the_loss_exploded():
    config = TrainingConfig(epochs=3, learning_rate=10.0)
    level, message = describe_outcome(outcome(loss_range=(2.3, 531.0)), config)
    assert level == "error"
    assert message.endswith(
        "The loss jumped to 531 (from 2.3 at the start): the learning rate (10) is probably "
        "too high."
    )
    assert describe_outcome(outcome(loss_range=(2.3, 2.5)), config)[0] == "success"
