"""A trained network's views: feature maps per layer, learned filters, class probabilities,
evidence overlays."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz import i18n
from cnnviz.plots.base import (
    EVIDENCE,
    GRAY,
    box_shape,
    heatmap,
    mosaic_figure,
    quick_figure,
    symmetric_range,
)


def mosaic(maps: np.ndarray, columns: int) -> tuple[np.ndarray, np.ndarray]:
    """Tile `(h, w, n)` maps into one array, one NaN pixel between tiles; also each cell's map."""
    height, width, count = maps.shape
    rows = -(-count // columns)
    tiled = np.full((rows * (height + 1) - 1, columns * (width + 1) - 1), np.nan, np.float32)
    owner = np.full(tiled.shape, -1, np.int32)
    for index in range(count):
        top, left = (index // columns) * (height + 1), (index % columns) * (width + 1)
        tiled[top : top + height, left : left + width] = maps[:, :, index]
        owner[top : top + height, left : left + width] = index
    return tiled, owner


def unit_bars(values: np.ndarray, *, title: str = "", names: list[str] | None = None) -> go.Figure:
    """A dense layer's output (or class probabilities) as one bar per unit."""
    return quick_figure(*_bars(values, title, names))


def _bars(values, title: str, names: list[str] | None) -> tuple[list[dict], dict]:
    """The bar trace (the largest unit in red) and layout of `unit_bars`, as dicts."""
    values = np.asarray(values, dtype=np.float64).ravel()
    labels = names if names is not None else [str(unit) for unit in range(len(values))]
    largest = values == values.max()
    colours = ["#d62728" if top else "#1f77b4" for top in largest]
    # The largest bar is hatched too: told apart by more than its hue.
    hatched = {"shape": ["/" if top else "" for top in largest], "fgcolor": "#ffffff"}
    bars = {
        "type": "bar",
        "x": labels,
        "y": values,
        "marker": {"color": colours, "pattern": hatched},
        "hovertemplate": "%{x}: %{y:.4g}<extra></extra>",
    }
    layout = {
        "title": {"text": title},
        "height": 280,
        "margin": {"l": 40, "r": 10, "t": 40, "b": 30},
        "xaxis": {"type": "category", "showticklabels": len(values) <= 64},
    }
    return [bars], layout


def probability_bars(
    probabilities: np.ndarray, class_names: list[str], *, language: str = "en"
) -> go.Figure:
    """Class probabilities, the predicted class in red, each bar labelled with its percentage."""
    title = i18n.translate(language, "feature_maps.prediction.probabilities")
    (bars,), layout = _bars(probabilities, title, list(class_names))
    # Labels on the bars that can be seen (1 % or more): nine "0.0%" would overlap.
    bars["text"] = [f"{p:.1%}" if p >= 0.01 else "" for p in np.asarray(probabilities).ravel()]
    bars["textposition"] = "outside"
    layout["yaxis"] = {"range": [0, 1.15], "tickformat": ".0%"}
    layout["height"] = 230
    # Plotly shrinks labels to a bar's width (unreadable on a projector): keep them at 10 px.
    layout["uniformtext"] = {"minsize": 10, "mode": "show"}
    return quick_figure([bars], layout)


def evidence_overlay(
    image: np.ndarray, heat: np.ndarray, *, title: str = "", language: str = "en"
) -> go.Figure:
    """A 0..1 heat map (Grad-CAM, saliency) laid over the grayscale input it explains."""
    image, heat = np.asarray(image, dtype=np.float32), np.asarray(heat, dtype=np.float32)
    if image.shape != heat.shape:
        raise ValueError(
            f"The heat map must have the image's shape. Received {heat.shape} for an image of "
            f"shape {image.shape}."
        )
    # The input under the evidence is a picture, not values to read: drawn as an image.
    grey = np.round(np.clip(image, 0, 1) * 255).astype(np.uint8)
    figure = go.Figure(go.Image(z=np.repeat(grey[:, :, None], 3, axis=2), hoverinfo="skip"))
    figure.add_trace(
        go.Heatmap(
            z=np.where(heat > 0.05, heat, np.nan),
            colorscale=EVIDENCE,
            zmin=0,
            zmax=1,
            opacity=0.6,
            colorbar={"thickness": 10},
            hovertemplate=i18n.translate(language, "feature_maps.plots.row_column_evidence")
            + "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    figure.update_xaxes(showticklabels=False)
    figure.update_layout(title=title, height=340, margin=dict(l=10, r=10, t=40, b=10))
    return figure


def input_figure(
    image: np.ndarray, *, box: tuple[int, int, int, int] | None = None, language: str = "en"
):
    """The 28×28 input the network sees, in 0..1, with a box (a receptive field) outlined."""
    image = np.asarray(image, dtype=np.float32)
    trace = {
        "type": "heatmap",
        "z": image,
        "colorscale": GRAY,
        "zmin": 0,
        "zmax": 1,
        "colorbar": {"thickness": 8, "len": 0.8, "tickvals": [0, 0.5, 1]},
        "hovertemplate": i18n.translate(language, "feature_maps.plots.row_column")
        + "<extra></extra>",
    }
    # Two short lines: the figure may get a third of a projector's width.
    title = i18n.translate(
        language, "feature_maps.plots.network_sees", rows=image.shape[0], cols=image.shape[1]
    )
    layout = {
        "title": {"text": title},
        "height": 260,
        "margin": {"l": 30, "r": 10, "t": 56, "b": 20},
        "yaxis": {"autorange": "reversed", "scaleanchor": "x", "constrain": "domain"},
        "xaxis": {"constrain": "domain"},
        "shapes": [box_shape(box)] if box is not None else [],
    }
    return quick_figure([trace], layout)


def filter_grid(
    kernel: np.ndarray, *, columns: int = 8, title: str = "", language: str = "en"
) -> go.Figure:
    """A conv layer's filters as tiles of one mosaic (the lecture's 2×8 figure for layer 1).

    Args:
        kernel: `(k, k, in_channels, filters)` array; channels are averaged for display.
        columns: Filters per row.
        title: Figure title.
        language: The hover text's language ("en" or "es").
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 4:
        raise ValueError(
            f"A conv kernel has shape (k, k, in_channels, filters). Received {kernel.shape}."
        )
    filters = kernel.mean(axis=2)
    columns = min(columns, filters.shape[-1])
    tiled, owner = mosaic(filters, columns)
    trace = heatmap(
        tiled,
        symmetric_range(filters),
        customdata=owner,
        hoverongaps=False,
        colorbar={"thickness": 10},
        hovertemplate=i18n.translate(language, "feature_maps.plots.filter_weight")
        + "<extra></extra>",
    )
    return mosaic_figure(trace, title, width_px=700, top=50)
