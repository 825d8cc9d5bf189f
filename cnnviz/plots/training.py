"""Training, live and afterwards: curves, the generalisation gap, run comparisons, errors."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.training.events import BatchEvent, EpochEvent

TRAIN_COLOUR = "#1f77b4"
VALIDATION_COLOUR = "#d62728"


def smooth(values: list[float], weight: float = 0.8) -> list[float]:
    """Exponential moving average (TensorBoard's smoothing), the first value unchanged."""
    smoothed, last = [], None
    for value in values:
        last = value if last is None else weight * last + (1 - weight) * value
        smoothed.append(last)
    return smoothed


def training_curves(batch_events: list[BatchEvent], epoch_events: list[EpochEvent]) -> go.Figure:
    """Loss and accuracy per batch (raw and smoothed) and per epoch, and the generalisation gap.

    Args:
        batch_events: The job's batch events so far, in order.
        epoch_events: Its epoch events so far, in order.

    Returns:
        Three stacked panels sharing the x axis (epochs): loss, accuracy, and the gap
        `validation loss − training loss` that grows when a network over-fits.
    """
    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=("Loss", "Accuracy", "Generalisation gap: validation − training loss"),
    )
    x = [event.epochs_done for event in batch_events]
    epochs = [event.epoch for event in epoch_events]
    for row, metric in ((1, "loss"), (2, "accuracy")):
        values = [getattr(event, metric) for event in batch_events]
        figure.add_trace(_line(x, values, f"batch {metric}", TRAIN_COLOUR, 0.25), row=row, col=1)
        smoothed = smooth(values)
        figure.add_trace(_line(x, smoothed, f"batch {metric}, smoothed", TRAIN_COLOUR, 1), row, 1)
        for key, colour, name in (
            (metric, TRAIN_COLOUR, "training"),
            (f"val_{metric}", VALIDATION_COLOUR, "validation"),
        ):
            trace = go.Scatter(
                x=epochs,
                y=[getattr(event, key) for event in epoch_events],
                name=f"{name} {metric}",
                mode="lines+markers",
                line={"color": colour, "dash": "dot" if name == "training" else "solid"},
            )
            figure.add_trace(trace, row=row, col=1)
    gap = [event.gap for event in epoch_events]
    bar = go.Bar(x=epochs, y=gap, name="gap", marker_color=VALIDATION_COLOUR, opacity=0.6)
    figure.add_trace(bar, row=3, col=1)
    figure.update_xaxes(title_text="epoch", row=3, col=1)
    figure.update_layout(height=720, margin=dict(l=40, r=10, t=40, b=40), legend={"font_size": 10})
    return figure


def _line(x, y, name: str, colour: str, opacity: float) -> go.Scatter:
    width = 1 if opacity < 1 else 2
    return go.Scatter(
        x=x, y=y, name=name, mode="lines", opacity=opacity, line={"color": colour, "width": width}
    )


def run_overlay(histories: dict[str, list[EpochEvent]], metric: str = "val_accuracy") -> go.Figure:
    """One line per run of a per-epoch metric, to compare runs (over-fitting, regularisers)."""
    figure = go.Figure()
    for name, history in histories.items():
        x = [event.epoch for event in history]
        y = [getattr(event, metric) for event in history]
        figure.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines+markers"))
    figure.update_layout(
        xaxis_title="epoch",
        yaxis_title=metric.replace("_", " "),
        height=360,
        margin=dict(l=40, r=10, t=20, b=40),
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def confusion_matrix(matrix: np.ndarray, class_names: list[str]) -> go.Figure:
    """Counts of (true class, predicted class) on the held-out digits, each count written in."""
    matrix = np.asarray(matrix)
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(class_names),
            y=list(class_names),
            colorscale="Blues",
            texttemplate="%{z}",
            showscale=False,
            hovertemplate="true %{y}, predicted %{x}: %{z}<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title="true class", type="category")
    figure.update_xaxes(title="predicted class", side="top", type="category")
    figure.update_layout(height=420, margin=dict(l=60, r=10, t=60, b=10))
    return figure
