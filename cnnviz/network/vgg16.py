"""VGG16 (Simonyan and Zisserman, 2014), the network of the lecture's transfer-learning figure,
layer by layer in plain Python: names, output shapes and parameters as Keras's
`keras.applications.VGG16` has them, without TensorFlow and without its 528 MB of weights.

Five blocks of 3×3 convolutions ("same" padding, ReLU), each ending in 2×2 max pooling, then
Flatten and three Dense layers (4096, 4096, and the classes with a softmax): 138,357,544
parameters for ImageNet's 1,000 classes at 224×224×3, against the lecture's MNIST CNN's 30,762.

Example:
    >>> rows = vgg16_rows()
    >>> rows[1].name, rows[1].output_shape, rows[1].parameters
    ('block1_conv1', (None, 224, 224, 64), 1792)
    >>> sum(row.parameters for row in rows)
    138357544
"""

from __future__ import annotations

from cnnviz.network.layers import LayerRow, conv_layer_parameters
from cnnviz.validation import check_whole

# (convolutions, filters) of each block, as the paper's configuration D.
VGG16_BLOCKS = ((2, 64), (2, 128), (3, 256), (3, 512), (3, 512))
VGG16_INPUT_SHAPE = (224, 224, 3)
VGG16_DENSE_UNITS = (4096, 4096)
IMAGENET_CLASSES = 1000


def vgg16_rows(
    input_shape: tuple[int, int, int] = VGG16_INPUT_SHAPE,
    include_top: bool = True,
    classes: int = IMAGENET_CLASSES,
) -> list[LayerRow]:
    """VGG16's layers as `model.summary()` lists them, with each one's receptive field.

    Args:
        input_shape: `(height, width, channels)`; with the top, Keras requires 224×224×3
            (the Dense layers' sizes depend on it), without it any size of at least 32×32.
        include_top: Whether to end with Flatten and the three Dense layers ("fc1", "fc2",
            "predictions"), as `keras.applications.VGG16(include_top=...)`.
        classes: Units of the last layer (with the top).

    Returns:
        One `LayerRow` per layer, the input layer first.

    Raises:
        ValueError: For an input smaller than 32×32, a channel count below 1, a top on
            another input than 224×224×3, or fewer than 1 class.
    """
    height, width, channels = _check_input(input_shape, include_top)
    check_whole(classes, "`classes`", low=1)
    rows = [LayerRow("input_layer", "InputLayer", (None, height, width, channels), 0, 0, 1)]
    field, jump = 1, 1  # receptive side, and the input step between neighbouring units
    for block, (convolutions, filters) in enumerate(VGG16_BLOCKS, start=1):
        for number in range(1, convolutions + 1):
            field += 2 * jump
            parameters = conv_layer_parameters(3, channels, filters)
            shape = (None, height, width, filters)
            rows.append(
                LayerRow(f"block{block}_conv{number}", "Conv2D", shape, parameters, 0, field)
            )
            channels = filters
        field, jump = field + jump, 2 * jump
        height, width = height // 2, width // 2
        shape = (None, height, width, channels)
        rows.append(LayerRow(f"block{block}_pool", "MaxPooling2D", shape, 0, 0, field))
    if not include_top:
        return rows
    units = height * width * channels
    rows.append(LayerRow("flatten", "Flatten", (None, units), 0, 0, None))
    names = ("fc1", "fc2", "predictions")
    for name, size in zip(names, (*VGG16_DENSE_UNITS, classes), strict=True):
        rows.append(LayerRow(name, "Dense", (None, size), units * size + size, 0, None))
        units = size
    return rows


def _check_input(input_shape, include_top: bool) -> tuple[int, int, int]:
    if not (isinstance(input_shape, tuple | list) and len(input_shape) == 3):
        raise ValueError(f"`input_shape` is (height, width, channels). Received {input_shape!r}.")
    height, width, channels = (check_whole(v, "`input_shape`", low=1) for v in input_shape)
    if include_top and (height, width, channels) != VGG16_INPUT_SHAPE:
        raise ValueError(
            "With its Dense top, VGG16 takes 224×224×3 images (the Dense layers' sizes depend "
            f"on it). Received {tuple(input_shape)}; use include_top=False for another size."
        )
    if min(height, width) < 32:
        raise ValueError(
            "VGG16 halves its input five times, so it needs at least 32×32 pixels. "
            f"Received {tuple(input_shape)}."
        )
    return height, width, channels
