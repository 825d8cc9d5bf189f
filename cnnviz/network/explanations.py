"""What a worked example of one value holds: every number on the way, and the model's own.

`cnnviz.network.worked_example.explain_activation` fills these in; the Feature-maps page
shows them.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ChainStep:
    """One layer of an explained chain: the value computed here and the model's own."""

    layer: str
    kind: str
    value: float
    model_value: float


@dataclass(frozen=True, eq=False, kw_only=True)
class Explanation:
    """What every worked example holds: the layer asked about, the layer whose output it reads
    ("input": the image), the value computed by hand and the model's own."""

    layer: str
    input_layer: str
    value: float
    model_value: float


@dataclass(frozen=True, eq=False, kw_only=True)
class WeightedSum(Explanation):
    """A Conv2D or Dense unit's sum of products and what follows it in its block.

    Attributes:
        total: The sum of the products; `bias` the unit's bias (0 without one);
            `pre_activation` is `total + bias`.
        batch_norm: None, or `layer`, `gamma`, `beta`, `moving_mean`, `moving_variance`,
            `epsilon`, `input` and `value` of the BatchNormalization step.
        activation: The activation function's name ("linear" for none).
        steps: Every layer of the chain with its value here and the model's.
    """

    total: float
    bias: float
    pre_activation: float
    batch_norm: dict | None
    activation: str
    steps: list[ChainStep]


@dataclass(frozen=True, eq=False, kw_only=True)
class WindowPosition:
    """Where a window-reading layer's value is: the output position, and the window it read.

    Attributes:
        channel, row, col: The position, the same in every layer of a chain.
        top, left: Input coordinates of the window's top-left cell (negative on padding).
        window: The input values under the window (0 on padding for a convolution).
        padded_mask: `(k, k)`, True on padding.
    """

    channel: int
    row: int
    col: int
    top: int
    left: int
    window: np.ndarray
    padded_mask: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class ActivationExplanation(WeightedSum, WindowPosition):
    """How one value of a Conv2D layer, and of the BatchNormalization and Activation after it,
    is computed.

    Attributes:
        conv_layer: The Conv2D that starts the chain (`layer` is the one asked about).
        window: `(k, k, in)`: the input values under the kernel, in every input channel.
        kernel: `(k, k, in)`: the kernel slice of output channel `channel`.
        products: `window * kernel`; `per_channel_sums` `(in,)` their sums per input channel.
    """

    conv_layer: str
    kernel: np.ndarray
    products: np.ndarray
    per_channel_sums: np.ndarray


@dataclass(frozen=True, eq=False, kw_only=True)
class PoolingExplanation(Explanation, WindowPosition):
    """How one value of a pooling layer is computed: its window in one channel, max or mean.

    `window` is `(pool, pool)` from channel `channel` of `input_layer`'s output; padded cells
    are left out of the max and the mean, as TensorFlow does; `argmax` is the winning cell of
    a max, else None.
    """

    method: str
    argmax: tuple[int, int] | None


@dataclass(frozen=True, eq=False, kw_only=True)
class DenseExplanation(WeightedSum):
    """How one unit of a Dense layer (and any BatchNormalization and Activation after it) is
    computed: a weighted sum over every input, summarised by its largest contributions.

    Attributes:
        dense_layer: The Dense layer that starts the chain; `unit` the unit.
        inputs, weights, products: `(n,)`: the input vector, the unit's weights, their product.
        top_indices: Indices of the `TOP_CONTRIBUTIONS` largest products by size; `top_positions`
            the same inputs as `(row, col, channel)` of the map before a Flatten, else `(i,)`.
        other_sum: The sum of the remaining products, so top + other = `total`. A softmax
            takes every unit's pre-activation.
    """

    dense_layer: str
    unit: int
    inputs: np.ndarray
    weights: np.ndarray
    products: np.ndarray
    top_indices: np.ndarray
    top_positions: list[tuple[int, ...]]
    other_sum: float
