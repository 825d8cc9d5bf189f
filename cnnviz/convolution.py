"""Convolution and output sizes, computed the way Keras computes them.

A convolution slides a small kernel over an image and, at every position, multiplies the
pixels under it by the kernel's weights and adds the products up. True convolution (the
textbook's G[i, j] = sum_k sum_l F[i - k, j - l] W[k, l]) rotates the kernel by 180° first;
Keras's `Conv2D` does not, so it computes a cross-correlation (`flip=False` here).
`padding="same"` and `strides` follow TensorFlow exactly, including the extra row or column
of padding that goes after (bottom, right) when the total is odd.

Images are 2-D `(height, width)` or 3-D `(height, width, channels)`, uint8 or float; every
result is float64 and signed (never clipped). NaNs in an image spread to the outputs that see
them. The argument checks and window helpers are public because `cnnviz.pooling` shares them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import cv2
import numpy as np
from numpy.typing import ArrayLike

from cnnviz.kernels import validate_kernel

PADDINGS = ("valid", "same")
# cv2.filter2D computes these dtypes straight into float64 exactly, for kernels up to 7x7;
# from 8x8 on it switches to a float32 DFT for integer images, so those are converted first.
_DIRECT_DTYPES = (np.uint8, np.uint16, np.int16)
_DIRECT_MAX_KERNEL = 7
# cv2.filter2D fails on a few hundred channels; four at a time stays on its fast paths.
_CHANNELS_PER_CALL = 4


def check_int(value, name: str, minimum: int | None = 1) -> int:
    """`value` as an int, refusing bools, floats and values below `minimum` (None: no bound)."""
    whole = not isinstance(value, bool) and isinstance(value, int | np.integer)
    if not whole or (minimum is not None and value < minimum):
        bound = "" if minimum is None else f" of at least {minimum}"
        raise ValueError(f"`{name}` must be a whole number{bound}. Received {value!r}.")
    return int(value)


def check_padding(padding) -> str:
    """`padding` if it is "valid" or "same", else a ValueError saying what was received."""
    if padding not in PADDINGS:
        raise ValueError(f"`padding` must be 'valid' or 'same'. Received {padding!r}.")
    return padding


def check_image(image, ndims=(2, 3)) -> np.ndarray:
    """`image` as an array of numbers with `ndims` dimensions, none of them empty."""
    array = np.asarray(image)
    shapes = " or ".join({2: "(height, width)", 3: "(height, width, channels)"}[n] for n in ndims)
    if array.ndim not in ndims or 0 in array.shape:
        raise ValueError(f"Expected an image of shape {shapes}. Received shape {array.shape}.")
    if array.dtype.kind not in "biuf":
        raise ValueError(f"Expected an image of numbers. Received dtype {array.dtype}.")
    return array


def padding_amounts(
    n: int, kernel_size: int, strides: int = 1, padding: str = "valid"
) -> tuple[int, int]:
    """Zeros added before and after one axis of length `n`, as TensorFlow adds them.

    `"valid"` adds none. `"same"` adds `max((ceil(n / s) - 1) * s + k - n, 0)` in total, half
    of it (rounded down) before and the rest after.

    Returns:
        `(before, after)` as ints.

    Raises:
        ValueError: If a size or `strides` is not a whole number of at least 1, or `padding`
            is neither "valid" nor "same".
    """
    n, k = check_int(n, "n"), check_int(kernel_size, "kernel_size")
    s, padding = check_int(strides, "strides"), check_padding(padding)
    if padding == "valid":
        return 0, 0
    total = max((math.ceil(n / s) - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def output_size(n: int, kernel_size: int, strides: int = 1, padding: str = "valid") -> int:
    """Length of the output along an axis of length `n`: `floor((n + p - k) / s) + 1`.

    Example:
        >>> output_size(28, 3), output_size(28, 3, strides=2, padding="same")
        (26, 14)

    Raises:
        ValueError: As `padding_amounts`, or if the window is larger than the input under
            `padding="valid"`.
    """
    before, after = padding_amounts(n, kernel_size, strides, padding)
    if kernel_size > n + before + after:
        raise ValueError(
            f"With padding='valid' the window must fit inside the input. Received a window "
            f"of size {kernel_size} for an input of size {n}. Use padding='same' or a "
            "smaller window."
        )
    return (n + before + after - kernel_size) // strides + 1


def output_size_formula(n: int, kernel_size: int, strides: int = 1, padding: str = "valid") -> str:
    """The output-size formula with the numbers filled in, for the learner to read.

    Example:
        >>> output_size_formula(28, 3)
        'floor((28 + 2·0 − 3) / 1) + 1 = 26'
        >>> output_size_formula(28, 3, 2, "same")
        'ceil(28 / 2) = 14 (padding 0 before, 1 after: floor((28 + 0 + 1 − 3) / 2) + 1 = 14)'

    Raises:
        ValueError: As `output_size`.
    """
    size = output_size(n, kernel_size, strides, padding)
    if padding == "valid":
        return f"floor(({n} + 2·0 − {kernel_size}) / {strides}) + 1 = {size}"
    before, after = padding_amounts(n, kernel_size, strides, padding)
    general = f"floor(({n} + {before} + {after} − {kernel_size}) / {strides}) + 1 = {size}"
    return f"ceil({n} / {strides}) = {size} (padding {before} before, {after} after: {general})"


def output_grid(height, width, size, strides, padding):
    """Output `(rows, cols)` and the padding `(top, left)` before the first window."""
    rows = output_size(height, size, strides, padding)
    cols = output_size(width, size, strides, padding)
    top = padding_amounts(height, size, strides, padding)[0]
    left = padding_amounts(width, size, strides, padding)[0]
    return (rows, cols), (top, left)


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
    strides, padding = check_int(strides, "strides"), check_padding(padding)
    return _correlate(image, np.flip(kernel, axis=(0, 1)) if flip else kernel, strides, padding)


def check_position(row, col, shape) -> tuple[int, int]:
    """`(row, col)` as ints, if they lie inside an output of `shape` `(rows, cols)`."""
    row, col = check_int(row, "row", None), check_int(col, "col", None)
    if not (0 <= row < shape[0] and 0 <= col < shape[1]):
        raise ValueError(
            f"The output has {shape[0]} rows and {shape[1]} columns, so row must be 0 to "
            f"{shape[0] - 1} and col 0 to {shape[1] - 1}. Received row={row}, col={col}."
        )
    return row, col


def cut_window(image, top, left, size, fill) -> tuple[np.ndarray, np.ndarray]:
    """The `size`x`size` window at (top, left), `fill` where it lies outside the image."""
    rows, cols = np.arange(top, top + size), np.arange(left, left + size)
    inside_rows = (rows >= 0) & (rows < image.shape[0])
    inside_cols = (cols >= 0) & (cols < image.shape[1])
    window = np.full((size, size), fill, dtype=np.float64)
    window[np.ix_(inside_rows, inside_cols)] = image[np.ix_(rows[inside_rows], cols[inside_cols])]
    return window, ~np.outer(inside_rows, inside_cols)


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
    strides, padding = check_int(strides, "strides"), check_padding(padding)
    size = kernel.shape[0]
    shape, (pad_top, pad_left) = output_grid(*image.shape, size, strides, padding)
    row, col = check_position(row, col, shape)
    applied = np.flip(kernel, axis=(0, 1)).copy() if flip else kernel
    top, left = row * strides - pad_top, col * strides - pad_left
    window, mask = cut_window(image, top, left, size, fill=0.0)
    products = window * applied
    value = float(_correlate(window, applied, 1, "valid")[0, 0])
    return PixelExplanation(
        row, col, window, applied, products, float(products.sum()), value, top, left, flip, mask
    )
