"""The learner's own classes as a transfer target: a few photos per class, made into a task.

A class is a name and the images given for it (uploads or webcam snapshots, decoded by
`cnnviz.images.decode_image`). `check_own_classes` says what is missing in the page's words
(a second class, more images, a name); the same images become two things:
- `own_dataset`: a `Dataset` of 28×28 inputs for the MNIST-style CNN, each image made by
  `cnnviz.images.to_mnist`, as the app makes any photo a network input (`own_input`);
- `own_photos`: 224×224 RGB centre crops, what VGG16 takes (`own_photo`).
Both number the images alike (class by class, in the order given), so `own_split` on their
labels holds out the same images for testing.
NumPy and OpenCV only: no TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from cnnviz.datasets import Dataset
from cnnviz.images import as_uint8, to_mnist
from cnnviz.messages import Invalid, Phrase
from cnnviz.validation import check_image, check_whole

MIN_CLASSES = 2
MIN_IMAGES_PER_CLASS = 5
# Each image is kept in the session as a 224×224 RGB crop (150 kB) and a 28×28 input, so
# these bound one learner's classes at about 150 MB.
MAX_CLASSES = 10
MAX_IMAGES_PER_CLASS = 100
TEST_SHARE = 0.2  # of each class, rounded, at least one image
PHOTO_SIDE = 224  # VGG16's input
DATASET_NAME = "own classes"


def check_own_classes(counts: Mapping[str, int] | Sequence[tuple[str, int]]) -> None:
    """Check that the classes can be a task: named apart, enough of them, enough images each.

    Classes without images count as not there yet while fewer than `MIN_CLASSES` have any
    (the message asks for a second class); after that each class needs `MIN_IMAGES_PER_CLASS`.

    Args:
        counts: Each class's name and number of images, in order: a mapping, or `(name,
            count)` pairs (a form's classes, where two may share a name).

    Raises:
        ValueError: The first problem found, in words a learner can act on: too many classes,
            a class without a name, two classes with one name, fewer than two classes with
            images, a class with too few or too many images.

    Example:
        >>> check_own_classes({"cats": 7})
        Traceback (most recent call last):
        ...
        cnnviz.messages.Invalid: Add a second class: ... You have one: 'cats' with 7 images.
    """
    pairs = list(counts.items()) if isinstance(counts, Mapping) else list(counts)
    if len(pairs) > MAX_CLASSES:
        raise Invalid(
            "errors.own.too_many_classes",
            count=len(pairs),
            most=MAX_CLASSES,
            remove=len(pairs) - MAX_CLASSES,
        )
    seen: dict[str, str] = {}  # folded name -> the name first given
    for position, (name, count) in enumerate(pairs, start=1):
        if not isinstance(name, str) or not name.strip():
            raise Invalid("errors.own.no_name", position=position, received=repr(name))
        check_whole(count, Phrase("errors.own.count_name", name=repr(name)), low=0)
        folded = name.strip().casefold()
        if folded in seen:
            raise Invalid(
                "errors.own.same_name",
                name=repr(seen[folded].strip()),
                first=repr(seen[folded]),
                second=repr(name),
            )
        seen[folded] = name
    _check_counts(pairs)


def _check_counts(pairs: list[tuple[str, int]]) -> None:
    filled = [(name, count) for name, count in pairs if count > 0]
    if not filled:
        raise Invalid("errors.own.no_images", classes=MIN_CLASSES, least=MIN_IMAGES_PER_CLASS)
    if len(filled) < MIN_CLASSES:
        (name, count), empty = filled[0], [name for name, count in pairs if count == 0]
        also = ""
        if empty:
            key = "errors.own.also_one" if len(empty) == 1 else "errors.own.also_many"
            also = Phrase(key, names=_names(empty))
        raise Invalid("errors.own.one_class", name=repr(name), images=_images(count), also=also)
    for name, count in pairs:
        if count == 0:
            raise Invalid("errors.own.empty_class", name=repr(name), least=MIN_IMAGES_PER_CLASS)
        if count < MIN_IMAGES_PER_CLASS:
            raise Invalid(
                "errors.own.too_few",
                name=repr(name),
                images=_images(count),
                more=MIN_IMAGES_PER_CLASS - count,
                least=MIN_IMAGES_PER_CLASS,
            )
        if count > MAX_IMAGES_PER_CLASS:
            raise Invalid(
                "errors.own.too_many",
                name=repr(name),
                count=count,
                most=MAX_IMAGES_PER_CLASS,
                remove=count - MAX_IMAGES_PER_CLASS,
            )


def _images(count: int) -> Phrase:
    return Phrase("errors.own.image" if count == 1 else "errors.own.images", count=count)


def _names(names: list[str]) -> Phrase:
    """The names quoted, as "'a', 'b' and 'c'" (in the page's language)."""
    quoted = [repr(name) for name in names]
    if len(quoted) == 1:
        return Phrase("errors.words.one", item=quoted[0])
    return Phrase("errors.words.both", items=", ".join(quoted[:-1]), last=quoted[-1])


def own_input(image: np.ndarray) -> np.ndarray:
    """One image as the MNIST-style CNN's 28×28 input, made as the app makes any photo one.

    `cnnviz.images.to_mnist` (grayscale, light ink on dark, cropped to what stands out from
    the background, longer side scaled to 20 px, centred by its mass), its 0..1 result
    rounded back to bytes as `cnnviz.transfer.sklearn_digits` does.

    Args:
        image: `(height, width)` or `(height, width, channels)` with 1, 3 or 4 channels;
            uint8, or float in 0..1. Any size.

    Returns:
        A new uint8 array of shape `(28, 28)`.

    Raises:
        ImageError: If nothing in the image stands out from its background (a blank image).
        ValueError: If the shape or dtype is not one of those above.

    Example:
        >>> photo = np.zeros((60, 40, 3), np.uint8)
        >>> photo[10:50, 15:25] = 255
        >>> own_input(photo).shape
        (28, 28)
    """
    return np.rint(to_mnist(image).result * 255).astype(np.uint8)


def own_photo(image: np.ndarray, size: int = PHOTO_SIDE) -> np.ndarray:
    """One image as a `size`×`size` RGB photo: shorter side scaled to `size`, centre cropped.

    The aspect ratio is kept, so nothing is stretched; what sticks out beyond the square is
    cut off equally on both sides (as torchvision's `Resize` + `CenterCrop` do). Shrinking
    averages pixels (`INTER_AREA`), enlarging interpolates (`INTER_LINEAR`). A grey image is
    repeated into three channels; transparency is composited on white, as `decode_image`
    does for an upload. An image already `size`×`size` RGB uint8 comes back equal.

    Args:
        image: `(height, width)` or `(height, width, channels)` with 1, 3 or 4 channels;
            uint8, or float in 0..1. Any size.
        size: The side of the result, at least 8.

    Returns:
        A new uint8 array of shape `(size, size, 3)`.

    Raises:
        ValueError: If the shape, dtype or size is not one of those above.

    Example:
        >>> own_photo(np.zeros((480, 640, 3), np.uint8)).shape
        (224, 224, 3)
    """
    image = check_image(image, channels=(1, 3, 4), dtypes="uint8 or float", caller="own_photo")
    size = check_whole(size, "`size`", low=8)
    rgb = _rgb(as_uint8(image))
    height, width = rgb.shape[:2]
    scale = size / min(height, width)
    new_width, new_height = max(size, round(width * scale)), max(size, round(height * scale))
    if (new_height, new_width) != (height, width):
        interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
        rgb = cv2.resize(rgb, (new_width, new_height), interpolation=interpolation)
    top, left = (new_height - size) // 2, (new_width - size) // 2
    return np.ascontiguousarray(rgb[top : top + size, left : left + size])


def _rgb(pixels: np.ndarray) -> np.ndarray:
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return np.repeat(pixels.reshape(pixels.shape[:2])[:, :, None], 3, axis=2)
    if pixels.shape[2] == 4:
        alpha = pixels[..., 3:].astype(np.uint32)
        on_white = (pixels[..., :3] * alpha + 255 * (255 - alpha) + 127) // 255
        return on_white.astype(np.uint8)
    return pixels


def own_labels(counts: Sequence[int]) -> np.ndarray:
    """The labels of images given class by class: `counts[0]` zeros, then ones, ... (uint8).

    Example:
        >>> own_labels([2, 3]).tolist()
        [0, 0, 1, 1, 1]
    """
    return np.repeat(np.arange(len(counts), dtype=np.uint8), counts)


def own_split(labels, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Hold out about a fifth of each class for testing: at least one image, never all.

    Each class gives `round(TEST_SHARE * count)` images (at least 1, at most `count - 1`) to
    the test set, chosen by a seeded permutation per class; both index lists are then
    shuffled so any prefix mixes the classes. The same labels and seed give the same split,
    which is how `own_dataset` and `own_photos` hold out the same images.

    Args:
        labels: 1-D integer labels, every class present at least twice.
        seed: Seeds the choice.

    Returns:
        `(train_indices, test_indices)`, disjoint, covering every index once.

    Raises:
        ValueError: If `labels` is not 1-D integers, or a class has a single image.

    Example:
        >>> train, test = own_split(own_labels([5, 7]))
        >>> len(train), len(test)
        (10, 2)
    """
    labels = np.asarray(labels)
    if labels.ndim != 1 or labels.dtype.kind not in "iu":
        raise ValueError(
            f"Labels must be a 1-D array of whole numbers. Received {labels.dtype} of shape "
            f"{labels.shape}."
        )
    classes, counts = np.unique(labels, return_counts=True)
    if len(counts) and counts.min() < 2:
        raise ValueError(
            "Each class needs at least two images, one to learn from and one to test on. "
            f"Received one image of class {classes[np.argmin(counts)]}."
        )
    rng = np.random.default_rng(seed)
    train, test = [np.empty(0, np.intp)], [np.empty(0, np.intp)]
    for label, count in zip(classes, counts, strict=True):
        held_out = min(count - 1, max(1, int(TEST_SHARE * count + 0.5)))
        members = rng.permutation(np.flatnonzero(labels == label))
        test.append(members[:held_out])
        train.append(members[held_out:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def own_dataset(classes: Mapping[str, Sequence[np.ndarray]], seed: int = 0) -> Dataset:
    """The learner's classes as a task for the MNIST-style CNN: 28×28 inputs, split.

    Every image becomes a 28×28 input by `own_input` (`cnnviz.images.to_mnist`, the way the
    app makes any photo a network input); labels follow the classes' order; `own_split`
    holds out about a fifth of each class (at least one image) for testing.

    Args:
        classes: Each class's name and its images, in order; an image is what
            `decode_image` returns (RGB uint8), or grey or RGBA, of any size.
        seed: Seeds which images are held out.

    Returns:
        A `Dataset` named "own classes" whose class names are the names given.

    Raises:
        ValueError: As `check_own_classes`, or naming the class and image that is blank or
            not an image (`ImageError` for a blank one).

    Example:
        >>> bar = np.zeros((40, 40, 3), np.uint8)
        >>> bar[5:35, 15:25] = 255
        >>> task = own_dataset({"bars": [bar] * 5, "squares": [bar.transpose(1, 0, 2)] * 8})
        >>> task.x_train.shape, task.x_test.shape, task.class_names
        ((10, 28, 28), (3, 28, 28), ('bars', 'squares'))
    """
    check_own_classes({name: len(images) for name, images in classes.items()})
    inputs = {}
    for name, images in classes.items():
        inputs[name] = [
            _made(own_input, name, position, image)
            for position, image in enumerate(images, start=1)
        ]
    return dataset_from_inputs(inputs, seed)


def dataset_from_inputs(inputs: Mapping[str, Sequence[np.ndarray]], seed: int = 0) -> Dataset:
    """`own_dataset` for images already made into inputs by `own_input` (a form keeps them).

    Args:
        inputs: Each class's name and its 28×28 uint8 inputs, in order.
        seed: Seeds which images are held out.

    Returns:
        The same `Dataset` as `own_dataset` on the images the inputs were made from.

    Raises:
        ValueError: As `check_own_classes`, or if an input is not 28×28 uint8.
    """
    counts = {name: len(made) for name, made in inputs.items()}
    check_own_classes(counts)
    stacked = [np.asarray(made) for made in inputs.values()]
    x = np.concatenate(stacked)
    if x.dtype != np.uint8 or x.shape[1:] != (28, 28):
        raise ValueError(
            f"Inputs must be 28×28 uint8 (made by own_input). Received {x.dtype} images of "
            f"shape {x.shape[1:]}."
        )
    labels = own_labels(list(counts.values()))
    train, test = own_split(labels, seed)
    described = ", ".join(f"{name!r} {count}" for name, count in counts.items())
    source = (
        f"your own images, uploaded or taken with the webcam ({described}), each made 28×28 "
        "by cnnviz.images.to_mnist (grey, light on dark, cropped, 20 px, centred); about "
        f"{TEST_SHARE:.0%} of each class, at least one image, held out for testing (seed {seed})"
    )
    return Dataset(
        DATASET_NAME, x[train], labels[train], x[test], labels[test], tuple(counts), source
    )


def own_photos(
    classes: Mapping[str, Sequence[np.ndarray]], size: int = PHOTO_SIDE
) -> tuple[np.ndarray, np.ndarray, tuple[str, ...]]:
    """The learner's classes as `size`×`size` RGB photos, for VGG16's features.

    Each image becomes `own_photo(image, size)` (shorter side scaled to `size`, centre
    cropped). The images are numbered as `own_dataset` numbers them, so `own_split(labels,
    seed)` holds out the same images that `own_dataset(classes, seed)` holds out.

    Args:
        classes: As `own_dataset`.
        size: The side of each photo (VGG16 takes 224).

    Returns:
        `(images, labels, class_names)`: uint8 `(n, size, size, 3)`, uint8 `(n,)` indices
        into `class_names`, and the names in the order given.

    Raises:
        ValueError: As `check_own_classes`, or naming the class and image that is not an image.

    Example:
        >>> photos, labels, names = own_photos({"a": [np.zeros((9, 16, 3), np.uint8)] * 5,
        ...                                     "b": [np.ones((30, 20), np.uint8)] * 5}, 8)
        >>> photos.shape, labels.tolist(), names
        ((10, 8, 8, 3), [0, 0, 0, 0, 0, 1, 1, 1, 1, 1], ('a', 'b'))
    """
    counts = {name: len(images) for name, images in classes.items()}
    check_own_classes(counts)
    size = check_whole(size, "`size`", low=8)
    photos = [
        _made(lambda image: own_photo(image, size), name, position, image)
        for name, images in classes.items()
        for position, image in enumerate(images, start=1)
    ]
    return np.stack(photos), own_labels(list(counts.values())), tuple(counts)


def _made(make, name: str, position: int, image) -> np.ndarray:
    try:
        return make(image)
    except ValueError as error:  # ImageError included: say which image it was
        raise type(error)(f"Image {position} of class {name!r}: {error}") from error
