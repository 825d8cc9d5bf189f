"""The models that ship with the app load safely and reach their held-out targets."""

import json
from dataclasses import replace

import keras
import numpy as np
import pytest

from cnnviz.datasets import FASHION_CLASS_NAMES, DatasetUnavailable, load_dataset
from cnnviz.locations import BUNDLED_MODELS_DIR as MODELS
from cnnviz.network import CNNConfig, lecture_config, parameter_totals, regularised_wide_config
from cnnviz.training.runs import models_in

pytestmark = pytest.mark.slow
# Held-out accuracy each bundled model must reach on its dataset's test split (of its classes)
# (measured: 95.60 %, 98.65 %, 97.56 % and 89.28 %).
TARGETS = {"lecture": 0.95, "regularised": 0.985, "digits-0-4": 0.97, "fashion": 0.885}
DATASETS = {"digits-0-4": "mnist-sample", "fashion": "fashion-mnist"}


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


def load(name):
    """A bundled model (safe mode) and its manifest, through the file the manifest names."""
    (info,) = [info for info in models_in(MODELS, "bundled") if info.name == name]
    return keras.saving.load_model(info.path, safe_mode=True, compile=False), info.manifest


def scored(model, images, labels) -> float:
    predicted = np.argmax(model.predict_on_batch(images[..., None] / np.float32(255)), axis=1)
    return float(np.mean(predicted == labels))


def test_the_four_bundled_models_are_listed():
    assert [info.name for info in models_in(MODELS, "bundled")] == sorted(TARGETS)


@pytest.mark.parametrize("name", ["lecture", "regularised", "fashion"])
def test_bundled_model_loads_safely_and_reaches_its_target(name):
    model, manifest = load(name)
    try:
        data = load_dataset(DATASETS.get(name, "mnist-sample"))
    except DatasetUnavailable:
        pytest.skip(f"{DATASETS[name]} is not on this machine")
    accuracy = scored(model, data.x_test, data.y_test)
    assert accuracy >= TARGETS[name]
    assert accuracy == pytest.approx(manifest["test_accuracy"], abs=1e-4)
    assert manifest["dataset"] == data.name and manifest["class_names"] == list(data.class_names)
    config = CNNConfig.from_dict(manifest["config"]["model"])
    assert model.count_params() == sum(parameter_totals(config))


def test_the_bundled_lecture_model_is_the_lectures_architecture():
    manifest = json.loads((MODELS / "lecture.json").read_text())
    assert CNNConfig.from_dict(manifest["config"]["model"]) == lecture_config()
    assert manifest["parameters"] == 30_762


def test_the_bundled_regularised_model_is_the_regularised_preset():
    manifest = json.loads((MODELS / "regularised.json").read_text())
    config = CNNConfig.from_dict(manifest["config"]["model"])
    assert config == regularised_wide_config()
    assert config.batch_norm and config.spatial_dropout and config.dropout
    assert manifest["config"]["augmentation"]["rotation"] > 0


def test_the_bundled_digits_0_4_model_knows_the_digits_0_to_4(sample):
    model, manifest = load("digits-0-4")
    assert model.output_shape == (None, 5)
    assert manifest["class_names"] == ["0", "1", "2", "3", "4"]
    assert manifest["config"]["classes"] == [0, 1, 2, 3, 4]
    config = CNNConfig.from_dict(manifest["config"]["model"])
    assert config == replace(lecture_config(), num_classes=5)
    assert manifest["parameters"] == model.count_params() == 30_597
    low = sample.y_test < 5  # the digits keep their labels: 0 to 4 are outputs 0 to 4
    accuracy = scored(model, sample.x_test[low], sample.y_test[low])
    assert accuracy >= TARGETS["digits-0-4"]  # chance is 0.2
    assert accuracy == pytest.approx(manifest["test_accuracy"], abs=1e-4)
    assert manifest["test_size"] == low.sum() == 1025


def test_the_bundled_fashion_model_is_the_lectures_network_on_clothes():
    manifest = json.loads((MODELS / "fashion.json").read_text())
    assert CNNConfig.from_dict(manifest["config"]["model"]) == lecture_config()
    assert manifest["class_names"] == list(FASHION_CLASS_NAMES)
    assert manifest["config"]["classes"] is None
    assert (manifest["train_size"], manifest["test_size"]) == (59_000, 10_000)
