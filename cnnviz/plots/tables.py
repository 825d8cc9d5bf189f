"""Every chart's numbers as a table: the alternative for readers who cannot see the chart.

One function per kind of chart, fed what the chart's builder is fed, returning a
`pandas.DataFrame` of the same numbers (not rounded: the reader's table formats them). The
column headers are words of the `a11y` catalog in the `language` given.

Example:
    >>> probability_table([0.25, 0.75], ["cat", "dog"]).to_dict("list")
    {'Class': ['cat', 'dog'], 'Probability': [0.25, 0.75]}
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import pandas as pd

from cnnviz import i18n
from cnnviz.network.layers import ShapeSeries
from cnnviz.training.events import EpochEvent
from cnnviz.transfer.config import METHODS, method_label
from cnnviz.transfer.results import LayerScore, TransferEpoch

EPOCH_COLUMNS = ("loss", "accuracy", "val_loss", "val_accuracy", "gap")


def _word(language: str, name: str, **values) -> str:
    return i18n.translate(language, f"a11y.table.{name}", **values)


def grid_table(values, *, language: str = "en") -> pd.DataFrame:
    """A 2-D array (a kernel, a window, an output, an evidence map) with its rows and
    columns numbered from 0, as the charts number them.

    Raises:
        ValueError: If `values` is not 2-D.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"A table of a grid needs a 2-D array. Received shape {values.shape}.")
    table = pd.DataFrame(values, columns=[str(col) for col in range(values.shape[1])])
    table.index.name = _word(language, "row_column")
    return table


def probability_table(
    probabilities, class_names: Sequence[str], *, language: str = "en"
) -> pd.DataFrame:
    """One row per class: its name and its probability (0 to 1)."""
    probabilities = np.asarray(probabilities, dtype=np.float64).ravel()
    if len(probabilities) != len(class_names):
        raise ValueError(
            f"Expected one probability per class ({len(class_names)}). "
            f"Received {len(probabilities)}."
        )
    return pd.DataFrame(
        {
            _word(language, "class"): [str(name) for name in class_names],
            _word(language, "probability"): probabilities,
        }
    )


def unit_table(values, *, language: str = "en") -> pd.DataFrame:
    """A flat layer's output: one row per unit, its number and value."""
    values = np.asarray(values, dtype=np.float64).ravel()
    return pd.DataFrame(
        {_word(language, "unit"): np.arange(len(values)), _word(language, "value"): values}
    )


def epoch_table(epochs: Sequence[EpochEvent], *, language: str = "en") -> pd.DataFrame:
    """Per epoch: training and validation loss and accuracy, and the generalisation gap
    (a missing value, a loss that was not a number, stays missing)."""
    rows = {_word(language, "epoch"): [event.epoch for event in epochs]}
    for name in EPOCH_COLUMNS:
        rows[_word(language, name)] = [getattr(event, name) for event in epochs]
    return pd.DataFrame(rows).astype({_word(language, name): float for name in EPOCH_COLUMNS})


def runs_table(
    histories: dict[str, Sequence[EpochEvent]], metric: str, *, language: str = "en"
) -> pd.DataFrame:
    """One row per epoch, one column per run: the run comparison's `metric` (a run that
    stopped earlier leaves its later epochs empty)."""
    series = {
        name: pd.Series(
            [getattr(event, metric) for event in history],
            index=[event.epoch for event in history],
            dtype=float,
        )
        for name, history in histories.items()
    }
    table = pd.DataFrame(series).sort_index()
    table.index.name = _word(language, "epoch")
    return table.reset_index()


def confusion_table(matrix, class_names: Sequence[str], *, language: str = "en") -> pd.DataFrame:
    """Counts with the true class per row and the predicted class per column."""
    matrix = np.asarray(matrix)
    names = [str(name) for name in class_names]
    table = pd.DataFrame(matrix, index=names, columns=names)
    table.index.name = _word(language, "true_predicted")
    return table


def filter_table(kernel, *, language: str = "en") -> pd.DataFrame:
    """A conv layer's filters (channels averaged, as drawn): one row per filter and kernel
    row, one column per kernel column."""
    kernel = np.asarray(kernel, dtype=np.float64)
    if kernel.ndim != 4:
        raise ValueError(
            f"A conv kernel has shape (k, k, in_channels, filters). Received {kernel.shape}."
        )
    filters = kernel.mean(axis=2)
    size, count = filters.shape[0], filters.shape[-1]
    rows = np.concatenate([filters[:, :, index] for index in range(count)])
    table = pd.DataFrame(rows, columns=[str(col) for col in range(filters.shape[1])])
    table.insert(0, _word(language, "row"), np.tile(np.arange(size), count))
    table.insert(0, _word(language, "filter"), np.repeat(np.arange(count), size))
    return table


def caption_table(captions: Sequence[str], *, language: str = "en") -> pd.DataFrame:
    """A gallery of images: one row per image, numbered from 1, with its caption."""
    return pd.DataFrame(
        {
            _word(language, "image"): np.arange(1, len(captions) + 1),
            _word(language, "caption"): list(captions),
        }
    )


def shape_table(series: ShapeSeries, *, language: str = "en") -> pd.DataFrame:
    """Each layer's map height and width (empty for a flat layer) and channels or units."""
    return pd.DataFrame(
        {
            _word(language, "layer"): list(series.names),
            _word(language, "height"): pd.array(series.sides, dtype="Int64"),
            _word(language, "width"): pd.array(series.widths, dtype="Int64"),
            _word(language, "channels_units"): list(series.channels),
        }
    )


def memory_table(parts: dict[str, int], *, language: str = "en") -> pd.DataFrame:
    """Each part of a training step's memory, in megabytes (10⁶ bytes)."""
    return pd.DataFrame(
        {
            _word(language, "part"): list(parts),
            _word(language, "megabytes"): [parts[name] / 1e6 for name in parts],
        }
    )


def method_table(
    epochs: Sequence[TransferEpoch], metric: str = "test_accuracy", *, language: str = "en"
) -> pd.DataFrame:
    """One row per epoch, one column per transfer-learning method, of `metric`."""
    series = {}
    for method in METHODS:
        mine = [event for event in epochs if event.method == method]
        if mine:
            series[method_label(method, language=language)] = pd.Series(
                [getattr(event, metric) for event in mine],
                index=[event.epoch for event in mine],
                dtype=float,
            )
    table = pd.DataFrame(series).sort_index()
    table.index.name = _word(language, "epoch")
    return table.reset_index()


def layer_score_table(scores: Sequence[LayerScore], *, language: str = "en") -> pd.DataFrame:
    """Per layer, in the network's order: its kind, its features' count, and the test
    accuracy of an SVM and of a logistic regression trained on them."""
    return pd.DataFrame(
        {
            _word(language, "layer"): [score.layer for score in scores],
            _word(language, "kind"): [score.kind for score in scores],
            _word(language, "features"): [score.dimensions for score in scores],
            _word(language, "svm"): [score.svm_accuracy for score in scores],
            _word(language, "logistic"): [score.logistic_accuracy for score in scores],
        }
    )


def projection_table(points, labels, class_names, *, language: str = "en") -> pd.DataFrame:
    """Each test image's class and its two coordinates in the 2-D projection."""
    points, labels = np.asarray(points, dtype=np.float64), np.asarray(labels, dtype=int)
    return pd.DataFrame(
        {
            _word(language, "class"): [str(class_names[label]) for label in labels],
            "x": points[:, 0],
            "y": points[:, 1],
        }
    )
