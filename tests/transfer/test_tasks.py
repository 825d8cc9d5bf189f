"""Transfer tasks: the right images, relabelled right, cut down exactly as asked."""

import numpy as np
import pytest
from sklearn.datasets import load_digits

from cnnviz.datasets import Dataset, load_dataset
from cnnviz.images import to_mnist
from cnnviz.transfer import EXAMPLES_PER_CLASS, digit_subset, few_shot, sklearn_digits


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


def test_digits_five_to_nine_are_exactly_those_images_relabelled_from_zero(sample):
    upper = digit_subset(sample, range(5, 10))
    wanted = sample.y_train >= 5
    np.testing.assert_array_equal(upper.x_train, sample.x_train[wanted])
    np.testing.assert_array_equal(upper.y_train, sample.y_train[wanted] - 5)
    assert len(upper.x_test) == int(np.sum(sample.y_test >= 5))
    assert upper.class_names == ("5", "6", "7", "8", "9") and upper.num_classes == 5
    assert upper.name == "mnist-sample 5–9" and "classes 5, 6, 7, 8, 9 only" in upper.source


def test_the_order_given_is_the_new_numbering(sample):
    swapped = digit_subset(sample, [7, 1], name="sevens and ones")
    assert swapped.class_names == ("7", "1") and swapped.name == "sevens and ones"
    np.testing.assert_array_equal(
        swapped.y_test, np.where(sample.y_test[np.isin(sample.y_test, [1, 7])] == 7, 0, 1)
    )


@pytest.mark.parametrize(
    ("digits", "message"),
    [
        ([3], "at least two different classes. Received [3]"),
        ([3, 3], "at least two different classes. Received [3, 3]"),
        ([3, 10], "Each digit must be a whole number from 0 to 9. Received 10"),
    ],
)
def test_a_bad_choice_of_digits_says_what_was_received(sample, digits, message):
    with pytest.raises(ValueError, match=message.replace("[", r"\[").replace("]", r"\]")):
        digit_subset(sample, digits)


def test_sklearn_digits_are_the_8x8_images_made_28x28_like_a_drawing():
    made = sklearn_digits()
    assert (len(made.x_train), len(made.x_test)) == (1437, 360)
    assert made.x_train.shape[1:] == (28, 28) and made.x_train.dtype == np.uint8
    original = load_digits()
    counts = np.bincount(made.y_test, minlength=10)
    assert counts.sum() == 360 and counts.min() >= 35  # every class in the test split
    # Every image is one of scikit-learn's, through the same steps as a drawn digit.
    index = 17
    expected = np.rint(
        to_mnist(np.rint(original.images[index] * 255 / 16).astype(np.uint8)).result * 255
    )
    everything = np.concatenate([made.x_train, made.x_test])
    labels = np.concatenate([made.y_train, made.y_test])
    matches = np.flatnonzero((everything == expected.astype(np.uint8)).all(axis=(1, 2)))
    assert len(matches) >= 1 and labels[matches[0]] == original.target[index]
    assert sorted(np.bincount(labels, minlength=10).tolist()) == sorted(
        np.bincount(original.target).tolist()
    )


def test_few_shot_keeps_exactly_n_per_class_from_the_training_images(sample):
    task = digit_subset(sample, range(5, 10))
    small = few_shot(task, 10, seed=3)
    assert np.bincount(small.y_train, minlength=5).tolist() == [10] * 5
    np.testing.assert_array_equal(small.x_test, task.x_test)  # scored on the same images
    training = {image.tobytes() for image in task.x_train}
    assert all(image.tobytes() in training for image in small.x_train)
    again = few_shot(task, 10, seed=3)
    np.testing.assert_array_equal(again.x_train, small.x_train)
    assert not np.array_equal(few_shot(task, 10, seed=4).x_train, small.x_train)
    assert set(small.y_train[:10].tolist()) != {small.y_train[0]}  # shuffled: classes mixed


def test_few_shot_names_the_class_that_is_too_small():
    images = np.zeros((7, 28, 28), np.uint8)
    labels = np.array([0, 0, 0, 0, 1, 1, 1], np.uint8)
    tiny = Dataset("tiny", images, labels, images, labels, ("cat", "dog"), "test")
    with pytest.raises(
        ValueError,
        match="tiny has only 3 training images of class 'dog'; use at most 3. Received 4.",
    ):
        few_shot(tiny, 4)
    assert EXAMPLES_PER_CLASS == (5, 10, 50, 100, 500)
