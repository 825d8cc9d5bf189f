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
    np.testing.assert_array_equal(maps[gallery.EDGE_MAGNITUDE], gallery.edge_magnitude(image))


@pytest.mark.parametrize(("strides", "padding"), [(1, "valid"), (2, "same")])
def test_convolution_is_correlation_with_the_rotated_kernel(strides, padding):
    image = random_image((17, 23))
    asymmetric = np.array([[1.0, 2.0, 0.0], [-3.0, 0.5, 4.0], [0.0, 0.0, -1.0]])
    assert gallery.flip_difference(image, asymmetric, strides, padding) == 0.0
