"""The learner's own classes: made into 28×28 inputs exactly as a photo is, split fairly, and
refused with a message that says what to add."""

import re

import numpy as np
import pytest

from cnnviz.datasets import Dataset
from cnnviz.images import ImageError, to_mnist
from cnnviz.transfer.own_classes import (
    MAX_CLASSES,
    MAX_IMAGES_PER_CLASS,
    check_own_classes,
    dataset_from_inputs,
    own_dataset,
    own_input,
    own_labels,
    own_photo,
    own_photos,
    own_split,
)


def photo(index: int, shape=(48, 64, 3)) -> np.ndarray:
    """A photo of a bright bar on a dark background, placed by `index`; any size."""
    image = np.full(shape, 20, np.uint8)
    top, left = 4 + index % 7 * 3, 4 + index // 7 * 3
    image[top : top + 20, left : left + 6] = 230
    return image


@pytest.fixture
def classes() -> dict[str, list[np.ndarray]]:
    """Three classes of different sizes, in grey, RGB and RGBA, of different shapes."""
    return {
        "cats": [photo(i) for i in range(7)],
        "dogs": [photo(i, (60, 40))[:, :, None].repeat(3, 2)[:, :, 0] for i in range(7, 12)],
        "birds": [np.dstack([photo(i), np.full((48, 64), 255, np.uint8)]) for i in range(12, 24)],
    }


def test_the_task_has_every_image_as_a_28x28_input_labelled_by_its_class(classes):
    task = own_dataset(classes)
    assert isinstance(task, Dataset) and task.name == "own classes"
    assert task.class_names == ("cats", "dogs", "birds") and task.num_classes == 3
    assert task.x_train.dtype == task.x_test.dtype == np.uint8
    assert task.x_train.shape[1:] == task.x_test.shape[1:] == (28, 28)
    assert task.y_train.dtype == np.uint8
    counts = np.bincount(task.y_train, minlength=3) + np.bincount(task.y_test, minlength=3)
    assert counts.tolist() == [7, 5, 12]
    assert "to_mnist" in task.source and "'cats' 7" in task.source


def test_each_input_is_the_apps_photo_preprocessing_applied_directly(classes):
    task = own_dataset(classes, seed=3)
    every = [image for images in classes.values() for image in images]
    reference = np.stack(
        [np.rint(to_mnist(image).result * 255).astype(np.uint8) for image in every]
    )
    train, test = own_split(own_labels([7, 5, 12]), seed=3)
    np.testing.assert_array_equal(task.x_train, reference[train])
    np.testing.assert_array_equal(task.x_test, reference[test])
    np.testing.assert_array_equal(own_input(every[0]), reference[0])


def test_prepared_inputs_make_the_same_task(classes):
    inputs = {name: [own_input(image) for image in images] for name, images in classes.items()}
    made, direct = dataset_from_inputs(inputs, seed=5), own_dataset(classes, seed=5)
    for part in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(made, part), getattr(direct, part))
    assert made.class_names == direct.class_names and made.source == direct.source


@pytest.mark.parametrize("counts", [[5, 5], [5, 6, 7, 8], [5, 100], [9, 10, 11, 12, 13]])
def test_the_split_holds_out_about_a_fifth_of_each_class_and_keeps_some_to_learn(counts):
    labels = own_labels(counts)
    train, test = own_split(labels, seed=1)
    assert sorted([*train.tolist(), *test.tolist()]) == list(range(len(labels)))
    for label, count in enumerate(counts):
        held_out = int(np.sum(labels[test] == label))
        assert held_out >= 1 and np.sum(labels[train] == label) >= 1
        assert held_out == max(1, int(0.2 * count + 0.5))


def test_the_split_is_seeded():
    labels = own_labels([6, 9])
    first, again, other = own_split(labels, 4), own_split(labels, 4), own_split(labels, 5)
    np.testing.assert_array_equal(first[1], again[1])
    assert not all(np.array_equal(a, b) for a, b in zip(first, other, strict=True))


def test_the_photos_are_numbered_as_the_task_so_the_split_is_shared(classes):
    photos, labels, names = own_photos(classes)
    assert photos.shape == (24, 224, 224, 3) and photos.dtype == np.uint8
    assert names == ("cats", "dogs", "birds")
    np.testing.assert_array_equal(labels, own_labels([7, 5, 12]))
    task = own_dataset(classes, seed=2)
    train, test = own_split(labels, seed=2)
    np.testing.assert_array_equal(labels[train], task.y_train)
    np.testing.assert_array_equal(labels[test], task.y_test)
    np.testing.assert_array_equal(photos[0], own_photo(classes["cats"][0]))


