"""A config's layers (`summary_rows`) checked against what Keras itself reports when it builds
them (`keras_side.build.build_cnn`)."""

from dataclasses import replace

import numpy as np
import pytest

from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.network.config import (
    CONV_ACTIVATIONS,
    CNNConfig,
    ConvBlock,
    lecture_config,
    regularised_config,
    validate_config,
)
from cnnviz.network.layers import (
    LayerRow,
    conv_layer_parameters,
    mlp_first_layer_parameters,
    parameter_totals,
    shape_series,
    summary_rows,
    summary_table,
)

LECTURE_ROWS = [
    LayerRow("conv2d_1", "Conv2D", (None, 26, 26, 16), 160, 0, 3),
    LayerRow("max_pooling2d_1", "MaxPooling2D", (None, 13, 13, 16), 0, 0, 4),
    LayerRow("conv2d_2", "Conv2D", (None, 11, 11, 32), 4640, 0, 8),
    LayerRow("max_pooling2d_2", "MaxPooling2D", (None, 5, 5, 32), 0, 0, 10),
    LayerRow("flatten", "Flatten", (None, 800), 0, 0, None),
    LayerRow("dense_1", "Dense", (None, 32), 25632, 0, None),
    LayerRow("output", "Dense", (None, 10), 330, 0, None),
]


def random_configs(count, seed=0):
    """`count` valid configs drawn with a seeded RNG, skipping those validate_config refuses."""
    rng = np.random.default_rng(seed)
    configs, refused = [], []
    while len(configs) < count:
        blocks = tuple(
            ConvBlock(
                filters=int(rng.integers(1, 33)),
                kernel_size=int(rng.integers(1, 6)),
                strides=int(rng.integers(1, 3)),
                padding=str(rng.choice(["valid", "same"])),
                activation=str(rng.choice(CONV_ACTIVATIONS)),
                pooling=[None, "max", "average"][rng.integers(3)],
                pool_size=int(rng.integers(1, 4)),
            )
            for _ in range(rng.integers(1, 4))
        )
        config = CNNConfig(
            input_shape=[(28, 28, 1), (32, 32, 3), (20, 24, 1), (9, 13, 2)][rng.integers(4)],
            conv_blocks=blocks,
            batch_norm=bool(rng.integers(2)),
            spatial_dropout=float(rng.choice([0.0, 0.2])),
            dense_units=tuple(int(u) for u in rng.integers(1, 65, rng.integers(0, 3))),
            dropout=float(rng.choice([0.0, 0.5])),
            l2=float(rng.choice([0.0, 1e-4])),
            num_classes=int(rng.integers(2, 12)),
        )
        try:
            validate_config(config)
        except ValueError:
            refused.append(config)
            continue
        configs.append(config)
    return configs, refused


RANDOM_CONFIGS, RANDOM_REFUSED = random_configs(25)


def keras_rows(model):
    """What Keras reports for every layer, in LayerRow's fields (receptive field left out)."""

    def count(weights):
        return int(sum(np.prod(w.shape) for w in weights))

    return [
        (
            layer.name,
            type(layer).__name__,
            tuple(layer.output.shape),
            count(layer.trainable_weights),
            count(layer.non_trainable_weights),
        )
        for layer in model.layers
    ]


def our_rows(config):
    rows = summary_rows(config)
    return [(r.name, r.kind, r.output_shape, r.trainable, r.non_trainable) for r in rows]


# Basic: the lecture's model, exactly.


def test_lecture_rows_are_the_lecture_model():
    assert summary_rows(lecture_config()) == LECTURE_ROWS
    assert parameter_totals(lecture_config()) == (30762, 0)
    assert lecture_config() == CNNConfig()


def test_build_cnn_defaults_to_the_lecture_model():
    model = build_cnn()
    assert model.count_params() == 30762
    assert keras_rows(model) == our_rows(lecture_config())
    assert model.layers[-1].get_config()["activation"] == "softmax"
    assert model.layers[0].get_config()["activation"] == "relu"


