"""Training: typed events, determinism, stopping, best weights and augmentation."""

from dataclasses import asdict, replace

import keras
import numpy as np
import pytest

from cnnviz.datasets import offline
from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.fit import augmentation_preview, train, training_data
from cnnviz.engine.keras_side.progress import ProgressCallback
from cnnviz.network.config import CNNConfig, ConvBlock, lecture_config
from cnnviz.training.config import Augmentation, TrainingConfig
from cnnviz.training.events import BatchEvent, EpochEvent

pytestmark = pytest.mark.slow
TINY = CNNConfig(conv_blocks=(ConvBlock(4),))
TIMING = ("elapsed", "samples_per_second")


def tiny_config(**overrides):
    settings = dict(model=TINY, train_size=256, validation_size=64, batch_size=32, epochs=1)
    return TrainingConfig(**{"learning_rate": 3e-3, **settings, **overrides})


def without_timing(history):
    """The events as dicts, without their timings (and filters as lists, to compare)."""
    return [
        {
            k: (v.tolist() if k == "filters" else v)
            for k, v in asdict(event).items()
            if k not in TIMING
        }
        for event in history
    ]


class StopAfter:
    """`should_stop` that turns True from its `calls`-th call on."""

    def __init__(self, calls):
        self.calls, self.count = calls, 0

    def __call__(self):
        self.count += 1
        return self.count >= self.calls


@pytest.fixture(scope="module")
def one_epoch():
    events = []
    return train(tiny_config(), events.append), events


def test_two_epochs_on_1024_images_learn_the_digits():
    trained = train(tiny_config(train_size=1024, epochs=2))
    untrained = train(tiny_config(learning_rate=1e-9))  # weights barely move from their start
    assert untrained.test_accuracy < 0.2  # chance is 0.1
    assert trained.test_accuracy >= 0.75
    assert trained.test_loss < untrained.test_loss / 2


def test_one_epoch_reports_its_scores(one_epoch):
    result, _ = one_epoch
    assert result.epochs_completed == 1 and result.best_epoch == 1
    assert result.stopped_by is None and not result.stopped_early
    assert result.sizes == {"train_size": 256, "validation_size": 64, "test_size": 2000}
    assert result.confusion_matrix.shape == (10, 10)
    assert result.confusion_matrix.sum() == 2000
    assert np.trace(result.confusion_matrix) == round(result.test_accuracy * 2000)
    assert len(result.misclassified) == min(64, 2000 - np.trace(result.confusion_matrix))
    assert result.samples_per_second > 0 and result.elapsed > 0


def test_events_are_typed_batches_then_an_epoch(one_epoch):
    result, events = one_epoch
    batches = [e for e in events if isinstance(e, BatchEvent)]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert batches and len(epochs) == 1 and len(batches) + 1 == len(events)
    last = batches[-1]
    assert (last.epoch, last.batch, last.batches, last.epochs_done) == (1, 8, 8, 1.0)
    assert sum(event.covers for event in batches) == 8  # each batch in exactly one event
    # Each event is the mean of its own batches: together they make the epoch's mean.
    mean = sum(event.loss * event.covers for event in batches) / 8
    assert mean == pytest.approx(epochs[0].loss, rel=1e-4)
    assert epochs[0].epochs == 1 and 0 <= epochs[0].val_accuracy <= 1
    assert epochs[0].learning_rate == pytest.approx(3e-3)
    assert epochs[0].filters.shape == (3, 3, 1, 4)
    assert result.history == epochs


def test_batch_events_are_throttled():
    events = []
    train(tiny_config(train_size=2048, batch_size=8), events.append)
    batches = [e for e in events if isinstance(e, BatchEvent)]
    seconds = batches[-1].elapsed - batches[0].elapsed
    assert len(batches) < 256 and len(batches) <= 12 * seconds + 2


def test_same_seed_gives_the_same_history(one_epoch):
    result, _ = one_epoch
    again = train(tiny_config())
    assert without_timing(again.history) == without_timing(result.history)
    assert again.test_loss == result.test_loss
    other = train(tiny_config(seed=1))
    assert not np.array_equal(other.history[0].filters, result.history[0].filters)


