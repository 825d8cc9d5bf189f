"""Text and table alternatives of the charts: the same numbers as the figures, in words.

Each table is checked against the numbers it was made from; each sentence against the place
and value found here independently (NumPy's argmax, a hand-written percentage).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from cnnviz import i18n
from cnnviz.network import lecture_config, shape_series
from cnnviz.plots import summaries, tables
from cnnviz.training.events import BatchEvent, EpochEvent
from cnnviz.transfer.results import LayerScore, TransferEpoch

RNG = np.random.default_rng(14)


def epoch_event(epoch, loss=1.0, accuracy=0.5, val_loss=1.2, val_accuracy=0.4) -> EpochEvent:
    return EpochEvent(
        epoch, 5, loss, accuracy, val_loss, val_accuracy, epoch, 1.0, 100.0, learning_rate=1e-3
    )


def test_the_probability_table_holds_the_probabilities_and_the_summary_the_argmax():
    probabilities = RNG.dirichlet(np.ones(10))
    names = [str(digit) for digit in range(10)]
    table = tables.probability_table(probabilities, names)
    assert list(table.columns) == ["Class", "Probability"]
    assert table["Class"].tolist() == names
    np.testing.assert_array_equal(table["Probability"].to_numpy(), probabilities)
    best = int(np.argmax(probabilities))
    expected = f"Predicted {best} with {round(probabilities[best] * 100, 1):.1f} % confidence."
    assert summaries.prediction_summary(probabilities, names) == expected


def test_the_summary_speaks_spanish_with_a_decimal_comma():
    said = summaries.prediction_summary([0.0125, 0.9875], ["3", "7"], language="es")
    assert said == "Predice 7 con una confianza del 98,8 %."
    table = tables.probability_table([0.5, 0.5], ["a", "b"], language="es")
    assert list(table.columns) == ["Clase", "Probabilidad"]


def test_a_probability_per_class_or_a_clear_error():
    with pytest.raises(ValueError, match="one probability per class.*Received 2"):
        tables.probability_table([0.5, 0.5], ["a", "b", "c"])


def test_a_grid_table_is_the_array_with_its_rows_and_columns_numbered():
    values = RNG.normal(size=(4, 6))
    table = tables.grid_table(values)
    np.testing.assert_array_equal(table.to_numpy(), values)
    assert list(table.columns) == [str(col) for col in range(6)]
    assert table.index.name == "row \\ column"
    with pytest.raises(ValueError, match=r"Received shape \(2, 2, 3\)"):
        tables.grid_table(np.zeros((2, 2, 3)))


def test_the_grid_summary_names_the_largest_and_smallest_values_and_where_they_are():
    values = np.zeros((26, 26))
    values[3, 5], values[7, 1] = 412.0, -98.5
    assert summaries.grid_summary(values) == (
        "The output is 26×26; its largest value is 412 at row 3, column 5, its smallest "
        "−98.5 at row 7, column 1."
    )
    padded = np.full((2, 3), np.nan)
    padded[1, 2] = 4.0
    assert "largest value is 4 at row 1, column 2" in summaries.grid_summary(padded)
    assert summaries.grid_summary(np.full((2, 2), np.nan)) == (
        "The output is 2×2 and holds no number."
    )


def test_the_kernel_summary():
    sobel = np.array([[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    assert summaries.kernel_summary(sobel, "Sobel") == (
        "The Sobel kernel is 3×3, with weights from −2 to 2."
    )


def test_the_epoch_table_holds_every_epoch_and_the_summary_the_last():
    epochs = [epoch_event(1, 0.9, 0.7, 0.8, 0.75), epoch_event(2, 0.4, 0.9, None, 0.971)]
    table = tables.epoch_table(epochs)
    assert table["Epoch"].tolist() == [1, 2]
    assert table["validation accuracy"].tolist() == [0.75, 0.971]
    assert np.isnan(table["validation loss"][1]) and np.isnan(table["generalisation gap"][1])
    assert table["generalisation gap"][0] == pytest.approx(0.8 - 0.9)
    assert summaries.training_summary([], epochs) == (
        "Validation accuracy 97.1 % after 2 epochs (training accuracy 90.0 %)."
    )


def test_the_training_summary_during_the_first_epoch():
    batch = BatchEvent(
        epoch=1,
        batch=30,
        batches=120,
        loss=0.4321,
        accuracy=0.85,
        elapsed=1.0,
        samples_per_second=10.0,
        learning_rate=1e-3,
    )
    assert summaries.training_summary([batch], []) == (
        "Epoch 1, batch 30 of 120: training loss 0.432, accuracy 85.0 %."
    )
    assert summaries.training_summary([], []) == "No batch has been trained yet."


def test_the_runs_table_lines_up_epochs_and_the_summary_finds_the_best_run():
    histories = {
        "short": [epoch_event(1, val_accuracy=0.6)],
        "long": [epoch_event(1, val_accuracy=0.5), epoch_event(2, val_accuracy=0.9)],
    }
    table = tables.runs_table(histories, "val_accuracy")
    assert table["Epoch"].tolist() == [1, 2]
    assert table["short"].tolist()[0] == 0.6 and np.isnan(table["short"][1])
    assert table["long"].tolist() == [0.5, 0.9]
    assert summaries.runs_summary(histories, "val_accuracy") == (
        "2 runs compared; the best validation accuracy: long, 90.0 % at epoch 2."
    )
    losses = {"a": [epoch_event(1, val_loss=0.3)], "b": [epoch_event(1, val_loss=0.2)]}
    assert "the best validation loss: b, 0.2 at epoch 1" in summaries.runs_summary(
        losses, "val_loss"
    )


def test_the_confusion_table_and_its_summary():
    matrix = np.array([[50, 0, 2], [1, 45, 0], [0, 7, 40]])
    names = ["0", "1", "2"]
    table = tables.confusion_table(matrix, names)
    np.testing.assert_array_equal(table.to_numpy(), matrix)
    assert table.index.tolist() == names and table.columns.tolist() == names
    right, total = 50 + 45 + 40, matrix.sum()
    assert summaries.confusion_summary(matrix, names) == (
        f"{right} of {total} images ({100 * right / total:.1f} %) classified correctly. "
        "The most frequent mistake: 2 taken for 1, 7 times."
    )
    assert "mistake" not in summaries.confusion_summary(np.eye(2, dtype=int), ["a", "b"])


def test_the_filter_table_lists_each_filter_row_by_row():
    kernel = RNG.normal(size=(3, 3, 2, 4))
    table = tables.filter_table(kernel)
    assert len(table) == 3 * 4
    averaged = kernel.mean(axis=2)
    for _, row in table.iterrows():
        filter_, kernel_row = int(row["Filter"]), int(row["row"])
        np.testing.assert_allclose(
            row[["0", "1", "2"]].to_numpy(float), averaged[kernel_row, :, filter_]
        )
    low, high = averaged.min(), averaged.max()
    expected = f"4 filters of 3×3; weights from {low:.2f} to {high:.2f}.".replace("-", "−")
    assert summaries.filter_summary(kernel) == expected


def test_the_shape_table_and_summary_of_the_lecture_network():
    series = shape_series(lecture_config())
    table = tables.shape_table(series)
    assert table["Channels or units"].tolist() == series.channels
    assert table["Height"].tolist()[: series.spatial] == series.sides[: series.spatial]
    assert table["Height"].isna().sum() == len(series.names) - series.spatial
    assert summaries.shape_summary(series) == (
        "The maps shrink from 28×28 to 5×5 while the channels grow from 1 to 32; the output "
        "has 10 units."
    )


def test_the_memory_table_in_megabytes_and_its_largest_part():
    parts = {"weights": 2_000_000, "activations: conv2d": 5_500_000}
    table = tables.memory_table(parts)
    assert table["MB"].tolist() == [2.0, 5.5]
    assert summaries.memory_summary(parts) == (
        "One training step needs 7.50 MB; the largest part: activations: conv2d, 5.50 MB."
    )


def transfer_epoch(method, epoch, accuracy):
    return TransferEpoch(method, 1, epoch, 3, 1.0, 0.5, 1.0, accuracy, 1e-3, 0.1)


def test_the_method_table_and_summary():
    events = [transfer_epoch("freeze", 1, 0.6), transfer_epoch("freeze", 2, 0.8)]
    events += [transfer_epoch("scratch", 1, 0.3)]
    table = tables.method_table(events)
    assert table.columns.tolist() == [
        "Epoch",
        "Frozen layers + new head",
        "From scratch (baseline)",
    ]
    assert table["Frozen layers + new head"].tolist() == [0.6, 0.8]
    assert summaries.method_summary(events) == (
        "The best test accuracy: Frozen layers + new head, 80.0 % at epoch 2."
    )


def test_the_layer_scores_and_the_projection():
    scores = [
        LayerScore("block1_pool", "MaxPooling2D", 100, 0.5, 0.55, 1.0),
        LayerScore("block4_pool", "MaxPooling2D", 50, 0.91, 0.895, 1.0),
    ]
    table = tables.layer_score_table(scores)
    assert table["SVM (RBF kernel)"].tolist() == [0.5, 0.91]
    assert summaries.layer_score_summary(scores) == (
        "The features of block4_pool transfer best: SVM 91.0 %, logistic regression 89.5 %."
    )
    points, labels = RNG.normal(size=(6, 2)), np.array([0, 1, 2, 0, 1, 2])
    table = tables.projection_table(points, labels, ["a", "b", "c"])
    assert table["Class"].tolist() == ["a", "b", "c"] * 2
    np.testing.assert_array_equal(table[["x", "y"]].to_numpy(), points)
    assert summaries.projection_summary(labels, ["a", "b", "c"]) == (
        "6 test images of 3 classes, placed in 2-D by their features."
    )


def test_galleries_and_evidence():
    captions = ["true 4 → 9", "true 3 → 5"]
    table = tables.caption_table(captions)
    assert table.to_dict("list") == {"Image": [1, 2], "Caption": captions}
    assert summaries.gallery_summary(captions) == "2 images; the first: true 4 → 9."
    heat = np.zeros((28, 28))
    heat[12, 14] = 1.0
    assert summaries.evidence_summary(heat, "Grad-CAM") == (
        "Grad-CAM: the strongest evidence (1.00) is at row 12, column 14."
    )


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_table_has_headers_in_both_languages(language):
    """No header falls back to its key: each word of `a11y.table` exists in the language."""
    frames = [
        tables.epoch_table([epoch_event(1)], language=language),
        tables.shape_table(shape_series(lecture_config()), language=language),
        tables.filter_table(np.zeros((3, 3, 1, 2)), language=language),
    ]
    for frame in frames:
        assert isinstance(frame, pd.DataFrame)
        assert not any(str(column).startswith("a11y.") for column in frame.columns)
