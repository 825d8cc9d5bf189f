"""Windows, padding and output sizes, as TensorFlow lays them out."""

import re

import numpy as np
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from cnnviz import convolution as conv
from cnnviz.convolution.windows import check_image_size, strongest_position
from tests.array_fakes import FAST, paddings


@pytest.mark.parametrize(
    ("n", "size", "strides", "padding", "expected"),
    [
        (28, 3, 1, "valid", "floor((28 + 2·0 − 3) / 1) + 1 = 26"),
        (28, 5, 2, "valid", "floor((28 + 2·0 − 5) / 2) + 1 = 12"),
        (
            28,
            3,
            2,
            "same",
            "ceil(28 / 2) = 14 (padding 0 before, 1 after: floor((28 + 0 + 1 − 3) / 2) + 1 = 14)",
        ),
        (
            28,
            3,
            1,
            "same",
            "ceil(28 / 1) = 28 (padding 1 before, 1 after: floor((28 + 1 + 1 − 3) / 1) + 1 = 28)",
        ),
    ],
)
def test_output_size_formula_reads_with_the_numbers(n, size, strides, padding, expected):
    assert conv.output_size_formula(n, size, strides, padding) == expected


@FAST
@given(n=st.integers(1, 64), size=st.integers(1, 9), strides=st.integers(1, 4), padding=paddings)
def test_output_size_formula_prints_output_size(n, size, strides, padding):
    assume(padding == "same" or size <= n)
    formula = conv.output_size_formula(n, size, strides, padding)
    results = re.findall(r"= (\d+)", formula)
    assert results and set(results) == {str(conv.output_size(n, size, strides, padding))}
    before, after = conv.padding_amounts(n, size, strides, padding)
    assert (n + before + after - size) // strides + 1 == conv.output_size(n, size, strides, padding)


def test_padding_amounts_put_the_odd_one_after():
    assert conv.padding_amounts(28, 3, 1, "same") == (1, 1)
    assert conv.padding_amounts(28, 2, 1, "same") == (0, 1)
    assert conv.padding_amounts(28, 4, 1, "same") == (1, 2)
    assert conv.padding_amounts(7, 3, 2, "same") == (1, 1)
    assert conv.padding_amounts(28, 3, 2, "valid") == (0, 0)


def test_output_size_matches_tensorflow_same_and_valid():
    # TensorFlow: "valid" gives ceil((n - k + 1) / s), "same" gives ceil(n / s).
    for n in range(1, 30):
        for k in range(1, 6):
            for s in range(1, 4):
                assert conv.output_size(n, k, s, "same") == -(-n // s)
                if k <= n:
                    assert conv.output_size(n, k, s, "valid") == -(-(n - k + 1) // s)


def test_output_grid_takes_pairs_for_rectangular_windows():
    assert conv.output_grid(28, 20, (3, 5), (1, 2), "valid") == ((26, 8), (0, 0))
    assert conv.output_grid(28, 20, (3, 5), (2, 2), "same") == ((14, 10), (0, 1))


def test_window_origin_counts_padding_as_negative():
    assert conv.window_origin(0, 0, 3, 1, "same", (28, 28)) == (-1, -1)
    assert conv.window_origin(13, 13, 3, 2, "same", (28, 28)) == (26, 26)
    assert conv.window_origin(2, 5, 2, 2, "valid", (8, 12)) == (4, 10)


def test_cut_window_fills_padding_and_keeps_channels():
    image = np.arange(2 * 3 * 2).reshape(2, 3, 2)
    window, mask = conv.cut_window(image, -1, 1, 2, fill=np.nan)
    assert window.shape == (2, 2, 2) and window.dtype == np.float64
    np.testing.assert_array_equal(mask, [[True, True], [False, False]])
    np.testing.assert_array_equal(window[1], image[0, 1:3])
    assert np.isnan(window[0]).all()


@pytest.mark.parametrize(
    ("call", "message"),
    [
        (lambda: conv.output_size(4, 5), "window of size 5 for an input of size 4"),
        (lambda: conv.output_size(4, 3, 0), r"`strides` must be a whole number of at least 1"),
        (lambda: conv.padding_amounts(4, 3, 1, "full"), r"`padding` must be one of .*'full'"),
        (lambda: conv.output_grid(4, 4, (3, 3, 3), 1, "same"), r"pair\. Received \(3, 3, 3\)"),
    ],
)
def test_window_arguments_are_checked(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def strongest_by_loop(values, magnitude):
    """Reference: walk the map in reading order, keep the first largest score."""
    best, where = -np.inf, (0, 0)
    for row in range(values.shape[0]):
        for col in range(values.shape[1]):
            score = abs(values[row, col]) if magnitude else values[row, col]
            if score > best:
                best, where = score, (row, col)
    return where


@given(
    st.integers(1, 9),
    st.integers(1, 9),
    st.integers(0, 2**31),
    st.booleans(),
)
@FAST
def test_strongest_position_is_the_first_largest_in_reading_order(rows, cols, seed, magnitude):
    # Few distinct values, so ties between places are common.
    values = np.random.default_rng(seed).integers(-3, 4, (rows, cols)).astype(float)
    assert strongest_position(values, magnitude) == strongest_by_loop(values, magnitude)


def test_strongest_position_skips_nans_and_wants_a_map():
    values = np.array([[np.nan, 1.0], [-2.0, np.nan]])
    assert strongest_position(values) == (1, 0)
    assert strongest_position(values, magnitude=False) == (0, 1)
    assert strongest_position(np.full((2, 2), np.nan)) == (0, 0)
    with pytest.raises(ValueError, match=r"Received shape \(2, 2, 3\)"):
        strongest_position(np.zeros((2, 2, 3)))


@pytest.mark.parametrize("shape", [(3, 3), (3, 160), (28, 28, 3)])
def test_check_image_size_accepts_room_for_a_3x3_kernel(shape):
    image = np.zeros(shape, np.uint8)
    assert check_image_size(image) is image


@pytest.mark.parametrize(
    ("shape", "size"), [((1, 160), "160×1"), ((2, 160), "160×2"), ((1, 1), "1×1"), ((9, 2), "2×9")]
)
def test_check_image_size_says_how_small_the_image_is(shape, size):
    with pytest.raises(ValueError, match=f"The image is {size} pixels.*at least 3 pixels"):
        check_image_size(np.zeros(shape))
