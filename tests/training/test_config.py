"""TrainingConfig: what a run trains and how, checked field by field with the page's words."""

import json
import re
from dataclasses import replace

import numpy as np
import pytest

from cnnviz.datasets import DatasetUnavailable, load_dataset
from cnnviz.datasets.offline import TRAINING_IMAGES
from cnnviz.network.config import lecture_config
from cnnviz.training.config import (
    STANDARD_AUGMENTATION,
    TRAINING_IMAGES_PER_CLASS,
    Augmentation,
    TrainingConfig,
    largest_train_size,
    training_images,
    validate_training_config,
)
from cnnviz.training.presets import training_preset


def test_config_round_trips_through_json():
    config = training_preset("regularised")
    data = json.loads(json.dumps(config.to_dict()))
    assert TrainingConfig.from_dict(data) == config
    assert TrainingConfig.from_dict({}) == TrainingConfig()


def test_defaults_are_the_lecture_run():
    config = TrainingConfig()
    assert config.model == lecture_config() and config.dataset == "mnist-sample"
    assert (config.epochs, config.batch_size, config.optimizer) == (10, 128, "adam")
    assert config.learning_rate == 1e-3 and not config.augmentation.enabled


def test_standard_augmentation_is_light():
    assert Augmentation(rotation=0.05, translation=0.1, zoom=0.1) == STANDARD_AUGMENTATION
    assert STANDARD_AUGMENTATION.enabled and not Augmentation().enabled


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"epochs": 0}, r"`epochs` must be a whole number from 1 to 200\. Received 0"),
        ({"epochs": 201}, r"`epochs` .*Received 201"),
        ({"epochs": True}, r"`epochs` .*Received True"),
        ({"epochs": 2.0}, r"`epochs` .*Received 2\.0"),
        ({"batch_size": 0}, r"`batch_size` must be a whole number from 1 to 4096\. Received 0"),
        ({"batch_size": 5000}, r"`batch_size` .*Received 5000"),
        ({"learning_rate": 0}, r"`learning_rate` must be a number in \(0, 10\]\. Received 0"),
        ({"learning_rate": 11.5}, r"`learning_rate` .*Received 11\.5"),
        ({"learning_rate": float("nan")}, r"`learning_rate` .*Received nan"),
        ({"optimizer": "adamw"}, r"`optimizer` must be one of \('adam', 'sgd', 'rmsprop'\)"),
        ({"learning_rate_schedule": "step"}, r"`learning_rate_schedule` .*Received 'step'"),
        ({"train_size": 5}, r"`train_size` .*at least 10 or None \(all\)\. Received 5"),
        ({"validation_size": 0}, r"`validation_size` .*Received validation_size=0"),
        ({"validation_size": 1.0}, r"`validation_size` .*Received validation_size=1\.0"),
        ({"seed": -1}, r"`seed` must be a whole number from 0 to 4294967295\. Received -1"),
        (
            {"early_stopping_patience": 0},
            r"`early_stopping_patience` .*None \(never\)\. Received 0",
        ),
        ({"dataset": "cifar10"}, r"The dataset must be one of .*Received 'cifar10'"),
        ({"model": "lecture"}, r"Expected a CNNConfig\. Received str"),
        ({"augmentation": {"zoom": 0.1}}, r"Expected an Augmentation\. Received \{'zoom': 0\.1\}"),
    ],
)
def test_bad_configs_name_the_field_and_what_was_received(overrides, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**overrides)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"epoch": 3}, r"Training config has unknown keys \['epoch'\]"),
        (
            {"augmentation": {"rotation": 1.0}},
            r"Augmentation `rotation` .*\[0, 1\)\. Received 1\.0",
        ),
        ({"augmentation": {"shear": 0.1}}, r"Augmentation has unknown keys \['shear'\]"),
        ({"model": {"dropout": 1.5}}, r"`dropout` \(the Dropout rate.*Received 1\.5"),
        ({"epochs": "10"}, r"`epochs` .*Received '10'"),
        ({"classes": [0, 11]}, r"`classes` .*from 0 to 9.*Received classes=\(0, 11\)"),
        ({"classes": 3}, r"`classes` must be a tuple .*Received classes=3"),
    ],
)
def test_from_dict_rejects_bad_values(data, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig.from_dict(data)


def test_validate_training_config_rejects_other_types():
    with pytest.raises(ValueError, match="Received dict"):
        validate_training_config({"epochs": 1})


def test_a_dataset_holds_only_so_many_training_images():
    assert largest_train_size("mnist-sample") == 7000
    assert largest_train_size("fashion-mnist", 0.25) == 45_000
    assert TrainingConfig(train_size=7000).train_size == 7000
    message = (
        "`train_size` must be at most 7,000 on mnist-sample (it has 8,000 training images, "
        "of which 1,000 are kept for validation). Received 7500."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        TrainingConfig(train_size=7500)
    with pytest.raises(ValueError, match=r"at most 6,000 .*Received 6001"):
        TrainingConfig(train_size=6001, validation_size=2000)


def test_learning_rates_up_to_ten_are_accepted():
    assert TrainingConfig(learning_rate=10).learning_rate == 10
    with pytest.raises(ValueError, match=r"`learning_rate` must be a number in \(0, 10\]"):
        TrainingConfig(learning_rate=10.5)


FIVE_OUTPUTS = replace(lecture_config(), num_classes=5)


def test_classes_round_trip_through_json_as_a_tuple():
    config = TrainingConfig(model=FIVE_OUTPUTS, classes=(4, 3, 2, 1, 0))
    data = json.loads(json.dumps(config.to_dict()))
    assert data["classes"] == [4, 3, 2, 1, 0]
    assert TrainingConfig.from_dict(data) == config
    assert TrainingConfig().classes is None and TrainingConfig().to_dict()["classes"] is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"classes": (0,)}, r"at least two different labels, each once\. Received classes=\(0,\)"),
        ({"classes": (1, 1)}, r"at least two different .*Received classes=\(1, 1\)"),
        ({"classes": (0, 10)}, r"whole numbers from 0 to 9.*Received classes=\(0, 10\)"),
        ({"classes": (-1, 2)}, r"`classes` must be a tuple .*Received classes=\(-1, 2\)"),
        ({"classes": (0, 1.0)}, r"`classes` must be a tuple .*Received classes=\(0, 1\.0\)"),
        ({"classes": [0, 1]}, r"`classes` must be a tuple .*Received classes=\[0, 1\]"),
        ({"classes": "01"}, r"`classes` must be a tuple .*Received classes='01'"),
        (
            {"classes": (0, 1), "model": FIVE_OUTPUTS},
            r"`num_classes` must be 2, one output per label .*Received num_classes=5 with "
            r"classes=\(0, 1\): use a model with num_classes=2",
        ),
    ],
)
def test_bad_classes_say_what_was_received(overrides, message):
    with pytest.raises(ValueError, match=message):
        TrainingConfig(**{"model": replace(lecture_config(), num_classes=2), **overrides})


