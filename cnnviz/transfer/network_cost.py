"""What a network's size costs: its weights in memory, training's memory, and the arithmetic
of one image, computed from its layers (`LayerRow`s) in plain Python.

The lecture compares VGG16 (138,357,544 parameters) with its own MNIST CNN (30,762): both are
measured here the same way. Memory: each parameter is a float32 (4 bytes); training with Adam
keeps, per weight, its gradient and Adam's two moving averages as well, four times the
weights in all (`cnnviz.network.design`'s rule). Time: each output value of a Conv2D or Dense
layer is one weighted sum, so a layer takes (its weights without the biases) × (its output
positions) multiply-accumulates per image; pooling and activations cost next to nothing beside
them. A training step costs about three forward passes (the backward pass computes two
products per weight: one for the gradient of the input, one for the weights').

Example:
    >>> from cnnviz.network.vgg16 import VGG16_INPUT_SHAPE, vgg16_rows
    >>> vgg16 = network_cost("VGG16", vgg16_rows(), (224, 224, 3))
    >>> vgg16.parameters, round(vgg16.multiply_accumulates / 1e9, 2)
    (138357544, 15.47)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

from cnnviz import i18n
from cnnviz.network.config import lecture_config
from cnnviz.network.design import BYTES_PER_VALUE, OPTIMIZER_SLOTS
from cnnviz.network.layers import LayerRow, summary_rows
from cnnviz.network.vgg16 import VGG16_INPUT_SHAPE, vgg16_rows

# Forward passes a training step costs: forward, then the gradients of inputs and of weights.
TRAINING_PASSES = 3
# Photos in ImageNet's training set (ILSVRC 2012), on which VGG16 was trained.
IMAGENET_TRAINING_IMAGES = 1_281_167
_WEIGHTED_KINDS = ("Conv2D", "Dense")


@dataclass(frozen=True)
class NetworkCost:
    """One network's size, memory and arithmetic.

    Attributes:
        name: What to call it.
        input_shape: One image, `(height, width, channels)`.
        parameters: Trainable and non-trainable parameters.
        trainable: Trainable parameters (those Adam keeps state for).
        multiply_accumulates: Multiply-accumulates of one forward pass of one image.
        activation_values: Numbers one image's forward pass produces (its input and every
            layer's output), all kept for backpropagation while training.
    """

    name: str
    input_shape: tuple[int, ...]
    parameters: int
    trainable: int
    multiply_accumulates: int
    activation_values: int

    @property
    def weight_bytes(self) -> int:
        """Bytes of the parameters as float32."""
        return BYTES_PER_VALUE * self.parameters

    @property
    def adam_bytes(self) -> int:
        """Bytes training with Adam keeps besides activations: the weights, and per trainable
        weight its gradient and Adam's two moments."""
        return self.weight_bytes + BYTES_PER_VALUE * self.trainable * (1 + OPTIMIZER_SLOTS["adam"])

    @property
    def activation_bytes(self) -> int:
        """Bytes of one image's activations as float32, kept while training."""
        return BYTES_PER_VALUE * self.activation_values

    def epoch_multiply_accumulates(self, images: int) -> int:
        """Multiply-accumulates of one training epoch over `images` images (each image
        costs `TRAINING_PASSES` forward passes)."""
        return TRAINING_PASSES * self.multiply_accumulates * images


def multiply_accumulates(rows: list[LayerRow]) -> int:
    """Multiply-accumulates one image costs in the Conv2D and Dense layers of `rows`.

    A layer's weights without its biases (parameters − output channels) each take part once
    per output position: Conv2D (3×3, 64 → 64) on a 224×224 map does 36,864 × 50,176.

    Args:
        rows: The layers, as `summary_rows(config)` or `vgg16_rows()` give them.

    Returns:
        The sum over the layers.

    Example:
        >>> multiply_accumulates(summary_rows(lecture_config()))
        680832
    """
    total = 0
    for row in rows:
        if row.kind in _WEIGHTED_KINDS:
            positions = math.prod(row.output_shape[1:-1])
            total += (row.trainable - row.output_shape[-1]) * positions
    return total


def network_cost(name: str, rows: list[LayerRow], input_shape: tuple[int, ...]) -> NetworkCost:
    """The `NetworkCost` of the network whose layers are `rows`, for images of `input_shape`.

    An `InputLayer` row (as `vgg16_rows` has) is the input, not counted twice.
    """
    outputs = [math.prod(row.output_shape[1:]) for row in rows if row.kind != "InputLayer"]
    return NetworkCost(
        name=name,
        input_shape=tuple(input_shape),
        parameters=sum(row.parameters for row in rows),
        trainable=sum(row.trainable for row in rows),
        multiply_accumulates=multiply_accumulates(rows),
        activation_values=math.prod(input_shape) + sum(outputs),
    )


def vgg16_and_lecture_cnn(*, language: str = "en") -> tuple[NetworkCost, NetworkCost]:
    """VGG16 on ImageNet (224×224×3, 1,000 classes) and the lecture's MNIST CNN, side by side
    (the lecture's CNN named in `language`).

    Example:
        >>> vgg16, lecture = vgg16_and_lecture_cnn()
        >>> lecture.parameters, lecture.input_shape
        (30762, (28, 28, 1))
    """
    config = lecture_config()
    name = i18n.translate(language, "transfer.vgg16.lecture_cnn")
    lecture = network_cost(name, summary_rows(config), config.input_shape)
    return network_cost("VGG16", vgg16_rows(), VGG16_INPUT_SHAPE), lecture
