"""Small signed arrays (kernels, windows, products) written out on a diverging scale: the
Convolution page."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz.plots.base import (
    DIVERGING,
    box_shape,
    quick_figure,
    symmetric_range,
)
from cnnviz.plots.pixels import pixel_grid


def number_grid(
    values: np.ndarray,
    *,
    title: str = "",
    decimals: int = 2,
    mask: np.ndarray | None = None,
    highlight: tuple[int, int] | None = None,
    language: str = "en",
) -> go.Figure:
    """A small signed array (a kernel, a window, products) with every value written in it.

    Args:
        values: 2-D array.
        title: Figure title.
        decimals: Digits after the point in the written values.
        mask: Boolean array; True cells (padding) are drawn grey and marked "pad".
        highlight: `(row, col)` of one cell to outline (the winner of a max pool).
        language: The language of the hover text ("en" or "es").
    """
    values = np.asarray(values, dtype=np.float64)
    low, high = symmetric_range(values)
    shown = np.where(mask, np.nan, values) if mask is not None else values
    figure = pixel_grid(
        shown,
        title=title,
        colorscale=DIVERGING,
        value_range=(low, high),
        decimals=decimals,
        language=language,
    )
    # Rebuilt on every rerun: changed as plain dicts, not through validated setters.
    data, layout = [trace.to_plotly_json() for trace in figure.data], figure.layout.to_plotly_json()
    data[0]["textfont"] = {**data[0]["textfont"], "size": 12 if max(values.shape) <= 5 else 10}
    layout["height"] = min(max(max(values.shape) * 44 + 90, 200), 420)
    if highlight is not None:
        layout["shapes"] = [box_shape((highlight[0], highlight[1], 1, 1))]
    return quick_figure(data, layout)
