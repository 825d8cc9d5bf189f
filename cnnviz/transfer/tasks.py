"""The tasks transfer learning moves between: where a network learns, where it is reused.

A task is a `cnnviz.datasets.Dataset` (28×28 uint8 images, labels from 0), so the training
code reads every task alike:
- `digit_subset`: some digits of a dataset, relabelled from 0 ("digits 0–4" to pretrain on,
  "digits 5–9" to transfer to: the classic Keras transfer example);
- `sklearn_digits`: handwriting from another source, scikit-learn's 1,797 8×8 digits (values
  0..16, shipped inside scikit-learn), made 28×28 by the same steps as a drawn digit
  (`cnnviz.images.to_mnist`: ink cropped, scaled to 20 px, centred by its mass);
- `few_shot`: a task's training images cut down to a few examples per class, where the
  benefit of transfer shows.
NumPy, OpenCV and scikit-learn only: no TensorFlow.
"""

from __future__ import annotations

import numpy as np

from cnnviz.datasets import MNIST_CLASS_NAMES, Dataset, load_dataset, stratified_split
from cnnviz.images import to_mnist
from cnnviz.messages import Invalid, Phrase
from cnnviz.validation import check_whole

# The control's choices: transfer matters most at the small end.
EXAMPLES_PER_CLASS = (5, 10, 50, 100, 500)
SKLEARN_DIGITS_TEST_SIZE = 360  # about a fifth of 1,797, as many per class as the split gives
SKLEARN_DIGITS_SEED = 0


def digit_subset(data: Dataset, digits, name: str | None = None) -> Dataset:
    """The images of `digits` only, their labels renumbered 0, 1, ... in the order given.

    Args:
        data: A dataset (its labels index `data.class_names`).
        digits: The labels to keep, for example `range(5, 10)`.
        name: The task's name (default: "<dataset> <first>–<last>").

    Returns:
        A `Dataset` whose class names are the kept classes' names.

    Raises:
        ValueError: If fewer than two labels are given, a label repeats, or one is not a
            class of `data`.

    Example:
        >>> from cnnviz.datasets import load_dataset
        >>> upper = digit_subset(load_dataset("mnist-sample"), range(5, 10))
        >>> upper.class_names, sorted(set(upper.y_train.tolist()))
        (('5', '6', '7', '8', '9'), [0, 1, 2, 3, 4])
    """
    digits = [check_whole(d, "Each digit", 0, data.num_classes - 1) for d in digits]
    if len(digits) < 2 or len(set(digits)) != len(digits):
        raise ValueError(
            f"A task needs at least two different classes. Received {digits} for "
            f"{data.name}, whose classes are 0 to {data.num_classes - 1}."
        )
    lookup = np.full(data.num_classes, -1)
    lookup[digits] = np.arange(len(digits))

    def keep(images, labels):
        mask = lookup[labels] >= 0
        return images[mask], lookup[labels[mask]].astype(np.uint8)

    x_train, y_train = keep(data.x_train, data.y_train)
    x_test, y_test = keep(data.x_test, data.y_test)
    names = tuple(data.class_names[d] for d in digits)
    name = name or f"{data.name} {names[0]}–{names[-1]}"
    source = f"{data.source}, classes {', '.join(names)} only"
    return Dataset(name, x_train, y_train, x_test, y_test, names, source)


