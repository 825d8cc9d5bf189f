"""VGG16 with ImageNet's weights, from the Keras cache only: a photo's top classes, or photos
as 512 features each (the lecture's first way of transfer: features, then an SVM).

Both models are built on first use from the files `cnnviz.transfer.imagenet` finds: Keras is
handed each file's path as `weights=`, so it never downloads anything. Each file is checked
against the MD5 Keras checks, once per version of the file, and the models stay in the engine
until a file changes. A missing file is refused at once with the page's message (its size and
where it would be cached). A photo becomes VGG16's input in two steps: `own_photo` (the
shorter side scaled to 224, the centred 224×224 square kept, grey made RGB) and
`keras.applications.vgg16.preprocess_input` (RGB to BGR, ImageNet's mean pixel subtracted).
Building VGG16 takes about 6 seconds (1 of them checking the MD5), one photo under half a
second on two CPU cores.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from cnnviz.transfer import imagenet as files
from cnnviz.transfer.own_classes import own_photo
from cnnviz.validation import check_whole

# Photos per forward pass: VGG16 keeps ~60 MB of activations per 224×224 photo.
BATCH_SIZE = 16
# Photos per `features` request, so that one request cannot hold the engine for long.
MAX_FEATURE_IMAGES = 1000


@dataclass
class _Built:
    """A built model, the versions of the files it came from, and its traced forward pass."""

    versions: tuple
    forward: Callable[[np.ndarray], tf.Tensor]
    classes: list[tuple[str, str]] | None = None


class ImageNetVGG16:
    """VGG16 on ImageNet in the engine: classify photos, extract their features.

    Args:
        cache_dir: The Keras home to read from (default: Keras's, as `weights_status`).
    """

    def __init__(self, cache_dir=None):
        self._cache_dir = cache_dir
        self._built: dict[str, _Built] = {}
        self._lock = threading.Lock()

    def classify(self, image, top: int = 5) -> list[tuple[str, str, float]]:
        """ImageNet's `top` most probable classes for one photo, most probable first.

        Args:
            image: `(height, width)` or `(height, width, 1, 3 or 4 channels)`, uint8 or
                floats in 0..1, any size (`own_photo` makes it 224×224 RGB).
            top: How many classes, 1 to 1,000.

        Returns:
            `[(wordnet_id, class_name, probability), ...]`: probabilities from VGG16's
            softmax, in decreasing order.

        Raises:
            ImageNetUnavailable: If the weights or the class names are not on this machine,
                or are damaged.
            ValueError: For a bad image or `top`.
        """
        top = check_whole(top, "`top`", low=1, high=1000)
        batch = _preprocess([own_photo(image, files.IMAGENET_SIDE)])
        built = self._model("classify", files.CLASSIFY_FILES)
        probabilities = built.forward(batch).numpy()[0]
        best = np.argsort(-probabilities, kind="stable")[:top]
        return [(*built.classes[index], float(probabilities[index])) for index in best]

    def features(self, images) -> np.ndarray:
        """Each photo's 512 features: VGG16's convolutional base, averaged over positions.

        Args:
            images: A list of uint8 photos (each as for `classify`, sizes may differ), or one
                uint8 array `(n, height, width[, channels])`; at most `MAX_FEATURE_IMAGES`.

        Returns:
            float32 array `(n, 512)`.

        Raises:
            ImageNetUnavailable: If the convolutional base's weights are not here or damaged.
            ValueError: For a bad image, or too many.
        """
        expected = "`images` is a list of photos or one array (n, height, width[, channels])."
        if isinstance(images, np.ndarray) and images.ndim not in (3, 4):
            raise ValueError(f"{expected} Received shape {images.shape}.")
        if not isinstance(images, list | tuple | np.ndarray):
            raise ValueError(f"{expected} Received {type(images).__name__}.")
        count = len(images)
        if count > MAX_FEATURE_IMAGES:
            raise ValueError(
                f"At most {MAX_FEATURE_IMAGES} photos per request. Received {count}; send "
                "them in smaller batches."
            )
        photos = [own_photo(image, files.IMAGENET_SIDE) for image in images]
        built = self._model("features", files.FEATURE_FILES)
        parts = [
            built.forward(_preprocess(photos[start : start + BATCH_SIZE])).numpy()
            for start in range(0, count, BATCH_SIZE)
        ]
        if not parts:
            return np.zeros((0, files.FEATURES), np.float32)
        return np.concatenate(parts).astype(np.float32, copy=False)

    def loaded(self) -> list[str]:
        """Which models are built: "classify", "features"."""
        with self._lock:
            return sorted(self._built)

    def _model(self, purpose: str, roles: tuple[str, ...]) -> _Built:
        paths = files.require_files(roles, cache_dir=self._cache_dir)
        versions = tuple((str(path), _version(path)) for path in paths.values())
        with self._lock:
            built = self._built.get(purpose)
            if built is None or built.versions != versions:
                self._built.pop(purpose, None)  # free the old model before building the new
                built = self._built[purpose] = _build(purpose, paths, versions)
            return built


def _build(purpose: str, paths: dict, versions: tuple) -> _Built:
    """Check the files, then build the model from them (never a download)."""
    for role, path in paths.items():
        files.verify_file(role, path)
    if purpose == "classify":
        model = keras.applications.VGG16(weights=str(paths["weights"]), include_top=True)
        classes = files.read_class_index(paths["class_index"])
        outputs = model.outputs[0].shape[-1]
        if len(classes) != outputs:
            raise files.ImageNetUnavailable(
                f"The class index {paths['class_index']} names {len(classes)} classes, "
                f"VGG16 has {outputs}. Delete it and download it again."
            )
    else:
        side = files.IMAGENET_SIDE
        weights = str(paths["weights_notop"])
        model = keras.applications.VGG16(
            weights=weights, include_top=False, input_shape=(side, side, 3), pooling="avg"
        )
        classes = None
    signature = [tf.TensorSpec((None, files.IMAGENET_SIDE, files.IMAGENET_SIDE, 3), tf.float32)]
    forward = tf.function(
        lambda x: model(x, training=False), input_signature=signature, autograph=False
    )
    return _Built(versions, forward, classes)


def _preprocess(images) -> np.ndarray:
    """uint8 photos `(n, 224, 224, 3)` as VGG16 was trained on them (BGR, mean subtracted)."""
    batch = np.asarray(images, dtype=np.float32)
    return keras.applications.vgg16.preprocess_input(batch)


def _version(path) -> tuple[int, int]:
    status = path.stat()
    return status.st_size, status.st_mtime_ns