def test_regularised_config_adds_batch_norm_and_dropouts():
    config = regularised_config()
    assert (config.batch_norm, config.spatial_dropout, config.dropout, config.l2) == (
        True,
        0.1,
        0.3,
        0.0,
    )
    assert config.conv_blocks == lecture_config().conv_blocks
    rows = {row.name: row for row in summary_rows(config)}
    assert (
        rows["batch_normalization_1"].trainable,
        rows["batch_normalization_1"].non_trainable,
    ) == (
        32,
        32,
    )
    assert [row.name for row in summary_rows(config)][:5] == [
        "conv2d_1",
        "batch_normalization_1",
        "activation_1",
        "max_pooling2d_1",
        "spatial_dropout2d_1",
    ]
    assert [row.name for row in summary_rows(config)][-3:] == ["dense_1", "dropout", "output"]
    assert parameter_totals(config) == (30762 + 2 * 48, 2 * 48)


def test_regularised_model_matches_keras():
    model = build_cnn(regularised_config())
    assert keras_rows(model) == our_rows(regularised_config())
    layers = {layer.name: layer for layer in model.layers}
    assert layers["conv2d_1"].get_config()["activation"] == "linear"
    assert layers["activation_1"].get_config()["activation"] == "relu"
    assert layers["spatial_dropout2d_2"].rate == 0.1
    assert layers["dropout"].rate == 0.3


# Correctness: Keras is the reference for every shape and parameter count.


def reference_model(config):
    """The layer order the spec describes, built straight with Keras, without cnnviz.network."""
    keras = pytest.importorskip("keras")
    regulariser = keras.regularizers.L2(config.l2) if config.l2 else None
    pools = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}
    layers = [keras.Input(config.input_shape)]
    for b in config.conv_blocks:
        activation = None if config.batch_norm else b.activation
        layers.append(
            keras.layers.Conv2D(
                b.filters,
                b.kernel_size,
                b.strides,
                b.padding,
                activation=activation,
                kernel_regularizer=regulariser,
            )
        )
        if config.batch_norm:
            layers += [keras.layers.BatchNormalization(), keras.layers.Activation(b.activation)]
        if b.pooling:
            layers.append(pools[b.pooling](b.pool_size))
        if config.spatial_dropout:
            layers.append(keras.layers.SpatialDropout2D(config.spatial_dropout))
    layers.append(keras.layers.Flatten())
    for units in config.dense_units:
        layers.append(keras.layers.Dense(units, "relu", kernel_regularizer=regulariser))
    if config.dropout:
        layers.append(keras.layers.Dropout(config.dropout))
    layers.append(keras.layers.Dense(config.num_classes, "softmax", kernel_regularizer=regulariser))
    return keras.Sequential(layers)


def test_random_configs_match_keras_and_the_spec():
    keras = pytest.importorskip("keras")
    for config in RANDOM_CONFIGS:
        # Keras's state reset; the garbage collection it would add (a full pass over this
        # process's heap, 25 times) frees nothing these checks need
        keras.backend.clear_session(free_memory=False)
        model = build_cnn(config)
        assert keras_rows(model) == our_rows(config), config
        assert model.count_params() == sum(parameter_totals(config))
        reference = [row[1:] for row in keras_rows(reference_model(config))]
        assert reference == [row[1:] for row in our_rows(config)], config


def test_configs_refused_for_shrinking_are_the_ones_keras_cannot_build():
    assert len(RANDOM_REFUSED) >= 3  # the generator reaches these corners too
    for config in RANDOM_REFUSED:
        with pytest.raises(ValueError, match=r"would make the \d+×\d+ map \d+×\d+.*Received"):
            validate_config(config)
        with pytest.raises(ValueError, match="output size would be zero or negative"):
            reference_model(config)


def test_l2_puts_a_regulariser_on_every_kernel():
    config = replace(lecture_config(), l2=1e-3)
    model = build_cnn(config)
    kernels = [layer for layer in model.layers if hasattr(layer, "kernel_regularizer")]
    assert [layer.name for layer in kernels] == ["conv2d_1", "conv2d_2", "dense_1", "output"]
    assert all(
        layer.kernel_regularizer.get_config()["l2"] == pytest.approx(1e-3) for layer in kernels
    )
    assert build_cnn().layers[0].kernel_regularizer is None


