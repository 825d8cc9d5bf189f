"""The Training page's over-fitting lesson comes out as the page says, on more than one seed.

"See over-fitting" trains the lecture's network on 500 images for 100 epochs; "…its
regularised twin" adds batch normalisation, spatial dropout, dropout and small random shifts.
The page promises that the twin scores higher on the held-out images with a smaller gap
between training and validation, and that the over-fitting run's validation loss turns up
while its training loss keeps falling. Each run here is the preset as the page starts it, only
the seed (and the dataset) changed.

On the MNIST sample the twin wins by 3 to 5 points on every seed tried (0 to 2; two are
checked here, to keep CI under its half hour). On Fashion-MNIST its
margin is under a point per seed (500 pictures of clothes say too little to tell a shirt from
a T-shirt however the network is regularised), so there the lesson is checked on the three
seeds' mean, each seed's gap, and no seed doing worse by more than half a point.
"""

import os
from dataclasses import replace

import pytest

from cnnviz.datasets import DatasetUnavailable, load_dataset
from cnnviz.engine.keras_side.fit import train
from cnnviz.training import training_preset

pytestmark = pytest.mark.slow
PLAIN, TWIN = "over-fitting", "over-fitting-regularised"
# Two seeds on digits, where the twin wins each by 3 to 5 points; three on clothes, where the
# lesson holds on the mean. Each run is 100 epochs: ten runs are about seven minutes of CI.
DIGIT_SEEDS, CLOTHES_SEEDS = (0, 1), (0, 1, 2)
RUNS = [("mnist-sample", seed) for seed in DIGIT_SEEDS]
RUNS += [("fashion-mnist", seed) for seed in CLOTHES_SEEDS]
_results = {}


def run(preset: str, dataset: str, seed: int):
    """The preset trained once per (preset, dataset, seed) in this session."""
    if (preset, dataset, seed) not in _results:
        try:
            load_dataset(dataset)
        except DatasetUnavailable as error:
            if os.environ.get("CI", "").lower() == "true":
                pytest.fail(f"CI installs Debian's dataset-fashion-mnist: {error}")
            pytest.skip(str(error))
        config = replace(training_preset(preset), dataset=dataset, seed=seed)
        _results[preset, dataset, seed] = train(config)
    return _results[preset, dataset, seed]


def best_epoch(result):
    return next(event for event in result.history if event.epoch == result.best_epoch)


@pytest.mark.parametrize("seed", DIGIT_SEEDS)
def test_the_regularised_twin_scores_higher_on_held_out_digits(seed):
    plain, twin = run(PLAIN, "mnist-sample", seed), run(TWIN, "mnist-sample", seed)
    assert twin.test_accuracy > plain.test_accuracy + 0.02


def test_the_regularised_twin_scores_higher_on_held_out_clothes():
    plain = [run(PLAIN, "fashion-mnist", seed).test_accuracy for seed in CLOTHES_SEEDS]
    twin = [run(TWIN, "fashion-mnist", seed).test_accuracy for seed in CLOTHES_SEEDS]
    assert sum(twin) / len(twin) > sum(plain) / len(plain)
    assert all(mine > theirs - 0.005 for mine, theirs in zip(twin, plain, strict=True))


@pytest.mark.parametrize(("dataset", "seed"), RUNS)
def test_the_regularised_twin_has_the_smaller_gap(dataset, seed):
    plain, twin = best_epoch(run(PLAIN, dataset, seed)), best_epoch(run(TWIN, dataset, seed))
    assert plain.val_loss - plain.loss > 0.1  # over-fitting: validation loss well above training
    assert twin.val_loss - twin.loss < plain.val_loss - plain.loss
    assert twin.accuracy - twin.val_accuracy < plain.accuracy - plain.val_accuracy


@pytest.mark.parametrize(("dataset", "seed"), RUNS)
def test_over_fitting_shows_as_validation_loss_turning_up(dataset, seed):
    history = run(PLAIN, dataset, seed).history
    losses = [event.val_loss for event in history]
    lowest = losses.index(min(losses))
    assert lowest < len(losses) - 1, "the validation loss should stop falling before the end"
    assert losses[-1] > losses[lowest]
    assert history[-1].loss < history[lowest].loss  # while the training loss keeps falling
