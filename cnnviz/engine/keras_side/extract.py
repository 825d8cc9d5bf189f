"""One forward pass -> every layer's output, with the layer's weights and settings.

CNN Explainer's idea: every view of the network reads one shared representation, a list of
`cnnviz.network.forward_pass.LayerActivation` (name, Keras class name, output for one image,
weights by name, plain settings), which `cnnviz.network.worked_example` reads to redo the
arithmetic without TensorFlow.

A `FeatureExtractor` builds one Keras model with an output per layer and traces it once with a
fixed input signature, so each image then costs one compiled forward pass. The tutorial habit
of one sub-model `predict` per layer costs a pass (and a `predict` set-up) per layer:
`bench/bench_feature_maps.py` measures both.

This module imports TensorFlow: it runs in the engine, never in the Streamlit process.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from cnnviz.network.forward_pass import LayerActivation

# Settings that fit in a message: the nested ones (initializers, dtype policies) stay behind.
_PLAIN = (str, int, float, bool, tuple, list, type(None))


def layer_weights(layer) -> dict[str, np.ndarray]:
    """A layer's weights as arrays by name (kernel, bias, gamma, ...); none for nested models."""
    if isinstance(layer, keras.Model):
        return {}
    return {weight.name: np.asarray(keras.ops.convert_to_numpy(weight)) for weight in layer.weights}


def layer_config(layer) -> dict:
    """A layer's plain settings from `get_config()`: strides, padding, activation, epsilon, ...

    Nested settings (initializers, regularizers, dtype policies) are left out; so is everything
    for a nested model.
    """
    if isinstance(layer, keras.Model):
        return {}
    return {key: value for key, value in layer.get_config().items() if isinstance(value, _PLAIN)}


def prepare_images(images, shape: tuple[int, int, int]) -> np.ndarray:
    """Images as a float32 batch `(n, H, W, C)` in 0..1 for a model whose input is `shape`.

    Args:
        images: One image `(H, W)` or `(H, W, C)`, or a batch `(n, H, W)` or `(n, H, W, C)`;
            floats in 0..1, or uint8 pixels (divided by 255).
        shape: The model's input shape without the batch axis, e.g. `(28, 28, 1)`.

    Returns:
        A float32 array `(n, H, W, C)`.

    Raises:
        ValueError: If the images do not fit `shape`, are not numbers, or floats outside 0..1.
    """
    array = np.asarray(images)
    if array.dtype == np.uint8:
        array = array / 255.0
    if array.dtype.kind not in "biuf":
        raise ValueError(f"Images must be numbers. Received dtype {array.dtype}.")
    if array.ndim == 2 or array.shape == tuple(shape):
        array = array[np.newaxis]
    if array.ndim == 3 and shape[2] == 1:
        array = array[..., np.newaxis]
    if array.ndim != 4 or array.shape[1:] != tuple(shape):
        height, width, channels = shape
        raise ValueError(
            f"Expected an image ({height}, {width}, {channels}) or ({height}, {width}), or a "
            f"batch of them. Received shape {np.shape(images)}."
        )
    array = array.astype(np.float32, copy=False)
    if not np.isfinite(array).all():
        raise ValueError("Image pixels must be floats in 0..1 or uint8. Received NaN or inf.")
    if array.size and not (array.min() >= 0 and array.max() <= 1):
        raise ValueError(
            "Image pixels must be floats in 0..1 or uint8. Received values from "
            f"{array.min():g} to {array.max():g}."
        )
    return array


def input_shape(model) -> tuple[int, int, int]:
    """The model's one input shape `(H, W, C)`.

    Raises:
        ValueError: If the model has several inputs, or one that is not a batch of images.
    """
    shapes = [tuple(tensor.shape[1:]) for tensor in getattr(model, "inputs", None) or []]
    if len(shapes) != 1 or len(shapes[0]) != 3 or None in shapes[0]:
        raise ValueError(
            "The model must take one batch of images (height, width, channels) and be built "
            f"(start it with keras.Input). Received input shapes {shapes}."
        )
    return tuple(int(size) for size in shapes[0])


