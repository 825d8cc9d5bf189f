"""explain_activation redoes one value of every layer by hand; the model's own value checks it."""

import numpy as np
import pytest

from cnnviz.network.forward_pass import LayerActivation
from cnnviz.network.worked_example import (
    EXPLAINED_KINDS,
    ActivationExplanation,
    ChainStep,
    DenseExplanation,
    PoolingExplanation,
    explain_activation,
)

pytestmark = pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning")
POSITIONS_PER_LAYER = 8


@pytest.fixture(scope="module")
def keras():
    import keras

    return keras


def with_random_statistics(keras, model, seed):
    """Give every BatchNormalization random gamma, beta and moving statistics."""
    rng = np.random.default_rng(seed)
    for layer in model.layers:
        if isinstance(layer, keras.layers.BatchNormalization):
            size = layer.moving_mean.shape[0]
            if layer.scale:
                layer.gamma.assign(rng.uniform(-2.0, 2.0, size))
            if layer.center:
                layer.beta.assign(rng.normal(0.0, 1.0, size))
            layer.moving_mean.assign(rng.normal(0.0, 0.5, size))
            layer.moving_variance.assign(rng.uniform(0.2, 3.0, size))
    return model


def lecture(keras):
    from cnnviz.engine.keras_side.build import build_cnn
    from cnnviz.network.config import lecture_config

    return build_cnn(lecture_config())


def strided_batch_norm(keras):
    """Batch norm, strides 2 with 'same' padding, an even kernel, selu and gelu, dropout."""
    from cnnviz.engine.keras_side.build import build_cnn
    from cnnviz.network.config import CNNConfig, ConvBlock

    blocks = (
        ConvBlock(4, 3, strides=2, padding="same", activation="selu"),
        ConvBlock(6, 4, padding="same", activation="gelu", pooling="average"),
    )
    config = CNNConfig(
        conv_blocks=blocks, batch_norm=True, spatial_dropout=0.1, dense_units=(8,), dropout=0.2
    )
    return build_cnn(config)


def padded_pooling(keras):
    """'same' pooling with strides, a conv without bias, Dense -> BatchNorm -> softmax."""
    layers = keras.layers
    return keras.Sequential(
        [
            keras.Input((28, 28, 1)),
            layers.Conv2D(3, 3, strides=2, padding="same", activation="tanh"),
            layers.MaxPooling2D(3, strides=2, padding="same"),
            layers.Conv2D(4, 2, padding="same", use_bias=False, activation="elu"),
            layers.AveragePooling2D(3, strides=2, padding="same"),
            layers.Flatten(),
            layers.Dense(5, activation="sigmoid"),
            layers.BatchNormalization(center=False),
            layers.Activation("softmax"),
        ]
    )


MODELS = {"lecture": lecture, "strided_batch_norm": strided_batch_norm, "pooling": padded_pooling}


@pytest.fixture(scope="module", params=list(MODELS))
def model_pass(request, keras):
    """(activations, image) of one forward pass of a seeded model."""
    from cnnviz.engine.keras_side.extract import feature_maps

    keras.utils.set_random_seed(0)
    model = with_random_statistics(keras, MODELS[request.param](keras), seed=1)
    image = np.random.default_rng(2).random((28, 28), dtype=np.float32)
    return feature_maps(model, image), image


def random_positions(shape, rng, count=POSITIONS_PER_LAYER):
    """Positions (channel, row, col) including the corners, where padding matters."""
    if len(shape) == 1:
        return [(int(c), None, None) for c in rng.integers(0, shape[0], count)]
    corners = [(0, 0), (shape[0] - 1, shape[1] - 1), (0, shape[1] - 1)]
    cells = corners + [tuple(rng.integers(0, shape[:2])) for _ in range(count - 3)]
    return [(int(rng.integers(shape[2])), int(r), int(c)) for r, c in cells]


