"""The transfer job: each method on a tiny task, the layers it freezes, the phases, the save."""

import json

import keras
import numpy as np
import pytest

from cnnviz.datasets import Dataset
from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.save import load_run
from cnnviz.engine.keras_side.transfer_job import keras_layer_table, run_job, save_job
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.network import CNNConfig, lecture_config
from cnnviz.transfer.config import TransferConfig, layer_table, target_network
from cnnviz.transfer.results import (
    LayerScore,
    MethodResult,
    TransferEpoch,
    TransferOutcome,
    run_manifest,
)
from cnnviz.transfer.tasks import few_shot, limit_test, target_task

pytestmark = pytest.mark.slow
SOURCE = "lecture"  # bundled: its layers have learned digits, which is all these tests need
CONFIG = TransferConfig(
    source=SOURCE,
    per_class=10,
    epochs=2,
    fine_tune_epochs=2,
    batch_size=16,
    learning_rate=3e-3,
    cut_layer="max_pooling2d_2",
    frozen=("conv2d_1", "conv2d_2"),
    unfreeze=1,
)


@pytest.fixture(scope="module")
def job():
    events = []
    outcome = run_job({"config": CONFIG.to_dict()}, events.append, lambda: False)
    return outcome, events


@pytest.fixture(scope="module")
def source_model():
    return keras.saving.load_model(BUNDLED_MODELS_DIR / f"{SOURCE}.keras", safe_mode=True)


def test_every_method_runs_on_the_same_few_images(job):
    outcome, _ = job
    assert isinstance(outcome, TransferOutcome) and not outcome.stopped
    assert [r.method for r in outcome.results] == list(CONFIG.methods)
    assert outcome.class_names == tuple("56789") and outcome.train_size == 50
    data = limit_test(few_shot(target_task("digits-5-9"), 10, 0), 2000, 0)
    np.testing.assert_array_equal(outcome.test_labels, data.y_test)
    for result in outcome.results:
        assert result.confusion_matrix.shape == (5, 5)
        assert result.confusion_matrix.sum() == outcome.test_size
        hits = np.trace(result.confusion_matrix) / outcome.test_size
        assert hits == pytest.approx(result.accuracy)


def test_the_svm_on_a_layers_features_beats_chance(job):
    outcome, events = job
    features = outcome.result("features")
    assert features.weights is None and features.history == []
    names = [score.layer for score in features.layer_scores]
    assert names == [
        "conv2d_1",
        "max_pooling2d_1",
        "conv2d_2",
        "max_pooling2d_2",
        "flatten",
        "dense_1",
    ]
    assert [e for e in events if isinstance(e, LayerScore)] == features.layer_scores
    cut = features.layer_scores[names.index("max_pooling2d_2")]
    assert features.accuracy == cut.svm_accuracy > 0.5  # chance is 0.2
    assert features.projection.shape == (outcome.test_size, 2)


def test_freezing_makes_exactly_the_chosen_layers_non_trainable(job, source_model):
    outcome, _ = job
    frozen = outcome.result("freeze")
    flags = {row.name: row.trainable for row in frozen.layers}
    assert flags == {
        "conv2d_1": False,
        "max_pooling2d_1": True,
        "conv2d_2": False,
        "max_pooling2d_2": True,
        "flatten": True,
        "dense_1": True,
        "output": True,
    }
    reused = ("conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2")
    expected = layer_table(target_network(lecture_config(), 5), CONFIG.frozen, reused)
    assert [row.name for row in expected if row.new] == ["flatten", "dense_1", "output"]
    assert frozen.layers == expected  # Keras's counts are the plain-Python ones
    # The frozen layers kept the source's weights; the new head has the target's classes.
    model = build_cnn(CNNConfig.from_dict(outcome.network))
    model.set_weights(frozen.weights)
    for name in CONFIG.frozen:
        for kept, source in zip(
            model.get_layer(name).get_weights(),
            source_model.get_layer(name).get_weights(),
            strict=True,
        ):
            np.testing.assert_array_equal(kept, source)
    assert model.output_shape == (None, 5)
    assert not np.array_equal(
        model.get_layer("dense_1").get_weights()[0],
        source_model.get_layer("dense_1").get_weights()[0],
    )


def test_fine_tuning_trains_the_head_then_unfreezes_before_the_cut_at_a_tenth_of_the_rate(job):
    outcome, events = job
    tuned = outcome.result("fine-tune")
    assert tuned.phase_boundary == CONFIG.epochs
    assert [(e.phase, e.epoch) for e in tuned.history] == [(1, 1), (1, 2), (2, 3), (2, 4)]
    rates = {e.phase: e.learning_rate for e in tuned.history}
    assert rates == {1: pytest.approx(3e-3), 2: pytest.approx(3e-4)}
    trainable = [row.name for row in tuned.layers if row.trainable]
    # Phase 2 unfroze the last layer with weights before the cut (unfreeze=1), and the head.
    assert trainable == ["conv2d_2", "max_pooling2d_2", "flatten", "dense_1", "output"]
    reported = [e for e in events if isinstance(e, TransferEpoch) and e.method == "fine-tune"]
    assert reported == tuned.history


