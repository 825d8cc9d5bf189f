"""The lecture's spatial filtering results: every kernel of the lecture on one image, the Sobel
edge magnitude, and the check that convolution is correlation with a 180°-rotated kernel.
"""

from __future__ import annotations

import numpy as np

from cnnviz.convolution.convolve import convolve2d
from cnnviz.convolution.kernels import KERNELS, LECTURE_KERNEL_NAMES, SOBEL_PAIR, flip_kernel

EDGE_MAGNITUDE = "Sobel edge magnitude √(Gx² + Gy²)"


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
    """`lecture_gallery`, then the Sobel edge magnitude (`EDGE_MAGNITUDE`): the lecture's
    "some spatial filtering results" figure, by title."""
    return lecture_gallery(image, flip) | {EDGE_MAGNITUDE: edge_magnitude(image)}


def flip_difference(image: np.ndarray, kernel: np.ndarray, strides: int, padding: str) -> float:
    """Largest difference between convolving and correlating with the 180°-rotated kernel.

    It is 0 on every image: that is what "convolution flips the kernel" means.

    Example:
        >>> flip_difference(np.arange(25.0).reshape(5, 5), [[1, 2], [3, 4]], 1, "same")
        0.0
    """
    convolved = convolve2d(image, kernel, strides, padding, flip=True)
    correlated = convolve2d(image, flip_kernel(kernel), strides, padding, flip=False)
    return float(np.max(np.abs(convolved - correlated))) if convolved.size else 0.0
