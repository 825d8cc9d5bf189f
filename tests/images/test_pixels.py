import numpy as np
import pytest

from cnnviz.formatting import format_bytes
from cnnviz.images import pixels


def test_window_inside_the_image_is_cut_where_asked():
    image = np.arange(40 * 30).reshape(40, 30)
    window = pixels.pixel_window(image, 5, 7, size=16)
    assert window.values.shape == (16, 16)
    assert (window.top, window.left) == (5, 7)
    np.testing.assert_array_equal(window.values, image[5:21, 7:23])
    assert list(window.rows) == list(range(5, 21))
    assert list(window.cols) == list(range(7, 23))


def test_window_past_the_edge_is_moved_back_inside():
    image = np.arange(40 * 30 * 3).reshape(40, 30, 3)
    window = pixels.pixel_window(image, 100, 100, size=16)
    assert (window.top, window.left) == (24, 14)
    np.testing.assert_array_equal(window.values, image[24:40, 14:30])


def test_window_larger_than_the_image_is_the_whole_image():
    image = np.ones((5, 8))
    window = pixels.pixel_window(image, 3, 3, size=16)
    assert window.values.shape == (5, 8)
    assert (window.top, window.left) == (0, 0)


@pytest.mark.parametrize("bad", [np.ones(5), np.ones((2, 2, 2, 2))])
def test_window_refuses_non_images(bad):
    with pytest.raises(ValueError, match="Received shape"):
        pixels.pixel_window(bad, 0, 0)


def test_window_refuses_empty_size():
    with pytest.raises(ValueError, match="Received 0"):
        pixels.pixel_window(np.ones((4, 4)), 0, 0, size=0)


def test_normalise_divides_by_255_into_float32():
    values = np.array([[0, 51, 255]], dtype=np.uint8)
    result = pixels.normalise(values)
    assert result.dtype == np.float32
    np.testing.assert_allclose(result, [[0.0, 0.2, 1.0]])


def test_tensor_shape_counts_channels():
    assert pixels.tensor_shape(np.zeros((28, 28), np.uint8)) == (1, 28, 28, 1)
    assert pixels.tensor_shape(np.zeros((300, 450, 3), np.uint8), images=25_000) == (
        25_000,
        300,
        450,
        3,
    )
    with pytest.raises(ValueError, match="Received 0"):
        pixels.tensor_shape(np.zeros((2, 2)), images=0)


def test_lecture_tensor_memory():
    shape = pixels.LECTURE_TENSOR_SHAPE
    assert pixels.tensor_bytes(shape, "uint8") == 25_000 * 300 * 450 * 3
    assert pixels.tensor_bytes(shape, "float32") == 40_500_000_000
    assert format_bytes(pixels.tensor_bytes(shape, "uint8")) == "10.1 GB"
    assert format_bytes(pixels.tensor_bytes(shape, "float32")) == "40.5 GB"


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (784, "784 B"), (3136, "3.1 kB"), (2_350_000, "2.4 MB"), (5 * 10**12, "5.0 TB")],
)
def test_format_bytes(size, text):
    assert format_bytes(size) == text


def test_tensor_bytes_refuses_unknown_dtypes_and_negative_sizes():
    with pytest.raises(ValueError, match="'int7'"):
        pixels.tensor_bytes((1, 2), "int7")
    with pytest.raises(ValueError, match="Received shape"):
        pixels.tensor_bytes((1, -2))


@pytest.mark.parametrize(
    ("length", "size", "positions"),
    [
        (40, 16, [0, 16, 24]),
        (48, 16, [0, 16, 32]),
        (16, 16, [0]),
        (5, 16, [0]),
        (17, 16, [0, 1]),
    ],
)
def test_window_positions_step_by_the_window_and_end_at_the_edge(length, size, positions):
    assert pixels.window_positions(length, size) == positions


def test_window_positions_over_a_large_photo_tile_it_and_reach_every_pixel():
    positions = pixels.window_positions(5000, 16)
    assert len(positions) == 313 and positions[-1] == 4984
    assert set(np.diff(positions)) == {16, 8}, "steps of a window; the last one fits the edge"
    covered = np.zeros(5000, bool)
    for start in positions:
        covered[start : start + 16] = True
    assert covered.all()


@pytest.mark.parametrize(("length", "size"), [(0, 16), (40, 0), (40.0, 16)])
def test_window_positions_refuse_bad_sizes(length, size):
    with pytest.raises(ValueError, match="Received"):
        pixels.window_positions(length, size)
