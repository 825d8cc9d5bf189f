"""The two models that ship with the app load safely and reach their held-out targets."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from cnnviz import data, models  # noqa: E402

MODELS = Path(__file__).resolve().parents[1] / "assets" / "models"
# Held-out accuracy each bundled model must reach (measured: 95.60 % and 98.65 %).
TARGETS = {"lecture": 0.95, "regularised": 0.985}


@pytest.fixture(scope="module")
def sample():
    return data.load_dataset("mnist-sample")


@pytest.mark.parametrize("name", list(TARGETS))
def test_bundled_model_loads_safely_and_reaches_its_target(name, sample):
    import keras

    model = keras.saving.load_model(MODELS / f"{name}.keras", safe_mode=True, compile=False)
    manifest = json.loads((MODELS / f"{name}.json").read_text())
    images = sample.x_test[..., None].astype("float32") / 255.0
    predicted = np.argmax(model.predict_on_batch(images), axis=1)
    accuracy = float(np.mean(predicted == sample.y_test))
    assert accuracy >= TARGETS[name]
    assert accuracy == pytest.approx(manifest["test_accuracy"], abs=1e-4)
    assert manifest["dataset"] == "mnist-sample"
    config = models.CNNConfig.from_dict(manifest["config"]["model"])
    assert model.count_params() == sum(models.parameter_totals(config))


def test_the_bundled_lecture_model_is_the_lectures_architecture():
    manifest = json.loads((MODELS / "lecture.json").read_text())
    assert models.CNNConfig.from_dict(manifest["config"]["model"]) == models.lecture_config()
    assert manifest["parameters"] == 30_762


def test_the_bundled_regularised_model_is_the_regularised_preset():
    manifest = json.loads((MODELS / "regularised.json").read_text())
    config = models.CNNConfig.from_dict(manifest["config"]["model"])
    assert config == models.regularised_wide_config()
    assert config.batch_norm and config.spatial_dropout and config.dropout
    assert manifest["config"]["augmentation"]["rotation"] > 0
