"""The presets shared by the Training page and the command line."""

from dataclasses import replace

import pytest

from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.network.config import lecture_config, regularised_config, regularised_wide_config
from cnnviz.training.config import SHIFT_AUGMENTATION, TrainingConfig
from cnnviz.training.presets import OVERFIT_EPOCHS, OVERFIT_TRAIN_SIZE, PRESETS, training_preset
from cnnviz.training.runs import models_in, sanitise_name


def test_the_lecture_preset_is_the_lecture_run():
    assert training_preset("lecture") == TrainingConfig()


def test_over_fitting_and_its_twin_differ_only_in_regularisation():
    plain, twin = training_preset("over-fitting"), training_preset("over-fitting-regularised")
    assert (plain.train_size, plain.epochs) == (OVERFIT_TRAIN_SIZE, OVERFIT_EPOCHS) == (500, 100)
    assert plain.batch_size == 32  # enough steps for batch normalisation's statistics
    assert plain.model == lecture_config() and not plain.augmentation.enabled
    assert twin.model == regularised_config() and twin.augmentation == SHIFT_AUGMENTATION
    assert {k: v for k, v in twin.to_dict().items() if k not in ("model", "augmentation")} == {
        k: v for k, v in plain.to_dict().items() if k not in ("model", "augmentation")
    }


def test_the_bundled_regularised_recipe():
    regularised = training_preset("regularised")
    assert regularised.model == regularised_wide_config()
    assert regularised.augmentation.enabled and regularised.early_stopping_patience == 25
    assert not PRESETS["regularised"].on_page


def test_the_source_networks_of_transfer_learning():
    digits, fashion = training_preset("digits-0-4"), training_preset("fashion")
    assert digits.model == replace(lecture_config(), num_classes=5)
    assert digits.classes == (0, 1, 2, 3, 4) and digits.dataset == "mnist-sample"
    assert replace(digits, model=lecture_config(), classes=None, epochs=10) == TrainingConfig()
    assert 10 <= digits.epochs <= 15
    assert fashion.model == lecture_config() and fashion.classes is None
    assert replace(fashion, dataset="mnist-sample", epochs=10) == TrainingConfig()
    assert fashion.dataset == "fashion-mnist" and fashion.epochs == 10
    for name in ("digits-0-4", "fashion"):
        assert not PRESETS[name].on_page and "transfer learning" in PRESETS[name].lesson


def test_every_preset_has_a_label_a_lesson_and_a_run_name_that_is_not_bundled():
    bundled = {info.name for info in models_in(BUNDLED_MODELS_DIR)}
    assert {"lecture", "regularised", "digits-0-4", "fashion"} <= bundled
    for name, preset in PRESETS.items():
        assert preset.name == name and preset.label and preset.lesson
        assert sanitise_name(preset.run_name) == preset.run_name
        assert preset.run_name not in bundled


def test_an_unknown_preset_lists_the_known_ones():
    with pytest.raises(
        ValueError, match=r"The preset must be one of \('lecture', .*Received 'huge'"
    ):
        training_preset("huge")
