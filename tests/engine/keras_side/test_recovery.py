"""Saving what a dead training job completed: scored on the classes it trained on."""

from dataclasses import replace

import numpy as np
import pytest

from cnnviz.datasets import load_dataset
from cnnviz.engine.keras_side.fit import train
from cnnviz.engine.keras_side.recovery import result_from_checkpoint
from cnnviz.network import lecture_config
from cnnviz.training.checkpoints import read_checkpoint, write_job_record
from cnnviz.training.config import TrainingConfig
from cnnviz.transfer import digit_subset

pytestmark = pytest.mark.slow


def test_a_run_on_some_classes_is_scored_on_those_classes_only(tmp_path):
    config = TrainingConfig(
        model=replace(lecture_config(), num_classes=2),
        classes=(3, 7),
        train_size=64,
        validation_size=32,
        epochs=1,
        batch_size=32,
    )
    folder = tmp_path / "job"
    write_job_record(folder, "job", "session", {"config": config.to_dict()})
    train(config, checkpoint_dir=folder)
    result = result_from_checkpoint(read_checkpoint(folder))
    subset = digit_subset(load_dataset("mnist-sample"), (3, 7))
    assert result.class_names == ("3", "7")
    assert result.confusion_matrix.shape == (2, 2)
    np.testing.assert_array_equal(
        result.confusion_matrix.sum(axis=1), np.bincount(subset.y_test, minlength=2)
    )
