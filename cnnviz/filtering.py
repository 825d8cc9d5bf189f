"""Spatial filtering for the convolution page: the working image, the lecture's gallery of
filter results, the Sobel edge magnitude, and the proof that convolution is correlation with a
flipped kernel. NumPy and OpenCV only.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from cnnviz import convolution, kernels
from cnnviz.images import to_grayscale

CHANNELS = ("Gray", "Red", "Green", "Blue")
# Photos are explored on a small copy: every output pixel stays explainable and the
# figures sent to the browser stay small. A 28x28 digit is used as it is.
WORK_SIDE = 160


@dataclass(frozen=True)
class WorkingImage:
    """The single-channel image a page filters, and how it relates to the original.

    Attributes:
        values: uint8 array `(height, width)`.
        channel: One of `CHANNELS`.
        original_size: `(height, width)` of the picture it was made from.
    """

    values: np.ndarray
    channel: str
    original_size: tuple[int, int]

    @property
    def resized(self) -> bool:
        """True when `values` is a smaller copy of the original."""
        return self.values.shape != self.original_size


def working_image(image: np.ndarray, channel: str = "Gray", max_side: int = WORK_SIDE):
    """One channel of an RGB image, shrunk (area averaging) so its longer side is `max_side`.

    Args:
        image: RGB uint8 `(height, width, 3)` or grayscale `(height, width)`.
        channel: "Gray" (luma), "Red", "Green" or "Blue".
        max_side: Longest side of the result, at least 8.

    Returns:
        A `WorkingImage`.

    Raises:
        ValueError: For an unknown channel, a grayscale image asked for a colour channel, or
            a `max_side` below 8.
    """
    if channel not in CHANNELS:
        raise ValueError(f"Unknown channel {channel!r}. Accepted: {', '.join(CHANNELS)}.")
    if max_side < 8:
        raise ValueError(f"max_side must be at least 8 pixels. Received {max_side}.")
    image = np.asarray(image)
    if channel == "Gray":
        plane = to_grayscale(image)
    elif image.ndim == 3 and image.shape[2] >= 3:
        plane = np.ascontiguousarray(image[:, :, CHANNELS.index(channel) - 1])
    else:
        raise ValueError(
            f"A grayscale image has no {channel.lower()} channel. Received shape {image.shape}."
        )
    height, width = plane.shape
    scale = min(1.0, max_side / max(height, width))
    if scale < 1.0:
        size = (max(1, round(width * scale)), max(1, round(height * scale)))
        plane = cv2.resize(plane, size, interpolation=cv2.INTER_AREA)
    return WorkingImage(plane, channel, (height, width))


def lecture_gallery(image: np.ndarray, flip: bool = True) -> dict[str, np.ndarray]:
    """The image through every kernel of the lecture (same padding, so all maps align)."""
    return {
        name: convolution.convolve2d(image, kernels.KERNELS[name].values, padding="same", flip=flip)
        for name in kernels.LECTURE_KERNEL_NAMES
    }


def edge_magnitude(image: np.ndarray) -> np.ndarray:
    """Sobel edge strength `sqrt(Gx² + Gy²)` from the lecture's Sobel pair (same padding)."""
    horizontal, vertical = (
        convolution.convolve2d(image, kernels.KERNELS[name].values, padding="same")
        for name in kernels.SOBEL_PAIR
    )
    return np.hypot(horizontal, vertical)


def flip_difference(image: np.ndarray, kernel: np.ndarray, strides: int, padding: str) -> float:
    """Largest difference between convolving and correlating with the 180°-rotated kernel.

    It is 0 on every image: that is what "convolution flips the kernel" means.
    """
    convolved = convolution.convolve2d(image, kernel, strides, padding, flip=True)
    correlated = convolution.convolve2d(
        image, kernels.flip_kernel(kernel), strides, padding, flip=False
    )
    return float(np.max(np.abs(convolved - correlated))) if convolved.size else 0.0


def relu(values: np.ndarray) -> np.ndarray:
    """`max(0, x)`: what a ReLU activation keeps of a feature map."""
    return np.maximum(values, 0.0)