def layer_tensors(model, wanted: list[tuple[str, str]]):
    """A function `images -> [tensor, ...]` giving each `(layer name, "input" | "output")`.

    A `keras.Sequential` is run layer by layer, each called on the output before it: a model
    loaded from a file keeps a separate symbolic graph per layer call, so its `layer.input`
    and `layer.output` need not connect, and a gradient from one to the other would be None.
    Other models are cut from their own graph with `keras.Model`. Layers run in inference
    mode (dropout off, batch norm on its moving statistics).

    Args:
        model: A built Keras model with one input.
        wanted: `(layer name, "input")` or `(layer name, "output")` pairs.

    Returns:
        A function of a batch of images returning the wanted tensors, in order; call it inside
        `tf.function` or a `tf.GradientTape`.

    Raises:
        ValueError: If a name is not a layer of the model (the message lists them).
    """
    names = [layer.name for layer in model.layers]
    for name, kind in wanted:
        if name not in names or kind not in ("input", "output"):
            raise ValueError(
                f"Expected (layer name, 'input' or 'output'). Received {(name, kind)!r}; the "
                f"layers are: {', '.join(names)}."
            )
    if isinstance(model, keras.Sequential):
        last = max(
            index + (kind == "output")
            for index, layer in enumerate(model.layers)
            for name, kind in wanted
            if layer.name == name
        )

        def forward(images):
            found, tensor = {}, images
            for layer in model.layers[:last]:
                found[(layer.name, "input")] = tensor
                tensor = layer(tensor, training=False)
                found[(layer.name, "output")] = tensor
            if last < len(model.layers):
                found[(model.layers[last].name, "input")] = tensor
            return [found[key] for key in wanted]

        return forward
    tensors = [getattr(model.get_layer(name), kind) for name, kind in wanted]
    symbolic = keras.Model(model.inputs[0], tensors)
    return lambda images: tf.nest.flatten(symbolic(images, training=False))


class FeatureExtractor:
    """Every layer's output for an image, from one compiled forward pass.

    Built once per model: a pass that keeps every layer's output (`layer_tensors`), traced by
    `tf.function` for batches of the model's input shape. Weights and settings are read once,
    when the extractor is built: build a new one after training the model further.

    Args:
        model: A built Keras model with one image input (a `keras.Sequential` from
            `keras_side.build.build_cnn`, or a functional model).

    Raises:
        ValueError: If the model does not take one batch of images.

    Example:
        >>> extractor = FeatureExtractor(build_cnn())
        >>> [(a.name, a.output.shape) for a in extractor(image)][:2]
        [('conv2d_1', (26, 26, 16)), ('max_pooling2d_1', (13, 13, 16))]
    """

    def __init__(self, model):
        self.model = model
        self.input_shape = input_shape(model)
        self.layers = list(model.layers)
        forward = layer_tensors(model, [(layer.name, "output") for layer in self.layers])
        signature = [tf.TensorSpec((None, *self.input_shape), tf.float32)]
        self._forward = tf.function(forward, input_signature=signature, autograph=False)
        self._weights = [layer_weights(layer) for layer in self.layers]
        self._configs = [layer_config(layer) for layer in self.layers]

    def __call__(self, image) -> list[LayerActivation]:
        """Every layer's output for one image, in the model's layer order.

        Args:
            image: `(H, W)` or `(H, W, C)`: floats in 0..1 or uint8 pixels.

        Returns:
            One `LayerActivation` per layer; `output` has no batch axis.

        Raises:
            ValueError: As `prepare_images`, or if a batch of more than one image is given.
        """
        batch = prepare_images(image, self.input_shape)
        if len(batch) != 1:
            raise ValueError(f"Expected one image. Received a batch of {len(batch)}.")
        outputs = self._forward(batch)
        return [
            LayerActivation(
                name=layer.name,
                kind=type(layer).__name__,
                output=output.numpy()[0],
                weights=weights,
                config=config,
            )
            for layer, output, weights, config in zip(
                self.layers, outputs, self._weights, self._configs, strict=True
            )
        ]


