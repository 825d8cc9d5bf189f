"""A CNN as one config: conv blocks, the regularisers of the lecture's second half, a dense head.

A `CNNConfig` describes a network as conv blocks (Conv2D, optional BatchNormalization, pooling,
optional SpatialDropout2D) followed by Flatten and Dense layers. `validate_config` checks every
setting and walks the feature maps block by block (`feature_map_shapes`), so a network that
Keras could not build is refused with a message naming the layer. `cnnviz.network.layers` turns
a config into the layers `model.summary()` lists; the engine's `keras_side.build` into Keras.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import asdict, dataclass, replace

from cnnviz.convolution.pooling import POOL_METHODS
from cnnviz.convolution.windows import PADDINGS, output_size
from cnnviz.messages import Invalid, Phrase
from cnnviz.validation import (
    check_choice,
    check_known_keys,
    check_rate,
    check_real,
    check_whole,
    is_whole,
)

# The activation functions a conv block offers (all have a Keras name and a NumPy twin).
CONV_ACTIVATIONS = (
    *("relu", "elu", "gelu", "leaky_relu", "linear"),
    *("selu", "sigmoid", "swish", "tanh"),
)
POOLINGS = (*POOL_METHODS, None)
POOL_LAYERS = {"max": "MaxPooling2D", "average": "AveragePooling2D"}


@dataclass(frozen=True)
class ConvBlock:
    """One conv block: Conv2D, then (optionally) pooling; see `CNNConfig` for the shared parts."""

    filters: int = 16
    kernel_size: int = 3
    strides: int = 1
    padding: str = "valid"
    activation: str = "relu"
    pooling: str | None = "max"
    pool_size: int = 2


@dataclass(frozen=True)
class CNNConfig:
    """A CNN for `input_shape` images: conv blocks, Flatten, hidden Dense layers, softmax.

    `batch_norm` puts BatchNormalization between each Conv2D and its activation;
    `spatial_dropout` is the SpatialDropout2D rate after each block (0: none); `dropout` the
    Dropout rate right before the output layer (0: none); `l2` the L2 weight decay on every
    Conv2D and Dense kernel (0: none). Hidden Dense layers use ReLU.
    """

    input_shape: tuple[int, int, int] = (28, 28, 1)
    conv_blocks: tuple[ConvBlock, ...] = (ConvBlock(16), ConvBlock(32))
    batch_norm: bool = False
    spatial_dropout: float = 0.0
    dense_units: tuple[int, ...] = (32,)
    dropout: float = 0.0
    l2: float = 0.0
    num_classes: int = 10

    def to_dict(self) -> dict:
        """The config as plain dicts, lists and numbers, ready for `json.dumps`."""
        data = asdict(self)  # blocks become dicts; the tuples become lists here
        return data | {
            key: list(data[key]) for key in ("input_shape", "conv_blocks", "dense_units")
        }

    @classmethod
    def from_dict(cls, data: Mapping) -> CNNConfig:
        """A validated config from `to_dict`'s format; missing keys take their defaults.

        Raises:
            ValueError: On unknown keys, values of the wrong type or a config that
                `validate_config` refuses.
        """
        values = check_known_keys(data, cls, Phrase("errors.names.cnn_config"))
        for key in ("input_shape", "dense_units"):
            if key in values:
                values[key] = tuple(_sequence(values[key], f"`{key}`"))
        if "conv_blocks" in values:
            blocks = _sequence(values["conv_blocks"], "`conv_blocks`")
            values["conv_blocks"] = tuple(
                ConvBlock(**check_known_keys(block, ConvBlock, Phrase(_BLOCK, number=number)))
                for number, block in enumerate(blocks, start=1)
            )
        config = cls(**values)
        validate_config(config)
        return config


@dataclass(frozen=True)
class BlockShapes:
    """The feature map `(height, width, channels)` after a block's Conv2D and after the block."""

    after_conv: tuple[int, int, int]
    after_block: tuple[int, int, int]


def lecture_config() -> CNNConfig:
    """The lecture's model: two Conv2D(3x3, ReLU) + MaxPooling2D(2) blocks, Dense(32), softmax.

    Conv2D(16) -> MaxPooling2D -> Conv2D(32) -> MaxPooling2D -> Flatten -> Dense(32, relu) ->
    Dense(10, softmax): 30,762 parameters for 28x28 grayscale digits.
    """
    return CNNConfig()


def regularised_config() -> CNNConfig:
    """The lecture's model with the regularisation techniques of its second half switched on.

    BatchNormalization after each Conv2D; SpatialDropout2D(0.1) after each block, which drops
    whole feature maps (1.6 of 16, 3.2 of 32 per step); Dropout(0.3) before the output, the
    light end of the usual 0.2-0.5 because the head has only 32 units; no L2, which batch norm
    largely cancels.
    """
    return CNNConfig(batch_norm=True, spatial_dropout=0.1, dropout=0.3, l2=0.0)


def regularised_wide_config() -> CNNConfig:
    """The bundled regularised model: `regularised_config` with twice the lecture's channels.

    Conv blocks of 32 and 64 filters and a 128-unit head (225,418 parameters), with batch
    normalisation, SpatialDropout2D(0.1) and Dropout(0.3). With dropout and augmentation the
    lecture-sized network underfits 7,000 digits (its training accuracy stays below its
    validation accuracy); the wider one reached the best validation accuracy of the settings
    tried (99.1 %, against 98.8 % at 32/64/64 and 98.5 % at the lecture's size).
    """
    return replace(
        regularised_config(), conv_blocks=(ConvBlock(32), ConvBlock(64)), dense_units=(128,)
    )


