import numpy as np
import pytest

from cnnviz import plots


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
