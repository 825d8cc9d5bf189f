"""Features + SVM: scores that mean what they say, projections against NumPy's SVD."""

import numpy as np
import pytest

from cnnviz.transfer.features import project, score_features


def blobs(per_class: int, classes: int, spread: float, seed: int):
    rng = np.random.default_rng(seed)
    centres = rng.normal(scale=10, size=(classes, 6))
    labels = np.repeat(np.arange(classes), per_class)
    features = centres[labels] + rng.normal(scale=spread, size=(len(labels), 6))
    return features.reshape(-1, 2, 3), labels  # a layer's output shape: flattened inside


def test_well_separated_classes_are_told_apart_perfectly():
    train, y_train = blobs(10, 4, 0.5, seed=0)
    test, y_test = blobs(25, 4, 0.5, seed=0)
    scores = score_features("conv2d_2", train, y_train, test, y_test)
    assert scores.layer == "conv2d_2" and scores.dimensions == 6
    assert scores.svm_accuracy == 1.0 and scores.logistic_accuracy == 1.0
    np.testing.assert_array_equal(scores.svm_predictions, y_test)


def test_features_that_carry_no_class_score_near_chance():
    rng = np.random.default_rng(1)
    train, test = rng.normal(size=(200, 8)), rng.normal(size=(2000, 8))
    y_train, y_test = rng.integers(0, 4, 200), rng.integers(0, 4, 2000)
    scores = score_features("flatten", train, y_train, test, y_test)
    assert abs(scores.svm_accuracy - 0.25) < 0.05 and abs(scores.logistic_accuracy - 0.25) < 0.05


@pytest.mark.parametrize(
    ("shapes", "message"),
    [
        (((10, 4), (10,), (5, 4), (4,)), "Each image needs a label. Received 10 training"),
        (((10, 4), (10,), (5, 3), (5,)), "same layer. Received 4 and 3 numbers per image"),
        (((10,), (10,), (5, 4), (5,)), "one row per image. Received shape \\(10,\\)"),
    ],
)
def test_mismatched_inputs_say_what_was_received(shapes, message):
    arrays = [np.zeros(shape) for shape in shapes]
    arrays[1][:5] = 1
    with pytest.raises(ValueError, match=message):
        score_features("x", *arrays)


def test_one_class_cannot_be_classified():
    with pytest.raises(ValueError, match=r"at least two classes.*Received training labels \[3\]"):
        score_features("x", np.zeros((4, 2)), [3] * 4, np.zeros((2, 2)), [3, 3])


def test_pca_is_the_centred_data_on_its_two_largest_singular_directions():
    rng = np.random.default_rng(2)
    features = rng.normal(size=(50, 4, 3)) * np.arange(1, 13).reshape(4, 3)
    flat = features.reshape(50, -1)
    centred = flat - flat.mean(axis=0)
    _, _, v = np.linalg.svd(centred)
    expected = centred @ v[:2].T
    got = project(features)
    assert got.shape == (50, 2)
    np.testing.assert_allclose(np.abs(got), np.abs(expected), atol=1e-9)  # up to a sign
    np.testing.assert_allclose(np.var(got, axis=0), np.var(expected, axis=0))
    np.testing.assert_array_equal(project(features), got)  # same picture every time


@pytest.mark.parametrize("shape", [(40, 300), (300, 40)])  # fewer images than numbers, and more
def test_pca_of_relu_features_matches_numpys_svd(shape):
    rng = np.random.default_rng(4)
    features = np.maximum(rng.normal(size=shape) * rng.uniform(0.1, 3, shape[1]), 0)
    centred = features - features.mean(axis=0)
    _, _, v = np.linalg.svd(centred)
    got = project(features)
    np.testing.assert_allclose(np.abs(got), np.abs(centred @ v[:2].T), atol=1e-9)


def test_a_layer_that_never_fires_projects_to_the_origin():
    np.testing.assert_array_equal(project(np.zeros((5, 8))), np.zeros((5, 2)))


def test_tsne_gives_two_seeded_coordinates_per_image():
    features, _ = blobs(10, 3, 0.5, seed=3)
    first = project(features, "tsne", seed=0)
    assert first.shape == (30, 2)
    np.testing.assert_allclose(project(features, "tsne", seed=0), first)


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ((np.zeros((2, 3)),), "at least 3 images. Received 2"),
        ((np.zeros((5, 3)), "umap"), "`method` must be one of"),
    ],
)
def test_bad_projections_say_what_was_received(arguments, message):
    with pytest.raises(ValueError, match=message):
        project(*arguments)
