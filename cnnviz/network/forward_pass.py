"""One forward pass, as every view of a trained network reads it: a list of `LayerActivation`.

CNN Explainer's idea: one shared representation of the network feeds every view. Per layer it
holds the name, the Keras class name, the output for one image (no batch axis), the weights by
name and the plain settings (`get_config()`'s strides, padding, activation, epsilon, ...): all
that is needed to draw the layer and to redo its arithmetic without TensorFlow. The engine's
`keras_side.extract` makes the list; the pages, the plots and `cnnviz.network.worked_example`
read it. The layers are read as a chain (a `keras.Sequential`): each reads the output of the
one before it (dropout passes it on), the first reads the image.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from cnnviz.convolution.windows import padding_amounts
from cnnviz.network.arithmetic import window_settings

# Identity at inference: a layer after one of these reads the values it passes on.
PASS_THROUGH = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout")
PASS_THROUGH += ("GaussianNoise", "AlphaDropout", "ActivityRegularization")
# What may follow a Conv2D or Dense layer in one block: Conv2D -> BatchNormalization -> Activation.
BLOCK_FOLLOWERS = ("BatchNormalization", "Activation")


@dataclass(frozen=True)
class LayerActivation:
    """One layer's output for one image (no batch axis), with its weights and settings.

    Attributes:
        name: The layer's name (`conv2d_1`).
        kind: The Keras class name (`Conv2D`, `BatchNormalization`, ...).
        output: The layer's output for the image: `(rows, cols, channels)` or `(units,)`.
        weights: The layer's arrays by name (`kernel`, `bias`, `gamma`, `beta`,
            `moving_mean`, `moving_variance`).
        config: Plain settings from `get_config()` (`strides`, `padding`, `activation`,
            `epsilon`, `pool_size`, ...), enough to redo the layer's arithmetic.
    """

    name: str
    kind: str
    output: np.ndarray
    weights: dict[str, np.ndarray] = field(default_factory=dict)
    config: dict[str, Any] = field(default_factory=dict)


def find_layer(activations, layer) -> int:
    """The index of the layer called `layer`; a ValueError listing the names if there is none."""
    names = [getattr(item, "name", None) for item in activations]
    if isinstance(layer, str) and layer in names:
        return names.index(layer)
    raise ValueError(
        f"No layer named {layer!r}. The layers are: {', '.join(map(str, names)) or 'none'}."
    )


def reader_index(activations, index: int) -> int | None:
    """The index of the layer whose output layer `index` reads (past dropout); None: the image."""
    index -= 1
    while index >= 0 and activations[index].kind in PASS_THROUGH:
        index -= 1
    return index if index >= 0 else None


def layer_input(activations, index: int, image) -> tuple[str, np.ndarray]:
    """Name and float64 values of what layer `index` reads: an earlier layer's output, or the
    image as `(H, W, C)` ("input"; uint8 pixels divided by 255).

    Raises:
        ValueError: If the image is needed and is not 2-D or 3-D numbers.
    """
    reader = reader_index(activations, index)
    if reader is not None:
        return activations[reader].name, np.asarray(activations[reader].output, np.float64)
    array = np.asarray(image)
    if array.dtype.kind not in "biuf" or array.ndim not in (2, 3):
        raise ValueError(
            "The image must be (height, width) or (height, width, channels) numbers. Received "
            f"shape {array.shape}, dtype {array.dtype}."
        )
    array = array / 255.0 if array.dtype == np.uint8 else array.astype(np.float64)
    return "input", array[..., np.newaxis] if array.ndim == 2 else array


def block_span(kinds: list[str], index: int, name: str | None = None) -> tuple[int, int]:
    """First and last index of the Conv2D/Dense -> BatchNormalization -> Activation block that
    layer `index` belongs to, from the layers' Keras class names.

    Asking about a BatchNormalization or an Activation walks back to the Conv2D or Dense that
    starts its block; the block ends after the BatchNormalization and Activation that follow.
    `name` is the layer's name, for the message.

    Example:
        >>> block_span(["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D"], 1)
        (0, 2)

    Raises:
        ValueError: If a BatchNormalization or Activation does not follow a Conv2D or Dense.
    """
    before = {
        "BatchNormalization": ("Conv2D", "Dense"),
        "Activation": ("Conv2D", "Dense", "BatchNormalization"),
    }
    start = index
    while kinds[start] in before:
        if start == 0 or kinds[start - 1] not in before[kinds[start]]:
            follows = f"a {kinds[start - 1]}" if start else "the input"
            layer = repr(name) if name is not None else f"number {index}"
            raise ValueError(
                f"Layer {layer} ({kinds[index]}) is explained as part of a Conv2D or Dense layer "
                f"followed by BatchNormalization and/or Activation; it follows {follows} instead. "
                f"Received layer={layer}."
            )
        start -= 1
    end = start
    for follower in BLOCK_FOLLOWERS:
        if end + 1 < len(kinds) and kinds[end + 1] == follower:
            end += 1
    return start, end


def last_conv_block_end(kinds: list[str]) -> int:
    """The index of the last layer of the last Conv2D's block (Grad-CAM weights its maps).

    Example:
        >>> last_conv_block_end(["Conv2D", "MaxPooling2D", "Conv2D", "Activation", "Flatten"])
        3

    Raises:
        ValueError: If there is no Conv2D layer.
    """
    convs = [index for index, kind in enumerate(kinds) if kind == "Conv2D"]
    if not convs:
        raise ValueError("Grad-CAM needs a Conv2D layer; the model has none.")
    return block_span(kinds, convs[-1])[1]


# The layers that read a window, and the setting that gives its size.
WINDOW_KINDS = {
    "Conv2D": "kernel_size",
    "MaxPooling2D": "pool_size",
    "AveragePooling2D": "pool_size",
}
# Activations whose output is never below zero.
NON_NEGATIVE = ("relu", "relu6", "sigmoid", "hard_sigmoid", "softmax", "softplus")
# Layers whose output is never negative when their input is not: they pick, average or pass it.
KEEPS_SIGN = ("MaxPooling2D", "AveragePooling2D", "Flatten", *PASS_THROUGH)


def never_negative(activations, index: int) -> bool:
    """Whether layer `index`'s output can never be negative, whatever the image: the layer
    ends in a ReLU-like activation, or it pools or passes on such a layer's output.

    Example:
        >>> layers = [LayerActivation("c", "Conv2D", np.zeros(1), config={"activation": "relu"}),
        ...           LayerActivation("p", "MaxPooling2D", np.zeros(1)),
        ...           LayerActivation("n", "BatchNormalization", np.zeros(1))]
        >>> [never_negative(layers, i) for i in range(3)]
        [True, True, False]
    """
    item = activations[index]
    if item.kind in KEEPS_SIGN:
        reader = reader_index(activations, index)
        return reader is not None and never_negative(activations, reader)
    return item.config.get("activation") in NON_NEGATIVE


def receptive_field(
    activations, index: int, row: int, col: int, image_shape: tuple[int, ...]
) -> tuple[int, int, int, int]:
    """The input pixels that output `(row, col)` of layer `index` depends on, as `(top, left,
    rows, cols)` inside the image (padding cut off); the whole image from Flatten on.

    Walks back through every Conv2D and pooling layer: an output cell covers rows `r * s - p`
    to `r * s - p + k - 1` of that layer's input (`convolution.windows`).

    Example:
        >>> conv = LayerActivation("c", "Conv2D", np.zeros((26, 26, 1)),
        ...                        config={"kernel_size": (3, 3), "strides": (1, 1)})
        >>> receptive_field([conv], 0, 5, 7, (28, 28))
        (5, 7, 3, 3)
    """
    height, width = image_shape[:2]
    rows, cols = (row, row), (col, col)
    for position in range(index, -1, -1):
        item = activations[position]
        if item.output.ndim != 3:
            return 0, 0, height, width
        if item.kind in WINDOW_KINDS:
            (kh, kw), (sh, sw), padding = window_settings(item, WINDOW_KINDS[item.kind])
            reader = reader_index(activations, position)
            source = image_shape if reader is None else activations[reader].output.shape
            top = padding_amounts(source[0], kh, sh, padding)[0]
            left = padding_amounts(source[1], kw, sw, padding)[0]
            rows = (rows[0] * sh - top, rows[1] * sh - top + kh - 1)
            cols = (cols[0] * sw - left, cols[1] * sw - left + kw - 1)
    top, left = max(rows[0], 0), max(cols[0], 0)
    return top, left, min(rows[1], height - 1) - top + 1, min(cols[1], width - 1) - left + 1
