"""Training, live and afterwards: curves, the generalisation gap, run comparisons, errors."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz import i18n
from cnnviz.plots.base import RUN_COLOURS, run_style
from cnnviz.training.events import BatchEvent, EpochEvent

# Training and validation differ in colour (Okabe and Ito's blue and vermillion) and dash.
TRAIN_COLOUR, VALIDATION_COLOUR = RUN_COLOURS[0], RUN_COLOURS[1]


def smooth(values: list[float | None], weight: float = 0.6) -> list[float | None]:
    """Exponential moving average (TensorBoard's smoothing), the first value unchanged; a
    missing value (a loss that was not a number) stays missing and is skipped."""
    smoothed, last = [], None
    for value in values:
        if value is not None:
            last = value if last is None else weight * last + (1 - weight) * value
        smoothed.append(None if value is None else last)
    return smoothed


def training_curves(
    batch_events: list[BatchEvent], epoch_events: list[EpochEvent], *, language: str = "en"
) -> go.Figure:
    """Loss and accuracy of the batches as they train, and per epoch, and the generalisation gap.

    Each batch point is the mean of the batches since the point before it, drawn at the end of
    the last one (epoch 2.5: halfway through the third epoch); the smoothed line is their
    moving average. A loss that was not a number (a diverging run) leaves a gap.

    Args:
        batch_events: The job's batch events so far, in order.
        epoch_events: Its epoch events so far, in order.
        language: The titles' and legends' language ("en" or "es").

    Returns:
        Three stacked panels sharing the x axis (epochs): loss, accuracy, and the gap
        `validation loss − training loss` that grows when a network over-fits.
    """

    def word(key: str) -> str:
        return i18n.translate(language, f"training.plots.{key}")

    figure = make_subplots(
        rows=3,
        cols=1,
        shared_xaxes=True,
        vertical_spacing=0.06,
        subplot_titles=(word("loss"), word("accuracy"), word("gap_title")),
    )
    x = [event.epochs_done for event in batch_events]
    epochs = [event.epoch for event in epoch_events]
    for row, metric in ((1, "loss"), (2, "accuracy")):
        values = [getattr(event, metric) for event in batch_events]
        batches = _line(x, values, word(f"{metric}_batches"), TRAIN_COLOUR, 0.3)
        figure.add_trace(batches, row=row, col=1)
        smoothed = _line(x, smooth(values), word(f"{metric}_smoothed"), TRAIN_COLOUR, 1)
        figure.add_trace(smoothed, row=row, col=1)
        for key, colour, name in (
            (metric, TRAIN_COLOUR, "training"),
            (f"val_{metric}", VALIDATION_COLOUR, "validation"),
        ):
            trace = go.Scatter(
                x=epochs,
                y=[getattr(event, key) for event in epoch_events],
                name=word(f"{name}_{metric}_epoch"),
                mode="lines+markers",
                line={"color": colour, "dash": "dot" if name == "training" else "solid"},
                marker={"symbol": "circle" if name == "training" else "square"},
            )
            figure.add_trace(trace, row=row, col=1)
    gap = [event.gap for event in epoch_events]
    bar = go.Bar(x=epochs, y=gap, name=word("gap"), marker_color=VALIDATION_COLOUR, opacity=0.6)
    figure.add_trace(bar, row=3, col=1)
    figure.update_xaxes(title_text=word("epoch"), row=3, col=1)
    figure.update_layout(height=720, margin=dict(l=40, r=10, t=40, b=40), legend={"font_size": 10})
    return figure


def _line(x, y, name: str, colour: str, opacity: float) -> go.Scatter:
    width = 1 if opacity < 1 else 2
    return go.Scatter(
        x=x, y=y, name=name, mode="lines", opacity=opacity, line={"color": colour, "width": width}
    )


def run_overlay(
    histories: dict[str, list[EpochEvent]], metric: str = "val_accuracy", *, language: str = "en"
) -> go.Figure:
    """One line per run of a per-epoch metric, to compare runs (over-fitting, regularisers).

    Runs differ by colour (a palette safe for colour-blind viewers), dash and marker, so two
    runs are told apart even in grey.
    """
    figure = go.Figure()
    for number, (name, history) in enumerate(histories.items()):
        x = [event.epoch for event in history]
        y = [getattr(event, metric) for event in history]
        figure.add_trace(go.Scatter(x=x, y=y, name=name, mode="lines+markers", **run_style(number)))
    metric_name = i18n.translate(language, f"training.plots.metrics.{metric}")
    figure.update_layout(
        xaxis_title=i18n.translate(language, "training.plots.epoch"),
        yaxis_title=metric_name,
        height=360,
        margin=dict(l=40, r=10, t=20, b=40),
        legend={"orientation": "h", "y": -0.25},
    )
    return figure


def confusion_matrix(
    matrix: np.ndarray, class_names: list[str], *, language: str = "en"
) -> go.Figure:
    """Counts of (true class, predicted class) on the held-out digits, each count written in."""

    def word(key: str) -> str:
        return i18n.translate(language, f"training.plots.{key}")

    matrix = np.asarray(matrix)
    figure = go.Figure(
        go.Heatmap(
            z=matrix,
            x=list(class_names),
            y=list(class_names),
            colorscale="Blues",
            texttemplate="%{z}",
            showscale=False,
            hovertemplate=word("true_predicted") + "<extra></extra>",
        )
    )
    figure.update_yaxes(autorange="reversed", title=word("true_class"), type="category")
    figure.update_xaxes(title=word("predicted_class"), side="top", type="category")
    figure.update_layout(height=420, margin=dict(l=60, r=10, t=60, b=10))
    return figure
