"""VGG16 in plain Python, checked layer by layer against `keras.applications.VGG16`."""

import pytest

from cnnviz.network.vgg16 import vgg16_rows


def keras_rows(**options):
    import keras

    model = keras.applications.VGG16(weights=None, **options)  # no download: random weights
    return [
        (layer.name, type(layer).__name__, tuple(layer.output.shape), layer.count_params())
        for layer in model.layers
    ], model.count_params()


@pytest.mark.slow
@pytest.mark.parametrize(
    "options",
    [
        {},
        {"include_top": False, "input_shape": (32, 48, 1)},
        {"include_top": False, "input_shape": (224, 224, 3)},
        {"classes": 10, "classifier_activation": "softmax"},
    ],
    ids=["imagenet", "small-grey", "no-top", "ten-classes"],
)
def test_every_layer_matches_keras(options):
    expected, total = keras_rows(**options)
    rows = vgg16_rows(
        tuple(options.get("input_shape", (224, 224, 3))),
        options.get("include_top", True),
        options.get("classes", 1000),
    )
    names = [row.name for row in rows]
    assert names[1:] == [name for name, *_ in expected[1:]]  # Keras numbers its input layer
    assert [(r.kind, r.output_shape, r.parameters) for r in rows] == [e[1:] for e in expected]
    assert sum(row.parameters for row in rows) == total


def test_the_lectures_figure_has_138_million_parameters_against_the_mnist_cnns_30762():
    rows = vgg16_rows()
    assert sum(row.parameters for row in rows) == 138_357_544
    assert sum(row.kind == "Conv2D" for row in rows) == 13
    assert sum(row.kind == "Dense" for row in rows) == 3
    assert rows[-1].output_shape == (None, 1000)
    assert {row.name: row.parameters for row in rows}["fc1"] == 7 * 7 * 512 * 4096 + 4096


def test_receptive_fields_grow_as_stacked_3x3_convolutions_and_2x2_pools_make_them():
    fields = {row.name: row.receptive_field for row in vgg16_rows()}
    # Two 3×3 convolutions see 5×5, three see 7×7: the paper's argument for small kernels.
    assert fields["block1_conv1"] == 3 and fields["block1_conv2"] == 5
    assert fields["block1_pool"] == 6 and fields["block2_conv1"] == 10
    assert fields["block5_pool"] == 212 and fields["flatten"] is None


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (((224, 224),), "`input_shape` is (height, width, channels). Received (224, 224)."),
        (((28, 28, 1), False), "at least 32×32 pixels. Received (28, 28, 1)."),
        (((64, 64, 3), True), "takes 224×224×3 images"),
        (((224, 224, 3), True, 0), "`classes` must be a whole number"),
    ],
)
def test_bad_arguments_say_what_was_received(arguments, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(").replace(")", r"\)")):
        vgg16_rows(*arguments)