def test_every_explained_layer_matches_the_model(model_pass):
    activations, image = model_pass
    outputs = {item.name: item.output for item in activations}
    rng = np.random.default_rng(3)
    explained_kinds = set()
    for item in activations:
        if item.kind not in EXPLAINED_KINDS:
            continue
        explained_kinds.add(item.kind)
        for channel, row, col in random_positions(item.output.shape, rng):
            explained = explain_activation(activations, image, item.name, channel, row, col)
            position = (channel,) if row is None else (row, col, channel)
            assert explained.value == pytest.approx(explained.model_value, abs=1e-5)
            steps = getattr(explained, "steps", None) or [
                ChainStep(item.name, item.kind, explained.value, explained.model_value)
            ]
            assert item.name in [step.layer for step in steps]
            assert steps[-1].model_value == explained.model_value
            for step in steps:  # every layer of a chain, against the model's own output
                assert step.value == pytest.approx(step.model_value, abs=1e-5), step
                assert step.model_value == float(outputs[step.layer][position])
    assert explained_kinds >= {"Conv2D", "Dense"}


def test_a_convolution_chain_shows_its_arithmetic(model_pass):
    activations, image = model_pass
    for item in activations:
        if item.kind != "Conv2D":
            continue
        rows, cols, channels = item.output.shape
        explained = explain_activation(activations, image, item.name, channels - 1, rows - 1, 0)
        assert isinstance(explained, ActivationExplanation)
        k = item.weights["kernel"].shape
        assert explained.window.shape == explained.kernel.shape == explained.products.shape
        assert explained.kernel.shape == k[:3] and explained.padded_mask.shape == k[:2]
        np.testing.assert_array_equal(explained.kernel, item.weights["kernel"][..., -1])
        np.testing.assert_allclose(explained.products, explained.window * explained.kernel)
        assert explained.per_channel_sums.shape == (k[2],)
        assert explained.per_channel_sums.sum() == pytest.approx(explained.total)
        assert explained.pre_activation == pytest.approx(explained.total + explained.bias)
        assert explained.steps[0].layer == item.name == explained.conv_layer
        assert explained.steps[0].model_value == item.output[rows - 1, 0, channels - 1]
        assert (explained.window[explained.padded_mask] == 0).all()


def test_batch_norm_is_shown_with_its_parameters():
    """A hand-made chain: conv 1x1 -> batch norm -> relu on a 1x1 image, worked out by hand."""
    kernel, bias = np.array([[[[2.0]]]]), np.array([0.5])
    image = np.array([[0.25]])
    z = 0.25 * 2.0 + 0.5  # 1.0
    gamma, beta, mean, variance, epsilon = 3.0, -1.0, 0.2, 0.16, 1e-3
    normalised = gamma * (z - mean) / np.sqrt(variance + epsilon) + beta
    norm_weights = {"gamma": [gamma], "beta": [beta], "moving_mean": [mean]}
    norm_weights |= {"moving_variance": [variance]}
    conv_settings = {"kernel_size": (1, 1), "strides": (1, 1), "padding": "valid"}
    activations = [
        LayerActivation(
            name="conv",
            kind="Conv2D",
            output=np.full((1, 1, 1), z),
            weights={"kernel": kernel, "bias": bias},
            config=conv_settings | {"activation": "linear"},
        ),
        LayerActivation(
            name="norm",
            kind="BatchNormalization",
            output=np.full((1, 1, 1), normalised),
            weights={k: np.array(v) for k, v in norm_weights.items()},
            config={"epsilon": epsilon},
        ),
        LayerActivation(
            name="relu",
            kind="Activation",
            output=np.full((1, 1, 1), max(normalised, 0)),
            config={"activation": "relu"},
        ),
    ]
    for layer in ("conv", "norm", "relu"):
        explained = explain_activation(activations, image, layer, 0, 0, 0)
        assert explained.batch_norm == pytest.approx(
            {
                "layer": "norm",
                "gamma": gamma,
                "beta": beta,
                "moving_mean": mean,
                "moving_variance": variance,
                "epsilon": epsilon,
                "input": z,
                "value": normalised,
            }
        )
        assert explained.activation == "relu" and explained.value == pytest.approx(normalised)
        assert [step.layer for step in explained.steps] == ["conv", "norm", "relu"]


