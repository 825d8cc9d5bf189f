"""convolve2d and explain_pixel, checked against SciPy, a NumPy loop and Keras's Conv2D."""

import functools

import numpy as np
import pytest
import scipy.signal
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnviz import convolution as conv
from cnnviz.convolution.kernels import KERNELS, KernelError
from tests.array_fakes import FAST, IMAGE_SHAPES, paddings, random_image, sizes


def random_kernel(size):
    return np.random.default_rng(size).integers(-4, 5, (size, size)).astype(np.float64)


# Keras is the independent reference for Keras semantics; each layer is built once.


@functools.cache
def keras_layer(size, strides, padding):
    import keras

    layer = keras.layers.Conv2D(
        1, size, strides=strides, padding=padding, use_bias=False, dtype="float64"
    )
    layer.build((None, None, None, 1))
    return layer


def keras_conv(image, kernel, strides, padding):
    layer = keras_layer(kernel.shape[0], strides, padding)
    layer.set_weights([kernel.reshape(kernel.shape + (1, 1))])
    return np.asarray(layer(image[np.newaxis, :, :, np.newaxis].astype(np.float64)))[0, :, :, 0]


def numpy_correlate(image, kernel, strides, padding):
    """Loop-by-loop cross-correlation with TensorFlow's padding, written from its formula."""
    size, (height, width) = kernel.shape[0], image.shape
    pads = []
    for n in (height, width):
        total = max((-(-n // strides) - 1) * strides + size - n, 0) if padding == "same" else 0
        pads.append((total // 2, total - total // 2))
    padded = np.pad(image.astype(np.float64), pads)
    rows = (padded.shape[0] - size) // strides + 1
    cols = (padded.shape[1] - size) // strides + 1
    out = np.empty((rows, cols))
    for i in range(rows):
        for j in range(cols):
            window = padded[i * strides : i * strides + size, j * strides : j * strides + size]
            out[i, j] = (window * kernel).sum()
    return out


# Basic: shapes and dtypes.


@pytest.mark.parametrize("dtype", [np.uint8, np.uint16, np.int16, np.int32, np.float32, bool])
def test_convolve2d_returns_signed_float64(dtype):
    image = random_image((8, 9), dtype)
    result = conv.convolve2d(image, KERNELS["Laplacian"].values, padding="same")
    assert result.dtype == np.float64
    assert result.shape == (8, 9)
    if dtype == np.uint8:
        assert result.min() < 0 and result.max() > 255


def test_convolve2d_keeps_channels_one_by_one():
    image = random_image((9, 8, 3))
    kernel = KERNELS["Sobel vertical edges"].values
    result = conv.convolve2d(image, kernel, strides=2, padding="same")
    assert result.shape == (5, 4, 3)
    for channel in range(3):
        np.testing.assert_array_equal(
            result[:, :, channel], conv.convolve2d(image[:, :, channel], kernel, 2, "same")
        )
    assert conv.convolve2d(image[:, :, :1], kernel).shape == (7, 6, 1)


@pytest.mark.parametrize("channels", [5, 300])
def test_convolve2d_handles_many_channels(channels):
    feature_maps = np.random.default_rng(channels).normal(size=(6, 5, channels))
    kernel = random_kernel(3)
    result = conv.convolve2d(feature_maps, kernel, strides=2, padding="same")
    assert result.shape == (3, 3, channels)
    for channel in (0, 4, channels - 1):
        expected = conv.convolve2d(feature_maps[:, :, channel], kernel, 2, "same")
        np.testing.assert_array_equal(result[:, :, channel], expected)


# Correctness against independent references.


@pytest.mark.parametrize("size", [1, 2, 3, 4, 5, 7, 9, 11])
@pytest.mark.parametrize("shape", [(12, 13), (28, 28)])
def test_true_convolution_matches_scipy_valid(shape, size):
    image, kernel = random_image(shape), random_kernel(size)
    expected = scipy.signal.convolve2d(image.astype(float), kernel, mode="valid")
    np.testing.assert_allclose(conv.convolve2d(image, kernel), expected, rtol=1e-12, atol=1e-9)


@pytest.mark.parametrize("size", [1, 3, 5, 7, 9])
@pytest.mark.parametrize("shape", IMAGE_SHAPES)
def test_true_convolution_matches_scipy_same_for_odd_kernels(shape, size):
    image, kernel = random_image(shape), random_kernel(size)
    expected = scipy.signal.convolve2d(image.astype(float), kernel, mode="same", fillvalue=0)
    result = conv.convolve2d(image, kernel, padding="same")
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-9)


def test_true_convolution_with_strides_subsamples_scipy_valid():
    image, kernel = random_image((28, 28)), random_kernel(3)
    expected = scipy.signal.convolve2d(image.astype(float), kernel, mode="valid")[::3, ::3]
    np.testing.assert_array_equal(conv.convolve2d(image, kernel, strides=3), expected)


@pytest.mark.parametrize("padding", ["valid", "same"])
@pytest.mark.parametrize("strides", [1, 2, 3])
@pytest.mark.parametrize("size", [1, 2, 3, 5])
def test_cross_correlation_matches_keras_conv2d(size, strides, padding):
    kernel = random_kernel(size)
    for shape in IMAGE_SHAPES:
        image = random_image(shape)
        expected = keras_conv(image, kernel, strides, padding)
        result = conv.convolve2d(image, kernel, strides, padding, flip=False)
        assert result.shape == expected.shape
        np.testing.assert_allclose(result, expected, rtol=1e-9, atol=1e-9)


def test_float_kernels_on_uint8_images_keep_float64_precision():
    image = random_image((28, 28))
    kernel = np.random.default_rng(3).normal(size=(5, 5))
    expected = keras_conv(image, kernel, 1, "same")
    result = conv.convolve2d(image, kernel, padding="same", flip=False)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-10)


@pytest.mark.parametrize("size", [8, 9, 11])
def test_large_kernels_stay_exact_on_integer_images(size):
    image, kernel = random_image((28, 28)), random_kernel(size)
    expected = numpy_correlate(image, kernel, 2, "same")
    result = conv.convolve2d(image, kernel, strides=2, padding="same", flip=False)
    np.testing.assert_allclose(result, expected, rtol=1e-12, atol=1e-9)


def loop_correlate(image, kernel, strides, top, left, shape):
    """Cross-correlation written out as the lecture's double sum, one output pixel at a time."""
    size = kernel.shape[0]
    padded = np.zeros((image.shape[0] + 2 * size, image.shape[1] + 2 * size))
    padded[size : size + image.shape[0], size : size + image.shape[1]] = image
    output = np.zeros(shape)
    for i in range(shape[0]):
        for j in range(shape[1]):
            r, c = size + i * strides - top, size + j * strides - left
            output[i, j] = sum(
                padded[r + k, c + m] * kernel[k, m] for k in range(size) for m in range(size)
            )
    return output


@pytest.mark.parametrize("name", ["Laplacian", "Sobel horizontal edges", "Gaussian blur 5×5"])
@pytest.mark.parametrize(("strides", "padding"), [(1, "same"), (2, "same"), (2, "valid")])
def test_cross_correlation_matches_the_double_sum(name, strides, padding):
    image, kernel = random_image((28, 28, 3)), KERNELS[name].values
    result = conv.convolve2d(image, kernel, strides, padding, flip=False)
    (rows, cols), (top, left) = conv.output_grid(28, 28, kernel.shape[0], strides, padding)
    for channel in range(3):
        expected = loop_correlate(image[:, :, channel], kernel, strides, top, left, (rows, cols))
        np.testing.assert_allclose(result[:, :, channel], expected, rtol=1e-12, atol=1e-9)


def test_explain_pixel_shows_the_sum_of_products():
    image = np.arange(30, dtype=np.uint8).reshape(5, 6)
    sobel = KERNELS["Sobel vertical edges"].values
    explained = conv.explain_pixel(image, sobel, 0, 0, padding="same")
    np.testing.assert_array_equal(explained.window, [[0, 0, 0], [0, 0, 1], [0, 6, 7]])
    np.testing.assert_array_equal(explained.padded_mask[0], [True, True, True])
    np.testing.assert_array_equal(explained.padded_mask[1:, 0], [True, True])
    assert not explained.padded_mask[1:, 1:].any()
    assert explained.flipped and (explained.top, explained.left) == (-1, -1)
    np.testing.assert_array_equal(explained.kernel, -sobel)
    np.testing.assert_array_equal(explained.products, explained.window * -sobel)
    assert explained.total == explained.value == -9.0


# Properties on random shapes and values.


@FAST
@given(
    height=sizes,
    width=sizes,
    channels=st.sampled_from([None, 1, 3]),
    size=st.integers(1, 6),
    strides=st.integers(1, 3),
    padding=paddings,
    seed=st.integers(0, 2**32 - 1),
)
def test_convolution_is_correlation_with_the_flipped_kernel(
    height, width, channels, size, strides, padding, seed
):
    assume(padding == "same" or size <= min(height, width))
    rng = np.random.default_rng(seed)
    shape = (height, width) if channels is None else (height, width, channels)
    image, kernel = rng.normal(size=shape), rng.normal(size=(size, size))
    convolved = conv.convolve2d(image, kernel, strides, padding)
    correlated = conv.convolve2d(image, np.flip(kernel), strides, padding, flip=False)
    np.testing.assert_array_equal(convolved, correlated)
    rows = conv.output_size(height, size, strides, padding)
    cols = conv.output_size(width, size, strides, padding)
    assert convolved.shape == (rows, cols) + shape[2:]


@FAST
@given(height=sizes, width=sizes, size=st.integers(1, 6), strides=st.integers(1, 3), data=st.data())
def test_explain_pixel_agrees_with_convolve2d_everywhere(height, width, size, strides, data):
    padding = data.draw(paddings if size <= min(height, width) else st.just("same"))
    flip = data.draw(st.booleans())
    rng = np.random.default_rng(data.draw(st.integers(0, 2**32 - 1)))
    image = rng.integers(0, 256, (height, width)).astype(np.uint8)
    kernel = rng.normal(size=(size, size))
    output = conv.convolve2d(image, kernel, strides, padding, flip)
    row = data.draw(st.integers(0, output.shape[0] - 1))
    col = data.draw(st.integers(0, output.shape[1] - 1))
    explained = conv.explain_pixel(image, kernel, row, col, strides, padding, flip)
    assert explained.value == pytest.approx(output[row, col], rel=1e-12, abs=1e-9)
    assert explained.total == pytest.approx(output[row, col], rel=1e-9, abs=1e-9)
    assert explained.window[explained.padded_mask].sum() == 0


# Errors: say what was received.


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"strides": 0}, r"`strides` must be a whole number of at least 1\. Received 0\."),
        ({"strides": -2}, r"Received -2\."),
        ({"strides": 1.5}, r"Received 1\.5\."),
        ({"strides": True}, r"Received True\."),
        ({"padding": "SAME"}, r"`padding` must be one of \('valid', 'same'\)\. Received 'SAME'\."),
        ({"padding": "full"}, r"Received 'full'\."),
    ],
)
def test_convolve2d_refuses_bad_arguments(kwargs, message):
    with pytest.raises(ValueError, match=message):
        conv.convolve2d(np.ones((5, 5)), np.ones((3, 3)), **kwargs)


