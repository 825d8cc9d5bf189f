"""Training events: what a job reports, as the chart, the page and the manifest read it."""

import numpy as np
import pytest

from cnnviz.training.events import BatchEvent, EpochEvent, seconds_left


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


def test_batch_events_place_themselves_in_epochs():
    assert BatchEvent(1, 40, 40, 0.3, 0.9, 1.0, 100.0, 1e-3).epochs_done == 1.0
    assert BatchEvent(3, 10, 40, 0.3, 0.9, 1.0, 100.0, 1e-3).epochs_done == 2.25


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
    event = BatchEvent(
        epoch=1,
        batch=10,
        batches=40,
        loss=0.5,
        accuracy=0.8,
        elapsed=2.0,
        samples_per_second=640.0,
        learning_rate=1e-3,
    )
    assert seconds_left(event, epochs=2, batch_size=64) == 70 * 64 / 640