def block_means(image: np.ndarray, factor: int) -> np.ndarray:
    height, width = image.shape[0] // factor, image.shape[1] // factor
    blocks = image.reshape(height, factor, width, factor, -1).astype(np.float64)
    return blocks.mean(axis=(1, 3))


@pytest.mark.parametrize(("shape", "rows", "cols"), [((448, 896), 0, 224), ((896, 448), 224, 0)])
def test_a_photo_is_scaled_by_its_shorter_side_and_centre_cropped(shape, rows, cols):
    image = np.random.default_rng(0).integers(0, 256, (*shape, 3), dtype=np.uint8)
    made = own_photo(image)
    centre = image[rows : rows + 448, cols : cols + 448]
    assert made.shape == (224, 224, 3)
    np.testing.assert_allclose(made, block_means(centre, 2), atol=1)


def test_a_small_grey_image_is_enlarged_into_three_equal_channels():
    made = own_photo(np.arange(12, dtype=np.uint8).reshape(3, 4) * 20, size=32)
    assert made.shape == (32, 32, 3)
    np.testing.assert_array_equal(made[..., 0], made[..., 2])


def test_transparency_is_white_and_a_ready_photo_is_kept_as_it_is():
    clear = np.zeros((10, 10, 4), np.uint8)
    assert own_photo(clear, size=10).min() == 255
    ready = np.random.default_rng(1).integers(0, 256, (224, 224, 3), dtype=np.uint8)
    np.testing.assert_array_equal(own_photo(ready), ready)


@pytest.mark.parametrize(
    ("counts", "message"),
    [
        (
            {"cats": 7},
            "Add a second class: transfer learning needs at least two classes. "
            "You have one: 'cats' with 7 images.",
        ),
        ({"cats": 7, "class 2": 0}, "You have one: 'cats' with 7 images; 'class 2' has none yet"),
        (
            {"cats": 5, "dogs": 3},
            "Class 'dogs' has 3 images; add at least 2 more (each class needs at least 5).",
        ),
        ({"cats": 5, "dogs": 1}, "Class 'dogs' has 1 image; add at least 4 more"),
        ({"cats": 5, "dogs": 5, "owls": 0}, "Class 'owls' has no images; add at least 5"),
        ({"a": 0, "b": 0}, "Add images to at least 2 classes"),
        ({"cats": 5, " Cats": 5}, "Two classes are called 'cats': give each class its own name"),
        ([("cats", 5), ("cats", 6)], "Two classes are called 'cats'"),
        (
            {"cats": 5, "  ": 5},
            "Class 2 has no name: give each class a name (it labels the network's answers). "
            "Received '  '.",
        ),
        ({"cats": 5, "dogs": MAX_IMAGES_PER_CLASS + 2}, "at most 100 can be used per class"),
        ({f"c{n}": 5 for n in range(MAX_CLASSES + 1)}, "There are 11 classes; at most 10"),
        ({"cats": 5, "dogs": -1}, "must be a whole number of at least 0. Received -1"),
    ],
)
def test_what_is_missing_is_said_in_the_pages_words(counts, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        check_own_classes(counts)


def test_the_task_is_refused_with_the_same_messages(classes):
    with pytest.raises(ValueError, match="You have one: 'cats' with 7 images"):
        own_dataset({"cats": classes["cats"]})
    with pytest.raises(ValueError, match="Class 'dogs' has 3 images"):
        own_photos({"cats": classes["cats"], "dogs": classes["dogs"][:3]})


def test_a_blank_image_is_named_by_its_class_and_place(classes):
    classes["dogs"][2] = np.full((30, 30, 3), 128, np.uint8)
    with pytest.raises(ImageError, match="Image 3 of class 'dogs': The image is blank"):
        own_dataset(classes)


def test_wrong_arrays_are_refused_with_what_was_received():
    with pytest.raises(ValueError, match=r"Image 1 of class 'b': own_photo expects .* Received"):
        own_photos({"a": [photo(i) for i in range(5)], "b": [np.zeros((4, 4, 2))] * 5})
    with pytest.raises(ValueError, match="one to learn from and one to test on"):
        own_split([0, 0, 1])
    with pytest.raises(ValueError, match="Inputs must be 28×28 uint8"):
        dataset_from_inputs({"a": [np.zeros((28, 28))] * 5, "b": [np.zeros((28, 28))] * 5})
    with pytest.raises(ValueError, match="`size` must be a whole number of at least 8"):
        own_photo(photo(0), size=4)
