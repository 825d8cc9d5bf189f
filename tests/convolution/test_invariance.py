"""Translation invariance: a pooled map changes less than its feature map when the image moves."""

import cv2
import numpy as np
import pytest
import scipy.signal

from cnnviz.convolution import invariance
from cnnviz.convolution.kernels import KERNELS
from cnnviz.convolution.pooling import PoolSettings


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


def pool_by_loop(values, size, strides, method):
    """Reference pooling, padding "valid": one window at a time."""
    rows = (values.shape[0] - size) // strides + 1
    cols = (values.shape[1] - size) // strides + 1
    combine = np.max if method == "max" else np.mean
    return np.array(
        [
            [
                combine(values[r * strides : r * strides + size, c * strides : c * strides + size])
                for c in range(cols)
            ]
            for r in range(rows)
        ]
    )


def shifted_by_hand(image, dy, dx):
    moved = np.zeros_like(image)
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            if 0 <= row + dy < image.shape[0] and 0 <= col + dx < image.shape[1]:
                moved[row + dy, col + dx] = image[row, col]
    return moved


@pytest.mark.parametrize(
    ("pooling", "shift"),
    [
        (PoolSettings(2), (0, 1)),
        (PoolSettings(3, method="average"), (3, 3)),
        (PoolSettings(3, strides=2, method="max"), (2, 0)),
        (PoolSettings(2, strides=1, method="average"), (1, 1)),
    ],
)
def test_translation_invariance_pools_as_asked_and_matches_a_reference(pooling, shift):
    image = digit_like().astype(np.float64)
    kernel = KERNELS["Sobel vertical edges"].values
    report = invariance.translation_invariance(image, kernel, shift, pooling)
    before = scipy.signal.convolve2d(image, kernel, mode="same")
    after = scipy.signal.convolve2d(shifted_by_hand(image, *shift), kernel, mode="same")
    step = pooling.step
    pooled_before = pool_by_loop(before, pooling.pool_size, step, pooling.method)
    pooled_after = pool_by_loop(after, pooling.pool_size, step, pooling.method)
    assert report.pooling == pooling
    np.testing.assert_allclose(report.maps["Pooled, shifted input"], pooled_after, atol=1e-9)
    assert report.feature_correlation == pytest.approx(
        np.corrcoef(before.ravel(), after.ravel())[0, 1]
    )
    assert report.pooled_correlation == pytest.approx(
        np.corrcoef(pooled_before.ravel(), pooled_after.ravel())[0, 1]
    )


def test_translation_invariance_uses_same_padding_for_pooling_when_asked():
    report = invariance.translation_invariance(
        digit_like(), KERNELS["Laplacian"].values, (1, 0), PoolSettings(3, 2, "same", "max")
    )
    assert report.maps["Pooled"].shape == (14, 14)
    with pytest.raises(ValueError, match="`pooling` must be a PoolSettings"):
        invariance.translation_invariance(digit_like(), KERNELS["Laplacian"].values, (1, 0), 2)


def report_with(feature, pooled, shift=(1, 1), pooling=None):
    pooling = pooling or PoolSettings(3, method="average")
    return invariance.TranslationReport(shift, feature, pooled, 1.0, 0.5, pooling)


def test_the_issues_case_says_pooling_did_not_steady_the_map():
    # The Sobel map, 3x3 average pooling, a 3-pixel diagonal shift: -0.30 and -0.28.
    report = report_with(-0.30, -0.28, (3, 3))
    assert report.verdict == "not steadied"
    text = invariance.describe_invariance(report)
    assert text.startswith("Here pooling did not steady the map:")
    assert "-0.280" in text and "-0.300" in text
    assert "The shift (3 px) is not smaller than the pooling step (3 px)" in text


@pytest.mark.parametrize(
    ("feature", "pooled", "verdict", "start"),
    [
        (-0.038, 0.794, "steadied", "Here pooling steadied the map:"),
        (0.901, 0.926, "no clear gain", "Here pooling made little difference:"),
        (-0.029, 0.473, "not steadied", "Here pooling did not steady the map:"),
        (0.6, 0.2, "not steadied", "Here pooling did not steady the map:"),
    ],
)
def test_the_verdict_agrees_with_the_numbers(feature, pooled, verdict, start):
    report = report_with(feature, pooled)
    assert report.verdict == verdict
    text = invariance.describe_invariance(report)
    assert text.startswith(start) and f"{pooled:.3f}" in text and f"{feature:.3f}" in text


def test_steadied_never_goes_with_a_pooled_map_that_changed_more():
    for feature in np.linspace(-1, 1, 41):
        for pooled in np.linspace(-1, 1, 41):
            if report_with(feature, pooled).verdict == "steadied":
                assert pooled >= 0.5 and pooled > feature