def test_should_stop_ends_training_within_a_batch():
    events, stop = [], StopAfter(5)
    result = train(tiny_config(train_size=1024, epochs=3), events.append, stop)
    assert result.stopped_by == "user" and result.stopped_early
    assert result.epochs_completed == 0 and result.best_epoch is None
    assert stop.count <= 6
    assert isinstance(events[-1], BatchEvent) and events[-1].batch <= 6
    assert result.stopped_at == (1, events[-1].batch)


def test_stop_after_an_epoch_keeps_that_epoch():
    result = train(tiny_config(epochs=3), should_stop=StopAfter(9))  # 8 batches, then epoch end
    assert result.stopped_by == "user"
    assert result.epochs_completed == 1 and result.best_epoch == 1


def test_early_stopping_restores_the_best_weights():
    # A vanishing learning rate leaves validation accuracy flat, so epoch 1 stays the best.
    config = tiny_config(epochs=6, optimizer="sgd", learning_rate=1e-9, early_stopping_patience=2)
    result = train(config)
    assert result.stopped_by == "early_stopping" and result.stopped_early
    assert result.epochs_completed == 3 and result.best_epoch == 1
    assert result.best_weights_restored
    kernel = result.model.layers[0].kernel.numpy()
    np.testing.assert_array_equal(kernel, result.history[0].filters)


@pytest.mark.parametrize(
    ("options", "kinds"),
    [
        ({"batch_norm": True}, {"BatchNormalization": 2}),
        ({"spatial_dropout": 0.1}, {"SpatialDropout2D": 2}),
        ({"dropout": 0.3}, {"Dropout": 1}),
    ],
)
def test_each_regulariser_adds_its_layers(options, kinds):
    plain = build_cnn(lecture_config())
    model = build_cnn(replace(lecture_config(), **options))
    for kind, count in kinds.items():
        layer_class = getattr(keras.layers, kind)
        assert sum(isinstance(layer, layer_class) for layer in plain.layers) == 0
        assert sum(type(layer) is layer_class for layer in model.layers) == count


def test_l2_sets_every_kernel_regularizer():
    model = build_cnn(replace(lecture_config(), l2=1e-4))
    weighted = [layer for layer in model.layers if hasattr(layer, "kernel")]
    assert len(weighted) == 4
    assert all(isinstance(layer.kernel_regularizer, keras.regularizers.L2) for layer in weighted)


def test_cosine_schedule_lowers_the_learning_rate():
    result = train(tiny_config(epochs=3, learning_rate_schedule="cosine"))
    rates = [event.learning_rate for event in result.history]
    assert 3e-3 > rates[0] > rates[1] > rates[2] > 0
    assert rates[2] < 3e-3 * 0.05  # nearly 0 by the end: alpha=0.01 of the start


def test_augmentation_changes_images_deterministically():
    augmented = TrainingConfig(augmentation=Augmentation(rotation=0.05, translation=0.1, zoom=0.1))
    plain = augmentation_preview(TrainingConfig(), n=8)
    first = augmentation_preview(augmented, n=8)
    assert first.shape == (8, 28, 28) and first.dtype == np.float32
    assert first.min() >= 0 and first.max() <= 1
    np.testing.assert_array_equal(plain * 255, np.round(plain * 255))  # untouched pixels
    assert np.abs(first - plain).mean(axis=(1, 2)).min() > 0.01  # every image changed
    np.testing.assert_array_equal(augmentation_preview(augmented, n=8), first)
    assert not np.array_equal(augmentation_preview(replace(augmented, seed=1), n=8), first)


def test_augmented_training_runs():
    aug = Augmentation(rotation=0.05, translation=0.1, zoom=0.1)
    result = train(tiny_config(augmentation=aug))
    assert result.epochs_completed == 1
    assert not any(isinstance(layer, keras.layers.RandomRotation) for layer in result.model.layers)


