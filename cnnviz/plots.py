"""Arrays to plotly figures. Colour scales are defined once, here; nothing here calls Streamlit.

Every function takes NumPy arrays and returns a `plotly.graph_objects.Figure`; pages only
render what they get. Heatmaps put row 0 at the top, like an image.
"""

from __future__ import annotations

from collections.abc import Sequence

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

_CELL_PX = 22
_MARGIN = dict(l=40, r=10, t=60, b=20)


def pixel_grid(
    values: np.ndarray,
    *,
    title: str = "",
    colorscale: str | list = GRAY,
    value_range: tuple[float, float] = (0, 255),
    rows: Sequence[int] | None = None,
    cols: Sequence[int] | None = None,
    decimals: int = 0,
) -> go.Figure:
    """A heatmap of a 2-D array with each cell's value written in it.

    Args:
        values: 2-D array of numbers (one channel).
        title: Figure title.
        colorscale: Plotly colour scale; grayscale by default.
        value_range: Values mapped to the two ends of the colour scale.
        rows: Row numbers to label the y axis with (a window's place in a larger image).
        cols: Column numbers to label the x axis with.
        decimals: Digits after the point in the written values (0 for raw pixels).

    Returns:
        A square-celled heatmap whose `z` holds `values` unchanged.

    Raises:
        ValueError: If `values` is not 2-D.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"A pixel grid needs a 2-D array. Received shape {values.shape}.")
    height, width = values.shape
    rows = list(rows) if rows is not None else list(range(height))
    cols = list(cols) if cols is not None else list(range(width))
    font_size = 9 if width > 20 else 11
    heatmap = go.Heatmap(
        z=values,
        x=cols,
        y=rows,
        colorscale=colorscale,
        zmin=value_range[0],
        zmax=value_range[1],
        texttemplate=f"%{{z:.{decimals}f}}",
        textfont={"size": font_size},
        hovertemplate=f"row %{{y}}, column %{{x}}: %{{z:.{max(decimals, 0)}f}}<extra></extra>",
        showscale=False,
        xgap=1,
        ygap=1,
    )
    figure = go.Figure(heatmap)
    side = max(height, width) * _CELL_PX
    figure.update_layout(
        title={"text": title, "y": 0.99, "yanchor": "top"},
        height=min(max(side + 90, 250), 760),
        margin=_MARGIN,
        plot_bgcolor="#808080",
    )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_xaxes(constrain="domain", side="top")
    if max(height, width) <= 16:
        figure.update_xaxes(dtick=1)
        figure.update_yaxes(dtick=1)
    return figure


def image_figure(
    image: np.ndarray,
    *,
    title: str = "",
    box: tuple[int, int, int, int] | None = None,
    height: int = 420,
) -> go.Figure:
    """An RGB or grayscale uint8 image as a figure, optionally with a rectangle drawn on it.

    Args:
        image: `(height, width)` or `(height, width, 3)` uint8 array.
        title: Figure title.
        box: `(top, left, rows, cols)` of a rectangle to outline, in this image's pixels.
        height: Figure height in screen pixels.

    Returns:
        A figure with one `go.Image` trace and, with `box`, one rectangle shape.
    """
    rgb = np.asarray(image)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(
            f"Expected an image of shape (height, width) or (height, width, 3). "
            f"Received shape {np.asarray(image).shape}."
        )
    figure = go.Figure(go.Image(z=rgb, hovertemplate="row %{y}, column %{x}<extra></extra>"))
    if box is not None:
        top, left, rows, cols = box
        figure.add_shape(
            type="rect",
            x0=left - 0.5,
            x1=left + cols - 0.5,
            y0=top - 0.5,
            y1=top + rows - 0.5,
            line={"color": BOX_COLOUR, "width": 2},
        )
    figure.update_layout(title=title, height=height, margin=_MARGIN)
    figure.update_xaxes(showticklabels=True)
    return figure


def symmetric_range(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest absolute finite value (or 1), for a scale centred on 0."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 1.0
    return (-limit, limit) if limit > 0 else (-1.0, 1.0)


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
    low, high = value_range if value_range is not None else symmetric_range(values)
    figure = go.Figure(
        go.Heatmap(
            z=values,
            colorscale=colorscale,
            zmin=low,
            zmax=high,
            colorbar={"thickness": 12, "len": 0.9},
            hovertemplate="row %{y}, column %{x}: %{z:.4g}<extra></extra>",
        )
    )
    if box is not None:
        _outline(figure, box)
    figure.update_layout(title=title, height=height, margin=_MARGIN)
    figure.update_yaxes(autorange="reversed", scaleanchor="x", constrain="domain")
    figure.update_xaxes(constrain="domain")
    return figure


def _outline(figure: go.Figure, box: tuple[int, int, int, int], row=None, col=None) -> None:
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
    figure.data[0].texttemplate = f"%{{z:.{decimals}f}}"
    figure.data[0].hoverongaps = False
    side = max(values.shape) * 44
    figure.update_layout(height=min(max(side + 90, 200), 420))
    figure.data[0].textfont = {"size": 12 if max(values.shape) <= 5 else 10}
    if highlight is not None:
        _outline(figure, (highlight[0], highlight[1], 1, 1))
    return figure


def map_gallery(maps: dict[str, np.ndarray], *, columns: int = 4) -> go.Figure:
    """Several signed maps side by side, each with its own symmetric diverging scale.

    Args:
        maps: Title -> 2-D array, drawn in order, `columns` per row.
        columns: Maps per row.
    """
    from plotly.subplots import make_subplots

    names = list(maps)
    rows = -(-len(names) // columns)
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=names,
        horizontal_spacing=0.02,
        vertical_spacing=0.08,
    )
    for index, name in enumerate(names):
        values = np.asarray(maps[name], dtype=np.float32)
        low, high = symmetric_range(values)
        figure.add_trace(
            go.Heatmap(
                z=values,
                colorscale=DIVERGING,
                zmin=low,
                zmax=high,
                showscale=False,
                name=name,
                hovertemplate=f"{name}<br>row %{{y}}, column %{{x}}: %{{z:.4g}}<extra></extra>",
            ),
            row=index // columns + 1,
            col=index % columns + 1,
        )
    figure.update_yaxes(autorange="reversed", showticklabels=False, scaleanchor=None)
    figure.update_xaxes(showticklabels=False)
    figure.update_layout(height=230 * rows + 40, margin=dict(l=10, r=10, t=40, b=10))
    figure.update_annotations(font_size=12)
    return figure
