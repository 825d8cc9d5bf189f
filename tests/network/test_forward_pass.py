"""The forward pass as every view reads it: which maps are never negative, and which input
pixels a unit sees (checked against the gradient of a real Keras model)."""

import numpy as np
import pytest

from cnnviz.network.config import CNNConfig, ConvBlock, lecture_config
from cnnviz.network.forward_pass import (
    LayerActivation,
    block_span,
    never_negative,
    receptive_field,
)
from cnnviz.network.layers import summary_rows


def fake(kind, shape, **config):
    return LayerActivation("x", kind, np.zeros(shape), config=config)


def test_relu_outputs_and_what_pools_them_are_never_negative():
    layers = [
        fake("Conv2D", (26, 26, 4), activation="linear"),
        fake("BatchNormalization", (26, 26, 4)),
        fake("Activation", (26, 26, 4), activation="relu"),
        fake("MaxPooling2D", (13, 13, 4)),
        fake("SpatialDropout2D", (13, 13, 4)),
        fake("Flatten", (676,)),
        fake("Dense", (10,), activation="softmax"),
    ]
    expected = [False, False, True, True, True, True, True]
    assert [never_negative(layers, i) for i in range(7)] == expected


def test_block_span_walks_conv_batch_norm_activation():
    kinds = ["Conv2D", "BatchNormalization", "Activation", "MaxPooling2D", "Dense"]
    assert block_span(kinds, 2) == (0, 2) and block_span(kinds, 4) == (4, 4)
    with pytest.raises(ValueError, match="follows a MaxPooling2D instead"):
        block_span(["MaxPooling2D", "Activation"], 1, "act")


@pytest.mark.slow
@pytest.mark.parametrize(
    "config",
    [
        lecture_config(),
        CNNConfig(
            conv_blocks=(
                ConvBlock(3, 3, strides=2, padding="same", pooling="average", pool_size=2),
                ConvBlock(4, 5, padding="same", pooling=None),
            ),
            batch_norm=True,
        ),
    ],
    ids=["lecture", "strided-same"],
)
def test_the_receptive_field_is_where_the_gradient_is(tiny_cnn, config):
    import tensorflow as tf

    from cnnviz.engine.keras_side.extract import feature_maps

    model = tiny_cnn(config, seed=3)
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    activations = feature_maps(model, image)
    rows = {row.name: row for row in summary_rows(config)}
    for index, item in enumerate(activations):
        if item.output.ndim != 3:
            continue
        row, col = item.output.shape[0] // 2, item.output.shape[1] // 2
        top, left, height, width = receptive_field(activations, index, row, col, (28, 28))
        inputs = tf.constant(image[None, :, :, None])
        sub_model = tf.keras.Model(model.inputs, model.layers[index].output)
        with tf.GradientTape() as tape:
            tape.watch(inputs)
            value = tf.reduce_sum(sub_model(inputs, training=False)[0, row, col, :])
        # Seeded: every channel summed, so the max pools' winners cover their whole windows.
        touched = np.argwhere(np.abs(tape.gradient(value, inputs).numpy()[0, :, :, 0]) > 0)
        assert touched.min(axis=0).tolist() == [top, left], item.name
        assert (touched.max(axis=0) - touched.min(axis=0) + 1).tolist() == [height, width]
        if top > 0 and left > 0 and top + height < 28 and left + width < 28:  # not clipped
            assert height == width == rows[item.name].receptive_field, item.name
