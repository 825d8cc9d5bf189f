"""Feature maps and small signed arrays (kernels, windows, products) on a diverging scale:
the Convolution and Pooling pages."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.plots.base import (
    DIVERGING,
    MARGIN,
    box_shape,
    heatmap,
    outline,
    quick_figure,
    symmetric_range,
)
from cnnviz.plots.pixels import pixel_grid


def signed_map(
    values: np.ndarray,
    *,
    title: str = "",
    box: tuple[int, int, int, int] | None = None,
    value_range: tuple[float, float] | None = None,
    height: int = 420,
    colorscale: str | list = DIVERGING,
) -> go.Figure:
    """A feature map on the diverging scale: negative blue, zero white, positive red.

    Negative responses are kept (an edge from dark to light and one from light to dark have
    opposite signs); the colour bar is symmetric around zero unless `value_range` is given.

    Args:
        values: 2-D array of signed numbers.
        title: Figure title.
        box: `(top, left, rows, cols)` of a rectangle to outline.
        value_range: Values at the two ends of the colour bar; symmetric by default.
        height: Figure height in screen pixels.
        colorscale: `GRAY` for an input image; the diverging scale otherwise.
    """
    values = np.asarray(values, dtype=np.float32)
    if values.ndim != 2:
        raise ValueError(f"A feature map must be 2-D. Received shape {values.shape}.")
    figure = go.Figure(
        heatmap(
            values,
            value_range if value_range is not None else symmetric_range(values),
            colorscale,
            colorbar={"thickness": 12, "len": 0.9},
            hovertemplate="row %{y}, column %{x}: %{z:.4g}<extra></extra>",
        )
    )
    if box is not None:
        outline(figure, box)
    figure.update_layout(title=title, height=height, margin=MARGIN)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_xaxes(constrain="domain")
    return figure


def number_grid(
    values: np.ndarray,
    *,
    title: str = "",
    decimals: int = 2,
    mask: np.ndarray | None = None,
    highlight: tuple[int, int] | None = None,
) -> go.Figure:
    """A small signed array (a kernel, a window, products) with every value written in it.

    Args:
        values: 2-D array.
        title: Figure title.
        decimals: Digits after the point in the written values.
        mask: Boolean array; True cells (padding) are drawn grey and marked "pad".
        highlight: `(row, col)` of one cell to outline (the winner of a max pool).
    """
    values = np.asarray(values, dtype=np.float64)
    low, high = symmetric_range(values)
    shown = np.where(mask, np.nan, values) if mask is not None else values
    figure = pixel_grid(
        shown, title=title, colorscale=DIVERGING, value_range=(low, high), decimals=decimals
    )
    # Rebuilt on every rerun: changed as plain dicts, not through validated setters.
    data, layout = [trace.to_plotly_json() for trace in figure.data], figure.layout.to_plotly_json()
    data[0]["textfont"] = {**data[0]["textfont"], "size": 12 if max(values.shape) <= 5 else 10}
    layout["height"] = min(max(max(values.shape) * 44 + 90, 200), 420)
    if highlight is not None:
        layout["shapes"] = [box_shape((highlight[0], highlight[1], 1, 1))]
    return quick_figure(data, layout)
