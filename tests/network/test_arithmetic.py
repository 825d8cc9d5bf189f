"""Keras layers' arithmetic in NumPy: activation functions and receptive windows."""

import numpy as np
import pytest

from cnnviz.network.arithmetic import ACTIVATION_FUNCTIONS, receptive_window, relu


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


@pytest.mark.parametrize("name", sorted(set(ACTIVATION_FUNCTIONS) - {"softmax"}))
def test_activations_match_keras(keras, name):
    x = np.linspace(-8, 8, 161)
    expected = keras.ops.convert_to_numpy(keras.activations.get(name)(x.astype(np.float32)))
    np.testing.assert_allclose(ACTIVATION_FUNCTIONS[name](x), expected, atol=1e-6)


def test_softmax_matches_keras(keras):
    x = np.array([-3.0, 0.5, 2.0, 40.0])
    expected = keras.ops.convert_to_numpy(keras.activations.softmax(x[np.newaxis]))[0]
    np.testing.assert_allclose(ACTIVATION_FUNCTIONS["softmax"](x), expected, atol=1e-7)


def test_relu_keeps_positives_and_zeroes_negatives():
    np.testing.assert_array_equal(relu(np.array([-2.0, 0.0, 3.5])), [0.0, 0.0, 3.5])
    assert relu is ACTIVATION_FUNCTIONS["relu"]


def test_receptive_window_reads_every_channel_with_zero_padding():
    source = np.arange(5 * 5 * 2, dtype=np.float64).reshape(5, 5, 2)
    window, mask, top, left = receptive_window(source, 0, 2, ((3, 3), (2, 2), "same"))
    assert (top, left) == (-1, 3)
    np.testing.assert_array_equal(mask[0], [True, True, True])
    np.testing.assert_array_equal(mask[:, 2], [True, True, True])
    np.testing.assert_array_equal(window[1:, :2], source[0:2, 3:5])
    assert not window[mask].any()