def sklearn_digits() -> Dataset:
    """scikit-learn's 8×8 handwritten digits as 28×28 MNIST-style images.

    Each 8×8 image (0..16, white ink on black) is scaled to 0..255 and made a 28×28 input by
    `to_mnist`, as a drawn digit is. A fixed stratified split keeps 360 for testing.

    Returns:
        A `Dataset` named "sklearn-digits", 1,437 training and 360 test images.
    """
    from sklearn.datasets import load_digits  # shipped with scikit-learn: no download

    digits = load_digits()
    images = np.rint(digits.images * (255 / 16)).astype(np.uint8)
    made = np.stack([np.rint(to_mnist(image).result * 255) for image in images])
    made, labels = made.astype(np.uint8), digits.target.astype(np.uint8)
    train, test = stratified_split(labels, SKLEARN_DIGITS_TEST_SIZE, seed=SKLEARN_DIGITS_SEED)
    source = (
        "scikit-learn's load_digits (UCI optical recognition of handwritten digits, 8×8, "
        "values 0..16), scaled to 0..255 and made 28×28 by cnnviz.images.to_mnist"
    )
    return Dataset(
        "sklearn-digits",
        made[train],
        labels[train],
        made[test],
        labels[test],
        MNIST_CLASS_NAMES,
        source,
    )


def few_shot(data: Dataset, per_class: int, seed: int = 0) -> Dataset:
    """The task with only `per_class` training images of each class (the test images stay).

    Which images are kept is decided by a seeded permutation per class, so the same seed gives
    the same images; the kept images are shuffled so any prefix mixes the classes.

    Args:
        data: The task.
        per_class: Training images kept per class, at least 1.
        seed: Seeds the choice.

    Returns:
        A `Dataset` with `per_class * data.num_classes` training images.

    Raises:
        ValueError: If a class has fewer than `per_class` training images (the message names
            it and how many it has).
    """
    check_whole(per_class, Phrase("errors.names.per_class"), low=1)
    counts = np.bincount(data.y_train, minlength=data.num_classes)
    short = int(np.argmin(counts))
    if counts[short] < per_class:
        raise Invalid(
            "errors.transfer.per_class",
            dataset=data.name,
            count=int(counts[short]),
            name=repr(data.class_names[short]),
            received=per_class,
        )
    rng = np.random.default_rng(seed)
    kept = [
        rng.permutation(np.flatnonzero(data.y_train == label))[:per_class]
        for label in range(data.num_classes)
    ]
    order = rng.permutation(np.concatenate(kept))
    source = f"{data.source}; {per_class} training images per class (seed {seed})"
    return Dataset(
        data.name,
        data.x_train[order],
        data.y_train[order],
        data.x_test,
        data.y_test,
        data.class_names,
        source,
    )


def target_task(target: str, own: Dataset | None = None) -> Dataset:
    """The target task called `target` (a key of `cnnviz.transfer.config.TARGETS`).

    Args:
        target: "digits-5-9" (the bundled sample's digits 5–9, relabelled 0–4),
            "sklearn-digits", "fashion-mnist" (when it is on this machine) or "own".
        own: The learner's classes, for "own".

    Raises:
        ValueError: For an unknown target, or "own" without the learner's classes.
        DatasetUnavailable: (a ValueError) if Fashion-MNIST is not on this machine.
    """
    if target == "digits-5-9":
        return digit_subset(load_dataset("mnist-sample"), range(5, 10), "digits 5–9")
    if target == "sklearn-digits":
        return sklearn_digits()
    if target == "fashion-mnist":
        return load_dataset("fashion-mnist")
    if target == "own" and isinstance(own, Dataset):
        return own
    if target == "own":
        raise Invalid("errors.transfer.own_first")
    raise ValueError(
        f"The target must be digits-5-9, sklearn-digits, fashion-mnist or own. Received {target!r}."
    )


def limit_test(data: Dataset, size: int, seed: int = 0) -> Dataset:
    """The task with at most `size` of its test images (a seeded choice, in their order)."""
    check_whole(size, "The number of test images", 1)
    if len(data.x_test) <= size:
        return data
    kept = np.sort(np.random.default_rng(seed).permutation(len(data.x_test))[:size])
    source = f"{data.source}; {size} of its {len(data.x_test)} test images"
    return Dataset(
        data.name,
        data.x_train,
        data.y_train,
        data.x_test[kept],
        data.y_test[kept],
        data.class_names,
        source,
    )
