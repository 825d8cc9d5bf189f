import numpy as np
import pytest

from cnnviz import plots
from cnnviz.network import lecture_config, shape_series
from cnnviz.training.events import BatchEvent, EpochEvent


def test_pixel_grid_holds_the_values_and_writes_them():
    values = np.arange(12, dtype=np.uint8).reshape(3, 4)
    figure = plots.pixel_grid(values, title="t", rows=range(10, 13), cols=range(5, 9))
    heatmap = figure.data[0]
    np.testing.assert_array_equal(np.asarray(heatmap.z), values)
    assert list(heatmap.y) == [10, 11, 12]
    assert list(heatmap.x) == [5, 6, 7, 8]
    assert heatmap.texttemplate == "%{z:.0f}"
    assert (heatmap.zmin, heatmap.zmax) == (0, 255)
    assert figure.layout.yaxis.autorange == "reversed"


def test_pixel_grid_with_decimals_for_normalised_values():
    figure = plots.pixel_grid(np.full((2, 2), 0.5), value_range=(0, 1), decimals=2)
    assert figure.data[0].texttemplate == "%{z:.2f}"
    assert figure.data[0].zmax == 1


def test_pixel_grid_refuses_non_2d():
    with pytest.raises(ValueError, match=r"Received shape \(2, 2, 3\)"):
        plots.pixel_grid(np.zeros((2, 2, 3)))


def test_image_figure_draws_gray_as_rgb_and_the_window_box():
    gray = np.arange(100, dtype=np.uint8).reshape(10, 10)
    figure = plots.image_figure(gray, box=(2, 3, 4, 5))
    z = np.asarray(figure.data[0].z)
    assert z.shape == (10, 10, 3)
    np.testing.assert_array_equal(z[:, :, 1], gray)
    shape = figure.layout.shapes[0]
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (2.5, 7.5, 1.5, 5.5)


def test_image_figure_refuses_four_channels():
    with pytest.raises(ValueError, match="Received shape"):
        plots.image_figure(np.zeros((4, 4, 4), np.uint8))


def test_smoothing_is_an_exponential_moving_average():
    assert plots.smooth([1.0, 0.0, 0.0], weight=0.5) == [1.0, 0.5, 0.25]


def epoch_event(epoch, **scores):
    values = dict(loss=None, accuracy=None, val_loss=None, val_accuracy=None, best_epoch=epoch)
    return EpochEvent(
        epoch, 1, **(values | scores), elapsed=1.0, samples_per_second=1.0, learning_rate=1e-3
    )


def batch_event(epoch, batch, batches, **values):
    values = dict(loss=1.0, accuracy=0.5, elapsed=1.0, samples_per_second=100.0) | values
    return BatchEvent(epoch=epoch, batch=batch, batches=batches, learning_rate=1e-3, **values)


def test_training_curves_place_batches_between_epochs_and_show_the_gap():
    batches = [batch_event(1, b, 4, loss=2.0 - b / 4, accuracy=0.1 * b) for b in range(1, 5)]
    epochs = [epoch_event(1, loss=1.3, accuracy=0.5, val_loss=1.5, val_accuracy=0.4)]
    figure = plots.training_curves(batches, epochs)
    raw = figure.data[0]
    assert list(raw.x) == [0.25, 0.5, 0.75, 1.0]
    gap = [trace for trace in figure.data if trace.name == "gap"][0]
    assert list(gap.y) == pytest.approx([0.2])


def test_filter_grid_draws_every_filter_of_the_first_layer():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 16))
    figure = plots.filter_grid(kernel)
    tiles = np.asarray(figure.data[0].z, dtype=float)
    assert tiles.shape == (2 * 4 - 1, 8 * 4 - 1), "2 rows of 8 filters, a gap between them"
    np.testing.assert_allclose(tiles[0:3, 20:23], kernel[:, :, 0, 5], rtol=1e-6)
    assert np.asarray(figure.data[0].customdata)[4, 4] == 9
    with pytest.raises(ValueError, match="Received"):
        plots.filter_grid(np.zeros((3, 3, 16)))


def test_confusion_matrix_and_gallery():
    matrix = np.array([[5, 1], [0, 4]])
    figure = plots.confusion_matrix(matrix, ["a", "b"])
    np.testing.assert_array_equal(np.asarray(figure.data[0].z), matrix)
    gallery = plots.image_gallery(np.zeros((3, 28, 28), np.uint8), ["x", "y", "z"])
    assert len(gallery.data) == 3
    assert [a.text for a in gallery.layout.annotations] == ["x", "y", "z"]


def test_run_overlay_has_one_line_per_run():
    figure = plots.run_overlay(
        {"a": [epoch_event(1, val_accuracy=0.5)], "b": [epoch_event(1, val_accuracy=0.7)]}
    )
    assert [trace.name for trace in figure.data] == ["a", "b"]
    assert list(figure.data[1].y) == [0.7]


def test_probability_bars_mark_the_prediction():
    figure = plots.probability_bars(np.array([0.1, 0.7, 0.2]), ["a", "b", "c"])
    assert list(figure.data[0].text) == ["10.0%", "70.0%", "20.0%"]
    tiny = plots.probability_bars(np.array([0.004, 0.996]), ["a", "b"])
    assert list(tiny.data[0].text) == ["", "99.6%"], "no overlapping 0.0% labels"
    assert figure.data[0].marker.color[1] == "#d62728"


def test_shape_diagram_draws_sides_and_channels():
    figure = plots.shape_diagram(shape_series(lecture_config()))
    bars, line = figure.data
    assert list(bars.y)[:3] == [28, 26, 13] and list(line.y)[-3:] == [800, 32, 10]
    assert list(bars.x) == list(line.x) and bars.x[0] == "input"


def test_training_curves_draw_a_diverged_run_without_failing():
    batches = [batch_event(1, 1, 2, loss=None, accuracy=None), batch_event(1, 2, 2, loss=0.5)]
    epochs = [epoch_event(1, loss=None, val_loss=2.0)]
    figure = plots.training_curves(batches, epochs)
    gap = [trace for trace in figure.data if trace.name == "gap"][0]
    assert list(gap.y) == [None]
    raw, smoothed = figure.data[0], figure.data[1]
    assert list(raw.y) == [None, 0.5] and list(smoothed.y) == [None, 0.5]


def test_training_curves_draw_what_each_batch_point_covers():
    losses = [2.0, 1.0, 1.5, 0.5]
    batches = [batch_event(1 + b // 2, b % 2 + 1, 2, loss=loss) for b, loss in enumerate(losses)]
    figure = plots.training_curves(batches, [])
    raw, smoothed = figure.data[0], figure.data[1]
    assert list(raw.x) == [0.5, 1.0, 1.5, 2.0] and list(raw.y) == losses
    assert list(smoothed.y) == pytest.approx(plots.smooth(losses))
    assert plots.smooth([1.0, None, 0.0], weight=0.5) == [1.0, None, 0.5]


def test_the_input_figure_shows_the_networks_input_and_outlines_a_receptive_field():
    image = np.random.default_rng(2).random((28, 28)).astype(np.float32)
    figure = plots.input_figure(image, box=(3, 5, 4, 6))
    np.testing.assert_array_equal(np.asarray(figure.data[0].z, dtype=np.float32), image)
    assert (figure.data[0].zmin, figure.data[0].zmax) == (0, 1)
    assert "28×28, values 0 to 1" in figure.layout.title.text
    (box,) = figure.layout.shapes
    assert (box.x0, box.x1, box.y0, box.y1) == (4.5, 10.5, 2.5, 6.5)
