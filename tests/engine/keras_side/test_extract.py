"""feature_maps and conv_filters, checked against one Keras sub-model per layer and SciPy."""

import keras
import numpy as np
import pytest
from scipy.signal import correlate2d

from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.extract import FeatureExtractor, conv_filters, feature_maps
from cnnviz.network.config import lecture_config, regularised_config
from cnnviz.network.forward_pass import LayerActivation

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]


def seeded(config, seed=0):
    """A model with random weights and random (non-trivial) batch-norm statistics."""
    keras.utils.set_random_seed(seed)
    model = build_cnn(config)
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            size = layer.gamma.shape[0]
            layer.gamma.assign(rng.uniform(0.5, 2.0, size))
            layer.beta.assign(rng.normal(0.0, 1.0, size))
            layer.moving_mean.assign(rng.normal(0.0, 0.5, size))
            layer.moving_variance.assign(rng.uniform(0.2, 3.0, size))
    return model


@pytest.fixture(scope="module")
def lecture():
    return seeded(lecture_config())


@pytest.fixture(scope="module")
def regularised():
    return seeded(regularised_config(), seed=1)


@pytest.fixture
def image():
    return np.random.default_rng(0).random((28, 28), dtype=np.float32)


def sub_model_output(model, layer, image):
    """The tutorial reference: a model from the input to this one layer."""
    sub_model = keras.Model(model.inputs[0], layer.output)
    return keras.ops.convert_to_numpy(sub_model(image[np.newaxis, ..., np.newaxis]))[0]


@pytest.mark.parametrize("name", ["lecture", "regularised"])
def test_feature_maps_equal_one_sub_model_per_layer(name, image, request):
    model = request.getfixturevalue(name)
    activations = feature_maps(model, image)
    assert [a.name for a in activations] == [layer.name for layer in model.layers]
    assert [a.kind for a in activations] == [type(layer).__name__ for layer in model.layers]
    for activation, layer in zip(activations, model.layers, strict=True):
        assert isinstance(activation, LayerActivation)
        expected = sub_model_output(model, layer, image)
        assert activation.output.shape == expected.shape
        np.testing.assert_allclose(activation.output, expected, atol=1e-5)
        assert set(activation.weights) == {weight.name for weight in layer.weights}
        for weight in layer.weights:
            np.testing.assert_array_equal(activation.weights[weight.name], weight.numpy())


def test_layer_settings_travel_with_the_outputs(regularised, image):
    by_name = {a.name: a for a in feature_maps(regularised, image)}
    assert by_name["conv2d_1"].config["strides"] == (1, 1)
    assert by_name["conv2d_1"].config["padding"] == "valid"
    assert by_name["conv2d_1"].config["activation"] == "linear"
    assert by_name["batch_normalization_1"].config["epsilon"] == pytest.approx(1e-3)
    assert by_name["activation_1"].config["activation"] == "relu"
    assert by_name["max_pooling2d_1"].config["pool_size"] == (2, 2)
    assert by_name["output"].config["activation"] == "softmax"
    assert "kernel_initializer" not in by_name["conv2d_1"].config  # nested settings stay behind


def test_an_extractor_is_reused_and_accepts_every_image_form(lecture, image):
    extractor = FeatureExtractor(lecture)
    first = extractor(image)[-1].output
    np.testing.assert_allclose(extractor(image[..., np.newaxis])[-1].output, first, atol=1e-7)
    pixels = (image * 255).round().astype(np.uint8)
    from_uint8 = feature_maps(extractor, pixels)[-1].output
    np.testing.assert_allclose(from_uint8, extractor(pixels / 255.0)[-1].output, atol=1e-6)
    assert not np.allclose(extractor(1 - image)[-1].output, first)
    np.testing.assert_allclose(first.sum(), 1.0, atol=1e-5)  # the softmax output


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((32, 32)), r"Expected an image \(28, 28, 1\) or \(28, 28\).*Received shape"),
        (np.zeros((2, 28, 28)), "Expected one image. Received a batch of 2"),
        (np.full((28, 28), 2.0), "floats in 0..1 or uint8. Received values from 2 to 2"),
        (np.full((28, 28), np.nan), "floats in 0..1 or uint8. Received NaN or inf"),
        (np.full((28, 28), "a"), "Images must be numbers. Received dtype <U1"),
    ],
)
def test_bad_images_are_explained(lecture, bad, message):
    with pytest.raises(ValueError, match=message):
        FeatureExtractor(lecture)(bad)


def test_a_model_without_an_image_input_is_refused():
    model = keras.Sequential([keras.Input((5,)), keras.layers.Dense(2)])
    with pytest.raises(ValueError, match=r"one batch of images.*Received input shapes \[\(5,\)\]"):
        FeatureExtractor(model)


def test_conv_filters_have_the_kernel_shapes(lecture):
    first, second = conv_filters(lecture, "conv2d_1"), conv_filters(lecture, "conv2d_2")
    assert first.shape == (3, 3, 1, 16) and second.shape == (3, 3, 16, 32)
    np.testing.assert_array_equal(first, lecture.get_layer("conv2d_1").kernel.numpy())
    np.testing.assert_array_equal(second, lecture.get_layer("conv2d_2").kernel.numpy())


def test_filters_are_in_the_order_of_the_maps(lecture, image):
    """Correlating the image with filter f (SciPy, no Keras) gives feature map f."""
    maps = feature_maps(lecture, image)[0].output
    kernel, bias = conv_filters(lecture, "conv2d_1"), lecture.get_layer("conv2d_1").bias.numpy()
    for f in range(kernel.shape[3]):
        expected = np.maximum(correlate2d(image, kernel[:, :, 0, f], mode="valid") + bias[f], 0)
        np.testing.assert_allclose(maps[..., f], expected, atol=1e-5)
    # The second layer's input channels are the first layer's maps, pooled, in the same order.
    pooled, second = feature_maps(lecture, image)[1].output, feature_maps(lecture, image)[2]
    kernel, bias = conv_filters(lecture, "conv2d_2"), second.weights["bias"]
    total = sum(correlate2d(pooled[..., c], kernel[:, :, c, 5], mode="valid") for c in range(16))
    np.testing.assert_allclose(second.output[..., 5], np.maximum(total + bias[5], 0), atol=1e-5)


def test_conv_filters_name_the_convolution_layers(lecture):
    with pytest.raises(ValueError, match=r"'dense_1' is not a Conv2D layer.*conv2d_1, conv2d_2"):
        conv_filters(lecture, "dense_1")
    with pytest.raises(ValueError, match="'nope' is not a layer of the model. Received"):
        conv_filters(lecture, "nope")
