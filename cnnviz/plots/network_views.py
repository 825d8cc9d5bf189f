"""A trained network's views: feature maps per layer, class probabilities, evidence overlays."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.plots.base import DIVERGING, GRAY, symmetric_range


def feature_map_grid(
    maps: np.ndarray, *, title: str = "", per_map: bool = False, columns: int = 8
) -> go.Figure:
    """Every channel of one layer's output as a small heatmap, labelled by channel.

    Args:
        maps: `(height, width, channels)` output of one layer for one image.
        title: Figure title (the layer's name, kind and shape).
        per_map: Scale each map to its own range instead of one shared, labelled scale.
        columns: Maps per row.

    Returns:
        One heatmap trace per channel, sharing one diverging colour scale (with a colour
        bar) unless `per_map`.
    """
    maps = np.asarray(maps, dtype=np.float32)
    if maps.ndim != 3:
        raise ValueError(
            f"Feature maps have shape (height, width, channels). Received {maps.shape}."
        )
    count = maps.shape[2]
    columns = min(columns, count)
    rows = -(-count // columns)
    figure = make_subplots(
        rows=rows, cols=columns, horizontal_spacing=0.01, vertical_spacing=0.03,
        subplot_titles=[str(channel) for channel in range(count)],
    )  # fmt: skip
    shared = symmetric_range(maps)
    for channel in range(count):
        low, high = symmetric_range(maps[:, :, channel]) if per_map else shared
        figure.add_trace(
            go.Heatmap(
                z=maps[:, :, channel], colorscale=DIVERGING, zmin=low, zmax=high,
                showscale=channel == 0 and not per_map, colorbar={"thickness": 10},
                hovertemplate=f"channel {channel}, row %{{y}}, column %{{x}}: %{{z:.4g}}"
                "<extra></extra>",
            ),
            row=channel // columns + 1, col=channel % columns + 1,
        )  # fmt: skip
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False, autorange="reversed")
    figure.update_annotations(font_size=9)
    side = 1100 / columns
    figure.update_layout(
        title=title, height=int(rows * side * 0.95) + 60, margin=dict(l=10, r=10, t=50, b=10)
    )
    return figure


def unit_bars(values: np.ndarray, *, title: str = "", names: list[str] | None = None) -> go.Figure:
    """A dense layer's output (or class probabilities) as one bar per unit."""
    values = np.asarray(values, dtype=np.float64).ravel()
    labels = names if names is not None else [str(unit) for unit in range(len(values))]
    colours = ["#d62728" if value == values.max() else "#1f77b4" for value in values]
    figure = go.Figure(
        go.Bar(x=labels, y=values, marker_color=colours,
               hovertemplate="%{x}: %{y:.4g}<extra></extra>")
    )  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_layout(title=title, height=280, margin=dict(l=40, r=10, t=40, b=30))
    return figure


def probability_bars(probabilities: np.ndarray, class_names: list[str]) -> go.Figure:
    """Class probabilities, the predicted class in red, each bar labelled with its percentage."""
    figure = unit_bars(probabilities, title="Class probabilities", names=list(class_names))
    figure.data[0].text = [f"{p:.1%}" for p in np.asarray(probabilities).ravel()]
    figure.data[0].textposition = "outside"
    figure.update_yaxes(range=[0, 1.15], tickformat=".0%")
    return figure


def evidence_overlay(image: np.ndarray, heat: np.ndarray, *, title: str = "") -> go.Figure:
    """A 0..1 heat map (Grad-CAM, saliency) laid over the grayscale input it explains."""
    image, heat = np.asarray(image, dtype=np.float32), np.asarray(heat, dtype=np.float32)
    if image.shape != heat.shape:
        raise ValueError(
            f"The heat map must have the image's shape. Received {heat.shape} for an image of "
            f"shape {image.shape}."
        )
    figure = go.Figure(
        go.Heatmap(z=image, colorscale=GRAY, zmin=0, zmax=1, showscale=False, hoverinfo="skip")
    )
    figure.add_trace(
        go.Heatmap(z=np.where(heat > 0.05, heat, np.nan), colorscale="Hot", zmin=0, zmax=1,
                   opacity=0.6, colorbar={"thickness": 10},
                   hovertemplate="row %{y}, column %{x}: %{z:.2f}<extra></extra>")
    )  # fmt: skip
    figure.update_yaxes(autorange="reversed", scaleanchor="x", showticklabels=False)
    figure.update_xaxes(showticklabels=False)
    figure.update_layout(title=title, height=340, margin=dict(l=10, r=10, t=40, b=10))
    return figure