def test_pooling_shows_the_window_and_the_winner(model_pass):
    activations, image = model_pass
    for item in activations:
        if item.kind not in ("MaxPooling2D", "AveragePooling2D"):
            continue
        explained = explain_activation(activations, image, item.name, 0, 0, 0)
        assert isinstance(explained, PoolingExplanation)
        real = explained.window[~explained.padded_mask]
        if item.kind == "MaxPooling2D":
            assert explained.method == "max" and explained.value == real.max()
            assert explained.window[explained.argmax] == real.max()
        else:
            assert explained.method == "average" and explained.argmax is None
            assert explained.value == pytest.approx(real.mean())


def test_dense_layers_report_their_largest_contributions(model_pass):
    activations, image = model_pass
    dense = next(item for item in activations if item.kind == "Dense")
    explained = explain_activation(activations, image, dense.name, 1)
    assert isinstance(explained, DenseExplanation)
    assert explained.products.shape == explained.inputs.shape == explained.weights.shape
    top = explained.products[explained.top_indices]
    assert len(top) == min(10, explained.products.size)
    assert (np.abs(top) >= np.abs(np.delete(explained.products, explained.top_indices)).max()).all()
    assert top.sum() + explained.other_sum == pytest.approx(explained.total)
    before_flatten = next(
        a.output for a, b in zip(activations, activations[1:], strict=False) if b.kind == "Flatten"
    )
    for index, position in zip(explained.top_indices, explained.top_positions, strict=True):
        assert before_flatten[position] == explained.inputs[index]


# Errors say what was received and what is accepted.


@pytest.fixture(scope="module")
def lecture_pass(keras):
    from cnnviz.engine.keras_side.extract import feature_maps

    keras.utils.set_random_seed(0)
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    return feature_maps(lecture(keras), image), image


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (("nope", 0, 0, 0), r"No layer named 'nope'\. The layers are: conv2d_1, max_pooling2d_1"),
        (("flatten", 0), "'flatten' is a Flatten; explain_activation explains these kinds"),
        (("conv2d_1", 16, 0, 0), r"outputs shape \(26, 26, 16\).*Received channel=16, row=0"),
        (("conv2d_1", 0, 26, 0), r"row must be 0 to 25, col 0 to 25 and channel 0 to 15"),
        (("conv2d_1", 0, None, None), r"Received channel=0, row=None, col=None"),
        (("conv2d_1", True, 0, 0), r"Received channel=True"),
        (("dense_1", 32), r"outputs shape \(32,\): channel \(the unit\) must be 0 to 31"),
        (("dense_1", 0, 0, 0), r"and row and col None\. Received channel=0, row=0, col=0"),
    ],
)
def test_bad_requests_are_explained(lecture_pass, arguments, message):
    activations, image = lecture_pass
    with pytest.raises(ValueError, match=message):
        explain_activation(activations, image, *arguments)


def test_an_image_from_another_pass_is_refused(lecture_pass):
    activations, _ = lecture_pass
    message = r"cannot have read 'input' of shape \(32, 32, 1\)\. Received activations and an"
    with pytest.raises(ValueError, match=message):
        explain_activation(activations, np.zeros((32, 32)), "conv2d_1", 0, 0, 0)


def test_layers_that_cannot_be_explained_say_why():
    maps = np.zeros((2, 2, 1))
    conv = {"kernel_size": (1, 1), "strides": (1, 1), "padding": "valid"}
    weights = {"kernel": np.ones((1, 1, 1, 1))}
    after_pooling = [
        LayerActivation("pool", "MaxPooling2D", maps, {}, {"pool_size": (1, 1)}),
        LayerActivation("norm", "BatchNormalization", maps, {}, {"epsilon": 1e-3}),
    ]
    with pytest.raises(ValueError, match="follows a MaxPooling2D instead. Received layer='norm'"):
        explain_activation(after_pooling, maps[..., 0], "norm", 0, 0, 0)
    for activation, message in [
        ("mish", "uses the activation 'mish', which cannot be explained. Explained activations"),
        ("softmax", "softmax across the channels of a feature map"),
    ]:
        settings = conv | {"activation": activation}
        layers = [LayerActivation("conv", "Conv2D", maps, weights, settings)]
        with pytest.raises(ValueError, match=message):
            explain_activation(layers, maps[..., 0], "conv", 0, 0, 0)
