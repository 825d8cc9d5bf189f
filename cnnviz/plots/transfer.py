"""A network drawn as the lecture draws VGG16: a slab per layer, coloured by what it does.

Convolutions (with their ReLU) are grey, max pooling red, fully connected layers blue, as in the
lecture's figure, and the softmax output black (the lecture's green would sit beside red, which
colour-blind viewers cannot tell apart: these four differ for every viewer, Okabe and Ito's red
and blue among them). A slab's height grows with its maps' side and
its depth with the channels (both on a log scale, so 224×224×64 and 7×7×512 both stay
visible); a Dense layer is a bar as tall as its units. Pointing at a slab names the layer, its
output shape and its parameters.
"""

from __future__ import annotations

import math

import plotly.graph_objects as go

from cnnviz import i18n
from cnnviz.network.layers import LayerRow
from cnnviz.plots.base import quick_figure

CONV_GREY, POOL_RED, DENSE_BLUE, SOFTMAX_BLACK = "#bdbdbd", "#D55E00", "#0072B2", "#000000"
LAYER_COLOURS = {"Conv2D": CONV_GREY, "MaxPooling2D": POOL_RED, "Dense": DENSE_BLUE}
_GAP = 0.6
# Networks are drawn to one scale: a small CNN does not stretch to VGG16's width (about 62).
_MIN_WIDTH = 62.0


def network_figure(rows: list[LayerRow], title: str, *, language: str = "en") -> go.Figure:
    """The layers of `rows` (`vgg16_rows()`, or a CNN's `summary_rows`) as coloured slabs.

    Args:
        rows: The network's layers in order; input, Flatten and other layers without weights
            or pooling (dropout, batch normalisation's activation) are not drawn.
        title: The figure's title (say, the parameter count).
        language: The language of the legend and of what pointing at a slab says.

    Returns:
        A figure with one rectangle per drawn layer (layout shapes) and its output shape
        written under it, a legend of the four kinds, and an invisible marker per slab that
        answers pointing. Every network is drawn to the same scale.
    """
    words = {key: i18n.translate(language, f"transfer.plots.{key}") for key in _WORDS}
    drawn = [row for row in rows if row.kind in LAYER_COLOURS]
    last_dense = max((i for i, row in enumerate(drawn) if row.kind == "Dense"), default=None)
    shapes, labels, hover, x = [], [], {"x": [], "y": [], "text": []}, 0.0
    for index, row in enumerate(drawn):
        colour = SOFTMAX_BLACK if index == last_dense else LAYER_COLOURS[row.kind]
        width, height = _slab(row)
        shapes.append(_rect(x, width, height, colour))
        labels.append(_label(x + width / 2, -height / 2, _shape(row)))
        hover["x"].append(x + width / 2)
        hover["y"].append(0)
        hover["text"].append(
            f"{row.name} ({row.kind})<br>{words['output']} {_shape(row)}<br>"
            f"{row.parameters:,} {words['parameters']}"
        )
        x += width + _GAP
    data = [
        {
            "type": "scatter",
            "x": hover["x"],
            "y": hover["y"],
            "mode": "markers",
            "marker": {"size": 18, "opacity": 0},
            "hovertext": hover["text"],
            "hoverinfo": "text",
            "showlegend": False,
        },
        *[_legend(words[kind], colour) for kind, colour in _LEGEND],
    ]
    layout = {
        "title": {"text": title},
        "shapes": shapes,
        "annotations": labels,
        "xaxis": {"visible": False, "range": [-_GAP, max(x, _MIN_WIDTH)]},
        "yaxis": {"visible": False, "range": [-13, 8]},
        "height": 360,
        "margin": {"l": 10, "r": 10, "t": 50, "b": 10},
        "legend": {"orientation": "h", "y": -0.05},
        "plot_bgcolor": "white",
    }
    return quick_figure(data, layout)


# The legend's kinds, by their words in the catalog `transfer.plots`.
_LEGEND = (
    ("convolution", CONV_GREY),
    ("max_pooling", POOL_RED),
    ("dense", DENSE_BLUE),
    ("softmax", SOFTMAX_BLACK),
)
_WORDS = ("output", "parameters", *(kind for kind, _ in _LEGEND))


def _slab(row: LayerRow) -> tuple[float, float]:
    """(depth, height) of a layer's slab: log of channels and of the maps' side; a Dense
    layer is a thin bar as tall as the log of its units."""
    if row.kind == "Dense":
        return 0.5, math.log2(row.output_shape[-1] + 1)
    side, channels = row.output_shape[1], row.output_shape[-1]
    return math.log2(channels + 1) / 3, 2 * math.log2(side + 1)


def _rect(x: float, width: float, height: float, colour: str) -> dict:
    return {
        "type": "rect",
        "x0": x,
        "x1": x + width,
        "y0": -height / 2,
        "y1": height / 2,
        "fillcolor": colour,
        "line": {"color": "#333333", "width": 1},
    }


def _label(x: float, y: float, text: str) -> dict:
    """The layer's output shape, written downwards under its slab."""
    return {
        "x": x,
        "y": y,
        "text": text,
        "showarrow": False,
        "textangle": -90,
        "xanchor": "center",
        "yanchor": "top",
        "font": {"size": 10, "color": "#333333"},
    }


def _legend(name: str, colour: str) -> dict:
    """An empty trace whose legend entry names a kind of layer in its colour."""
    return {
        "type": "scatter",
        "x": [None],
        "y": [None],
        "mode": "markers",
        "marker": {"symbol": "square", "size": 12, "color": colour},
        "name": name,
    }


def _shape(row: LayerRow) -> str:
    return "×".join(str(size) for size in row.output_shape[1:])
