"""Transfer learning's results as figures: curves per method, accuracy per layer, features in 2-D.

Methods are told apart by colour (a palette safe for colour-blind viewers), dash and marker,
as the Training page's run comparison does; fine-tuning's two phases are split by a dotted
vertical line, labelled.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from cnnviz import i18n
from cnnviz.plots.base import run_style
from cnnviz.transfer.config import METHODS, method_label
from cnnviz.transfer.results import LayerScore, TransferEpoch

_STYLE = {method: run_style(number, marker_size=5) for number, method in enumerate(METHODS)}
_LAYOUT = dict(
    height=380,
    margin=dict(l=50, r=10, t=50, b=40),
    legend={"orientation": "h", "y": 1.02, "yanchor": "bottom", "x": 0},
)


def method_curves(
    epochs: list[TransferEpoch],
    boundary: int | None = None,
    metric: str = "test_accuracy",
    *,
    language: str = "en",
) -> go.Figure:
    """One line per method of a per-epoch metric (default: accuracy on the test images).

    Args:
        epochs: The `TransferEpoch`s reported so far, of any methods.
        boundary: The last epoch of fine-tuning's phase 1, marked by a vertical line.
        metric: "test_accuracy", "accuracy" (training), "test_loss" or "loss".
        language: The language of the names, titles and the phase line's label.
    """
    figure = go.Figure()
    for method in METHODS:
        mine = [event for event in epochs if event.method == method]
        if not mine:
            continue
        figure.add_trace(
            go.Scatter(
                x=[event.epoch for event in mine],
                y=[getattr(event, metric) for event in mine],
                name=method_label(method, language=language),
                mode="lines+markers",
                **_STYLE[method],
            )
        )
    if boundary is not None:
        figure.add_vline(
            x=boundary + 0.5,
            line={"dash": "dot", "color": "#555555"},
            annotation_text=_word("phase_2", language),
            annotation_position="top right",
        )
    title = _word(metric, language)
    figure.update_layout(xaxis_title=_word("epoch", language), yaxis_title=title, **_LAYOUT)
    figure.update_xaxes(rangemode="tozero")
    if metric.endswith("accuracy"):
        figure.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return figure


def layer_accuracy(
    scores: list[LayerScore], cut_layer: str | None = None, *, language: str = "en"
) -> go.Figure:
    """Test accuracy of an SVM and a logistic regression on each layer's features, in the
    network's order: which layer's features transfer best. The cut layer is marked; the
    names and titles are in `language`."""
    names = [score.layer for score in scores]
    numbers = _word("numbers", language)
    figure = go.Figure()
    for field, label, number in (
        ("svm_accuracy", _word("svm", language), 0),
        ("logistic_accuracy", _word("logistic", language), 1),
    ):
        figure.add_trace(
            go.Scatter(
                x=names,
                y=[getattr(score, field) for score in scores],
                name=label,
                mode="lines+markers",
                **run_style(number, marker_size=8),
                customdata=[[score.kind, score.dimensions] for score in scores],
                hovertemplate="%{x} (%{customdata[0]}, %{customdata[1]:,} "
                + numbers
                + "): %{y:.1%}<extra>"
                + label
                + "</extra>",
            )
        )
    if cut_layer in names:
        figure.add_vline(x=names.index(cut_layer), line={"dash": "dot", "color": "#555555"})
    figure.update_layout(
        xaxis_title=_word("from_layer", language),
        yaxis_title=_word("test_accuracy", language),
        **_LAYOUT,
    )
    figure.update_xaxes(automargin=True)
    figure.update_yaxes(range=[0, 1.02], tickformat=".0%")
    return figure


def _word(key: str, language: str) -> str:
    return i18n.translate(language, f"transfer.plots.{key}")


def feature_projection(points: np.ndarray, labels: np.ndarray, class_names, title: str):
    """The test images' features in 2-D, one colour and marker per class."""
    points, labels = np.asarray(points), np.asarray(labels)
    figure = go.Figure()
    for label, name in enumerate(class_names):
        mine = points[labels == label]
        figure.add_trace(
            go.Scattergl(
                x=mine[:, 0],
                y=mine[:, 1],
                name=str(name),
                mode="markers",
                marker={
                    "color": run_style(label)["line"]["color"],
                    "symbol": run_style(label)["marker"]["symbol"],
                    "size": 6,
                    "opacity": 0.7,
                },
            )
        )
    figure.update_layout(title=title, height=420, margin=dict(l=40, r=10, t=50, b=30))
    figure.update_xaxes(showticklabels=False)
    figure.update_yaxes(showticklabels=False, scaleanchor="x")
    return figure
