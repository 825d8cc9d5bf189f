"""The lecture's filtering results, checked against SciPy's own filters."""

import numpy as np
import pytest
import scipy.ndimage
import scipy.signal

from cnnviz.convolution import gallery
from cnnviz.convolution.kernels import KERNELS, LECTURE_KERNEL_NAMES
from tests.array_fakes import random_image


def test_edge_magnitude_is_scipys_sobel_magnitude():
    image = random_image((28, 31)).astype(np.float64)
    rows = scipy.ndimage.sobel(image, axis=0, mode="constant", cval=0.0)
    cols = scipy.ndimage.sobel(image, axis=1, mode="constant", cval=0.0)
    np.testing.assert_allclose(gallery.edge_magnitude(image), np.hypot(rows, cols), atol=1e-9)


@pytest.mark.parametrize("flip", [True, False])
def test_lecture_gallery_is_every_lecture_kernel_with_same_padding(flip):
    image = random_image((20, 24)).astype(np.float64)
    maps = gallery.lecture_gallery(image, flip=flip)
    assert list(maps) == list(LECTURE_KERNEL_NAMES)
    operation = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    for name, values in maps.items():
        expected = operation(image, KERNELS[name].values, mode="same", boundary="fill")
        np.testing.assert_allclose(values, expected, atol=1e-9, err_msg=name)


def test_filter_gallery_ends_with_the_edge_magnitude():
    image = random_image((16, 16))
    maps = gallery.filter_gallery(image)
    assert list(maps) == [*LECTURE_KERNEL_NAMES, gallery.EDGE_MAGNITUDE]
    np.testing.assert_array_equal(
        maps[gallery.EDGE_MAGNITUDE], gallery.edge_magnitude(image)[2:-2, 2:-2]
    )


@pytest.mark.parametrize("flip", [True, False])
def test_filter_gallery_shows_only_the_valid_part_of_every_map(flip):
    # Reference: SciPy's "valid" output, each map cut to where the 5x5 kernel fits too.
    image = random_image((19, 23)).astype(np.float64)
    maps = gallery.filter_gallery(image, flip=flip)
    operation = scipy.signal.convolve2d if flip else scipy.signal.correlate2d
    for name in LECTURE_KERNEL_NAMES:
        valid = operation(image, KERNELS[name].values, mode="valid")
        cut = (5 - KERNELS[name].values.shape[0]) // 2
        expected = valid[cut : valid.shape[0] - cut, cut : valid.shape[1] - cut]
        assert maps[name].shape == (15, 19)
        np.testing.assert_allclose(maps[name], expected, atol=1e-9, err_msg=name)
    rows = scipy.signal.convolve2d(image, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], mode="valid")
    cols = scipy.signal.convolve2d(image, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], mode="valid")
    np.testing.assert_allclose(
        maps[gallery.EDGE_MAGNITUDE], np.hypot(rows, cols)[1:-1, 1:-1], atol=1e-9
    )


def test_filter_gallery_adds_no_false_edges_at_the_frame():
    # A flat bright image has no edges; zero padding would light up its whole border.
    maps = gallery.filter_gallery(np.full((12, 14), 200, np.uint8))
    for name, values in maps.items():
        np.testing.assert_allclose(values, 0, atol=1e-9, err_msg=name)


def test_filter_gallery_needs_room_for_the_5x5_kernel():
    assert gallery.filter_gallery(np.ones((5, 5)))["Laplacian"].shape == (1, 1)
    with pytest.raises(ValueError, match=r"at least 5×5 pixels.*Received shape \(4, 9\)"):
        gallery.filter_gallery(np.ones((4, 9)))


@pytest.mark.parametrize(("strides", "padding"), [(1, "valid"), (2, "same")])
def test_convolution_is_correlation_with_the_rotated_kernel(strides, padding):
    image = random_image((17, 23))
    asymmetric = np.array([[1.0, 2.0, 0.0], [-3.0, 0.5, 4.0], [0.0, 0.0, -1.0]])
    assert gallery.flip_difference(image, asymmetric, strides, padding) == 0.0


def scipy_difference(image, kernel):
    """Largest |convolution - cross-correlation|, by SciPy (valid padding, strides 1)."""
    image = np.asarray(image, dtype=np.float64)
    convolved = scipy.signal.convolve2d(image, kernel, mode="valid")
    return np.abs(convolved - scipy.signal.correlate2d(image, kernel, mode="valid")).max()


@pytest.mark.parametrize(
    "name", ["Horizontal lines", "45° lines", "Laplacian", "Box blur", "Identity"]
)
def test_a_kernel_symmetric_under_rotation_is_replaced_by_sobel(name):
    image = random_image((12, 15))
    compared = gallery.flip_comparison(image, KERNELS[name].values, name)
    sobel = KERNELS["Sobel vertical edges"].values
    assert compared.substituted and compared.name == gallery.FLIP_DEMO_KERNEL
    np.testing.assert_array_equal(compared.kernel, sobel)
    assert compared.operations_differ_by == pytest.approx(scipy_difference(image, sobel))
    assert compared.operations_differ_by > 0
    assert compared.rotated_differ_by == 0.0


def test_an_asymmetric_kernel_is_compared_as_it_is():
    image = random_image((12, 15))
    emboss = KERNELS["Emboss"].values
    compared = gallery.flip_comparison(image, emboss, "Emboss", 1, "same")
    assert not compared.substituted and compared.name == "Emboss"
    np.testing.assert_array_equal(compared.kernel, emboss)
    convolved = scipy.signal.convolve2d(image.astype(float), emboss, mode="same")
    correlated = scipy.signal.correlate2d(image.astype(float), emboss, mode="same")
    expected = np.abs(convolved - correlated).max()
    assert compared.operations_differ_by == pytest.approx(expected) and expected > 0
    assert compared.rotated_differ_by == 0.0


def test_a_flat_image_cannot_tell_the_operations_apart():
    compared = gallery.flip_comparison(np.full((9, 9), 7.0), KERNELS["Laplacian"].values, "L")
    assert (compared.operations_differ_by, compared.rotated_differ_by) == (0.0, 0.0)
