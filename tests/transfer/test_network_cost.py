"""cnnviz.transfer.network_cost: parameters, memory and multiply-accumulates, against sums done
by hand from the papers' layer lists and against the Architecture page's memory estimate."""

import pytest

from cnnviz.network import CNNConfig, ConvBlock, lecture_config, summary_rows, training_memory
from cnnviz.network.vgg16 import vgg16_rows
from cnnviz.transfer.network_cost import (
    IMAGENET_TRAINING_IMAGES,
    TRAINING_PASSES,
    multiply_accumulates,
    network_cost,
    vgg16_and_lecture_cnn,
)


def vgg16_by_hand() -> int:
    """VGG16's multiply-accumulates from configuration D: 3×3 convolutions, "same" padding."""
    total, side, channels = 0, 224, 3
    for convolutions, filters in ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512)):
        for _ in range(convolutions):
            total += side * side * filters * 3 * 3 * channels
            channels = filters
        side //= 2
    return total + 7 * 7 * 512 * 4096 + 4096 * 4096 + 4096 * 1000


def test_vgg16_and_the_lecture_cnn():
    vgg16, lecture = vgg16_and_lecture_cnn()
    assert (vgg16.parameters, lecture.parameters) == (138_357_544, 30_762)
    assert vgg16.input_shape == (224, 224, 3) and lecture.input_shape == (28, 28, 1)
    assert vgg16.multiply_accumulates == vgg16_by_hand() == 15_470_264_320
    # Conv 3×3×1→16 on 26×26, conv 3×3×16→32 on 11×11, Dense 800→32, Dense 32→10.
    by_hand = 26 * 26 * 16 * 9 + 11 * 11 * 32 * 9 * 16 + 800 * 32 + 32 * 10
    assert lecture.multiply_accumulates == by_hand == 680_832


def test_memory_is_the_architecture_pages_estimate():
    config = lecture_config()
    _, lecture = vgg16_and_lecture_cnn()
    estimate = training_memory(config, batch_size=1, optimizer="adam")
    assert lecture.weight_bytes == estimate.parameters == 4 * 30_762
    assert lecture.adam_bytes == estimate.parameters + estimate.gradients + estimate.optimizer_state
    assert lecture.activation_bytes == estimate.activation_total
    vgg16, _ = vgg16_and_lecture_cnn()
    assert vgg16.adam_bytes == 4 * vgg16.weight_bytes == 4 * 4 * 138_357_544


def test_vgg16s_input_layer_is_not_counted_twice():
    rows = vgg16_rows()
    cost = network_cost("VGG16", rows, (224, 224, 3))
    values = sum(
        row.output_shape[1] * row.output_shape[2] * row.output_shape[3]
        if len(row.output_shape) == 4
        else row.output_shape[1]
        for row in rows
    )
    assert cost.activation_values == values  # the InputLayer row is the input


def test_an_epoch_is_three_passes_per_image():
    vgg16, _ = vgg16_and_lecture_cnn()
    assert TRAINING_PASSES == 3
    expected = 3 * 15_470_264_320 * IMAGENET_TRAINING_IMAGES
    assert vgg16.epoch_multiply_accumulates(IMAGENET_TRAINING_IMAGES) == expected


@pytest.mark.parametrize("strides", [1, 2])
def test_strides_and_batch_norm_are_counted_from_the_shapes(strides):
    config = CNNConfig(conv_blocks=(ConvBlock(8, 5, strides, pooling=None),), batch_norm=True)
    rows = summary_rows(config)
    side = rows[0].output_shape[1]
    expected = side * side * 8 * 5 * 5 + side * side * 8 * 32 + 32 * 10
    assert multiply_accumulates(rows) == expected  # batch normalisation is not a weighted sum
