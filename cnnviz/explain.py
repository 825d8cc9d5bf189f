"""Redo one number of a CNN's forward pass by hand, and check it against the model's own.

`explain_activation` takes the `LayerActivation` list of one forward pass (the engine's
`layer_outputs`) and the image, and rebuilds one value of a layer from the layer before it:
for a Conv2D the receptive window over all input channels, the kernel slice of the output
channel, the products and their sums, the bias; then BatchNormalization's
`gamma * (z - mean) / sqrt(var + epsilon) + beta` and the activation function when they
follow (asking about the BatchNormalization or Activation layer explains the same chain). A
pooling layer shows its window and the max or mean; a Dense layer its largest contributions.
Each explanation carries the model's own value, which the computed one matches to about 1e-6.

The layers are read in order as a chain (a `keras.Sequential`): each reads the output of the
layer before it (dropout passes it on), the first the image. This module uses NumPy only, no
TensorFlow, so the Streamlit process can run it on what the engine sent.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.engine.protocol import LayerActivation
from cnnviz.layer_maths import (
    activate,
    batch_norm,
    check_window_fits,
    find_layer,
    layer_input,
    reader_index,
    receptive_window,
    window_settings,
)

POOLING_KINDS = {"MaxPooling2D": "max", "AveragePooling2D": "average"}
EXPLAINED_KINDS = ("Conv2D", "Dense", "BatchNormalization", "Activation", *POOLING_KINDS)
TOP_CONTRIBUTIONS = 10


@dataclass(frozen=True)
class ChainStep:
    """One layer of an explained chain: the value computed here and the model's own."""

    layer: str
    kind: str
    value: float
    model_value: float


@dataclass(frozen=True, eq=False)
class ActivationExplanation:
    """How one value of a Conv2D layer, and of the BatchNormalization and Activation after it,
    is computed.

    Attributes:
        layer: The layer asked about; `conv_layer` starts the chain, `steps` lists its layers.
        channel, row, col: The position, the same in every layer of the chain.
        input_layer: The layer whose output the convolution reads ("input": the image).
        top, left: Input coordinates of the window's top-left cell (negative on padding).
        window: `(k, k, in)` input values under the kernel (0 on padding); `padded_mask`
            `(k, k)` is True on padding.
        kernel: `(k, k, in)`: the kernel slice of output channel `channel`.
        products: `window * kernel`; `per_channel_sums` `(in,)` their sums per input channel;
            `total` the sum of all of them.
        bias: The channel's bias (0 without one); `pre_activation` is `total + bias`.
        batch_norm: None, or `layer`, `gamma`, `beta`, `moving_mean`, `moving_variance`,
            `epsilon`, `input` and `value` of the BatchNormalization step.
        activation: The activation function's name ("linear" for none).
        value: The chain's last value, computed here; `model_value` the model's own.
    """

    layer: str
    conv_layer: str
    channel: int
    row: int
    col: int
    input_layer: str
    top: int
    left: int
    window: np.ndarray
    padded_mask: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    per_channel_sums: np.ndarray
    total: float
    bias: float
    pre_activation: float
    batch_norm: dict | None
    activation: str
    value: float
    model_value: float
    steps: list[ChainStep]


@dataclass(frozen=True, eq=False)
class PoolingExplanation:
    """How one value of a pooling layer is computed: its window in one channel, max or mean.

    `window` is `(pool, pool)` from channel `channel` of `input_layer`'s output, with `top`,
    `left` its input coordinates and `padded_mask` True on padding (left out of the max and
    the mean, as TensorFlow does); `argmax` is the winning cell of a max, else None.
    """

    layer: str
    method: str
    channel: int
    row: int
    col: int
    input_layer: str
    top: int
    left: int
    window: np.ndarray
    padded_mask: np.ndarray
    argmax: tuple[int, int] | None
    value: float
    model_value: float


@dataclass(frozen=True, eq=False)
class DenseExplanation:
    """How one unit of a Dense layer (and any BatchNormalization and Activation after it) is
    computed: a weighted sum over every input, summarised by its largest contributions.

    Attributes:
        inputs, weights, products: `(n,)`: the input vector, the unit's weights, their product.
        top_indices: Indices of the `TOP_CONTRIBUTIONS` largest products by size; `top_positions`
            the same inputs as `(row, col, channel)` of the map before a Flatten, else `(i,)`.
        other_sum: The sum of the remaining products, so top + other = `total`.
        total, bias, pre_activation, batch_norm, activation, value, model_value, steps:
            As in `ActivationExplanation`; softmax takes every unit's pre-activation.
    """

    layer: str
    dense_layer: str
    unit: int
    input_layer: str
    inputs: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    top_indices: np.ndarray
    top_positions: list[tuple[int, ...]]
    other_sum: float
    total: float
    bias: float
    pre_activation: float
    batch_norm: dict | None
    activation: str
    value: float
    model_value: float
    steps: list[ChainStep]


