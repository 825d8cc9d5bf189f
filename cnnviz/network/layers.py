"""A config's layers as `model.summary()` lists them: names, output shapes, parameters, and
each layer's receptive field, computed in plain Python.

`layer_plan` is the one list of layers: `summary_rows` reports it and the engine's
`keras_side.build.build_cnn` builds it, so the two can never disagree. Layer names are
deterministic: the layers of conv block `b` end in `_b` (`conv2d_1`, `batch_normalization_1`,
`activation_1`, `max_pooling2d_1`, `spatial_dropout2d_1`, then `conv2d_2`, ...), then
`flatten`, hidden Dense layers `dense_1`, `dense_2`, ..., `dropout`, and the softmax layer
`output`.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from cnnviz import i18n
from cnnviz.network.config import POOL_LAYERS, CNNConfig, feature_map_shapes
from cnnviz.validation import check_whole


@dataclass(frozen=True)
class LayerRow:
    """One layer as `model.summary()` shows it, plus the side of its receptive field.

    `kind` is the Keras class name; `output_shape` has None for the batch; `receptive_field`
    is the side of the input region one output unit sees, None from Flatten on.
    """

    name: str
    kind: str
    output_shape: tuple[int | None, ...]
    trainable: int
    non_trainable: int
    receptive_field: int | None

    @property
    def parameters(self) -> int:
        """Trainable and non-trainable parameters together (the summary's "Param #")."""
        return self.trainable + self.non_trainable


@dataclass(frozen=True)
class PlannedLayer:
    """A layer to build: its summary row and the keyword arguments of its Keras class.

    `options["kernel_regularizer"]`, when present, is the L2 factor (a float).
    """

    row: LayerRow
    options: dict = field(default_factory=dict)


def layer_plan(config: CNNConfig) -> list[PlannedLayer]:
    """Every layer of the network, in order, validating `config` on the way.

    Raises:
        ValueError: If `validate_config` refuses `config`.
    """
    shapes = feature_map_shapes(config)
    plan: list[PlannedLayer] = []
    channels, field_ = config.input_shape[2], (1, 1)  # field: (receptive side, jump)
    for number, (block, shape) in enumerate(zip(config.conv_blocks, shapes, strict=True), 1):
        layers, field_ = _block_layers(config, number, (channels, shape), field_)
        plan += layers
        channels = block.filters
    units = math.prod(shapes[-1].after_block)
    plan.append(PlannedLayer(LayerRow("flatten", "Flatten", (None, units), 0, 0, None)))
    regulariser = {"kernel_regularizer": config.l2} if config.l2 > 0 else {}
    dense = [(f"dense_{i}", n, "relu") for i, n in enumerate(config.dense_units, start=1)]
    for name, size, activation in [*dense, ("output", config.num_classes, "softmax")]:
        if name == "output" and config.dropout > 0:
            row = LayerRow("dropout", "Dropout", (None, units), 0, 0, None)
            plan.append(PlannedLayer(row, {"rate": config.dropout}))
        row = LayerRow(name, "Dense", (None, size), units * size + size, 0, None)
        plan.append(PlannedLayer(row, {"units": size, "activation": activation, **regulariser}))
        units = size
    return plan


def _block_layers(config, number, shapes, field_):
    """The layers of conv block `number` and the receptive field after it."""
    block = config.conv_blocks[number - 1]
    channels, shape = shapes
    size, jump = field_
    layers = []

    def add(kind, output, trainable=0, non_trainable=0, **options):
        name = f"{_snake_case(kind)}_{number}"
        row = LayerRow(name, kind, (None, *output), trainable, non_trainable, size)
        layers.append(PlannedLayer(row, options))

    k, s = block.kernel_size, block.strides
    size, jump = size + (k - 1) * jump, jump * s
    conv = {"filters": block.filters, "kernel_size": k, "strides": s, "padding": block.padding}
    if config.l2 > 0:
        conv["kernel_regularizer"] = config.l2
    conv["activation"] = None if config.batch_norm else block.activation
    add("Conv2D", shape.after_conv, k * k * channels * block.filters + block.filters, **conv)
    if config.batch_norm:
        add("BatchNormalization", shape.after_conv, 2 * block.filters, 2 * block.filters)
        add("Activation", shape.after_conv, activation=block.activation)
    if block.pooling is not None:
        p = block.pool_size
        size, jump = size + (p - 1) * jump, jump * p
        add(POOL_LAYERS[block.pooling], shape.after_block, pool_size=p)
    if config.spatial_dropout > 0:
        add("SpatialDropout2D", shape.after_block, rate=config.spatial_dropout)
    return layers, (size, jump)


def _snake_case(kind: str) -> str:
    """Keras's default name stem for a layer class: "MaxPooling2D" -> "max_pooling2d"."""
    return re.sub(r"(?<!^)(?=[A-Z][a-z])", "_", kind).lower()


def summary_rows(config: CNNConfig) -> list[LayerRow]:
    """What `build_cnn(config).summary()` reports, layer by layer, computed without TensorFlow.

    Args:
        config: The network; validated first.

    Returns:
        One `LayerRow` per layer, in order, with the names `build_cnn` gives them.

    Raises:
        ValueError: If `validate_config` refuses `config`.

    Example:
        >>> from cnnviz.network.config import lecture_config
        >>> [row.output_shape for row in summary_rows(lecture_config())][:2]
        [(None, 26, 26, 16), (None, 13, 13, 16)]
    """
    return [layer.row for layer in layer_plan(config)]


def parameter_totals(config: CNNConfig) -> tuple[int, int]:
    """`(trainable, non_trainable)` parameter counts: (30,762, 0) for the lecture's model.

    Non-trainable parameters are BatchNormalization's moving means and variances.

    Raises:
        ValueError: If `validate_config` refuses `config`.
    """
    rows = summary_rows(config)
    return sum(row.trainable for row in rows), sum(row.non_trainable for row in rows)


def summary_table(rows: list[LayerRow], *, language: str = "en") -> list[dict]:
    """The rows as `model.summary()` prints them, plus the receptive field: one dict per layer,
    its column names in `language` ("en": Keras's own).

    Example:
        >>> from cnnviz.network.config import lecture_config
        >>> first = summary_table(summary_rows(lecture_config()))[0]
        >>> first["Layer (type)"], first["Param #"], first["Receptive field"]
        ('conv2d_1 (Conv2D)', 160, '3×3')
    """
    layer, shape, parameters, receptive = (
        i18n.translate(language, f"network.summary.{key}")
        for key in ("layer", "output_shape", "parameters", "receptive_field")
    )
    return [
        {
            layer: f"{row.name} ({row.kind})",
            shape: str(row.output_shape),
            parameters: row.parameters,
            receptive: (
                f"{row.receptive_field}×{row.receptive_field}" if row.receptive_field else "—"
            ),
        }
        for row in rows
    ]


@dataclass(frozen=True)
class ShapeSeries:
    """What the shape diagram draws, the input first: per layer its name, the height and width
    of its maps (None from Flatten on) and its channels (units for the flat layers)."""

    names: list[str]
    sides: list[int | None]
    channels: list[int]
    widths: list[int | None]

    @property
    def spatial(self) -> int:
        """How many of the layers (the input included) output maps; the rest are flat."""
        return sum(side is not None for side in self.sides)


def shape_series(config: CNNConfig) -> ShapeSeries:
    """The maps shrinking while the channels grow: every spatial layer, then the flat ones.

    Example:
        >>> from cnnviz.network.config import lecture_config
        >>> series = shape_series(lecture_config())
        >>> series.channels, series.spatial
        ([1, 16, 16, 32, 32, 800, 32, 10], 5)
    """
    rows = summary_rows(config)
    spatial = [row for row in rows if len(row.output_shape) == 4]
    flat = [row for row in rows if len(row.output_shape) == 2]
    height, width = config.input_shape[:2]
    return ShapeSeries(
        names=["input"] + [row.name for row in spatial + flat],
        sides=[height] + [row.output_shape[1] for row in spatial] + [None] * len(flat),
        channels=[config.input_shape[2]] + [row.output_shape[-1] for row in spatial + flat],
        widths=[width] + [row.output_shape[2] for row in spatial] + [None] * len(flat),
    )


def batch_norm_parameters(rows: list[LayerRow]) -> int:
    """Parameters of the BatchNormalization layers: 4 per channel (γ, β, moving mean, variance)."""
    return sum(row.parameters for row in rows if row.kind == "BatchNormalization")


def mlp_first_layer_parameters(height: int, width: int, units: int, channels: int = 1) -> int:
    """Weights and biases of a Dense layer on a flattened image: h*w*c*units + units.

    The lecture's contrast with convolution: a 32x32 grayscale image into 256 units needs
    262,400 parameters, and the count grows with the image.

    Example:
        >>> mlp_first_layer_parameters(32, 32, 256)
        262400

    Raises:
        ValueError: If a size is not a whole number of at least 1.
    """
    sizes = {"height": height, "width": width, "units": units, "channels": channels}
    for name, value in sizes.items():
        check_whole(value, f"`{name}`", low=1)
    return height * width * channels * units + units


def conv_layer_parameters(kernel_size: int, channels: int, filters: int) -> int:
    """Weights and biases of a Conv2D layer: k*k*c*filters + filters, whatever the image size.

    Example:
        >>> conv_layer_parameters(3, 1, 256)
        2560

    Raises:
        ValueError: If a size is not a whole number of at least 1.
    """
    sizes = {"kernel_size": kernel_size, "channels": channels, "filters": filters}
    for name, value in sizes.items():
        check_whole(value, f"`{name}`", low=1)
    return kernel_size * kernel_size * channels * filters + filters
