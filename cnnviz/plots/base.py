"""Colour scales and helpers shared by every figure (defined once, here)."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

GRAY = [[0.0, "#000000"], [1.0, "#ffffff"]]
CHANNEL_SCALES = {
    "R": [[0.0, "#000000"], [1.0, "#ff0000"]],
    "G": [[0.0, "#000000"], [1.0, "#00c000"]],
    "B": [[0.0, "#000000"], [1.0, "#0050ff"]],
}
# Every scale is safe for colour-blind viewers (tests/plots/test_accessibility.py simulates
# the three kinds of colour blindness): none sets red against green, and each reads by
# lightness too. Diverging scale for signed responses (negative blue, zero white, positive
# red): ColorBrewer's RdBu, whose two ends differ in hue for every viewer.
DIVERGING = "RdBu_r"
# Sequential scale for values that are never negative (after a ReLU): zero white, high red,
# the positive half of DIVERGING, darker as it grows.
SEQUENTIAL = "Reds"
# Evidence over a grey image (Grad-CAM, saliency): dark blue to yellow, never white like ink;
# perceptually uniform, lighter as it grows.
EVIDENCE = "Plasma"
# The window's box is told by its shape (an outline), not its hue.
BOX_COLOUR = "#ff2b2b"
# Compared runs (and methods, classes) are told apart by more than hue: colour from Okabe and
# Ito's palette, safe for colour-blind viewers, and a dash and a marker of their own, in a
# fixed cycle (`run_style`), so that two runs differ even printed in grey.
RUN_COLOURS = ("#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#000000")
RUN_DASHES = ("solid", "dash", "dot", "dashdot", "longdash", "longdashdot")
RUN_MARKERS = ("circle", "square", "diamond", "triangle-up", "x", "star", "cross")
CELL_PX = 22
MARGIN = dict(l=40, r=10, t=60, b=20)


def run_style(number: int, marker_size: int = 6) -> dict:
    """The line and marker of the `number`-th compared run (0 first): its colour, dash and
    marker symbol from the fixed cycles, as `go.Scatter` keyword arguments.

    Dashes and markers cycle with coprime lengths (6 and 7), so the first 42 runs all differ
    in dash or marker, whatever their colour.

    Example:
        >>> run_style(1)["line"], run_style(1)["marker"]["symbol"]
        ({'color': '#D55E00', 'dash': 'dash'}, 'square')
    """
    return {
        "line": {
            "color": RUN_COLOURS[number % len(RUN_COLOURS)],
            "dash": RUN_DASHES[number % len(RUN_DASHES)],
        },
        "marker": {"symbol": RUN_MARKERS[number % len(RUN_MARKERS)], "size": marker_size},
    }


def symmetric_range(values: np.ndarray) -> tuple[float, float]:
    """(-m, m) with m the largest absolute finite value (or 1), for a scale centred on 0."""
    values = np.asarray(values, dtype=np.float64)
    finite = np.abs(values[np.isfinite(values)])
    limit = float(finite.max()) if finite.size else 1.0
    return (-limit, limit) if limit > 0 else (-1.0, 1.0)


def quick_figure(data: list[dict], layout: dict) -> go.Figure:
    """A figure from plain dicts, not validated property by property.

    A figure rebuilt on every rerun (after each stroke of a drawing) spends most of its time
    in plotly's validation: 4.7 ms against 0.6 ms for the 28×28 input figure. Figures built
    here follow plotly's schema by hand; the page tests and browser tests render every one.
    """
    return go.Figure(data=data, layout=layout, _validate=False)


def box_shape(box: tuple[int, int, int, int]) -> dict:
    """The red rectangle round `box` = (top, left, rows, cols), as a layout shape."""
    top, left, rows, cols = box
    return {
        "type": "rect",
        "x0": left - 0.5,
        "x1": left + cols - 0.5,
        "y0": top - 0.5,
        "y1": top + rows - 0.5,
        "line": {"color": BOX_COLOUR, "width": 2},
    }


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


def heatmap(values, value_range: tuple[float, float], colorscale=DIVERGING, **options):
    """A `go.Heatmap` of `values` whose colour scale runs over `value_range` (low, high)."""
    low, high = value_range
    return go.Heatmap(z=values, colorscale=colorscale, zmin=low, zmax=high, **options)


def tile_figure(tiles: list[tuple[str, go.Heatmap]], columns: int, tile_height: int) -> go.Figure:
    """Heatmaps side by side, `columns` per row, each titled, with no axes: a gallery.

    Args:
        tiles: `(title, trace)` pairs, drawn in order.
        columns: Tiles per row.
        tile_height: Screen pixels per row of tiles.
    """
    rows = max(1, -(-len(tiles) // columns))
    figure = make_subplots(
        rows=rows,
        cols=columns,
        subplot_titles=[title for title, _ in tiles],
        horizontal_spacing=0.02 if tile_height > 150 else 0.01,
        vertical_spacing=0.08 if tile_height > 150 else 0.06,
    )
    for index, (_, trace) in enumerate(tiles):
        figure.add_trace(trace, row=index // columns + 1, col=index % columns + 1)
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False, autorange="reversed")
    figure.update_annotations(font_size=12 if tile_height > 150 else 10)
    top = 40 if tile_height > 150 else 30
    figure.update_layout(height=tile_height * rows + 40, margin=dict(l=10, r=10, t=top, b=10))
    return figure


def mosaic_figure(trace: go.Heatmap, title: str, width_px: int, top: int = 40) -> go.Figure:
    """One heatmap of tiled maps (see `feature_maps.mosaic`), square cells, no axes, as tall as
    the mosaic is for a figure `width_px` wide."""
    figure = go.Figure(trace)
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(
        showticklabels=False, showgrid=False, zeroline=False, autorange="reversed", scaleanchor="x"
    )
    rows, cols = np.shape(trace.z)
    figure.update_layout(
        title=title,
        height=int(width_px * rows / cols) + 70,
        margin=dict(l=10, r=10, t=top, b=10),
        plot_bgcolor="white",
    )
    return figure
