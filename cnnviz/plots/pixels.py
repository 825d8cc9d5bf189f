"""Pixels as numbers: heatmaps with every value written in, images with a window box, and
galleries of small images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.graph_objects as go

from cnnviz.plots.base import CELL_PX, GRAY, MARGIN, heatmap, outline, tile_figure


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
    side = max(height, width) * CELL_PX
    figure.update_layout(
        title={"text": title, "y": 0.99, "yanchor": "top"},
        height=min(max(side + 90, 250), 760),
        margin=MARGIN,
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
        outline(figure, box)
    figure.update_layout(title=title, height=height, margin=MARGIN)
    figure.update_xaxes(showticklabels=True)
    return figure


def image_gallery(images: np.ndarray, captions: list[str], *, columns: int = 8) -> go.Figure:
    """Small grayscale images (uint8 or 0..1) in a grid, each with a caption."""
    images = np.asarray(images)
    top = 1.0 if images.dtype != np.uint8 else 255
    tiles = [
        (caption, heatmap(image, (0, top), GRAY, showscale=False, hoverinfo="skip"))
        for caption, image in zip(captions, images, strict=True)
    ]
    return tile_figure(tiles, columns, tile_height=120)
