"""From one form of an image to another: grayscale, 0..1 floats to bytes, smaller copies.

`to_grayscale` computes luma exactly as Pillow does; `fit_for_display` shrinks a large photo for
the screen; `working_image` is the one channel a convolution page filters, small enough that
every output pixel can be explained.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from cnnviz.validation import check_choice, check_image, check_whole

CHANNELS = ("Gray", "Red", "Green", "Blue")
# Photos are explored on a small copy: every output pixel stays explainable and the
# figures sent to the browser stay small. A 28x28 digit is used as it is.
WORK_SIDE = 160


@dataclass(frozen=True)
class DisplayImage:
    """An image made small enough to show, and how it relates to the original.

    Attributes:
        image: The image to show, downscaled if it was larger than asked (same dtype).
        original_size: `(height, width)` before downscaling.
        scale: Displayed size divided by original size; 1.0 when untouched. Multiply a
            position in the original by `scale` to find it in `image`.
    """

    image: np.ndarray
    original_size: tuple[int, int]
    scale: float

    @property
    def downscaled(self) -> bool:
        """True when `image` is smaller than the original."""
        return self.scale < 1.0


def fit_for_display(image: np.ndarray, max_side: int = 1024) -> DisplayImage:
    """Downscale an image so that its longer side is at most `max_side` pixels.

    Uses `cv2.INTER_AREA`, which averages the pixels it merges, so fine detail turns into
    smooth grey rather than flickering aliasing. An image that already fits is returned
    untouched (the same array, not a copy).

    Args:
        image: `uint8` array `(height, width)` or `(height, width, channels)` with 1, 3 or 4
            channels.
        max_side: Largest allowed height and width, at least 1.

    Returns:
        A `DisplayImage` with the shown image, the original `(height, width)` and the scale.

    Raises:
        ValueError: If `image` is not a non-empty uint8 image or `max_side` is below 1.
    """
    image = check_image(image, channels=(1, 3, 4), dtypes="uint8", caller="fit_for_display")
    max_side = check_whole(max_side, "`max_side`", low=1)
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return DisplayImage(image, (height, width), 1.0)
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # cv2 wants (w, h)
    shown = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return DisplayImage(shown.reshape(size[1], size[0], *image.shape[2:]), (height, width), scale)


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Convert an image to one channel of luma, exactly as Pillow's `convert("L")` does.

    Luma follows ITU-R BT.601: `0.299 R + 0.587 G + 0.114 B`, computed in 16-bit fixed point
    and rounded like Pillow. An alpha channel is ignored (as Pillow does); composite first if
    transparency matters. Float images must hold values in 0..1 and are scaled to 0..255.

    Args:
        image: `(height, width)`, or `(height, width, channels)` with 1, 3 (RGB) or 4 (RGBA)
            channels; `uint8`, or float in 0..1.

    Returns:
        A new `uint8` array of shape `(height, width)`.

    Raises:
        ValueError: If the shape, dtype or value range is not one of those above.

    Example:
        >>> to_grayscale(np.array([[[255, 0, 0]]], dtype=np.uint8))
        array([[76]], dtype=uint8)
    """
    image = check_image(image, channels=(1, 3, 4), dtypes="uint8 or float", caller="to_grayscale")
    pixels = as_uint8(image)
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return pixels.reshape(pixels.shape[:2]).copy()
    rgb = pixels[..., :3].astype(np.uint32)
    luma = (rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 + 0x8000) >> 16
    return luma.astype(np.uint8)


def as_uint8(image: np.ndarray) -> np.ndarray:
    """Return uint8 pixels unchanged, or 0..1 floats scaled to 0..255 and rounded."""
    if image.dtype == np.uint8:
        return image
    low, high = float(np.min(image)), float(np.max(image))
    # A tiny overshoot from arithmetic (1.0000001) is fine; 0..255 floats are a mistake.
    if not (low >= -1e-6 and high <= 1 + 1e-6):
        raise ValueError(
            f"Float images must hold values from 0 to 1. Received values from {low:g} to "
            f"{high:g}; divide by 255 or pass uint8."
        )
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)


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
    check_choice(channel, "`channel`", CHANNELS)
    max_side = check_whole(max_side, "`max_side`", low=8)
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
