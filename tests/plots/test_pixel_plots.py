"""The home page's figures: numbers readable on every cell, a window visible on any photo."""

import numpy as np
import pytest

from cnnviz import plots
from cnnviz.plots.pixels import BLACK, WHITE, cell_colours, text_colours

VALUES = np.arange(256)
TWO_STOP_SCALES = {"Gray": plots.GRAY, **plots.CHANNEL_SCALES}


def wcag_luminance(rgb):
    """WCAG 2.x relative luminance, written out again here as the reference."""
    channels = [value / 255 for value in rgb]
    linear = [c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(first, second):
    light, dark = sorted((wcag_luminance(first), wcag_luminance(second)), reverse=True)
    return (light + 0.05) / (dark + 0.05)


def hex_rgb(colour):
    return tuple(int(colour[i : i + 2], 16) for i in (1, 3, 5))


@pytest.mark.parametrize("name", list(TWO_STOP_SCALES))
def test_cells_are_painted_like_plotly_between_two_stops(name):
    scale = TWO_STOP_SCALES[name]
    top = np.array(hex_rgb(scale[-1][1]), dtype=float)
    expected = VALUES[:, None] / 255 * top  # every scale here runs from black to `top`
    np.testing.assert_allclose(cell_colours(VALUES, scale, (0, 255)), expected)


@pytest.mark.parametrize("name", list(TWO_STOP_SCALES))
@pytest.mark.parametrize("value_range", [(0, 255), (0, 1)])
def test_every_number_from_0_to_255_contrasts_with_its_cell(name, value_range):
    scale = TWO_STOP_SCALES[name]
    values = VALUES if value_range == (0, 255) else VALUES / 255
    cells = cell_colours(values, scale, value_range)
    texts = text_colours(values, scale, value_range)
    ratios = [contrast(hex_rgb(text), cell) for text, cell in zip(texts, cells, strict=True)]
    worst = int(np.argmin(ratios))
    # 4.5:1 is WCAG's level for normal text; black or white always reaches it.
    assert min(ratios) >= 4.5, f"{name}: value {VALUES[worst]} has contrast {ratios[worst]:.2f}"


def test_black_on_light_cells_and_white_on_dark_ones():
    assert text_colours(np.array([0, 60, 200, 255]), plots.GRAY, (0, 255)).tolist() == [
        WHITE,
        WHITE,
        BLACK,
        BLACK,
    ]
    # A full blue cell is dark although its value is the largest.
    assert text_colours(np.array([255]), plots.CHANNEL_SCALES["B"], (0, 255)).tolist() == [WHITE]


def test_pixel_grid_writes_each_number_in_its_cells_colour():
    values = np.array([[0, 255], [100, 200]], dtype=np.uint8)
    figure = plots.pixel_grid(values)
    every, dark = figure.data
    np.testing.assert_array_equal(np.asarray(every.z), values)
    assert (every.textfont.color, dark.textfont.color) == (BLACK, WHITE)
    # The second layer repaints (and writes white on) exactly the dark cells.
    repainted = np.asarray(dark.z, dtype=float)
    np.testing.assert_array_equal(np.isnan(repainted), [[False, True], [False, True]])
    np.testing.assert_array_equal(repainted[:, 0], [0, 100])
    assert dark.texttemplate == every.texttemplate and dark.hoverongaps is False


def test_a_window_too_small_to_see_is_ringed():
    photo = np.zeros((819, 1024, 3), np.uint8)
    figure = plots.image_figure(photo, box=(350, 600, 3, 3))
    image, ring = figure.data
    assert ring.type == "scatter"
    assert set(ring.x) == {601} and set(ring.y) == {351}
    assert min(ring.marker.size) >= 20, "the ring is drawn in screen pixels, whatever the zoom"
    assert tuple(figure.layout.xaxis.range) == (-0.5, 1023.5)
    assert tuple(figure.layout.yaxis.range) == (818.5, -0.5)
    shape = figure.layout.shapes[0]
    assert (shape.x0, shape.x1, shape.y0, shape.y1) == (599.5, 602.5, 349.5, 352.5)


def test_a_window_big_enough_to_see_has_no_ring():
    figure = plots.image_figure(np.zeros((300, 400, 3), np.uint8), box=(10, 20, 16, 16))
    assert len(figure.data) == 1 and len(figure.layout.shapes) == 1
