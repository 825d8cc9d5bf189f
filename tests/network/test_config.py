"""The network's config: serialisation, and validation that names the layer at fault."""

import json

import pytest

from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.network.config import (
    CNNConfig,
    ConvBlock,
    feature_map_shapes,
    lecture_config,
    regularised_config,
    regularised_wide_config,
    validate_config,
)
from cnnviz.network.layers import parameter_totals, summary_rows

# Serialisation.


def test_to_dict_round_trips_through_json():
    odd = CNNConfig(
        input_shape=(20, 24, 3),
        conv_blocks=(ConvBlock(8, 5, 2, "same", "tanh", None, 2), ConvBlock(4, pooling="average")),
        dense_units=(),
        l2=1e-4,
        num_classes=3,
    )
    for config in [lecture_config(), regularised_config(), regularised_wide_config(), odd]:
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
        (blocks({}, l2=float("nan")), r"`l2` must be a number of at least 0\. Received nan"),
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


def test_feature_map_shapes_walk_the_blocks():
    shapes = feature_map_shapes(regularised_wide_config())
    assert [(s.after_conv, s.after_block) for s in shapes] == [
        ((26, 26, 32), (13, 13, 32)),
        ((11, 11, 64), (5, 5, 64)),
    ]