def validate_config(config: CNNConfig) -> None:
    """Check that `config` describes a network Keras can build, naming the culprit if not.

    Args:
        config: The `CNNConfig` to check.

    Raises:
        ValueError: Saying which layer is wrong, what was received and what is accepted: a
            feature map that would shrink below 1x1, zero or negative filters or units, a
            kernel or pool larger than its map under "valid" padding, strides below 1, a rate
            outside [0, 1), a negative `l2`, fewer than 2 classes, a bad input shape or an
            unknown padding, activation or pooling.
    """
    feature_map_shapes(config)


def feature_map_shapes(config: CNNConfig) -> list[BlockShapes]:
    """The feature map after each block's Conv2D and after each block, validating `config`.

    Example:
        >>> [shapes.after_block for shapes in feature_map_shapes(lecture_config())]
        [(13, 13, 16), (5, 5, 32)]

    Raises:
        ValueError: As `validate_config`.
    """
    _check_network(config)
    shape, shapes = config.input_shape, []
    for number, block in enumerate(config.conv_blocks, start=1):
        _check_block(block, number)
        conv = (*_sides(shape, block, number, "Conv2D"), block.filters)
        after = conv
        if block.pooling is not None:
            after = (*_sides(conv, block, number, POOL_LAYERS[block.pooling]), block.filters)
        shapes.append(BlockShapes(conv, after))
        shape = after
    return shapes


def _sides(shape, block: ConvBlock, number: int, kind: str) -> tuple[int, int]:
    """Height and width after `kind` (Conv2D, or the block's pooling) reads a `shape` map."""
    argument, window, strides, padding = (
        "kernel_size",
        block.kernel_size,
        block.strides,
        block.padding,
    )
    if kind != "Conv2D":  # Keras's pooling defaults: strides = pool_size, padding "valid"
        argument, window, strides, padding = "pool_size", block.pool_size, block.pool_size, "valid"
    try:
        return tuple(output_size(side, window, strides, padding) for side in shape[:2])
    except ValueError:
        raise _shrink_error(number, kind, shape, (argument, window, strides)) from None


def _shrink_error(number, kind, shape, window) -> ValueError:
    """The error for a window that does not fit in a `shape` map under "valid" padding."""
    argument, size, strides = window
    height, width = shape[:2]
    after = [max(0, (side - size) // strides + 1) for side in (height, width)]
    return Invalid(
        "errors.network.shrink",
        layer=Phrase("errors.names.block_setting", number=number, setting=kind),
        height=height,
        width=width,
        after_height=after[0],
        after_width=after[1],
        size=size,
        argument=argument,
        fix=Phrase(f"errors.network.fix_{argument}"),
    )


def _check_network(config: CNNConfig) -> None:
    """Check everything in `config` but the conv blocks themselves."""
    if not isinstance(config, CNNConfig):
        raise ValueError(f"Expected a CNNConfig. Received {type(config).__name__}.")
    shape = config.input_shape
    sides = isinstance(shape, tuple) and len(shape) == 3
    if not (sides and all(is_whole(n) and n >= 1 for n in shape)):
        raise Invalid("errors.network.input_shape", received=repr(shape))
    if not isinstance(config.conv_blocks, tuple) or not config.conv_blocks:
        raise Invalid("errors.network.conv_blocks", received=repr(config.conv_blocks))
    if not isinstance(config.batch_norm, bool):
        raise Invalid("errors.network.batch_norm", received=repr(config.batch_norm))
    check_rate(config.spatial_dropout, Phrase("errors.names.spatial_dropout"))
    check_rate(config.dropout, Phrase("errors.names.dropout"))
    if not isinstance(config.dense_units, tuple):
        raise Invalid("errors.network.dense_units", received=repr(config.dense_units))
    for number, units in enumerate(config.dense_units, start=1):
        check_whole(units, Phrase("errors.names.dense_units", number=number), low=1)
    check_real(config.l2, "`l2`", 0.0, math.inf)
    check_whole(config.num_classes, Phrase("errors.names.num_classes"), low=2)


def _check_block(block: ConvBlock, number: int) -> None:
    if not isinstance(block, ConvBlock):
        raise Invalid("errors.network.not_a_block", number=number, received=repr(block))
    for name in ("filters", "kernel_size", "strides"):
        check_whole(getattr(block, name), _block_setting(number, f"Conv2D `{name}`"), low=1)
    check_choice(block.padding, _block_setting(number, "`padding`"), PADDINGS)
    check_choice(block.activation, _block_setting(number, "`activation`"), CONV_ACTIVATIONS)
    check_choice(block.pooling, _block_setting(number, "`pooling`"), POOLINGS)
    if block.pooling is not None:
        check_whole(block.pool_size, _block_setting(number, "pooling `pool_size`"), low=1)


_BLOCK = "errors.names.block"


def _block_setting(number: int, setting: str) -> Phrase:
    """ "Block 1's Conv2D `filters`", and the same words in the page's language."""
    return Phrase("errors.names.block_setting", number=number, setting=setting)


def _sequence(value, what: str) -> Sequence:
    if isinstance(value, str) or not isinstance(value, Sequence):
        raise Invalid("errors.network.not_a_list", what=what, received=repr(value))
    return value
