"""Keras layers' inference arithmetic in NumPy, read from a list of `LayerActivation`.

What `cnnviz.explain` needs to redo one value of a layer from the layer before it, without
TensorFlow: which output a layer reads (dropout layers pass theirs on), the activation
functions under their Keras names, BatchNormalization with its moving statistics, and the
window a Conv2D or pooling layer reads for one output position, with padding split as
TensorFlow splits it (the odd cell after). Settings come from `LayerActivation.config`
(`get_config()`'s plain values).
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.convolution import check_int, output_size, padding_amounts

# Identity at inference: a layer after one of these reads the values it passes on.
PASS_THROUGH = ("Dropout", "SpatialDropout1D", "SpatialDropout2D", "GaussianDropout")
PASS_THROUGH += ("GaussianNoise", "AlphaDropout", "ActivityRegularization")
_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # tanh form: no overflow for large |x|


def _softmax(x):
    shifted = np.exp(x - np.max(x))
    return shifted / shifted.sum()


# As keras.activations defines them (gelu exact, leaky_relu with slope 0.2).
ACTIVATIONS = {
    "linear": lambda x: x,
    "relu": lambda x: np.maximum(x, 0.0),
    "relu6": lambda x: np.clip(x, 0.0, 6.0),
    "leaky_relu": lambda x: np.where(x >= 0, x, 0.2 * x),
    "elu": lambda x: np.where(x > 0, x, np.expm1(np.minimum(x, 0.0))),
    "selu": lambda x: _SELU_SCALE * np.where(x > 0, x, _SELU_ALPHA * np.expm1(np.minimum(x, 0))),
    "gelu": lambda x: 0.5 * x * (1.0 + np.vectorize(math.erf)(x / math.sqrt(2.0))),
    "sigmoid": _sigmoid,
    "hard_sigmoid": lambda x: np.clip(x / 6.0 + 0.5, 0.0, 1.0),
    "tanh": np.tanh,
    "silu": lambda x: x * _sigmoid(x),
    "swish": lambda x: x * _sigmoid(x),
    "softplus": lambda x: np.logaddexp(0.0, x),
    "softmax": _softmax,
}


def activate(name, value, layer: str):
    """`value` through the activation function called `name` (a softmax needs a vector).

    Raises:
        ValueError: If the function is not in `ACTIVATIONS`, or is a softmax of one number
            (a softmax across a feature map's channels).
    """
    if not isinstance(name, str) or name not in ACTIVATIONS:
        raise ValueError(
            f"Layer {layer!r} uses the activation {name!r}, which cannot be explained. "
            f"Explained activations: {', '.join(ACTIVATIONS)}."
        )
    if name == "softmax" and np.ndim(value) == 0:
        raise ValueError(
            f"Layer {layer!r} applies a softmax across the channels of a feature map; only "
            "a Dense layer's softmax can be explained. Received activation='softmax'."
        )
    return ACTIVATIONS[name](value)


def batch_norm(item, value, channel: int | None):
    """`gamma * (value - mean) / sqrt(variance + epsilon) + beta` for a BatchNormalization.

    Args:
        item: The layer's `LayerActivation` (weights and config).
        value: One pre-normalisation value of `channel`, or (`channel` None) a whole vector.
        channel: The channel whose parameters apply, or None for all of them.

    Returns:
        The normalised value and the parameters used, by name (with `epsilon`).

    Raises:
        ValueError: If the layer normalises another axis than the channels.
    """
    axis, size = item.config.get("axis", -1), item.output.shape[-1]
    if axis not in (-1, item.output.ndim, [-1], [item.output.ndim]):
        raise ValueError(
            f"BatchNormalization layer {item.name!r} normalises axis {axis}; only the "
            f"channel axis (-1) can be explained. Received axis={axis!r}."
        )
    weights = item.weights
    arrays = {
        "gamma": weights.get("gamma", np.ones(size)),
        "beta": weights.get("beta", np.zeros(size)),
        "moving_mean": weights["moving_mean"],
        "moving_variance": weights["moving_variance"],
    }
    pick = () if channel is None else channel
    parameters = {key: np.asarray(array, np.float64)[pick] for key, array in arrays.items()}
    parameters["epsilon"] = np.float64(item.config["epsilon"])
    scale = parameters["gamma"] / np.sqrt(parameters["moving_variance"] + parameters["epsilon"])
    return scale * (value - parameters["moving_mean"]) + parameters["beta"], parameters


def window_settings(item, size_key: str) -> tuple[tuple[int, int], tuple[int, int], str]:
    """`(size, strides, padding)` of a Conv2D (`kernel_size`) or pooling layer (`pool_size`).

    Raises:
        ValueError: For dilated or grouped convolutions and channels-first layers.
    """
    config = item.config
    size = _pair(config[size_key])
    strides = _pair(config.get("strides") or size)
    if _pair(config.get("dilation_rate", 1)) != (1, 1) or config.get("groups", 1) != 1:
        raise ValueError(f"Layer {item.name!r} is dilated or grouped; it cannot be explained.")
    if config.get("data_format", "channels_last") != "channels_last":
        raise ValueError(
            f"Layer {item.name!r} has data_format={config['data_format']!r}; only "
            "'channels_last' can be explained."
        )
    return size, strides, str(config.get("padding", "valid")).lower()


def check_window_fits(item, input_layer: str, source, settings, channels: int) -> None:
    """Refuse a `source` that `item` cannot have read (say, another image than the pass's).

    Raises:
        ValueError: If the channels or the output size that `settings` give do not match.
    """
    size, strides, padding = settings
    fits = source.ndim == 3 and source.shape[2] == channels
    if fits:
        sides = zip(source.shape[:2], size, strides, strict=True)
        fits = tuple(output_size(n, k, s, padding) for n, k, s in sides) == item.output.shape[:2]
    if not fits:
        raise ValueError(
            f"Layer {item.name!r} (output {item.output.shape}, {channels} input channels) cannot "
            f"have read {input_layer!r} of shape {source.shape}. Received activations and an "
            "image that do not fit together: pass the image of the same forward pass."
        )


def receptive_window(source, row: int, col: int, settings):
    """The window that output `(row, col)` reads from `source` `(H, W, C)`, all channels.

    Args:
        source: The layer's input.
        row, col: The output position.
        settings: `(size, strides, padding)` as `window_settings` gives them.

    Returns:
        `(window, padded_mask, top, left)`: the `(kh, kw, C)` values (0 on padding), a
        `(kh, kw)` mask True on padding, and the input coordinates of the top-left cell
        (negative on padding).
    """
    (height, width), (sh, sw), padding = settings
    top = row * sh - padding_amounts(source.shape[0], height, sh, padding)[0]
    left = col * sw - padding_amounts(source.shape[1], width, sw, padding)[0]
    rows, cols = np.arange(top, top + height), np.arange(left, left + width)
    inside_rows = (rows >= 0) & (rows < source.shape[0])
    inside_cols = (cols >= 0) & (cols < source.shape[1])
    window = np.zeros((height, width, source.shape[2]))
    inside = np.ix_(inside_rows, inside_cols)
    window[inside] = source[np.ix_(rows[inside_rows], cols[inside_cols])]
    return window, ~np.outer(inside_rows, inside_cols), top, left


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


def _pair(value) -> tuple[int, int]:
    if isinstance(value, int | np.integer):
        return int(value), int(value)
    return tuple(check_int(v, "size", 1) for v in value)
