"""Pixels as numbers: heatmaps with every value written in, images with a window box, and
galleries of small images."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import plotly.colors
import plotly.graph_objects as go

from cnnviz import i18n
from cnnviz.plots.base import (
    BOX_COLOUR,
    CELL_PX,
    GRAY,
    MARGIN,
    heatmap,
    outline,
    quick_figure,
    tile_figure,
)

BLACK, WHITE = "#000000", "#ffffff"
# A slim grey colour bar with its values: the legend of a picture's pixels.
GREY_LEGEND = {"thickness": 8, "len": 0.6, "nticks": 3}
# A window drawn smaller than this share of the image's longer side would be a dot on screen:
# a ring of fixed screen size marks it as well.
SMALL_BOX = 1 / 40


def cell_colours(
    values: np.ndarray, colorscale: str | list, value_range: tuple[float, float]
) -> np.ndarray:
    """The colour a heatmap paints each value, as plotly does: linear in RGB between stops.

    Args:
        values: Array of numbers.
        colorscale: A plotly colour scale (a name, or a list of `[position, colour]`).
        value_range: `(zmin, zmax)`: the values at the two ends of the scale.

    Returns:
        float64 array of shape `values.shape + (3,)`, red, green and blue in 0..255.
    """
    scale = plotly.colors.get_colorscale(colorscale) if isinstance(colorscale, str) else colorscale
    stops = np.array([float(position) for position, _ in scale])
    rgb = [plotly.colors.convert_colors_to_same_type(colour, "rgb")[0][0] for _, colour in scale]
    channels = np.array([plotly.colors.unlabel_rgb(colour) for colour in rgb], dtype=np.float64)
    low, high = value_range
    fraction = (np.asarray(values, dtype=np.float64) - low) / ((high - low) or 1.0)
    fraction = np.clip(np.nan_to_num(fraction), 0.0, 1.0)
    return np.stack([np.interp(fraction, stops, channels[:, k]) for k in range(3)], axis=-1)


def relative_luminance(rgb: np.ndarray) -> np.ndarray:
    """WCAG 2 relative luminance of sRGB colours given in 0..255 (last axis: R, G, B)."""
    linear = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(linear <= 0.04045, linear / 12.92, ((linear + 0.055) / 1.055) ** 2.4)
    return linear @ np.array([0.2126, 0.7152, 0.0722])


def text_colours(
    values: np.ndarray, colorscale: str | list, value_range: tuple[float, float]
) -> np.ndarray:
    """Black or white for the number written on each cell: whichever contrasts more with it.

    Black on light cells, white on dark ones, chosen from the cell's own colour (a full blue
    cell is dark although its value is 255). The better of the two always has a WCAG
    contrast ratio of at least 4.5:1, the level for normal text.

    Returns:
        An array of `BLACK` / `WHITE` strings, the shape of `values`.
    """
    luminance = relative_luminance(cell_colours(values, colorscale, value_range))
    # Contrast with black (L + 0.05) / 0.05 beats contrast with white 1.05 / (L + 0.05)
    # exactly when (L + 0.05)^2 > 0.0525.
    return np.where((luminance + 0.05) ** 2 > 0.0525, BLACK, WHITE)


def pixel_grid(
    values: np.ndarray,
    *,
    title: str = "",
    colorscale: str | list = GRAY,
    value_range: tuple[float, float] = (0, 255),
    rows: Sequence[int] | None = None,
    cols: Sequence[int] | None = None,
    decimals: int = 0,
    language: str = "en",
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
        language: The language of the hover text ("en" or "es").

    Returns:
        A square-celled heatmap whose first trace's `z` holds `values` unchanged; every
        number is written black on light cells and white on dark ones (`text_colours`).

    Raises:
        ValueError: If `values` is not 2-D.
    """
    values = np.asarray(values)
    if values.ndim != 2:
        raise ValueError(f"A pixel grid needs a 2-D array. Received shape {values.shape}.")
    height, width = values.shape
    rows = list(rows) if rows is not None else list(range(height))
    cols = list(cols) if cols is not None else list(range(width))
    on_dark = text_colours(values, colorscale, value_range) == WHITE
    where = i18n.translate(language, "pixels.hover")
    # Plotly writes a heatmap's numbers in one colour: the first layer holds every value and
    # writes them in black; the second repaints the dark cells and writes theirs in white.
    traces = [
        {
            "type": "heatmap",
            "z": z,
            "x": cols,
            "y": rows,
            "colorscale": colorscale,
            "zmin": value_range[0],
            "zmax": value_range[1],
            "texttemplate": f"%{{z:.{decimals}f}}",
            "textfont": {"size": 9 if width > 20 else 11, "color": colour},
            "hovertemplate": f"{where}: %{{z:.{decimals}f}}<extra></extra>",
            "hoverongaps": False,
            "showscale": False,
            "xgap": 1,
            "ygap": 1,
        }
        for z, colour in ((values, BLACK), (np.where(on_dark, values, np.nan), WHITE))
    ]
    side = max(height, width) * CELL_PX
    ticks = {"dtick": 1} if max(height, width) <= 16 else {}
    layout = {
        "shapes": [],
        "title": {"text": title, "y": 0.99, "yanchor": "top"},
        "height": min(max(side + 90, 250), 760),
        "margin": MARGIN,
        "plot_bgcolor": "#808080",
        "yaxis": {"autorange": "reversed", "scaleanchor": "x", "constrain": "domain", **ticks},
        "xaxis": {"constrain": "domain", "side": "top", **ticks},
    }
    return quick_figure(traces, layout)


