"""Redo one number of a CNN's forward pass by hand, and check it against the model's own.

`explain_activation` takes the `LayerActivation` list of one forward pass (the engine's
`layer_activations`) and the image, and rebuilds one value of a layer from the layer before it:
for a Conv2D the receptive window over all input channels, the kernel slice of the output
channel, the products and their sums, the bias; then BatchNormalization's
`gamma * (z - mean) / sqrt(var + epsilon) + beta` and the activation function when they
follow (asking about the BatchNormalization or Activation layer explains the same chain). A
pooling layer shows its window and the max or mean; a Dense layer its largest contributions.
Each explanation carries the model's own value, which the computed one matches to about 1e-6.

The layers are read in order as a chain (`cnnviz.network.forward_pass`). NumPy only, no
TensorFlow, so the Streamlit process can run it on what the engine sent.
"""

from __future__ import annotations

import numpy as np

from cnnviz.network.arithmetic import (
    activate,
    batch_norm,
    check_window_fits,
    receptive_window,
    window_settings,
)
from cnnviz.network.explanations import (
    ActivationExplanation,
    ChainStep,
    DenseExplanation,
    PoolingExplanation,
)
from cnnviz.network.forward_pass import (
    LayerActivation,
    block_span,
    find_layer,
    layer_input,
    reader_index,
)
from cnnviz.validation import is_whole

POOLING_KINDS = {"MaxPooling2D": "max", "AveragePooling2D": "average"}
EXPLAINED_KINDS = ("Conv2D", "Dense", "BatchNormalization", "Activation", *POOLING_KINDS)
TOP_CONTRIBUTIONS = 10


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
            (`EngineClient.layer_activations` or `keras_side.extract.feature_maps`).
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
        A one-layer network: a 3×3 kernel of ones over a 4×4 image, so each value is the sum
        of its window.

        >>> image = np.arange(16.0).reshape(4, 4) / 16
        >>> sums = [[[image[r : r + 3, c : c + 3].sum()] for c in (0, 1)] for r in (0, 1)]
        >>> output = np.array(sums)
        >>> weights = {"kernel": np.ones((3, 3, 1, 1)), "bias": np.zeros(1)}
        >>> settings = {"kernel_size": (3, 3), "strides": (1, 1), "activation": "linear"}
        >>> conv = LayerActivation("conv", "Conv2D", output, weights, settings)
        >>> explained = explain_activation([conv], image, "conv", channel=0, row=1, col=0)
        >>> explained.window[..., 0] * 16
        array([[ 4.,  5.,  6.],
               [ 8.,  9., 10.],
               [12., 13., 14.]])
        >>> explained.value, explained.model_value
        (5.0625, 5.0625)
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
    kinds = [item.kind for item in activations]
    start, end = block_span(kinds, index, activations[index].name)
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
    chain = _run_chain(activations, span, (total, bias, total + bias), position, channel)
    where = {"channel": channel, "row": row, "col": col, "top": top, "left": left}
    where |= {"window": window, "padded_mask": mask}
    return ActivationExplanation(
        conv_layer=conv.name,
        kernel=weights,
        products=products,
        per_channel_sums=products.sum(axis=(0, 1)),
        **where,
        **chain,
        layer=layer,
        input_layer=input_layer,
    )


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
    where = {"channel": channel, "row": row, "col": col, "top": top, "left": left}
    return PoolingExplanation(
        layer=pool.name,
        input_layer=input_layer,
        value=value,
        model_value=float(pool.output[position]),
        **where,
        window=window,
        padded_mask=mask,
        method=method,
        argmax=argmax,
    )


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
    chain = _run_chain(activations, span, (total, float(bias[unit]), everything), (unit,), None)
    top = np.argsort(-np.abs(products), kind="stable")[:TOP_CONTRIBUTIONS]
    shape = source.shape
    reader = reader_index(activations, span[0])
    if reader is not None and activations[reader].kind == "Flatten":
        shape = layer_input(activations, reader, image)[1].shape  # the map before the Flatten
    positions = [tuple(int(i) for i in np.unravel_index(i, shape)) for i in top]
    return DenseExplanation(
        layer=layer,
        input_layer=input_layer,
        dense_layer=dense.name,
        unit=unit,
        inputs=source,
        weights=kernel[:, unit],
        products=products,
        top_indices=top,
        top_positions=positions,
        other_sum=total - float(products[top].sum()),
        **chain,
    )


def _run_chain(activations, span, sums, position, channel) -> dict:
    """The `WeightedSum` fields: the sum, the bias, then the chain's steps (the linear layer's
    activation, BatchNormalization, Activation) up to the value at its end.

    `sums` is `(total, bias, value)`: `value` is a Conv2D's one pre-activation (`channel`
    picks the per-channel parameters) or a Dense layer's vector of all of them (`channel`
    None); each step's value is recorded at `position`, beside the model's own.
    """
    total, bias, value = sums
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
    return {
        "total": total,
        "bias": bias,
        "pre_activation": total + bias,
        "batch_norm": explained_norm,
        "activation": activation,
        "steps": steps,
        "value": steps[-1].value,
        "model_value": steps[-1].model_value,
    }


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
    return is_whole(value) and 0 <= value < size


def explainable_layers(activations: list[LayerActivation]) -> list[LayerActivation]:
    """The layers whose values `explain_activation` can rebuild (not Flatten, not dropout)."""
    return [item for item in activations if item.kind in EXPLAINED_KINDS]
