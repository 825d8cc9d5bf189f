"""Activation maximisation, Grad-CAM and saliency on tiny seeded models.

Linear models give exact references: the gradient of a Dense layer's logit is its kernel.
"""

import cv2
import keras
import numpy as np
import pytest

from cnnviz.engine.keras_side.attribute import (
    activation_maximisation,
    grad_cam,
    maximise_all,
    saliency,
)
from cnnviz.locations import MNIST_SAMPLE_PATH
from cnnviz.network.config import CNNConfig, ConvBlock
from tests.conftest import seeded_cnn

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]
STEPS = 24


def tiny(batch_norm=False, seed=0):
    blocks = (ConvBlock(8), ConvBlock(8))
    return seeded_cnn(CNNConfig(conv_blocks=blocks, dense_units=(16,), batch_norm=batch_norm), seed)


@pytest.fixture(scope="module")
def model():
    """The tiny model after two epochs on 3,000 bundled digits (about 80% right): its filters
    and classes mean something."""
    model = tiny()
    with np.load(MNIST_SAMPLE_PATH) as data:
        chosen = np.random.default_rng(0).permutation(len(data["labels"]))[:3000]
        images, labels = data["images"][chosen] / 255.0, data["labels"][chosen]
    model.compile("adam", "sparse_categorical_crossentropy")
    model.fit(images[..., np.newaxis], labels, batch_size=64, epochs=2, verbose=0)
    return model


@pytest.fixture(scope="module")
def linear_head():
    """Two convolutions, then Flatten and the softmax layer: logits linear in the maps."""
    keras.utils.set_random_seed(1)
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            keras.layers.Conv2D(4, 3, activation="relu"),
            keras.layers.Conv2D(5, 3, strides=2, activation="relu"),
            keras.layers.Flatten(),
            keras.layers.Dense(10, activation="softmax"),
        ]
    )


@pytest.fixture
def image():
    return np.random.default_rng(0).random((28, 28), dtype=np.float32)


def outputs(model, layer_name, images):
    sub_model = keras.Model(model.inputs[0], model.get_layer(layer_name).output)
    return keras.ops.convert_to_numpy(sub_model(images[..., np.newaxis]))


def logits(model, images):
    """The output layer's pre-softmax values, from its input and its weights."""
    output = model.layers[-1]
    kernel, bias = output.kernel.numpy(), output.bias.numpy()
    before = keras.Model(model.inputs[0], output.input)(images[..., np.newaxis])
    return keras.ops.convert_to_numpy(before) @ kernel + bias


def test_maximising_a_filter_raises_its_mean_activation(model):
    start = activation_maximisation(model, "conv2d_2", 3, steps=0)
    result = activation_maximisation(model, "conv2d_2", 3, steps=STEPS)
    assert result.shape == (28, 28) and result.dtype == np.float32
    assert result.min() >= 0 and result.max() <= 1
    maps = outputs(model, "conv2d_2", np.stack([start, result]))
    before, after = maps[..., 3].mean(axis=(1, 2))
    assert after > max(before, 0) and after > maps[1].mean(axis=(0, 1)).mean()


def test_maximising_a_class_raises_its_logit(model):
    start = activation_maximisation(model, "output", 7, steps=0)
    result = activation_maximisation(model, "output", 7, steps=STEPS)
    scores = logits(model, np.stack([start, result]))
    assert scores[1, 7] > scores[0, 7] and np.argmax(scores[1]) == 7


def test_maximisation_is_deterministic_with_its_seed(model):
    first = activation_maximisation(model, "conv2d_1", 0, steps=8, seed=5)
    again = activation_maximisation(model, "conv2d_1", 0, steps=8, seed=5)
    np.testing.assert_array_equal(first, again)
    other = activation_maximisation(model, "conv2d_1", 0, steps=8, seed=6)
    assert not np.allclose(first, other)


def test_maximise_all_is_every_filter_at_once(model):
    events = []
    images = maximise_all(model, "conv2d_2", steps=STEPS, progress=events.append)
    assert images.shape == (8, 28, 28) and images.dtype == np.float32
    assert images.min() >= 0 and images.max() <= 1
    assert events == pytest.approx([(i + 1) / STEPS for i in range(STEPS)])
    alone = activation_maximisation(model, "conv2d_2", 4, steps=STEPS)
    np.testing.assert_allclose(images[4], alone, atol=1e-4)
    # Each image excites its own filter more than the other images do, on average.
    maps = outputs(model, "conv2d_2", images).mean(axis=(1, 2))  # (image, filter)
    assert (np.diag(maps) >= maps.mean(axis=0)).mean() >= 0.8
    assert maximise_all(model, "output", steps=2).shape == (10, 28, 28)