def test_the_lecture_network_needs_as_many_outputs_as_classes():
    with pytest.raises(ValueError, match=r"must be 5, .*Received num_classes=10 .*num_classes=5"):
        TrainingConfig(classes=(0, 1, 2, 3, 4))
    assert TrainingConfig(model=FIVE_OUTPUTS, classes=(5, 6, 7, 8, 9)).classes == (5, 6, 7, 8, 9)


def test_a_subset_holds_only_its_classes_training_images():
    assert training_images("mnist-sample", (0, 1, 2, 3, 4)) == 4106
    assert largest_train_size("mnist-sample", classes=(0, 1, 2, 3, 4)) == 3106
    assert TrainingConfig(model=FIVE_OUTPUTS, classes=(0, 1, 2, 3, 4), train_size=3106)
    message = (
        "`train_size` must be at most 3,106 on mnist-sample with classes=(0, 1, 2, 3, 4) (it "
        "has 4,106 training images, of which 1,000 are kept for validation). Received 3107."
    )
    with pytest.raises(ValueError, match=re.escape(message)):
        TrainingConfig(model=FIVE_OUTPUTS, classes=(0, 1, 2, 3, 4), train_size=3107)


def test_validation_must_leave_images_to_train_on():
    two = replace(lecture_config(), num_classes=2)
    with pytest.raises(
        ValueError,
        match=r"`validation_size` must leave at least 10 images to train on: mnist-sample with "
        r"classes=\(0, 5\) has 1,491 training images\. Received validation_size=1490",
    ):
        TrainingConfig(model=two, classes=(0, 5), validation_size=1490)
    with pytest.raises(ValueError, match=r"mnist-sample has 8,000 .*validation_size=7995"):
        TrainingConfig(validation_size=7995)


@pytest.mark.parametrize("dataset", TRAINING_IMAGES_PER_CLASS)
def test_the_per_class_counts_add_up_to_the_training_split(dataset):
    counts = TRAINING_IMAGES_PER_CLASS[dataset]
    assert len(counts) == 10
    assert sum(counts) == TRAINING_IMAGES[dataset] == training_images(dataset)


@pytest.mark.parametrize(
    "dataset",
    [
        "mnist-sample",
        # Reading 70,000 images takes seconds; skipped where the dataset is not installed.
        pytest.param("mnist", marks=pytest.mark.slow),
        pytest.param("fashion-mnist", marks=pytest.mark.slow),
    ],
)
def test_the_per_class_counts_are_the_datasets(dataset):
    try:
        data = load_dataset(dataset)
    except DatasetUnavailable:
        pytest.skip(f"{dataset} is not on this machine")
    counts = np.bincount(data.y_train, minlength=data.num_classes)
    assert tuple(counts.tolist()) == TRAINING_IMAGES_PER_CLASS[dataset]
