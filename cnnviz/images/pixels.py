"""How computers see: pixel windows, normalisation and tensor shapes, in plain NumPy.

The home page's arithmetic lives here so that it can be tested without Streamlit: which
window of pixels to show, what `x / 255` does to them, and how much memory a batch of
images takes as a tensor `[images, height, width, channels]`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cnnviz.validation import check_choice, check_image, check_whole

# The lecture's example of a dataset as one tensor: 25,000 colour photos of 300x450 pixels.
LECTURE_TENSOR_SHAPE = (25_000, 300, 450, 3)

_DTYPE_BYTES = {"uint8": 1, "float16": 2, "float32": 4, "float64": 8}


@dataclass(frozen=True)
class PixelWindow:
    """A square window of an image, cut out so its numbers can be shown one by one.

    Attributes:
        values: The window's pixels, shape `(size, size)` or `(size, size, channels)`.
        top: Row of the window's top-left pixel in the full image.
        left: Column of the window's top-left pixel in the full image.
    """

    values: np.ndarray
    top: int
    left: int

    @property
    def rows(self) -> range:
        """Row indices of the window in the full image."""
        return range(self.top, self.top + self.values.shape[0])

    @property
    def cols(self) -> range:
        """Column indices of the window in the full image."""
        return range(self.left, self.left + self.values.shape[1])


def pixel_window(image: np.ndarray, top: int, left: int, size: int = 16) -> PixelWindow:
    """Cut a `size`x`size` window out of an image, moved inside the image if needed.

    A window asked for past the right or bottom edge is shifted back so that it is always
    full-sized (or the whole image, when the image is smaller than the window).

    Args:
        image: Array of shape `(height, width)` or `(height, width, channels)`.
        top: Requested row of the window's top-left pixel.
        left: Requested column of the window's top-left pixel.
        size: Side of the window in pixels, at least 1.

    Returns:
        The `PixelWindow` actually cut out, with its real position.

    Raises:
        ValueError: If the image is not 2-D or 3-D, or `size` is below 1.
    """
    image = check_image(image)
    size = check_whole(size, "The window `size`", low=1)
    height, width = image.shape[:2]
    rows, cols = min(size, height), min(size, width)
    top = int(np.clip(top, 0, height - rows))
    left = int(np.clip(left, 0, width - cols))
    return PixelWindow(image[top : top + rows, left : left + cols], top, left)


def window_positions(length: int, size: int = 16) -> list[int]:
    """Where a window can start along one side of an image, one window apart.

    Moving a 16-pixel window one pixel at a time over a 5000-pixel photo takes thousands of
    steps; moving it by its own size tiles the image, and the last window sits flush with
    the far edge so that every pixel can be reached.

    Args:
        length: The image's height or width in pixels, at least 1.
        size: Side of the window in pixels, at least 1.

    Returns:
        `0, size, 2·size, …`, ending with `length - size` (just `[0]` when the window
        covers the whole side).

    Raises:
        ValueError: If `length` or `size` is not a whole number of at least 1.

    Example:
        >>> window_positions(40, 16)
        [0, 16, 24]
    """
    length = check_whole(length, "The image side `length`", low=1)
    size = check_whole(size, "The window `size`", low=1)
    last = max(length - size, 0)
    return sorted({*range(0, last, size), last})


def normalise(values: np.ndarray) -> np.ndarray:
    """Scale 0..255 pixel values to 0..1 as float32, the `x / 255` every network input gets."""
    return np.asarray(values, dtype=np.float32) / np.float32(255.0)


def tensor_shape(image: np.ndarray, images: int = 1) -> tuple[int, int, int, int]:
    """Shape of the tensor `[images, height, width, channels]` that holds `images` such images.

    A grayscale image has one channel, a colour image three.

    Raises:
        ValueError: If the image is not 2-D or 3-D, or `images` is below 1.
    """
    image = check_image(image)
    images = check_whole(images, "A tensor's number of `images`", low=1)
    channels = 1 if image.ndim == 2 else image.shape[2]
    return (int(images), int(image.shape[0]), int(image.shape[1]), int(channels))


def tensor_bytes(shape: tuple[int, ...], dtype: str = "uint8") -> int:
    """Memory taken by a dense tensor of this shape and dtype, in bytes.

    Example:
        >>> tensor_bytes((25_000, 300, 450, 3), "float32")
        40500000000

    Raises:
        ValueError: If the dtype is not one of uint8, float16, float32, float64, or a
            dimension is negative.
    """
    check_choice(dtype, "`dtype`", _DTYPE_BYTES)
    if any(int(dim) < 0 for dim in shape):
        raise ValueError(f"Tensor dimensions cannot be negative. Received shape {shape}.")
    return int(np.prod([int(dim) for dim in shape], dtype=object)) * _DTYPE_BYTES[dtype]
