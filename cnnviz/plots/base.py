"""Colour scales and helpers shared by every figure (defined once, here)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

GRAY = [[0.0, "#000000"], [1.0, "#ffffff"]]


CHANNEL_SCALES = {
    "R": [[0.0, "#000000"], [1.0, "#ff0000"]],
    "G": [[0.0, "#000000"], [1.0, "#00c000"]],
    "B": [[0.0, "#000000"], [1.0, "#0050ff"]],
}
# Diverging scale for signed responses (negative blue, zero white, positive red).


DIVERGING = "RdBu_r"


BOX_COLOUR = "#ff2b2b"


CELL_PX = 22


MARGIN = dict(l=40, r=10, t=60, b=20)


def symmetric_range(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest absolute finite value (or 1), for a scale centred on 0."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 1.0
    return (-limit, limit) if limit > 0 else (-1.0, 1.0)


def outline(figure: go.Figure, box: tuple[int, int, int, int], row=None, col=None) -> None:
    """Draw a red rectangle round `box` = (top, left, rows, cols) of a heatmap or image."""
    top, left, rows, cols = box
    figure.add_shape(
        type="rect",
        x0=left - 0.5,
        x1=left + cols - 0.5,
        y0=top - 0.5,
        y1=top + rows - 0.5,
        line={"color": BOX_COLOUR, "width": 2},
        row=row,
        col=col,
    )
