"""The lecture's VGG16 figure: a slab per layer, coloured by kind, each named on pointing."""

from itertools import pairwise

from cnnviz.network import lecture_config
from cnnviz.network.layers import summary_rows
from cnnviz.network.vgg16 import vgg16_rows
from cnnviz.plots.transfer import (
    CONV_GREY,
    DENSE_BLUE,
    POOL_RED,
    SOFTMAX_BLACK,
    network_figure,
)


def test_vgg16_is_drawn_grey_red_blue_as_in_the_lecture_and_the_softmax_black():
    figure = network_figure(vgg16_rows(), "VGG16: 138,357,544 parameters")
    colours = [shape.fillcolor for shape in figure.layout.shapes]
    # 13 convolutions in five blocks, each block ending in a pool, then fc1, fc2, softmax.
    expected = []
    for convolutions in (2, 2, 3, 3, 3):
        expected += [CONV_GREY] * convolutions + [POOL_RED]
    assert colours == expected + [DENSE_BLUE, DENSE_BLUE, SOFTMAX_BLACK]
    hover = figure.data[0].hovertext
    assert hover[0] == "block1_conv1 (Conv2D)<br>output 224×224×64<br>1,792 parameters"
    assert hover[-1] == "predictions (Dense)<br>output 1000<br>4,097,000 parameters"
    assert figure.layout.title.text == "VGG16: 138,357,544 parameters"
    shapes = [label.text for label in figure.layout.annotations]
    assert shapes[:3] == ["224×224×64", "224×224×64", "112×112×64"] and shapes[-1] == "1000"
    assert [trace.name for trace in figure.data[1:]] == [
        "convolution + ReLU",
        "max pooling",
        "fully connected + ReLU",
        "softmax",
    ]


def test_slabs_shrink_with_the_maps_and_deepen_with_the_channels():
    shapes = network_figure(vgg16_rows(), "").layout.shapes
    heights = [shape.y1 - shape.y0 for shape in shapes]
    depths = [shape.x1 - shape.x0 for shape in shapes]
    assert heights[0] > heights[2] > heights[-5]  # 224 > 112 > 14 pixels on a side
    assert depths[0] < depths[3] < depths[-5]  # 64 < 128 < 512 channels
    assert all(a.x1 < b.x0 for a, b in pairwise(shapes))  # left to right, apart


def test_the_lectures_mnist_cnn_draws_the_same_way():
    rows = summary_rows(lecture_config())
    figure = network_figure(rows, "")
    kinds = [row.kind for row in rows if row.kind in ("Conv2D", "MaxPooling2D", "Dense")]
    assert len(figure.layout.shapes) == len(kinds)
    assert figure.layout.shapes[-1].fillcolor == SOFTMAX_BLACK
