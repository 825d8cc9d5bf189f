"""The engine's models in memory: loaded on first use, served by compiled forward passes.

A model is loaded with Keras's safe mode the first time it is asked for and kept until its file
changes. Before Keras opens the file, its archive is checked (`cnnviz.training.model_archive`:
no member that would unpack to far more than the file) and its SHA-256 compared with the one
its manifest gives, once per version of the file. Inference goes through a `tf.function` with
a fixed input signature, traced once per model: `model.predict` costs tens of milliseconds per
call and an eager call a few, the traced function a fraction of one. Every layer's output
comes from one `keras_side.extract` `FeatureExtractor` per model; activation maximisation
images are kept per model file version, layer, steps and seed, so asking again is instant.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import keras
import numpy as np
import tensorflow as tf

from cnnviz.engine.keras_side import attribute
from cnnviz.engine.keras_side.extract import FeatureExtractor, layer_outputs
from cnnviz.network.forward_pass import LayerActivation
from cnnviz.training.model_archive import check_model_archive
from cnnviz.training.run_files import file_sha256
from cnnviz.training.runs import READ_ATTEMPTS, ModelCatalog, ModelInfo

# Large batches run in slices so one request cannot hold gigabytes of activations.
BATCH_SIZE = 1024
# Activation maximisation results kept per model (each (n, 28, 28) float32: ~100 kB for 32).
MAXIMISED_PER_MODEL = 32


@dataclass
class _Entry:
    """A loaded model with its compiled forward passes."""

    path: str
    mtime_ns: int
    model: keras.Model
    input_shape: tuple[int, int, int]
    forward: Callable[[np.ndarray], tf.Tensor]  # a traced tf.function
    extractor: FeatureExtractor | None = None
    maximised: dict[tuple[str, int, int], np.ndarray] = field(default_factory=dict)
    # Held while maximising, so that two sessions asking the same thing compute it once.
    maximise_lock: threading.Lock = field(default_factory=threading.Lock)


def _ends_in_softmax(model: keras.Model) -> bool:
    last = model.layers[-1]
    if isinstance(last, keras.layers.Softmax):
        return True
    return getattr(getattr(last, "activation", None), "__name__", "") == "softmax"


def _signature(shape: tuple[int, int, int]) -> list[tf.TensorSpec]:
    return [tf.TensorSpec((None, *shape), tf.float32)]


class ModelStore:
    """Loads and runs the models of a catalog, each once until its file changes.

    Args:
        catalog: Where the models are.
    """

    def __init__(self, catalog: ModelCatalog):
        self._catalog = catalog
        self._cache: dict[str, _Entry] = {}
        self._lock = threading.Lock()

    def loaded_names(self) -> list[str]:
        """Names of the models in memory."""
        with self._lock:
            return sorted(self._cache)

    def predict(self, model: str, images) -> np.ndarray:
        """Class probabilities `(n, classes)` for images `(n, H, W)` or `(n, H, W, C)` in 0..1.

        A model whose last layer has no softmax gets one, so the rows always sum to 1.

        Raises:
            UnknownModel: If no model is called `model`.
            ValueError: If the images do not fit the model's input or lie outside 0..1.
        """
        entry = self._entry(model)
        batch = _check_images(images, entry.input_shape, model)
        parts = [
            entry.forward(batch[start : start + BATCH_SIZE]).numpy()
            for start in range(0, len(batch), BATCH_SIZE)
        ]
        return np.concatenate(parts) if parts else np.zeros((0, entry.model.outputs[0].shape[-1]))

    def layer_activations(self, model: str, image) -> list[LayerActivation]:
        """Every layer's output for one image `(H, W)` or `(H, W, C)`, from one forward pass.

        Raises:
            UnknownModel: If no model is called `model`.
            ValueError: If the image does not fit the model's input or lies outside 0..1.
        """
        entry = self._entry(model)
        image = _check_image(image, entry.input_shape, model)
        with self._lock:
            if entry.extractor is None:
                entry.extractor = FeatureExtractor(entry.model)
        return entry.extractor(image)

    def layer_outputs(self, model: str, images, layers) -> dict[str, np.ndarray]:
        """Some layers' outputs for a batch of images (see `extract.layer_outputs`).

        Raises:
            UnknownModel: If no model is called `model`.
            ValueError: For unknown layers, images that do not fit, or too many numbers.
        """
        entry = self._entry(model)
        with self._lock:
            if entry.extractor is None:
                entry.extractor = FeatureExtractor(entry.model)
        return layer_outputs(entry.extractor, images, list(layers))

    def activation_maximisation(self, model: str, layer: str, steps: int = 64, seed: int = 0):
        """Images `(n, H, W)` that maximise each map (or unit) of `layer`; see
        `keras_side.attribute.maximise_all`. Kept until the model's file changes.

        Raises:
            UnknownModel: If no model is called `model`.
            ValueError: For an unknown layer, or steps or seed out of range.
        """
        entry = self._entry(model)
        key = (layer, steps, seed)
        with entry.maximise_lock:
            if key not in entry.maximised:
                images = attribute.maximise_all(entry.model, layer, steps=steps, seed=seed)
                if len(entry.maximised) >= MAXIMISED_PER_MODEL:
                    entry.maximised.pop(next(iter(entry.maximised)))
                entry.maximised[key] = images
            return entry.maximised[key]

    def grad_cam(self, model: str, image, class_index: int | None = None) -> np.ndarray:
        """The Grad-CAM map `(H, W)` in 0..1 of `class_index` (None: the predicted class)."""
        entry = self._entry(model)
        image = _check_image(image, entry.input_shape, model)
        return attribute.grad_cam(entry.model, image, class_index)

    def saliency(self, model: str, image, class_index: int | None = None, smoothgrad: int = 0):
        """The saliency map `(H, W)` in 0..1, SmoothGrad over `smoothgrad` noisy copies if > 0."""
        entry = self._entry(model)
        image = _check_image(image, entry.input_shape, model)
        return attribute.saliency(entry.model, image, class_index, smoothgrad=smoothgrad)

    def _entry(self, name: str) -> _Entry:
        for _ in range(READ_ATTEMPTS - 1):
            try:
                return self._loaded(name, self._catalog.resolve(name))
            except FileNotFoundError:  # a save replaced the run meanwhile: look again
                continue
        return self._loaded(name, self._catalog.resolve(name))

    def _loaded(self, name: str, info: ModelInfo) -> _Entry:
        mtime_ns = os.stat(info.path).st_mtime_ns
        with self._lock:
            entry = self._cache.get(name)
            if entry is None or entry.path != info.path or entry.mtime_ns != mtime_ns:
                entry = self._cache[name] = _load(info, mtime_ns)
            return entry


def _load(info: ModelInfo, mtime_ns: int) -> _Entry:
    """Check the model's file, load it safely and trace its forward pass once.

    Raises:
        ValueError: If the file is not a sound archive, does not match its manifest, or is not
            a model of images Keras can load in safe mode.
        FileNotFoundError: If the file went away (a save replaced it).
    """
    path = Path(info.path)
    check_model_archive(path)
    if info.sha256 is not None and file_sha256(path) != info.sha256:
        raise ValueError(
            f"The model {path.name} does not match its manifest (SHA-256): it is damaged. "
            f"Delete the run {info.name!r} and train it again."
        )
    try:
        model = keras.saving.load_model(path, compile=False, safe_mode=True)
    except Exception as error:
        raise ValueError(f"Could not load the model {path.name}: {error}") from error
    shapes = [tuple(tensor.shape[1:]) for tensor in getattr(model, "inputs", None) or []]
    if len(shapes) != 1 or len(shapes[0]) != 3 or None in shapes[0]:
        raise ValueError(
            f"The model {path.name} must take one batch of images (height, width, channels). "
            f"Received input shapes {shapes}."
        )
    shape = tuple(int(size) for size in shapes[0])
    softmax = not _ends_in_softmax(model)

    def forward(images):
        outputs = model(images, training=False)
        return tf.nn.softmax(outputs) if softmax else outputs

    function = tf.function(forward, input_signature=_signature(shape), autograph=False)
    return _Entry(info.path, mtime_ns, model, shape, function)


def _check_image(image, shape: tuple[int, int, int], name: str) -> np.ndarray:
    """One image as float32 `(H, W, C)` for a model with input `shape`."""
    array = np.asarray(image)
    if array.shape not in (shape, shape[:2] if shape[2] == 1 else shape):
        height, width, channels = shape
        expected = f"({height}, {width}, {channels})"
        if channels == 1:
            expected = f"({height}, {width}) or {expected}"
        raise ValueError(
            f"Model {name!r} expects one image of shape {expected}. Received shape {array.shape}."
        )
    return _check_images(array[np.newaxis], shape, name)[0]


def _check_images(images, shape: tuple[int, int, int], name: str) -> np.ndarray:
    """Images as a float32 batch `(n, H, W, C)` for a model with input `shape`."""
    array = np.asarray(images)
    if array.ndim == 3 and shape[2] == 1:
        array = array[..., np.newaxis]
    height, width, channels = shape
    expected = f"(n, {height}, {width}, {channels})"
    if channels == 1:
        expected = f"(n, {height}, {width}) or {expected}"
    if array.ndim != 4 or array.shape[1:] != shape:
        raise ValueError(
            f"Model {name!r} expects images of shape {expected}. Received shape {np.shape(images)}."
        )
    if array.dtype.kind != "f":
        raise ValueError(
            f"Images must be floats in 0..1 (divide uint8 pixels by 255). "
            f"Received dtype {array.dtype}."
        )
    array = array.astype(np.float32, copy=False)
    if array.size and not (np.isfinite(array).all() and array.min() >= 0 and array.max() <= 1):
        raise ValueError(
            f"Image pixels must lie in 0..1. Received values from {np.nanmin(array):g} "
            f"to {np.nanmax(array):g}."
        )
    return array
