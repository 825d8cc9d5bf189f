"""TrainingConfig: what a run trains and how, checked field by field with the page's words."""

import json
import re

import pytest

from cnnviz.network.config import lecture_config
from cnnviz.training.config import (
    STANDARD_AUGMENTATION,
    Augmentation,
    TrainingConfig,
    largest_train_size,
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