def explain_activation(
    activations: list[LayerActivation],
    image,
    layer: str,
    channel: int,
    row: int | None = None,
    col: int | None = None,
) -> ActivationExplanation | PoolingExplanation | DenseExplanation:
    """Rebuild one value of `layer` from the layer before it, and the model's own value.

    Args:
        activations: Every layer's output for `image`, in order, from one forward pass
            (`EngineClient.layer_outputs` or `cnnviz.activations.feature_maps`).
        image: The image of that pass: `(H, W)` or `(H, W, C)`, floats in 0..1 or uint8.
        layer: A Conv2D, BatchNormalization, Activation, MaxPooling2D, AveragePooling2D or
            Dense layer's name.
        channel: The feature map (or, for Dense, the unit), from 0.
        row, col: The position in the map, from 0; None for a Dense layer.

    Returns:
        An `ActivationExplanation` (Conv2D chains), `PoolingExplanation` or `DenseExplanation`.

    Raises:
        ValueError: For an unknown layer (the message lists the names), a kind that cannot be
            explained, a channel or position outside the output (the message gives its shape),
            or an image or layer setting that does not fit.

    Example:
        >>> explained = explain_activation(engine.layer_outputs("lecture", image), image,
        ...                                "conv2d_1", channel=3, row=10, col=12)
        >>> abs(explained.value - explained.model_value) < 1e-5
        True
    """
    index = find_layer(activations, layer)
    kind = activations[index].kind
    if kind not in EXPLAINED_KINDS:
        raise ValueError(
            f"Layer {layer!r} is a {kind}; explain_activation explains these kinds: "
            f"{', '.join(EXPLAINED_KINDS)}. Received layer={layer!r}."
        )
    position = _check_position(activations[index], channel, row, col)
    if kind in POOLING_KINDS:
        return _explain_pooling(activations, image, index, position)
    start, end = _chain(activations, index)
    if activations[start].kind == "Dense":
        return _explain_dense(activations, image, layer, (start, end), position[0])
    return _explain_conv(activations, image, layer, (start, end), position)


def _explain_conv(activations, image, layer, span, position) -> ActivationExplanation:
    row, col, channel = position
    conv = activations[span[0]]
    settings = window_settings(conv, "kernel_size")
    input_layer, source = layer_input(activations, span[0], image)
    kernel = np.asarray(conv.weights["kernel"], np.float64)
    check_window_fits(conv, input_layer, source, settings, kernel.shape[2])
    window, mask, top, left = receptive_window(source, row, col, settings)
    weights = kernel[..., channel]
    products = window * weights
    bias = float(conv.weights["bias"][channel]) if "bias" in conv.weights else 0.0
    total = float(products.sum())
    steps, batch_norm, activation = _run_chain(activations, span, total + bias, position, channel)
    return ActivationExplanation(
        layer, conv.name, channel, row, col, input_layer, top, left, window, mask, weights,
        products, products.sum(axis=(0, 1)), total, bias, total + bias, batch_norm, activation,
        steps[-1].value, steps[-1].model_value, steps,
    )  # fmt: skip


