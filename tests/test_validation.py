"""The one module of argument checks: what each accepts, and what its message says."""

import math
import re

import numpy as np
import pytest

from cnnviz.network.config import CNNConfig
from cnnviz.validation import (
    check_choice,
    check_image,
    check_known_keys,
    check_position,
    check_rate,
    check_real,
    check_whole,
    is_real,
    is_whole,
)


@pytest.mark.parametrize("value", [0, 7, -3, np.int64(4), np.uint8(2)])
def test_whole_numbers_are_integers_of_any_kind(value):
    assert is_whole(value) and check_whole(value, "`n`") == int(value)
    assert type(check_whole(value, "`n`")) is int


@pytest.mark.parametrize("value", [True, np.bool_(False), 3.0, "3", None, [3]])
def test_bools_floats_and_text_are_not_whole_numbers(value):
    assert not is_whole(value)
    message = re.escape(f"`n` must be a whole number. Received {value!r}.")
    with pytest.raises(ValueError, match=message):
        check_whole(value, "`n`")


@pytest.mark.parametrize(
    ("low", "high", "value", "message"),
    [
        (1, None, 0, "`n` must be a whole number of at least 1. Received 0."),
        (None, 9, 10, "`n` must be a whole number of at most 9. Received 10."),
        (1, 200, 201, "`n` must be a whole number from 1 to 200. Received 201."),
    ],
)
def test_check_whole_says_the_bounds(low, high, value, message):
    with pytest.raises(ValueError, match=message):
        check_whole(value, "`n`", low, high)
    assert check_whole(low or high, "`n`", low, high) == (low or high)


def test_check_whole_adds_the_alternative():
    with pytest.raises(ValueError, match=r"at least 10 or None \(all\)\. Received 5\."):
        check_whole(5, "`train_size`", 10, alternative=" or None (all)")


@pytest.mark.parametrize("value", [math.nan, math.inf, -math.inf, True, "0.5", None])
def test_real_numbers_are_finite_and_not_bools(value):
    assert not is_real(value)
    with pytest.raises(ValueError, match=re.escape(f"Received {value!r}.")):
        check_real(value, "`x`", 0, 1)


def test_check_real_reads_open_and_closed_intervals():
    assert check_real(0, "`x`", 0, 1) == 0.0 and type(check_real(1, "`x`", 0, 1)) is float
    with pytest.raises(ValueError, match=r"`x` must be a number in \(0, 1\]\. Received 0\."):
        check_real(0, "`x`", 0, 1, open_low=True)
    with pytest.raises(ValueError, match=r"`x` must be a number of at least 0\. Received -1\."):
        check_real(-1, "`x`", 0, math.inf)
    assert is_real(math.inf, finite=False)


def test_check_rate_is_zero_up_to_one_excluded():
    assert check_rate(0, "`rate`") == 0.0 and check_rate(0.99, "`rate`") == 0.99
    with pytest.raises(ValueError, match=r"`rate` must be a number in \[0, 1\)\. Received 1\."):
        check_rate(1, "`rate`")


def test_check_choice_lists_what_is_accepted():
    assert check_choice(None, "`pooling`", ("max", None)) is None
    with pytest.raises(ValueError, match=r"`pooling` must be one of \('max', None\)\. Received 0"):
        check_choice(0, "`pooling`", ("max", None))


def test_check_known_keys_names_the_unknown_and_the_accepted_ones():
    assert check_known_keys({"l2": 0.1}, CNNConfig, "Config") == {"l2": 0.1}
    with pytest.raises(ValueError, match=r"Config has unknown keys \['l3'\]\. Accepted keys: \["):
        check_known_keys({"l3": 0.1}, CNNConfig, "Config")
    with pytest.raises(ValueError, match="Config must be a dict. Received list"):
        check_known_keys([1], CNNConfig, "Config")


def test_check_image_accepts_images_and_says_what_else_it_received():
    image = np.zeros((4, 5, 3), np.uint8)
    assert check_image(image) is image
    assert check_image([[1, 2], [3, 4]], ndims=(2,)).shape == (2, 2)
    with pytest.raises(ValueError, match=r"Expected an image of shape \(height, width\)\. "):
        check_image(image, ndims=(2,))
    with pytest.raises(ValueError, match=r"with 1, 3 or 4 channels\. Received shape \(4, 5, 2\)"):
        check_image(np.zeros((4, 5, 2)), channels=(1, 3, 4))
    with pytest.raises(ValueError, match=r"Received shape \(0, 5\)"):
        check_image(np.zeros((0, 5)))
    with pytest.raises(ValueError, match=r"f expects an image of uint8 pixels\. Received dtype"):
        check_image(np.zeros((4, 4), np.float32), dtypes="uint8", caller="f")
    with pytest.raises(ValueError, match="f expects a NumPy array. Received list"):
        check_image([[1]], caller="f")
    with pytest.raises(ValueError, match="Expected an image of numbers. Received dtype <U1"):
        check_image(np.array([["a"]]))


def test_check_position_gives_the_output_size():
    assert check_position(np.int64(2), 0, (3, 4)) == (2, 0)
    with pytest.raises(ValueError, match=r"3 rows and 4 columns.*Received row=3, col=0\."):
        check_position(3, 0, (3, 4))
