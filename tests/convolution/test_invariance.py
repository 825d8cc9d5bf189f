"""Translation invariance: a pooled map changes less than its feature map when the image moves."""

import cv2
import numpy as np
import pytest

from cnnviz.convolution import invariance
from cnnviz.convolution.kernels import KERNELS


def digit_like():
    """A 28x28 image of a few strokes, like a handwritten digit."""
    image = np.zeros((28, 28), np.uint8)
    cv2.line(image, (8, 5), (14, 22), 255, 2)
    cv2.line(image, (14, 22), (20, 8), 255, 2)
    cv2.circle(image, (14, 12), 5, 200, 1)
    return image


def test_shift_image_moves_with_zeros_and_no_wrap():
    image = np.arange(1, 13, dtype=np.uint8).reshape(3, 4)
    shifted = invariance.shift_image(image, 1, -2)
    np.testing.assert_array_equal(shifted, [[0, 0, 0, 0], [3, 4, 0, 0], [7, 8, 0, 0]])
    assert shifted.dtype == np.uint8
    assert not invariance.shift_image(image, 0, 9).any()
    np.testing.assert_array_equal(invariance.shift_image(image, 0, 0), image)


@pytest.mark.parametrize(
    "name", ["Vertical lines", "Sobel vertical edges", "Laplacian", "45° lines"]
)
@pytest.mark.parametrize("shift", [(0, 1), (1, 0), (1, 1)])
def test_max_pooling_makes_features_steadier_when_a_digit_moves(name, shift):
    report = invariance.translation_invariance(digit_like(), KERNELS[name].values, shift)
    assert report.shift == shift
    assert report.pooled_correlation > report.feature_correlation
    assert report.pooled_change < report.feature_change


def test_translation_report_is_never_nan_on_constant_maps():
    blank = np.zeros((8, 8))
    report = invariance.translation_invariance(blank, KERNELS["Laplacian"].values)
    assert (report.feature_correlation, report.pooled_correlation) == (1.0, 1.0)
    assert (report.feature_change, report.pooled_change) == (0.0, 0.0)


def test_shift_vector_names_the_directions():
    assert invariance.shift_vector("right", 2) == (0, 2)
    assert invariance.shift_vector("up", 1) == (-1, 0)
    assert invariance.shift_vector("diagonal", 3) == (3, 3)
    with pytest.raises(ValueError, match=r"`direction` must be one of.*Received 'sideways'"):
        invariance.shift_vector("sideways", 1)


def test_translation_invariance_refuses_a_bad_shift():
    with pytest.raises(ValueError, match=r"pair \(dy, dx\).*Received 1\."):
        invariance.translation_invariance(np.ones((8, 8)), np.ones((3, 3)), shift=1)
    with pytest.raises(ValueError, match=r"`dx`.*Received 0\.5\."):
        invariance.shift_image(np.ones((8, 8)), 0, 0.5)
