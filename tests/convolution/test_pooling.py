"""pool2d and explain_pool, checked against Keras's pooling layers."""

import functools

import cv2
import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnviz.convolution import pooling
from tests.array_fakes import FAST, IMAGE_SHAPES, paddings, random_image, sizes


def digit_like():
    """A 28x28 image of a few strokes, like a handwritten digit."""
    image = np.zeros((28, 28), np.uint8)
    cv2.line(image, (8, 5), (14, 22), 255, 2)
    cv2.line(image, (14, 22), (20, 8), 255, 2)
    cv2.circle(image, (14, 12), 5, 200, 1)
    return image


# Keras is the independent reference for Keras semantics; each layer is built once.


@functools.cache
def keras_layer(method, size, strides, padding):
    import keras

    layer_class = {"max": keras.layers.MaxPooling2D, "average": keras.layers.AveragePooling2D}
    layer = layer_class[method](size, strides=strides, padding=padding, dtype="float64")
    layer.build((None, None, None, 1))
    return layer


def keras_pool(image, method, size, strides, padding):
    layer = keras_layer(method, size, strides, padding)
    return np.asarray(layer(image[np.newaxis, :, :, np.newaxis].astype(np.float64)))[0, :, :, 0]


# Correctness against Keras, and the basics.


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2, 3])
@pytest.mark.parametrize("size", [2, 3])
@pytest.mark.parametrize("method", ["max", "average"])
def test_pooling_matches_keras(method, size, strides, padding):
    for shape in IMAGE_SHAPES:
        image = np.random.default_rng(sum(shape)).normal(size=shape)
        expected = keras_pool(image, method, size, strides, padding)
        result = pooling.pool2d(image, size, strides, padding, method)
        assert result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-12)


def test_pooling_keeps_channels_and_defaults_strides_to_pool_size():
    image = random_image((9, 8, 3))
    result = pooling.pool2d(image, 3)
    assert result.shape == (3, 2, 3) and result.dtype == np.float64
    np.testing.assert_array_equal(result[:, :, 1], pooling.pool2d(image[:, :, 1], 3, strides=3))
    np.testing.assert_array_equal(result[0, 0], image[:3, :3].max(axis=(0, 1)))


def test_explain_pool_finds_the_winner_and_ignores_padding():
    image = np.arange(30, dtype=float).reshape(5, 6)
    explained = pooling.explain_pool(image, 2, 2, padding="same")
    assert (explained.top, explained.left) == (4, 4)
    assert explained.value == 29.0 and explained.argmax == (0, 1)
    assert np.isnan(explained.window[1]).all()
    average = pooling.explain_pool(image, 2, 2, padding="same", method="average")
    assert average.value == 28.5 and average.argmax is None


# Properties on random shapes and values.


@FAST
@given(
    height=sizes,
    width=sizes,
    size=st.integers(1, 4),
    strides=st.one_of(st.none(), st.integers(1, 3)),
    padding=paddings,
    seed=st.integers(0, 2**32 - 1),
)
def test_max_pooling_is_at_least_average_pooling(height, width, size, strides, padding, seed):
    assume(padding == "same" or size <= min(height, width))
    image = np.random.default_rng(seed).normal(size=(height, width))
    largest = pooling.pool2d(image, size, strides, padding, "max")
    mean = pooling.pool2d(image, size, strides, padding, "average")
    assert largest.shape == mean.shape
    assert np.all(largest >= mean - 1e-12)
    row, col = largest.shape[0] - 1, largest.shape[1] - 1
    explained = pooling.explain_pool(image, row, col, size, strides, padding, "average")
    assert explained.value == pytest.approx(mean[row, col], rel=1e-12, abs=1e-12)


# Errors: say what was received.


def test_explain_pool_refuses_positions_outside_the_output():
    with pytest.raises(ValueError, match=r"14 rows and 14 columns.*Received row=0, col=14"):
        pooling.explain_pool(np.ones((28, 28)), 0, 14)


def test_explain_pool_wants_one_channel():
    with pytest.raises(ValueError, match=r"Received shape \(5, 5, 3\)"):
        pooling.explain_pool(np.ones((5, 5, 3)), 0, 0)


def test_pool2d_refuses_bad_arguments():
    with pytest.raises(
        ValueError, match=r"`method` must be one of \('max', 'average'\)\. Received 'min'\."
    ):
        pooling.pool2d(np.ones((4, 4)), method="min")
    with pytest.raises(ValueError, match=r"`pool_size`.*Received 0\."):
        pooling.pool2d(np.ones((4, 4)), 0)
    with pytest.raises(ValueError, match="window of size 3 for an input of size 2"):
        pooling.pool2d(np.ones((2, 8)), 3)


def test_pool_settings_say_what_they_do_and_are_checked():
    assert pooling.PoolSettings().describe() == "2×2 max pooling, strides 2, padding 'valid'"
    settings = pooling.PoolSettings(3, 1, "same", "average")
    assert settings.step == 1
    assert settings.describe() == "3×3 average pooling, strides 1, padding 'same'"
    with pytest.raises(ValueError, match=r"`method` must be one of.*Received 'min'"):
        pooling.PoolSettings(method="min")
    with pytest.raises(ValueError, match=r"`strides`.*Received 0\."):
        pooling.PoolSettings(2, 0)
