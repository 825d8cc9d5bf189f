"""Keras layers' inference arithmetic in NumPy: activation functions, batch normalisation,
and the window a Conv2D or pooling layer reads for one output position.

What `cnnviz.network.worked_example` needs to redo one value of a layer from the layer before
it, without TensorFlow. Settings come from `LayerActivation.config` (`get_config()`'s plain
values); windows and padding from `cnnviz.convolution.windows`, as TensorFlow splits them.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.convolution.windows import cut_window, output_size, window_origin
from cnnviz.validation import check_whole

_SELU_ALPHA, _SELU_SCALE = 1.6732632423543772, 1.0507009873554805


def relu(x):
    """`max(0, x)`, element by element: what a ReLU keeps of a feature map."""
    return np.maximum(x, 0.0)


def _sigmoid(x):
    return 0.5 * (1.0 + np.tanh(0.5 * x))  # tanh form: no overflow for large |x|


def _softmax(x):
    shifted = np.exp(x - np.max(x))
    return shifted / shifted.sum()


# As keras.activations defines them (gelu exact, leaky_relu with slope 0.2).
ACTIVATION_FUNCTIONS = {
    "linear": lambda x: x,
    "relu": relu,
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
        ValueError: If the function is not in `ACTIVATION_FUNCTIONS`, or is a softmax of one
            number (a softmax across a feature map's channels).
    """
    if not isinstance(name, str) or name not in ACTIVATION_FUNCTIONS:
        raise ValueError(
            f"Layer {layer!r} uses the activation {name!r}, which cannot be explained. "
            f"Explained activations: {', '.join(ACTIVATION_FUNCTIONS)}."
        )
    if name == "softmax" and np.ndim(value) == 0:
        raise ValueError(
            f"Layer {layer!r} applies a softmax across the channels of a feature map; only "
            "a Dense layer's softmax can be explained. Received activation='softmax'."
        )
    return ACTIVATION_FUNCTIONS[name](value)


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
    size, strides, padding = settings
    top, left = window_origin(row, col, size, strides, padding, source.shape)
    window, mask = cut_window(source, top, left, size, fill=0.0)
    return window, mask, top, left


def _pair(value) -> tuple[int, int]:
    if isinstance(value, int | np.integer):
        return int(value), int(value)
    return tuple(check_whole(v, "A window size", low=1) for v in value)
