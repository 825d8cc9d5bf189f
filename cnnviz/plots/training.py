"""Training, live and afterwards: curves, the first layer's filters, run comparisons, errors."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.plots.base import DIVERGING, GRAY, symmetric_range

TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#d62728"


def smooth(values: list[float], weight: float = 0.8) -> list[float]:
    """Exponential moving average (TensorBoard's smoothing), the first value unchanged."""
    smoothed, last = [], None
    for value in values:
        last = value if last is None else weight * last + (1 - weight) * value
        smoothed.append(last)
    return smoothed


def training_curves(batch_events: list[dict], epoch_events: list[dict]) -> go.Figure:
    """Loss and accuracy per batch (raw and smoothed) and per epoch, and the generalisation gap.

    Args:
        batch_events: `{"epoch", "batch", "batches", "loss", "accuracy"}` dicts, epochs from 1.
        epoch_events: `{"epoch", "loss", "accuracy", "val_loss", "val_accuracy"}` dicts.

    Returns:
        Three stacked panels sharing the x axis (epochs): loss, accuracy, and the gap
        `validation loss − training loss` that grows when a network over-fits.
    """
    figure = make_subplots(
        rows=3, cols=1, shared_xaxes=True, vertical_spacing=0.06,
        subplot_titles=("Loss", "Accuracy", "Generalisation gap: validation − training loss"),
    )  # fmt: skip
    x = [event["epoch"] - 1 + (event["batch"] + 1) / event["batches"] for event in batch_events]
    for row, metric in ((1, "loss"), (2, "accuracy")):
        values = [event[metric] for event in batch_events]
        figure.add_trace(_line(x, values, f"batch {metric}", TRAIN_COLOUR, 0.25), row=row, col=1)
        smoothed = smooth(values)
        figure.add_trace(_line(x, smoothed, f"batch {metric}, smoothed", TRAIN_COLOUR, 1), row, 1)
        epochs = [event["epoch"] for event in epoch_events]
        for key, colour, name in ((metric, TRAIN_COLOUR, "training"),
                                  (f"val_{metric}", VALIDATION_COLOUR, "validation")):  # fmt: skip
            trace = go.Scatter(
                x=epochs, y=[event.get(key) for event in epoch_events], name=f"{name} {metric}",
                mode="lines+markers", line={"color": colour, "dash": "dot" if name == "training"
                                            else "solid"},
            )  # fmt: skip
            figure.add_trace(trace, row=row, col=1)
    gap = [event["val_loss"] - event["loss"] for event in epoch_events if "val_loss" in event]
    figure.add_trace(
        go.Bar(x=[event["epoch"] for event in epoch_events][: len(gap)], y=gap, name="gap",
               marker_color=VALIDATION_COLOUR, opacity=0.6),
        row=3, col=1,
    )  # fmt: skip
    figure.update_xaxes(title_text="epoch", row=3, col=1)
    figure.update_layout(height=720, margin=dict(l=40, r=10, t=40, b=40), legend={"font_size": 10})
    return figure


def _line(x, y, name: str, colour: str, opacity: float) -> go.Scatter:
    return go.Scatter(x=x, y=y, name=name, mode="lines", opacity=opacity,
                      line={"color": colour, "width": 1 if opacity < 1 else 2})  # fmt: skip


def filter_grid(kernel: np.ndarray, *, columns: int = 8, title: str = "") -> go.Figure:
    """A conv layer's filters as tiles of one mosaic (the lecture's 2×8 figure for layer 1).

    Args:
        kernel: `(k, k, in_channels, filters)` array; channels are averaged for display.
        columns: Filters per row.
        title: Figure title.
    """
    from cnnviz.plots.network_views import mosaic

    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 4:
        raise ValueError(
            f"A conv kernel has shape (k, k, in_channels, filters). Received {kernel.shape}."
        )
    filters = kernel.mean(axis=2)
    columns = min(columns, filters.shape[-1])
    tiled, owner = mosaic(filters, columns)
    low, high = symmetric_range(filters)
    figure = go.Figure(
        go.Heatmap(z=tiled, customdata=owner, colorscale=DIVERGING, zmin=low, zmax=high,
                   hoverongaps=False, colorbar={"thickness": 10},
                   hovertemplate="filter %{customdata}: weight %{z:.3f}<extra></extra>")
    )  # fmt: skip
    figure.update_xaxes(showticklabels=False, showgrid=False, zeroline=False)
    figure.update_yaxes(showticklabels=False, showgrid=False, zeroline=False,
                        autorange="reversed", scaleanchor="x")  # fmt: skip
    rows = tiled.shape[0] / tiled.shape[1]
    figure.update_layout(title=title, height=int(700 * rows) + 70, plot_bgcolor="white",
                         margin=dict(l=10, r=10, t=50, b=10))  # fmt: skip
    return figure


def run_overlay(histories: dict[str, list[dict]], metric: str = "val_accuracy") -> go.Figure:
    """One line per run of a per-epoch metric, to compare runs (over-fitting, regularisers)."""
    figure = go.Figure()
    for name, history in histories.items():
        figure.add_trace(
            go.Scatter(x=[event["epoch"] for event in history],
                       y=[event.get(metric) for event in history], name=name,
                       mode="lines+markers")
        )  # fmt: skip
    figure.update_layout(
        xaxis_title="epoch", yaxis_title=metric.replace("_", " "), height=360,
        margin=dict(l=40, r=10, t=20, b=40), legend={"orientation": "h", "y": -0.25},
    )  # fmt: skip
    return figure


def confusion_matrix(matrix: np.ndarray, class_names: list[str]) -> go.Figure:
    """Counts of (true class, predicted class) on the held-out digits, each count written in."""
    matrix = np.asarray(matrix)
    figure = go.Figure(
        go.Heatmap(
            z=matrix, x=list(class_names), y=list(class_names), colorscale="Blues",
            texttemplate="%{z}", showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )  # fmt: skip
    figure.update_yaxes(autorange="reversed", title="true class", type="category")
    figure.update_xaxes(title="predicted class", side="top", type="category")
    figure.update_layout(height=420, margin=dict(l=60, r=10, t=60, b=10))
    return figure


def image_gallery(images: np.ndarray, captions: list[str], *, columns: int = 8) -> go.Figure:
    """Small grayscale images (uint8 or 0..1) in a grid, each with a caption."""
    images = np.asarray(images)
    count = len(images)
    rows = max(1, -(-count // columns))
    figure = make_subplots(rows=rows, cols=columns, subplot_titles=captions,
                           horizontal_spacing=0.01, vertical_spacing=0.06)  # fmt: skip
    top = 1.0 if images.dtype != np.uint8 else 255
    for index in range(count):
        figure.add_trace(
            go.Heatmap(z=images[index], colorscale=GRAY, zmin=0, zmax=top, showscale=False,
                       hoverinfo="skip"),
            row=index // columns + 1, col=index % columns + 1,
        )  # fmt: skip
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False, autorange="reversed")
    figure.update_annotations(font_size=10)
    figure.update_layout(height=120 * rows + 40, margin=dict(l=10, r=10, t=30, b=10))
    return figure
