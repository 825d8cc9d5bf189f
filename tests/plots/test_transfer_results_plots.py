"""Transfer learning's figures: one line per method with its phases marked, accuracy per layer,
the features in 2-D by class."""

import numpy as np

from cnnviz.plots.transfer_results import feature_projection, layer_accuracy, method_curves
from cnnviz.transfer.results import LayerScore, TransferEpoch


def epoch(method, number, phase=1, accuracy=0.5):
    return TransferEpoch(method, phase, number, 4, 1.0, 0.4, 1.1, accuracy, 1e-3, 0.1)


def test_each_method_is_one_line_told_apart_by_more_than_colour():
    events = [epoch("freeze", 1, accuracy=0.6), epoch("freeze", 2, accuracy=0.7)]
    events += [epoch("fine-tune", 1), epoch("fine-tune", 2), epoch("fine-tune", 3, 2, 0.9)]
    figure = method_curves(events, boundary=2)
    names = [trace.name for trace in figure.data]
    assert names == ["Frozen layers + new head", "Fine-tuning in two phases"]
    assert list(figure.data[0].y) == [0.6, 0.7] and list(figure.data[1].x) == [1, 2, 3]
    assert figure.data[0].line.dash != figure.data[1].line.dash
    assert figure.data[0].marker.symbol != figure.data[1].marker.symbol
    (line,) = figure.layout.shapes
    assert line.x0 == line.x1 == 2.5  # between the last epoch of phase 1 and the first of 2
    assert "learning rate ÷ 10" in figure.layout.annotations[0].text


def test_no_boundary_without_fine_tuning():
    assert not method_curves([epoch("scratch", 1)]).layout.shapes


def test_layer_accuracy_follows_the_networks_order_and_marks_the_cut():
    scores = [
        LayerScore("conv2d_1", "Conv2D", 10816, 0.6, 0.7, 0.2),
        LayerScore("flatten", "Flatten", 800, 0.85, 0.86, 0.1),
    ]
    figure = layer_accuracy(scores, "flatten")
    assert list(figure.data[0].x) == ["conv2d_1", "flatten"]
    assert list(figure.data[0].y) == [0.6, 0.85] and list(figure.data[1].y) == [0.7, 0.86]
    assert figure.layout.shapes[0].x0 == 1


def test_the_projection_has_one_trace_per_class_with_its_points():
    points = np.arange(12, dtype=np.float32).reshape(6, 2)
    labels = np.array([0, 1, 0, 2, 1, 0])
    figure = feature_projection(points, labels, ("5", "6", "7"), "flatten")
    assert [trace.name for trace in figure.data] == ["5", "6", "7"]
    assert list(figure.data[0].x) == [0.0, 4.0, 10.0]
    assert list(figure.data[2].y) == [7.0]