def test_none_maximises_the_whole_layer(model):
    result = activation_maximisation(model, "dense_1", None, steps=STEPS)
    start = activation_maximisation(model, "dense_1", None, steps=0)
    before, after = (outputs(model, "dense_1", x[np.newaxis]).mean() for x in (start, result))
    assert after > before


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"layer": "nope"}, r"No layer named 'nope'\. The layers are: conv2d_1, max_pooling2d_1"),
        ({"layer": "conv2d_1", "index": 8}, r"has 8 maps or units, so index must be 0 to 7 or"),
        ({"layer": "conv2d_1", "index": True}, r"Received index=True"),
        (
            {"layer": "conv2d_1", "steps": -1},
            r"`steps` must be a whole number from 0 to 100000\. Received -1",
        ),
        ({"layer": "conv2d_1", "seed": -2}, r"`seed` must be a whole number of at least 0"),
        (
            {"layer": "conv2d_1", "learning_rate": 0},
            r"`learning_rate` must be a number in \(0, 10\]\. Received 0",
        ),
    ],
)
def test_maximisation_explains_bad_arguments(model, arguments, message):
    with pytest.raises(ValueError, match=message):
        activation_maximisation(model, **{"index": 0, **arguments})


def test_grad_cam_is_a_unit_map_of_the_image_size(model, image):
    heat = grad_cam(model, image)
    assert heat.shape == (28, 28) and heat.dtype == np.float32
    assert np.isfinite(heat).all() and heat.min() >= 0 and heat.max() <= 1
    np.testing.assert_array_equal(heat, grad_cam(model, image, layer="conv2d_2"))
    predicted = int(np.argmax(logits(model, image[np.newaxis])))
    np.testing.assert_array_equal(heat, grad_cam(model, image, class_index=predicted))


def test_grad_cam_matches_a_numpy_reference(linear_head, image):
    """Logit c is sum(W[:, c] * maps) + b, so its gradient over the maps is W[:, c]."""
    maps = outputs(linear_head, linear_head.layers[1].name, image[np.newaxis])[0]
    kernel = linear_head.layers[-1].kernel.numpy()
    for class_index in (2, 9):
        weights = kernel[:, class_index].reshape(maps.shape).mean(axis=(0, 1))
        cam = np.maximum((maps * weights).sum(axis=-1), 0)
        expected = cv2.resize(cam, (28, 28), interpolation=cv2.INTER_LINEAR)
        expected = expected / expected.max() if expected.max() > 0 else expected
        np.testing.assert_allclose(grad_cam(linear_head, image, class_index), expected, atol=1e-5)


def test_grad_cam_takes_the_end_of_the_last_convolution_block(image):
    normalised = tiny(batch_norm=True)
    np.testing.assert_array_equal(
        grad_cam(normalised, image), grad_cam(normalised, image, layer="activation_2")
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"class_index": 10}, r"10 classes, so class_index must be 0 to 9 or None.*=10"),
        ({"layer": "dense_1"}, r"Grad-CAM needs a layer with feature maps\. Received layer='d"),
        ({"layer": "nope"}, r"No layer named 'nope'"),
    ],
)
def test_grad_cam_explains_bad_arguments(model, image, arguments, message):
    with pytest.raises(ValueError, match=message):
        grad_cam(model, image, **arguments)


def test_saliency_of_a_linear_model_is_its_kernel(image):
    keras.utils.set_random_seed(2)
    linear = keras.Sequential(
        [keras.Input((28, 28, 1)), keras.layers.Flatten(), keras.layers.Dense(10, "softmax")]
    )
    kernel = np.abs(linear.layers[-1].kernel.numpy()[:, 4]).reshape(28, 28)
    np.testing.assert_allclose(saliency(linear, image, 4), kernel / kernel.max(), atol=1e-6)


def test_saliency_and_smoothgrad_are_unit_maps(model, image):
    plain = saliency(model, image)
    smooth = saliency(model, image, smoothgrad=8, noise=0.2)
    for heat in (plain, smooth):
        assert heat.shape == (28, 28) and heat.dtype == np.float32
        assert np.isfinite(heat).all() and heat.min() >= 0 and heat.max() == pytest.approx(1)
    assert not np.allclose(plain, smooth)
    np.testing.assert_array_equal(smooth, saliency(model, image, smoothgrad=8, noise=0.2))
    assert not np.allclose(smooth, saliency(model, image, smoothgrad=8, noise=0.2, seed=1))
    np.testing.assert_array_equal(plain, saliency(model, image[..., np.newaxis]))


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"smoothgrad": -1}, r"`smoothgrad` must be a whole number from 0 to 1024\. Received -1"),
        ({"noise": 2}, r"`noise` must be a number in \[0, 1\]\. Received 2"),
        ({"class_index": -1}, r"class_index must be 0 to 9 or None"),
    ],
)
def test_saliency_explains_bad_arguments(model, image, arguments, message):
    with pytest.raises(ValueError, match=message):
        saliency(model, image, **arguments)