def image_figure(
    image: np.ndarray,
    *,
    title: str = "",
    box: tuple[int, int, int, int] | None = None,
    height: int = 420,
    language: str = "en",
) -> go.Figure:
    """An RGB or grayscale uint8 image as a figure, optionally with a rectangle drawn on it.

    A box smaller than `SMALL_BOX` of the image's longer side (a 16×16 window on a photo
    shrunk five times is 3 pixels wide) would vanish on screen, so it is also marked by a
    ring of fixed screen size round its centre.

    Args:
        image: `(height, width)` or `(height, width, 3)` uint8 array.
        title: Figure title.
        box: `(top, left, rows, cols)` of a rectangle to outline, in this image's pixels.
        height: Figure height in screen pixels.
        language: The language of the hover text ("en" or "es").

    Returns:
        A figure with one `go.Image` trace and, with `box`, one rectangle shape (and, for a
        small box, a second trace: the ring).
    """
    rgb = np.asarray(image)
    if rgb.ndim == 2:
        rgb = np.repeat(rgb[:, :, None], 3, axis=2)
    if rgb.ndim != 3 or rgb.shape[2] != 3:
        raise ValueError(
            f"Expected an image of shape (height, width) or (height, width, 3). "
            f"Received shape {np.asarray(image).shape}."
        )
    where = i18n.translate(language, "pixels.hover")
    figure = go.Figure(go.Image(z=rgb, hovertemplate=f"{where}<extra></extra>"))
    if box is not None:
        outline(figure, box)
        if max(box[2:]) < SMALL_BOX * max(rgb.shape[:2]):
            _ring(figure, box, rgb.shape[:2])
    figure.update_layout(title=title, height=height, margin=MARGIN)
    figure.update_xaxes(showticklabels=True)
    return figure


def _ring(figure: go.Figure, box: tuple[int, int, int, int], shape: tuple[int, int]) -> None:
    """A red ring on a white one (visible on any photo) round the centre of a small box."""
    top, left, rows, cols = box
    figure.add_trace(
        go.Scatter(
            x=[left + (cols - 1) / 2] * 2,
            y=[top + (rows - 1) / 2] * 2,
            mode="markers",
            marker={
                "symbol": "square-open",
                "size": [26, 22],
                "color": [WHITE, BOX_COLOUR],
                "line": {"width": 3},
            },
            hoverinfo="skip",
            showlegend=False,
            cliponaxis=False,
        )
    )
    # The ring must not widen the axes: they stay exactly on the image.
    height, width = shape
    figure.update_xaxes(range=[-0.5, width - 0.5])
    figure.update_yaxes(range=[height - 0.5, -0.5])


def image_gallery(images: np.ndarray, captions: list[str], *, columns: int = 8) -> go.Figure:
    """Small grayscale images (uint8 or 0..1) in a grid, each with a caption."""
    images = np.asarray(images)
    top = 1.0 if images.dtype != np.uint8 else 255
    tiles = [
        (caption, heatmap(image, (0, top), GRAY, showscale=False, hoverinfo="skip"))
        for caption, image in zip(captions, images, strict=True)
    ]
    figure = tile_figure(tiles, columns, tile_height=120)
    if tiles:  # every tile shares one scale: one numeric legend for all
        figure.update_traces(showscale=True, colorbar=GREY_LEGEND, selector=0)
    return figure
