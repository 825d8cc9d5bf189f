"""PNG exports: the page's colours at known cells, nearest-neighbour cells, the mosaic layout."""

import io

import numpy as np
import plotly.colors
import pytest
from PIL import Image

from cnnviz import exports, plots
from cnnviz.convolution import KERNELS
from cnnviz.plots.feature_maps import mosaic


def decode(png: bytes) -> np.ndarray:
    """Reference decoder: Pillow (the exports encode with OpenCV)."""
    image = Image.open(io.BytesIO(png))
    assert image.format == "PNG"
    return np.asarray(image.convert("RGB"))


def plotly_colour(colorscale, low, high, value) -> np.ndarray:
    """The colour plotly paints `value` with on a heatmap of range (low, high)."""
    fraction = min(max((value - low) / (high - low), 0.0), 1.0)
    named = isinstance(colorscale, str)
    scale = plotly.colors.get_colorscale(colorscale) if named else colorscale
    scale = [[float(position), colour] for position, colour in scale]
    (colour,) = plotly.colors.sample_colorscale(scale, [fraction], colortype="tuple")
    return np.array(colour) * (255 if max(colour) <= 1 else 1)


def cell_centres(image: np.ndarray, cell: int) -> np.ndarray:
    """One pixel from the middle of each cell."""
    return image[cell // 2 :: cell, cell // 2 :: cell]


def test_a_kernel_is_nine_flat_squares_in_the_pages_colours():
    sobel = KERNELS["Sobel vertical edges"].values  # -2 .. 2
    low, high = plots.symmetric_range(sobel)
    image = decode(exports.array_png(sobel, plots.DIVERGING, (low, high)))
    cell = exports.cell_pixels(sobel.shape)
    assert image.shape == (3 * cell, 3 * cell, 3) and cell >= 100
    for (row, col), value in np.ndenumerate(sobel):
        square = image[row * cell : (row + 1) * cell, col * cell : (col + 1) * cell]
        assert (square == square[0, 0]).all()  # nearest neighbour: one flat colour
        expected = plotly_colour(plots.DIVERGING, low, high, value)
        np.testing.assert_allclose(square[0, 0], expected, atol=1)
    # The ends of the scale: -2 is the darkest blue, 2 the darkest red, 0 the white middle.
    np.testing.assert_array_equal(image[cell, 0], [5, 48, 97])
    np.testing.assert_array_equal(image[cell, 2 * cell], [103, 0, 31])
    np.testing.assert_array_equal(image[0, cell], [247, 247, 247])


def test_a_component_scale_given_as_stops_paints_the_same():
    values = np.array([[0.0, 64.0], [128.0, 255.0]])
    stops = [[0.0, "#000000"], [1.0, "#ffffff"]]  # plots.GRAY, as a component gets it
    image = cell_centres(decode(exports.array_png(values, stops, (0, 255), cell=4)), 4)
    np.testing.assert_array_equal(image[..., 0], values.astype(np.uint8))
    np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_values_beyond_the_range_take_the_end_colours_and_nan_is_grey():
    values = np.array([[-10.0, 10.0, np.nan]])
    image = cell_centres(decode(exports.array_png(values, plots.SEQUENTIAL, (0, 1), cell=2)), 2)
    np.testing.assert_allclose(image[0, 0], plotly_colour(plots.SEQUENTIAL, 0, 1, 0), atol=1)
    np.testing.assert_allclose(image[0, 1], plotly_colour(plots.SEQUENTIAL, 0, 1, 1), atol=1)
    np.testing.assert_array_equal(image[0, 2], [200, 200, 200])


def test_the_filter_mosaic_matches_the_pages_filter_grid_cell_for_cell():
    kernel = np.random.default_rng(0).normal(size=(3, 3, 1, 16)).astype(np.float32)
    figure = plots.filter_grid(kernel)  # what the Feature maps page draws
    trace = figure.data[0]
    shown = np.asarray(trace.z, dtype=np.float64)
    png = exports.filters_png(kernel)
    cell = exports.cell_pixels((3, 3), 112)
    image = decode(png)
    assert image.shape[:2] == (shown.shape[0] * cell, shown.shape[1] * cell)  # 2×8 tiles
    assert shown.shape == (7, 31)
    centres = cell_centres(image, cell)
    for (row, col), value in np.ndenumerate(shown):
        if np.isnan(value):  # the gap between tiles
            np.testing.assert_array_equal(centres[row, col], [255, 255, 255])
        else:
            expected = plotly_colour(trace.colorscale, trace.zmin, trace.zmax, value)
            np.testing.assert_allclose(centres[row, col], expected, atol=1)


def test_a_mosaic_lays_tiles_out_as_the_page_does():
    maps = np.arange(5 * 4 * 7, dtype=np.float64).reshape(5, 4, 7)
    _, owner = mosaic(maps, 3)  # the page's layout: 3 columns, 3 rows, one cell between
    ranges = [(0.0, 1000.0)] * 7
    png = exports.maps_png(maps, plots.GRAY, ranges, columns=3, cell=2)
    centres = cell_centres(decode(png), 2)
    assert centres.shape[:2] == owner.shape == (3 * 6 - 1, 3 * 5 - 1)
    np.testing.assert_array_equal(centres[owner < 0], 255)
    for index in range(7):
        tile = centres[owner == index][:, 0].reshape(5, 4)
        expected = np.rint(maps[:, :, index] * 255 / 1000)
        np.testing.assert_allclose(tile, expected, atol=1)


def test_each_map_can_have_its_own_range():
    maps = {"a": np.array([[0.0, 1.0]]), "b": np.array([[0.0, 100.0]])}
    png = exports.maps_png(maps, plots.GRAY, [(0, 1), (0, 100)], columns=1, cell=1)
    image = decode(png)
    np.testing.assert_array_equal(image[:, :, 0], [[0, 255], [255, 255], [0, 255]])


def test_maps_of_different_sizes_are_drawn_the_same_size():
    # The Pooling page's gallery: a 28×28 map beside its 14×14 pooled map.
    maps = {"map": np.zeros((28, 28)), "pooled": np.ones((14, 14))}
    image = decode(exports.maps_png(maps, plots.GRAY, (0, 1), columns=2))
    big, small = exports.cell_pixels((28, 28), 112), exports.cell_pixels((14, 14), 112)
    assert 28 * big == 14 * small == 112
    assert image.shape[:2] == (112, 112 + big + 112)
    np.testing.assert_array_equal(image[:, :112], 0)
    np.testing.assert_array_equal(image[:, 112 : 112 + big], 255)  # the gap
    np.testing.assert_array_equal(image[:, 112 + big :], 255)


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: exports.array_png(np.zeros(3), plots.GRAY, (0, 1)), r"Received shape \(3,\)"),
        (
            lambda: exports.maps_png({"a": np.zeros((2, 2)), "b": np.zeros(3)}, "Reds", (0, 1)),
            r"non-empty 2-D maps. Received shapes \[\(2, 2\), \(3,\)\]",
        ),
        (
            lambda: exports.maps_png(np.zeros((2, 2, 3)), "Reds", [(0, 1), (0, 2)]),
            r"one per map. Received 2 ranges",
        ),
    ],
)
def test_bad_input_is_refused_with_what_was_received(call, message):
    with pytest.raises(ValueError, match=message):
        call()