@pytest.mark.parametrize(
    "blocks",
    [
        (ConvBlock(4, 3), ConvBlock(4, 5, pooling="average", pool_size=3)),
        (ConvBlock(4, 5, strides=2, padding="same"), ConvBlock(4, 3, strides=2, pooling=None)),
        (ConvBlock(4, 1, pooling=None), ConvBlock(4, 4, pool_size=3), ConvBlock(4, 3)),
    ],
)
def test_receptive_fields_match_the_input_pixels_a_keras_unit_depends_on(blocks):
    """With all-ones kernels, linear activations and average pooling, the input gradient of
    the centre unit is positive exactly on its receptive field."""
    keras = pytest.importorskip("keras")
    tf = pytest.importorskip("tensorflow")
    config = CNNConfig(input_shape=(64, 64, 1), conv_blocks=blocks)
    linear = tuple(replace(b, activation="linear", pooling=b.pooling and "average") for b in blocks)
    model = build_cnn(replace(config, conv_blocks=linear))
    for layer in model.layers:
        if layer.weights:
            layer.set_weights([np.ones(w.shape) for w in layer.get_weights()])
    image = tf.constant(np.ones((1, 64, 64, 1), np.float32))
    for row, layer in zip(summary_rows(config), model.layers, strict=True):
        if row.receptive_field is None:
            break
        partial = keras.Model(model.inputs, layer.output)
        with tf.GradientTape() as tape:
            tape.watch(image)
            output = partial(image)
            centre = output[0, output.shape[1] // 2, output.shape[2] // 2, 0]
        rows_seen = np.flatnonzero(tape.gradient(centre, image).numpy()[0, :, :, 0].any(axis=1))
        assert rows_seen[-1] - rows_seen[0] + 1 == row.receptive_field, row.name


# The lecture's case for convolution: parameters of a Dense layer against a Conv2D layer.


def test_dense_layer_on_pixels_needs_a_hundred_times_the_parameters():
    assert mlp_first_layer_parameters(32, 32, 256) == 262_400
    assert conv_layer_parameters(3, 1, 256) == 2_560
    assert mlp_first_layer_parameters(28, 28, 32, channels=3) == 28 * 28 * 3 * 32 + 32
    assert conv_layer_parameters(3, 16, 32) == summary_rows(lecture_config())[2].trainable


@pytest.mark.parametrize(
    ("call", "match"),
    [
        (lambda: mlp_first_layer_parameters(0, 32, 256), r"`height`.*Received 0"),
        (lambda: mlp_first_layer_parameters(32, 32, 256, channels=1.5), r"`channels`.*1\.5"),
        (lambda: conv_layer_parameters(3, 1, -2), r"`filters`.*Received -2"),
    ],
)
def test_parameter_formulas_refuse_non_positive_sizes(call, match):
    with pytest.raises(ValueError, match=match):
        call()


def test_summary_table_and_shape_series_read_the_rows():
    rows = summary_rows(lecture_config())
    table = summary_table(rows)
    assert [row["Param #"] for row in table] == [160, 0, 4640, 0, 0, 25632, 330]
    assert table[3]["Receptive field"] == "10×10" and table[4]["Receptive field"] == "—"
    series = shape_series(lecture_config())
    assert series.names == ["input", *[row.name for row in rows]]
    assert series.sides == [28, 26, 13, 11, 5, None, None, None]
    assert series.widths == series.sides
    assert series.channels == [1, 16, 16, 32, 32, 800, 32, 10]
    assert series.spatial == 5


def test_shape_series_keeps_height_and_width_apart():
    config = replace(lecture_config(), input_shape=(28, 40, 3))
    series = shape_series(config)
    assert series.sides[:3] == [28, 26, 13] and series.widths[:3] == [40, 38, 19]
    assert series.channels[0] == 3 and series.channels[series.spatial] == 5 * 8 * 32