# A batch of layer outputs sent back at once stays under this many numbers (400 MB float32).
MAX_OUTPUT_NUMBERS = 100_000_000
_SLICE = 256


def layer_outputs(extractor: FeatureExtractor, images, layers) -> dict[str, np.ndarray]:
    """The outputs of some layers for a batch of images, from compiled forward passes.

    Args:
        extractor: The model's `FeatureExtractor`.
        images: A batch `(n, H, W)` or `(n, H, W, C)`: floats in 0..1 or uint8 pixels.
        layers: Names of the layers wanted.

    Returns:
        `{name: float32 array (n, *layer output shape)}`, in the order asked.

    Raises:
        ValueError: For an unknown layer (the message lists them), images that do not fit, or
            more than `MAX_OUTPUT_NUMBERS` numbers in all (fewer images, or fewer layers).
    """
    names = [layer.name for layer in extractor.layers]
    unknown = [name for name in layers if name not in names]
    if unknown or not layers:
        raise ValueError(
            f"Ask for one or more of the model's layers: {', '.join(names)}. Received "
            f"{list(layers)!r}."
        )
    wanted = [names.index(name) for name in layers]
    sizes = [int(np.prod(extractor.layers[i].output.shape[1:])) for i in wanted]
    single = np.ndim(images) == 2 or np.shape(images) == tuple(extractor.input_shape)
    count = 1 if single else len(images)
    if count * sum(sizes) > MAX_OUTPUT_NUMBERS:  # checked before the images are converted
        raise ValueError(
            f"{count:,} images × {sum(sizes):,} numbers per image from these layers is "
            f"more than {MAX_OUTPUT_NUMBERS:,} numbers at once. Received {count:,} "
            "images: ask for fewer images or fewer layers."
        )
    batch = prepare_images(images, extractor.input_shape)
    parts = {name: [] for name in layers}
    for start in range(0, len(batch), _SLICE):
        outputs = extractor._forward(batch[start : start + _SLICE])
        for name, index in zip(layers, wanted, strict=True):
            parts[name].append(np.asarray(outputs[index]))
    return {name: np.concatenate(chunks).astype(np.float32) for name, chunks in parts.items()}


def feature_maps(model_or_extractor, image) -> list[LayerActivation]:
    """Every layer's output for one image, from one forward pass.

    Args:
        model_or_extractor: A `FeatureExtractor`, or a Keras model (an extractor is built for
            it, which costs a trace: keep one extractor for repeated calls).
        image: `(H, W)` or `(H, W, C)`: floats in 0..1 or uint8 pixels (divided by 255).

    Returns:
        One `LayerActivation(name, kind, output, weights, config)` per layer, in order.

    Raises:
        ValueError: As `FeatureExtractor` and `prepare_images`.
    """
    if isinstance(model_or_extractor, FeatureExtractor):
        return model_or_extractor(image)
    return FeatureExtractor(model_or_extractor)(image)


def conv_filters(model, layer_name: str) -> np.ndarray:
    """The learned filters of a convolution layer: its kernel `(k, k, in, out)`.

    `kernel[:, :, c, f]` is the slice filter `f` slides over input channel `c`: the input
    channels are in the order of the previous layer's feature maps (the image's channels for
    the first layer), the filters in the order of this layer's maps.

    Args:
        model: A Keras model.
        layer_name: The name of one of its Conv2D layers.

    Returns:
        The kernel as a float32 array.

    Raises:
        ValueError: If no layer has that name (the message lists the convolution layers), or
            the layer is not a Conv2D.
    """
    convs = [layer.name for layer in model.layers if isinstance(layer, keras.layers.Conv2D)]
    names = [layer.name for layer in model.layers]
    if layer_name not in convs:
        what = "is not a Conv2D layer" if layer_name in names else "is not a layer of the model"
        raise ValueError(
            f"{layer_name!r} {what}. Received layer_name={layer_name!r}; the Conv2D layers are: "
            f"{', '.join(convs) or 'none'}."
        )
    return np.asarray(keras.ops.convert_to_numpy(model.get_layer(layer_name).kernel))