def test_unavailable_dataset_points_to_the_bundled_sample(tmp_path, monkeypatch):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(offline, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    with pytest.raises(ValueError, match="bundled 'mnist-sample'"):
        train(tiny_config(dataset="mnist"))


def test_the_time_per_batch_is_measured_after_the_warm_up(one_epoch):
    _, events = one_epoch
    batches = [e for e in events if isinstance(e, BatchEvent)]
    assert [e.seconds_per_batch is None for e in batches] == [e.batch < 4 for e in batches]
    assert all(e.seconds_per_batch > 0 for e in batches if e.batch >= 4)


def callback(**overrides):
    """A ProgressCallback on a compiled tiny model, before its first batch."""
    config = tiny_config(**overrides)
    model = build_cnn(config.model)
    model.compile(optimizer="sgd", loss="sparse_categorical_crossentropy")
    events = []
    progress = ProgressCallback(config, 256, events.append, None)
    progress.set_model(model)
    progress.on_epoch_begin(0)
    return progress, events


def test_a_loss_that_is_not_a_number_ends_the_run_as_diverged():
    progress, events = callback()
    progress.on_train_batch_end(0, {"loss": 2.3, "accuracy": 0.1})
    progress.on_train_batch_end(1, {"loss": float("nan"), "accuracy": 0.1})
    assert progress.stopped_by == "diverged" and progress.stopped_at == (1, 2)
    assert progress.model.stop_training
    assert [event.loss for event in events] == [pytest.approx(2.3), None]
    progress.on_epoch_end(0, {"loss": float("nan")})
    assert progress.history == [] and progress.best_weights is None


def test_the_loss_range_tells_an_exploding_run():
    progress, _ = callback()
    for batch, running_mean in enumerate([2.0, 26.0, 18.0]):  # batch losses 2, 50, 2
        progress.on_train_batch_end(batch, {"loss": running_mean, "accuracy": 0.1})
        progress.last_report = float("-inf")  # report every batch
    assert progress.loss_range == (pytest.approx(2.0), pytest.approx(50.0))


def test_training_on_two_classes_gives_two_outputs_named_after_them():
    two = replace(TINY, num_classes=2)
    result = train(tiny_config(model=two, classes=(0, 1), train_size=64, validation_size=32))
    sample = offline.load_dataset("mnist-sample")
    kept = np.isin(sample.y_test, (0, 1))
    assert result.model.output_shape == (None, 2)
    assert result.class_names == ("0", "1") and result.confusion_matrix.shape == (2, 2)
    assert result.sizes == {"train_size": 64, "validation_size": 32, "test_size": kept.sum()}
    assert result.confusion_matrix.sum(axis=1).tolist() == np.bincount(sample.y_test)[:2].tolist()
    data = training_data(result.config)
    np.testing.assert_array_equal(data.x_test, sample.x_test[kept])
    np.testing.assert_array_equal(data.y_test, sample.y_test[kept])  # labels 0 and 1 stay


def test_classes_are_relabelled_in_the_order_given():
    data = training_data(tiny_config(model=replace(TINY, num_classes=2), classes=(7, 3)))
    sample = offline.load_dataset("mnist-sample")
    assert data.class_names == ("7", "3")
    np.testing.assert_array_equal(
        data.x_train[data.y_train == 0], sample.x_train[sample.y_train == 7]
    )
    np.testing.assert_array_equal(data.x_test[data.y_test == 1], sample.x_test[sample.y_test == 3])
    assert set(data.y_train.tolist()) == set(data.y_test.tolist()) == {0, 1}


def test_the_augmentation_preview_shows_only_the_chosen_classes():
    config = TrainingConfig(model=replace(lecture_config(), num_classes=2), classes=(0, 1))
    sample = offline.load_dataset("mnist-sample")
    chosen = {image.tobytes() for image in sample.x_train[np.isin(sample.y_train, (0, 1))]}
    preview = np.round(augmentation_preview(config, n=16) * 255).astype(np.uint8)
    assert all(image.tobytes() in chosen for image in preview)