def test_convolve2d_refuses_bad_images_and_kernels():
    with pytest.raises(ValueError, match=r"Received shape \(5,\)"):
        conv.convolve2d(np.ones(5), np.ones((3, 3)))
    with pytest.raises(ValueError, match=r"Received shape \(0, 4\)"):
        conv.convolve2d(np.ones((0, 4)), np.ones((3, 3)))
    with pytest.raises(ValueError, match="Received dtype complex128"):
        conv.convolve2d(np.ones((4, 4), complex), np.ones((3, 3)))
    with pytest.raises(KernelError, match=r"square\. Received shape \(3, 2\)"):
        conv.convolve2d(np.ones((5, 5)), np.ones((3, 2)))
    with pytest.raises(KernelError, match="Row 1, column 2 is empty"):
        conv.convolve2d(np.ones((5, 5)), [[1, None], [1, 1]])


def test_valid_padding_refuses_a_kernel_larger_than_the_image():
    with pytest.raises(ValueError, match="window of size 5 for an input of size 4"):
        conv.convolve2d(np.ones((4, 9)), np.ones((5, 5)))
    assert conv.convolve2d(np.ones((4, 9)), np.ones((5, 5)), padding="same").shape == (4, 9)


def test_explain_pixel_refuses_positions_outside_the_output():
    with pytest.raises(ValueError, match=r"26 rows and 26 columns.*Received row=26, col=0"):
        conv.explain_pixel(np.ones((28, 28)), np.ones((3, 3)), 26, 0)
    with pytest.raises(ValueError, match=r"Received row=-1"):
        conv.explain_pixel(np.ones((28, 28)), np.ones((3, 3)), -1, 0)


def test_explain_pixel_wants_one_channel():
    with pytest.raises(ValueError, match=r"\(height, width\)\. Received shape \(5, 5, 3\)"):
        conv.explain_pixel(np.ones((5, 5, 3)), np.ones((3, 3)), 0, 0)
