"""The lecture's spatial filtering results: every kernel of the lecture on one image, the Sobel
edge magnitude, and the check that convolution is correlation with a 180°-rotated kernel.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.convolution.convolve import convolve2d
from cnnviz.convolution.kernels import (
    KERNELS,
    LECTURE_KERNEL_NAMES,
    SOBEL_PAIR,
    flip_kernel,
    validate_kernel,
)
from cnnviz.messages import Invalid
from cnnviz.validation import check_image

EDGE_MAGNITUDE = "Sobel edge magnitude √(Gx² + Gy²)"
# The filtering results show only the part of each map where even the largest lecture kernel
# (5×5) lies wholly on the image: a border this wide is cut off every map.
VALID_MARGIN = max(KERNELS[name].values.shape[0] for name in LECTURE_KERNEL_NAMES) // 2
# The kernel that shows convolution and cross-correlation apart when the page's kernel looks
# the same rotated by 180° (the lecture's 45° kernel does too, so it cannot serve).
FLIP_DEMO_KERNEL = "Sobel vertical edges"


def lecture_gallery(image: np.ndarray, flip: bool = True) -> dict[str, np.ndarray]:
    """The image through every kernel of the lecture (same padding, so all maps align)."""
    return {
        name: convolve2d(image, KERNELS[name].values, padding="same", flip=flip)
        for name in LECTURE_KERNEL_NAMES
    }


def edge_magnitude(image: np.ndarray) -> np.ndarray:
    """Sobel edge strength `sqrt(Gx² + Gy²)` from the lecture's Sobel pair (same padding)."""
    horizontal, vertical = (
        convolve2d(image, KERNELS[name].values, padding="same") for name in SOBEL_PAIR
    )
    return np.hypot(horizontal, vertical)


def filter_gallery(image: np.ndarray, flip: bool = True) -> dict[str, np.ndarray]:
    """The lecture's "some spatial filtering results" figure: `lecture_gallery`, then the
    Sobel edge magnitude (`EDGE_MAGNITUDE`), by title, each map's valid part only.

    Every map loses a border `VALID_MARGIN` (2) pixels wide: what is left was computed with
    every kernel wholly on the image, as `padding="valid"` does for the largest (5×5), so the
    zero padding around the image adds no false edges at its frame and all maps line up.

    Raises:
        ValueError: If the image is not 2-D, or smaller than 5×5 pixels (nothing would be left).

    Example:
        >>> filter_gallery(np.zeros((28, 30)))[EDGE_MAGNITUDE].shape
        (24, 26)
    """
    image = check_image(image, ndims=(2,))
    side = 2 * VALID_MARGIN + 1
    if min(image.shape) < side:
        raise Invalid("errors.windows.gallery_too_small", side=side, shape=str(image.shape))
    maps = lecture_gallery(image, flip) | {EDGE_MAGNITUDE: edge_magnitude(image)}
    inside = (slice(VALID_MARGIN, -VALID_MARGIN),) * 2
    return {name: values[inside] for name, values in maps.items()}


def flip_difference(image: np.ndarray, kernel: np.ndarray, strides: int, padding: str) -> float:
    """Largest difference between convolving and correlating with the 180°-rotated kernel.

    It is 0 on every image: that is what "convolution flips the kernel" means.

    Example:
        >>> flip_difference(np.arange(25.0).reshape(5, 5), [[1, 2], [3, 4]], 1, "same")
        0.0
    """
    convolved = convolve2d(image, kernel, strides, padding, flip=True)
    correlated = convolve2d(image, flip_kernel(kernel), strides, padding, flip=False)
    return _largest_difference(convolved, correlated)


def _largest_difference(first: np.ndarray, second: np.ndarray) -> float:
    return float(np.max(np.abs(first - second))) if first.size else 0.0


@dataclass(frozen=True, eq=False)
class FlipComparison:
    """Convolution against cross-correlation on one image, with a kernel where they differ.

    Attributes:
        kernel: The kernel compared: the page's, or `FLIP_DEMO_KERNEL` when the page's looks
            the same rotated by 180° (then both operations give the same output).
        name: That kernel's name.
        substituted: Whether `FLIP_DEMO_KERNEL` stands in for the page's kernel.
        operations_differ_by: Largest |convolution − cross-correlation| of an output pixel.
        rotated_differ_by: Largest |convolution − cross-correlation with the kernel rotated
            by 180°|: always 0.
    """

    kernel: np.ndarray
    name: str
    substituted: bool
    operations_differ_by: float
    rotated_differ_by: float


def flip_comparison(image, kernel, name: str, strides: int = 1, padding: str = "valid"):
    """Show convolution and cross-correlation apart, then the same after rotating the kernel.

    Args:
        image: 2-D or 3-D array, as for `convolve2d`.
        kernel: The page's kernel; if it equals its own 180° rotation (the lecture's line
            kernels, Laplacians, blurs), the lecture's Sobel vertical edges kernel is used.
        name: The kernel's name, for the result.
        strides, padding: As for `convolve2d`.

    Returns:
        A `FlipComparison`.

    Raises:
        ValueError: As `convolve2d`.

    Example:
        >>> compared = flip_comparison(np.arange(25.0).reshape(5, 5), np.ones((3, 3)), "Ones")
        >>> compared.name, compared.operations_differ_by, compared.rotated_differ_by
        ('Sobel vertical edges', 16.0, 0.0)
    """
    kernel = validate_kernel(kernel, odd_size=False)
    substituted = bool(np.array_equal(kernel, flip_kernel(kernel)))
    if substituted:
        kernel, name = KERNELS[FLIP_DEMO_KERNEL].values, FLIP_DEMO_KERNEL
    convolved = convolve2d(image, kernel, strides, padding, flip=True)
    correlated = convolve2d(image, kernel, strides, padding, flip=False)
    return FlipComparison(
        kernel=kernel,
        name=name,
        substituted=substituted,
        operations_differ_by=_largest_difference(convolved, correlated),
        rotated_differ_by=flip_difference(image, kernel, strides, padding),
    )