def _explain_pooling(activations, image, index, position) -> PoolingExplanation:
    row, col, channel = position
    pool = activations[index]
    settings = window_settings(pool, "pool_size")
    input_layer, source = layer_input(activations, index, image)
    check_window_fits(pool, input_layer, source, settings, pool.output.shape[2])
    window, mask, top, left = receptive_window(source[..., [channel]], row, col, settings)
    window, method, argmax = window[..., 0], POOLING_KINDS[pool.kind], None
    if method == "max":
        flat = int(np.argmax(np.where(mask, -np.inf, window)))
        argmax = (flat // window.shape[1], flat % window.shape[1])
        value = float(window[argmax])
    else:
        value = float(window[~mask].mean())  # TensorFlow averages the real cells only
    return PoolingExplanation(
        pool.name, method, channel, row, col, input_layer, top, left, window, mask, argmax,
        value, float(pool.output[position]),
    )  # fmt: skip


def _explain_dense(activations, image, layer, span, unit) -> DenseExplanation:
    dense = activations[span[0]]
    input_layer, source = layer_input(activations, span[0], image)
    kernel = np.asarray(dense.weights["kernel"], np.float64)
    if source.ndim != 1 or kernel.shape[0] != source.size:
        raise ValueError(
            f"Dense layer {dense.name!r} has a kernel {kernel.shape} but reads {input_layer!r} "
            f"of shape {source.shape}. Received activations that do not fit together: pass the "
            "layer outputs of one forward pass and the image of that pass."
        )
    bias = np.asarray(dense.weights.get("bias", np.zeros(kernel.shape[1])), np.float64)
    products = source * kernel[:, unit]
    total = float(products.sum())
    # Every unit's pre-activation, so that a softmax can be redone; this unit's from `total`.
    everything = source @ kernel + bias
    everything[unit] = total + bias[unit]
    steps, batch_norm, activation = _run_chain(activations, span, everything, (unit,), None)
    top = np.argsort(-np.abs(products), kind="stable")[:TOP_CONTRIBUTIONS]
    shape = source.shape
    reader = reader_index(activations, span[0])
    if reader is not None and activations[reader].kind == "Flatten":
        shape = layer_input(activations, reader, image)[1].shape  # the map before the Flatten
    positions = [tuple(int(i) for i in np.unravel_index(i, shape)) for i in top]
    return DenseExplanation(
        layer, dense.name, unit, input_layer, source, kernel[:, unit], products, top, positions,
        total - float(products[top].sum()), total, float(bias[unit]), total + float(bias[unit]),
        batch_norm, activation, steps[-1].value, steps[-1].model_value, steps,
    )  # fmt: skip


def _run_chain(activations, span, value, position, channel):
    """The chain's steps: the linear layer's activation, BatchNormalization, Activation.

    `value` is a Conv2D's one pre-activation (`channel` picks the per-channel parameters) or
    a Dense layer's vector of all of them (`channel` None); each step's value is recorded at
    `position`, beside the model's own.
    """
    start, end = span
    steps, explained_norm = [], None

    def pick(array) -> float:
        return float(array if np.ndim(array) == 0 else array[position[-1]])

    activation = activations[start].config.get("activation", "linear")
    for item in activations[start : end + 1]:
        if item.kind == "BatchNormalization":
            before = value
            value, parameters = batch_norm(item, value, channel)
            explained_norm = {"layer": item.name} | {k: pick(v) for k, v in parameters.items()}
            explained_norm |= {"input": pick(before), "value": pick(value)}
        else:
            activation = item.config.get("activation", "linear")
            value = activate(activation, value, item.name)
        steps.append(ChainStep(item.name, item.kind, pick(value), float(item.output[position])))
    return steps, explained_norm, activation


def _check_position(item, channel, row, col) -> tuple[int, ...]:
    shape = item.output.shape
    given = f"Received channel={channel!r}, row={row!r}, col={col!r}."
    if len(shape) == 1:
        if row is not None or col is not None or not _inside(channel, shape[0]):
            raise ValueError(
                f"Layer {item.name!r} outputs shape {shape}: channel (the unit) must be 0 to "
                f"{shape[0] - 1}, and row and col None. {given}"
            )
        return (int(channel),)
    if len(shape) != 3:
        raise ValueError(f"Layer {item.name!r} outputs shape {shape}; it cannot be explained.")
    if not (_inside(row, shape[0]) and _inside(col, shape[1]) and _inside(channel, shape[2])):
        raise ValueError(
            f"Layer {item.name!r} outputs shape {shape} (rows, cols, channels): row must be 0 "
            f"to {shape[0] - 1}, col 0 to {shape[1] - 1} and channel 0 to {shape[2] - 1}. {given}"
        )
    return int(row), int(col), int(channel)


def _inside(value, size: int) -> bool:
    whole = isinstance(value, int | np.integer) and not isinstance(value, bool)
    return whole and 0 <= value < size


def _chain(activations, index) -> tuple[int, int]:
    """First and last index of the Conv2D/Dense -> BatchNormalization -> Activation chain."""
    kinds = [item.kind for item in activations]
    before = {"BatchNormalization": ("Conv2D", "Dense"), "Activation": ("Conv2D", "Dense")}
    before["Activation"] += ("BatchNormalization",)
    start = index
    while kinds[start] in before:
        if start == 0 or kinds[start - 1] not in before[kinds[start]]:
            raise ValueError(
                f"Layer {activations[index].name!r} ({kinds[index]}) is explained as part of a "
                "Conv2D or Dense layer followed by BatchNormalization and/or Activation; it "
                f"follows {f'a {kinds[start - 1]}' if start else 'the input'} instead. "
                f"Received layer={activations[index].name!r}."
            )
        start -= 1
    end = start
    for follower in ("BatchNormalization", "Activation"):
        if end + 1 < len(kinds) and kinds[end + 1] == follower:
            end += 1
    return start, end
