"""CNN configs, summary rows and the Keras builder, checked against what Keras itself reports."""

import json
import os
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cnnviz.models import (
    ACTIVATIONS,
    CNNConfig,
    ConvBlock,
    LayerRow,
    build_cnn,
    conv_layer_parameters,
    lecture_config,
    mlp_first_layer_parameters,
    parameter_totals,
    regularised_config,
    summary_rows,
    validate_config,
)

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
REPO = Path(__file__).resolve().parents[1]

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
                activation=str(rng.choice(ACTIVATIONS)),
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
    """The layer order the spec describes, built straight with Keras, without cnnviz.models."""
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
        keras.backend.clear_session()
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


# Serialisation.


def test_to_dict_round_trips_through_json():
    for config in [lecture_config(), regularised_config(), *RANDOM_CONFIGS[:5]]:
        data = json.loads(json.dumps(config.to_dict()))
        assert CNNConfig.from_dict(data) == config
    assert lecture_config().to_dict()["conv_blocks"][1]["filters"] == 32


def test_from_dict_fills_in_defaults():
    assert CNNConfig.from_dict({}) == lecture_config()
    config = CNNConfig.from_dict({"conv_blocks": [{"filters": 8}], "dense_units": []})
    assert config.conv_blocks == (ConvBlock(8),) and config.dense_units == ()


@pytest.mark.parametrize(
    ("data", "match"),
    [
        ({"filter": 3}, r"CNN config has unknown keys \['filter'\].*Accepted keys"),
        ({"conv_blocks": [{}, {"kernel": 3}]}, r"Block 2 has unknown keys \['kernel'\]"),
        ({"conv_blocks": [3]}, r"Block 1 must be a dict\. Received int"),
        ({"conv_blocks": 3}, r"`conv_blocks` must be a list\. Received 3"),
        ({"input_shape": "28x28"}, r"`input_shape` must be a list\. Received '28x28'"),
        ({"dense_units": [32.5]}, r"dense_1's units must be a whole number.*Received 32\.5"),
        ({"batch_norm": "yes"}, r"`batch_norm` must be True or False\. Received 'yes'"),
        ([1, 2], r"CNN config must be a dict\. Received list"),
    ],
)
def test_from_dict_refuses_bad_data(data, match):
    with pytest.raises(ValueError, match=match):
        CNNConfig.from_dict(data)


# Errors: each names the layer, what was received and what is accepted.


def blocks(*changes, **config):
    return CNNConfig(conv_blocks=tuple(ConvBlock(**c) for c in changes), **config)


@pytest.mark.parametrize(
    ("config", "match"),
    [
        (
            blocks({}, {}, {}, input_shape=(14, 14, 1)),
            r"Block 3's Conv2D would make the 2×2 map 0×0: a 3×3 window does not fit.*"
            r"Received kernel_size=3 on a 2×2 map\. Use padding='same'",
        ),
        (
            blocks({}, {}, {"kernel_size": 5}, input_shape=(20, 20, 1)),
            r"Block 3's Conv2D would make the 3×3 map 0×0.*Received kernel_size=5",
        ),
        (
            blocks({"pool_size": 3}, {"pooling": "average", "pool_size": 9}),
            r"Block 2's AveragePooling2D would make the 6×6 map 0×0: a 9×9 window.*"
            r"Received pool_size=9 on a 6×6 map\. Use a smaller pool_size",
        ),
        (blocks({"kernel_size": 30}), r"Block 1's Conv2D would make the 28×28 map 0×0"),
        (blocks({"filters": 0}), r"Block 1's Conv2D `filters` must be a whole number.*Received 0"),
        (blocks({}, {"filters": -4}), r"Block 2's Conv2D `filters`.*at least 1\. Received -4"),
        (blocks({"filters": 2.0}), r"Block 1's Conv2D `filters`.*Received 2\.0"),
        (blocks({"kernel_size": 0}), r"Block 1's Conv2D `kernel_size`.*Received 0"),
        (blocks({"strides": 0}), r"Block 1's Conv2D `strides`.*Received 0"),
        (blocks({"pool_size": 0}), r"Block 1's pooling `pool_size`.*Received 0"),
        (blocks({"padding": "full"}), r"Block 1's `padding` must be one of.*Received 'full'"),
        (blocks({"activation": "relu6x"}), r"Block 1's `activation`.*Received 'relu6x'"),
        (blocks({"pooling": "min"}), r"Block 1's `pooling`.*'max', 'average', None.*'min'"),
        (blocks({}, spatial_dropout=1.0), r"`spatial_dropout`.*in \[0, 1\)\. Received 1\.0"),
        (blocks({}, dropout=-0.1), r"`dropout` \(the Dropout rate.*Received -0\.1"),
        (blocks({}, dropout=True), r"`dropout`.*Received True"),
        (blocks({}, l2=-1e-4), r"`l2` must be a number of at least 0\. Received -0\.0001"),
        (blocks({}, dense_units=(32, 0)), r"Dense layer dense_2's units.*Received 0"),
        (blocks({}, dense_units=[32]), r"`dense_units` must be a tuple.*Received \[32\]"),
        (blocks({}, num_classes=1), r"output layer's `num_classes`.*at least 2\. Received 1"),
        (blocks({}, input_shape=(28, 28)), r"`input_shape` must be.*Received \(28, 28\)"),
        (blocks({}, input_shape=(28, 0, 1)), r"`input_shape`.*Received \(28, 0, 1\)"),
        (CNNConfig(conv_blocks=()), r"`conv_blocks` must be a non-empty tuple.*Received \(\)"),
        (CNNConfig(conv_blocks=({"filters": 8},)), r"Block 1 must be a ConvBlock\. Received"),
    ],
)
def test_invalid_configs_say_which_layer_and_what_was_received(config, match):
    for check in (validate_config, summary_rows, parameter_totals, build_cnn):
        with pytest.raises(ValueError, match=match):
            check(config)


def test_validate_config_refuses_what_is_not_a_config():
    with pytest.raises(ValueError, match="Expected a CNNConfig. Received dict"):
        validate_config({"filters": 3})


def test_same_padding_lets_a_kernel_exceed_the_map():
    rows = summary_rows(
        blocks({"kernel_size": 5, "padding": "same", "pooling": None}, input_shape=(3, 3, 1))
    )
    assert rows[0].output_shape == (None, 3, 3, 16)


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


def test_importing_models_does_not_import_tensorflow_or_keras():
    code = (
        "import sys, cnnviz.models as m\n"
        "m.summary_rows(m.regularised_config())\n"
        "print('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=120
    )
    assert result.stdout.strip() == "False False", result.stderr