def test_the_baseline_trains_every_layer_from_random_weights(job):
    outcome, _ = job
    scratch = outcome.result("scratch")
    assert all(row.trainable for row in scratch.layers)
    assert len(scratch.history) == CONFIG.epochs + CONFIG.fine_tune_epochs
    assert sum(r.trainable_params for r in scratch.layers) == 30_597


def test_each_method_is_reported_as_it_ends_without_its_weights(job):
    outcome, events = job
    ended = [e for e in events if isinstance(e, MethodResult)]
    assert [e.method for e in ended] == list(CONFIG.methods)
    assert all(e.weights is None for e in ended)


def test_a_stop_ends_the_run_with_what_finished():
    calls = []

    def stop_after_features():
        calls.append(1)
        return len(calls) > 7  # past the six layers of the features method

    config = TransferConfig(source=SOURCE, per_class=5, epochs=5, fine_tune_epochs=5)
    outcome = run_job({"config": config.to_dict()}, lambda e: None, stop_after_features)
    assert outcome.stopped
    assert [r.method for r in outcome.results] in (["features"], ["features", "freeze"])
    assert len(outcome.results[-1].history) < config.epochs or outcome.results[-1].stopped


def test_a_source_that_is_not_a_cnnviz_network_is_refused(tmp_path):
    with pytest.raises(ValueError, match="No model named 'nothing'"):
        run_job({"config": TransferConfig(source="nothing").to_dict()}, print, lambda: False)


def test_saved_weights_reload_into_the_same_architecture_and_predict_identically(job, tmp_path):
    outcome, _ = job
    tuned = outcome.result("fine-tune")
    params = {
        "network": outcome.network,
        "weights": tuned.weights,
        "manifest": run_manifest(outcome, tuned),
        "run_name": "tuned",
        "save_dir": str(tmp_path),
    }
    saved = save_job(params, print, lambda: False)
    assert saved["run_name"] == "tuned"
    images = target_task("digits-5-9").x_test[:64, ..., None].astype("float32") / 255.0
    trained = build_cnn(CNNConfig.from_dict(outcome.network))
    trained.set_weights(tuned.weights)
    expected = trained.predict_on_batch(images)
    rebuilt = build_cnn(CNNConfig.from_dict(outcome.network))  # the lecture's way: weights only
    rebuilt.load_weights(saved["paths"]["weights"])
    np.testing.assert_array_equal(rebuilt.predict_on_batch(images), expected)
    model, manifest = load_run(tmp_path, "tuned")
    np.testing.assert_array_equal(model.predict_on_batch(images), expected)
    assert (
        manifest["class_names"] == list("56789") and manifest["transfer"]["method"] == "fine-tune"
    )
    assert json.loads((tmp_path / "tuned.json").read_text())["test_accuracy"] == tuned.accuracy
    # A second save under the same name never replaces the first.
    again = save_job(params | {"replace": "never"}, print, lambda: False)
    assert again["run_name"] == "tuned-2"


def test_keras_counts_a_frozen_layer_as_non_trainable():
    model = build_cnn(target_network(lecture_config(), 3))
    model.get_layer("conv2d_2").trainable = False
    rows = {row.name: row for row in keras_layer_table(model)}
    assert rows["conv2d_2"].non_trainable_params == 4640 and not rows["conv2d_2"].trainable
    assert sum(r.trainable_params for r in rows.values()) == sum(
        int(np.prod(w.shape)) for w in model.trainable_weights
    )


def test_own_classes_of_five_images_run_without_a_2d_picture():
    rng = np.random.default_rng(0)
    images = rng.integers(0, 40, (12, 28, 28), dtype=np.uint8)
    images[:6, 4:24, 12:16] = 255  # vertical bars
    images[6:, 12:16, 4:24] = 255  # horizontal bars
    labels = np.repeat(np.arange(2, dtype=np.uint8), 6)
    test = np.array([0, 6])
    train = np.setdiff1d(np.arange(12), test)
    own = Dataset(
        "own classes",
        images[train],
        labels[train],
        images[test],
        labels[test],
        ("vertical", "horizontal"),
        "drawn by the test",
    )
    config = TransferConfig(source=SOURCE, target="own", methods=("features",), per_class=5)
    outcome = run_job({"config": config.to_dict(), "own": own}, lambda e: None, lambda: False)
    (features,) = outcome.results
    assert features.projection is None  # two test images: no picture, but the scores
    assert features.confusion_matrix.sum() == 2 and outcome.class_names == (
        "vertical",
        "horizontal",
    )
