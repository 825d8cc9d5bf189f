"""Convolution and output sizes, computed the way Keras computes them.

A convolution slides a small kernel over an image and, at every position, multiplies the
pixels under it by the kernel's weights and adds the products up. True convolution (the
textbook's G[i, j] = sum_k sum_l F[i - k, j - l] W[k, l]) rotates the kernel by 180° first;
Keras's `Conv2D` does not, so it computes a cross-correlation (`flip=False` here).
`padding="same"` and `strides` follow TensorFlow exactly (`cnnviz.convolution.windows`),
including the extra row or column of padding that goes after (bottom, right) when the total is
odd.

Images are 2-D `(height, width)` or 3-D `(height, width, channels)`, uint8 or float; every
result is float64 and signed (never clipped). NaNs in an image spread to the outputs that see
them.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike

from cnnviz import i18n
from cnnviz.convolution.kernels import validate_kernel
from cnnviz.convolution.windows import check_padding, cut_window, output_grid
from cnnviz.validation import check_image, check_position, check_whole

# cv2.filter2D computes these dtypes straight into float64 exactly, for kernels up to 7x7;
# from 8x8 on it switches to a float32 DFT for integer images, so those are converted first.
_DIRECT_DTYPES = (np.uint8, np.uint16, np.int16)
_DIRECT_MAX_KERNEL = 7
# cv2.filter2D fails on a few hundred channels; four at a time stays on its fast paths.
_CHANNELS_PER_CALL = 4


def _correlate(image: np.ndarray, kernel: np.ndarray, strides: int, padding: str) -> np.ndarray:
    """Cross-correlate checked inputs with cv2.filter2D (zero border), then subsample."""
    if image.ndim == 3 and image.shape[2] > _CHANNELS_PER_CALL:
        step = _CHANNELS_PER_CALL
        parts = [image[:, :, i : i + step] for i in range(0, image.shape[2], step)]
        return np.concatenate([_correlate(p, kernel, strides, padding) for p in parts], axis=2)
    size = kernel.shape[0]
    (rows, cols), (top, left) = output_grid(*image.shape[:2], size, strides, padding)
    direct = image.dtype == np.float64 or (
        image.dtype in _DIRECT_DTYPES and size <= _DIRECT_MAX_KERNEL
    )
    source = image if direct else image.astype(np.float64)
    # The anchor puts each window's top-left at (i * s - top, j * s - left), as TensorFlow does.
    result = cv2.filter2D(
        source, cv2.CV_64F, kernel, anchor=(left, top), borderType=cv2.BORDER_CONSTANT
    )
    if image.ndim == 3 and result.ndim == 2:
        result = result[:, :, np.newaxis]
    return np.ascontiguousarray(
        result[: (rows - 1) * strides + 1 : strides, : (cols - 1) * strides + 1 : strides]
    )


def convolve2d(
    image: ArrayLike, kernel: ArrayLike, strides: int = 1, padding: str = "valid", flip: bool = True
) -> np.ndarray:
    """Convolve an image with a kernel, channel by channel.

    With `flip=True` this is true convolution: the kernel is rotated by 180° before it slides.
    With `flip=False` it is the cross-correlation that Keras's `Conv2D` computes, window
    positions and zero padding included. Integer images (uint8, uint16, int16) with kernels
    up to 7x7 and float64 images are computed exactly in float64 by OpenCV; other dtypes are
    converted to float64 first.

    Args:
        image: Array `(height, width)` or `(height, width, channels)`.
        kernel: Square kernel of any size (Keras allows even sizes too).
        strides: Step between windows, in pixels, at least 1.
        padding: `"valid"` (no padding) or `"same"` (zeros, so the output is
            `ceil(n / strides)` long).
        flip: Whether to rotate the kernel by 180° (true convolution).

    Returns:
        float64 array `(rows, cols)` or `(rows, cols, channels)`, see `output_size`.

    Raises:
        ValueError: If the image is not 2-D or 3-D numbers, the kernel is invalid
            (`KernelError`), `strides` or `padding` is not accepted, or the kernel is
            larger than the image under `padding="valid"`.

    Example:
        >>> convolve2d(np.eye(4), [[1, 0], [0, 1]], flip=False)
        array([[2., 0., 0.],
               [0., 2., 0.],
               [0., 0., 2.]])
    """
    image = check_image(image)
    kernel = validate_kernel(kernel, odd_size=False)
    strides, padding = check_whole(strides, "`strides`", low=1), check_padding(padding)
    return _correlate(image, np.flip(kernel, axis=(0, 1)) if flip else kernel, strides, padding)


@dataclass(frozen=True, eq=False)
class PixelExplanation:
    """How one output pixel of a convolution is computed, number by number.

    Attributes:
        row, col: Position of the pixel in the output.
        window: The `k`x`k` input values under the kernel, 0 where the window is on padding.
        kernel: The kernel as applied (rotated by 180° when `flipped`).
        products: `window * kernel`, cell by cell.
        total: `products.sum()`.
        value: The output pixel, as `convolve2d` computes it (equals `total` up to rounding).
        top, left: Input coordinates of the window's top-left cell (negative in padding).
        flipped: Whether the kernel was rotated (true convolution).
        padded_mask: Boolean `k`x`k`, True where the cell is padding.
    """

    row: int
    col: int
    window: np.ndarray
    kernel: np.ndarray
    products: np.ndarray
    total: float
    value: float
    top: int
    left: int
    flipped: bool
    padded_mask: np.ndarray


def explain_pixel(
    image: ArrayLike,
    kernel: ArrayLike,
    row: int,
    col: int,
    strides: int = 1,
    padding: str = "valid",
    flip: bool = True,
) -> PixelExplanation:
    """Break one output pixel of `convolve2d` into the window, the products and their sum.

    Args:
        image: 2-D array (pass one channel of a colour image).
        kernel, strides, padding, flip: As for `convolve2d`.
        row, col: Position in the output, counted from 0.

    Returns:
        A `PixelExplanation`.

    Raises:
        ValueError: As `convolve2d`, if the image is not 2-D, or if (row, col) lies outside
            the output (the message gives the output size).
    """
    image = check_image(image, ndims=(2,))
    kernel = validate_kernel(kernel, odd_size=False)
    strides, padding = check_whole(strides, "`strides`", low=1), check_padding(padding)
    size = kernel.shape[0]
    shape, (pad_top, pad_left) = output_grid(*image.shape, size, strides, padding)
    row, col = check_position(row, col, shape)
    applied = np.flip(kernel, axis=(0, 1)).copy() if flip else kernel
    top, left = row * strides - pad_top, col * strides - pad_left
    window, mask = cut_window(image, top, left, size, fill=0.0)
    products = window * applied
    value = float(_correlate(window, applied, 1, "valid")[0, 0])
    where = {"row": row, "col": col, "top": top, "left": left}
    return PixelExplanation(
        **where,
        window=window,
        padded_mask=mask,
        kernel=applied,
        flipped=flip,
        products=products,
        total=float(products.sum()),
        value=value,
    )


def describe_pixel(explained: PixelExplanation, *, language: str = "en") -> str:
    """The sum behind one output pixel, term by term, for the page to print (in `language`).

    Example:
        >>> describe_pixel(explain_pixel(np.eye(3), np.eye(3), 0, 0))
        'Sum of the products: (1) + (0) + (0) + (0) + (1) + (0) + (0) + (0) + (1) = **3**.'
    """
    terms = " + ".join(f"({product + 0.0:g})" for product in explained.products.ravel())
    total = f"{explained.total:g}"
    return i18n.translate(language, "convolution.sum_of_products", terms=terms, total=total)
