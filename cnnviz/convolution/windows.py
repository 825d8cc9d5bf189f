"""Windows, padding and output sizes, exactly as TensorFlow lays them out.

A convolution or pooling layer reads its input through windows that start every `strides`
pixels. `padding="valid"` adds nothing, so windows stay inside the input; `padding="same"` adds
zeros so that the output is `ceil(n / strides)` long, half of them (rounded down) before and the
rest after. Every module that slides a window (convolution, pooling, a layer's arithmetic, the
network's summary) takes its sizes and its windows from here.
"""

from __future__ import annotations

import math

import numpy as np

from cnnviz.messages import Invalid
from cnnviz.validation import check_choice, check_image, check_whole

PADDINGS = ("valid", "same")
# The smallest image the pages slide windows over: room for one 3×3 kernel.
MIN_IMAGE_SIDE = 3


def check_padding(padding) -> str:
    """`padding` if it is "valid" or "same", else a ValueError saying what was received."""
    return check_choice(padding, "`padding`", PADDINGS)


def padding_amounts(
    n: int, kernel_size: int, strides: int = 1, padding: str = "valid"
) -> tuple[int, int]:
    """Zeros added before and after one axis of length `n`, as TensorFlow adds them.

    `"valid"` adds none. `"same"` adds `max((ceil(n / s) - 1) * s + k - n, 0)` in total, half
    of it (rounded down) before and the rest after.

    Example:
        >>> padding_amounts(28, 3, padding="same"), padding_amounts(28, 3, 2, "same")
        ((1, 1), (0, 1))

    Returns:
        `(before, after)` as ints.

    Raises:
        ValueError: If a size or `strides` is not a whole number of at least 1, or `padding`
            is neither "valid" nor "same".
    """
    n, k = check_whole(n, "`n`", low=1), check_whole(kernel_size, "`kernel_size`", low=1)
    s, padding = check_whole(strides, "`strides`", low=1), check_padding(padding)
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
        raise Invalid("errors.windows.too_large", window=kernel_size, size=n)
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
    """Output `(rows, cols)` and the padding `(top, left)` before the first window.

    `size` and `strides` are one int for both axes or a `(rows, cols)` pair.

    Example:
        >>> output_grid(28, 28, 3, 2, "same")
        ((14, 14), (0, 0))
    """
    sizes, steps = _pair(size, "The window size"), _pair(strides, "`strides`")
    rows = output_size(height, sizes[0], steps[0], padding)
    cols = output_size(width, sizes[1], steps[1], padding)
    top = padding_amounts(height, sizes[0], steps[0], padding)[0]
    left = padding_amounts(width, sizes[1], steps[1], padding)[0]
    return (rows, cols), (top, left)


def window_origin(row, col, size, strides, padding, input_shape) -> tuple[int, int]:
    """Input coordinates of the top-left cell of output `(row, col)`'s window (negative on
    padding), for an input of `input_shape` `(height, width, ...)`.

    Example:
        >>> window_origin(0, 0, 3, 1, "same", (28, 28)), window_origin(2, 5, 2, 2, "valid", (8, 12))
        ((-1, -1), (4, 10))
    """
    (_, _), (top, left) = output_grid(*input_shape[:2], size, strides, padding)
    steps = _pair(strides, "`strides`")
    return row * steps[0] - top, col * steps[1] - left


def cut_window(image, top: int, left: int, size, fill) -> tuple[np.ndarray, np.ndarray]:
    """The window at `(top, left)` of `image`, with `fill` where it lies outside the image.

    Args:
        image: `(height, width)` or `(height, width, channels)`.
        top, left: Input coordinates of the window's top-left cell (negative on padding).
        size: The window's side, or `(rows, cols)`.
        fill: The value of cells outside the image (0 for zero padding, NaN to mark them).

    Returns:
        `(window, padded_mask)`: float64 `(rows, cols)` or `(rows, cols, channels)`, and a
        boolean `(rows, cols)` mask, True on padding.

    Example:
        >>> window, mask = cut_window(np.arange(9).reshape(3, 3), -1, -1, 2, fill=0)
        >>> window.tolist(), mask.tolist()
        ([[0.0, 0.0], [0.0, 0.0]], [[True, True], [True, False]])
    """
    image = np.asarray(image)
    height, width = _pair(size, "The window size")
    rows, cols = np.arange(top, top + height), np.arange(left, left + width)
    inside_rows = (rows >= 0) & (rows < image.shape[0])
    inside_cols = (cols >= 0) & (cols < image.shape[1])
    window = np.full((height, width, *image.shape[2:]), fill, dtype=np.float64)
    window[np.ix_(inside_rows, inside_cols)] = image[np.ix_(rows[inside_rows], cols[inside_cols])]
    return window, ~np.outer(inside_rows, inside_cols)


def _pair(value, name: str) -> tuple[int, int]:
    """One whole number for both axes, or a `(rows, cols)` pair, as two ints of at least 1."""
    if isinstance(value, tuple | list):
        if len(value) != 2:
            raise ValueError(
                f"{name} must be one number or a (rows, cols) pair. Received {value!r}."
            )
        return check_whole(value[0], name, low=1), check_whole(value[1], name, low=1)
    whole = check_whole(value, name, low=1)
    return whole, whole


def check_image_size(image, min_side: int = MIN_IMAGE_SIDE) -> np.ndarray:
    """`image` if both its sides are at least `min_side` pixels, room for a 3×3 window.

    Raises:
        ValueError: Naming the image's size, for example "The image is 160×1 pixels (width ×
            height) ...", for a thinner image, or as `check_image` for a non-image.

    Example:
        >>> check_image_size(np.zeros((2, 5)))
        Traceback (most recent call last):
        ...
        cnnviz.messages.Invalid: The image is 5×2 pixels (width × height): too small to slide...
    """
    image = check_image(image)
    min_side = check_whole(min_side, "`min_side`", low=1)
    height, width = image.shape[:2]
    if min(height, width) < min_side:
        raise Invalid("errors.windows.image_too_small", width=width, height=height, side=min_side)
    return image


def strongest_position(values, magnitude: bool = True) -> tuple[int, int]:
    """`(row, col)` of the largest value of a 2-D map (of the largest |value| with
    `magnitude`), the first in reading order on a tie; NaNs are skipped.

    Where the response is strongest is the output pixel worth explaining first: at a flat
    corner the sum is "0 + 0 + … = 0".

    Raises:
        ValueError: If `values` is not a non-empty 2-D array of numbers.

    Example:
        >>> strongest_position([[1, -5], [3, 2]]), strongest_position([[1, -5], [3, 2]], False)
        ((0, 1), (1, 0))
    """
    values = np.asarray(check_image(values, ndims=(2,)), dtype=np.float64)
    scores = np.abs(values) if magnitude else values
    scores = np.where(np.isnan(scores), -np.inf, scores)
    row, col = np.unravel_index(int(np.argmax(scores)), scores.shape)
    return int(row), int(col)
