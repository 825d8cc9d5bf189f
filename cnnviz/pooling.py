"""Pooling and translation invariance, computed the way Keras's pooling layers compute them.

Pooling slides a window over a feature map and keeps one number per position: the largest
(`"max"`) or the mean (`"average"`). Windows, strides and `padding="same"` follow TensorFlow
exactly, as in `cnnviz.convolution`, whose argument checks this module shares. The teaching
point, measured by `translation_invariance`: a feature map changes a lot when the image moves
by a pixel, its pooled version much less.

Feature maps are 2-D `(height, width)` or 3-D `(height, width, channels)`; every result is
float64.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from cnnviz.convolution import (
    check_image,
    check_int,
    check_padding,
    check_position,
    convolve2d,
    cut_window,
    output_grid,
    output_size,
    padding_amounts,
)

POOL_METHODS = ("max", "average")


def _pool_arguments(pool_size, strides, padding, method) -> tuple[int, int, str, str]:
    """Checked `(pool_size, strides, padding, method)`, with strides defaulting to pool_size."""
    size = check_int(pool_size, "pool_size")
    strides = size if strides is None else check_int(strides, "strides")
    if method not in POOL_METHODS:
        raise ValueError(f"`method` must be 'max' or 'average'. Received {method!r}.")
    return size, strides, check_padding(padding), method


def _real_cells(n, size, strides, padding) -> np.ndarray:
    """How many cells of each window along one axis lie inside the input (not padding)."""
    starts = np.arange(output_size(n, size, strides, padding)) * strides
    starts -= padding_amounts(n, size, strides, padding)[0]
    return np.minimum(starts + size, n) - np.maximum(starts, 0)


def pool2d(
    feature_map: ArrayLike,
    pool_size: int = 2,
    strides: int | None = None,
    padding: str = "valid",
    method: str = "max",
) -> np.ndarray:
    """Max or average pooling with the semantics of Keras's `MaxPooling2D`/`AveragePooling2D`.

    Windows of `pool_size`x`pool_size` move by `strides` (default: `pool_size`, so they do
    not overlap). With `padding="same"` the output is `ceil(n / strides)` long and the padded
    cells are ignored: max never picks them and average divides by the number of real cells,
    as TensorFlow's `avg_pool` does.

    Args:
        feature_map: Array `(height, width)` or `(height, width, channels)`.
        pool_size: Side of the pooling window, at least 1.
        strides: Step between windows, at least 1, or None for `pool_size`.
        padding: `"valid"` or `"same"`.
        method: `"max"` or `"average"`.

    Returns:
        float64 array `(rows, cols)` or `(rows, cols, channels)`.

    Raises:
        ValueError: If an argument is not accepted or the window does not fit under "valid".
    """
    values = np.asarray(check_image(feature_map), dtype=np.float64)
    size, strides, padding, method = _pool_arguments(pool_size, strides, padding, method)
    height, width = values.shape[:2]
    (rows, cols), _ = output_grid(height, width, size, strides, padding)
    pads = [padding_amounts(n, size, strides, padding) for n in (height, width)]
    # Max must never pick a padded cell and average divides by real cells only (see below).
    fill = -np.inf if method == "max" else 0.0
    padded = np.pad(values, pads + [(0, 0)] * (values.ndim - 2), constant_values=fill)
    combine = np.maximum if method == "max" else np.add
    result = None
    for a in range(size):
        for b in range(size):
            part = padded[
                a : a + (rows - 1) * strides + 1 : strides,
                b : b + (cols - 1) * strides + 1 : strides,
            ]
            result = part.copy() if result is None else combine(result, part, out=result)
    if method == "average":
        counts = np.outer(*(_real_cells(n, size, strides, padding) for n in (height, width)))
        result /= counts.reshape(counts.shape + (1,) * (values.ndim - 2))
    return result


@dataclass(frozen=True, eq=False)
class PoolExplanation:
    """How one output cell of `pool2d` is computed.

    Attributes:
        row, col: Position in the output.
        window: The `pool_size`x`pool_size` input values, NaN where the window is on padding.
        value: The output cell.
        method: `"max"` or `"average"`.
        top, left: Input coordinates of the window's top-left cell (negative in padding).
        argmax: `(row, col)` of the maximum within the window for max pooling, else None.
    """

    row: int
    col: int
    window: np.ndarray
    value: float
    method: str
    top: int
    left: int
    argmax: tuple[int, int] | None


def explain_pool(
    feature_map: ArrayLike,
    row: int,
    col: int,
    pool_size: int = 2,
    strides: int | None = None,
    padding: str = "valid",
    method: str = "max",
) -> PoolExplanation:
    """Show the window behind one output cell of `pool2d` and which value won.

    Args:
        feature_map: 2-D array (pass one channel).
        row, col: Position in the output, counted from 0.
        pool_size, strides, padding, method: As for `pool2d`.

    Returns:
        A `PoolExplanation`.

    Raises:
        ValueError: As `pool2d`, if the map is not 2-D, or if (row, col) lies outside the
            output (the message gives the output size).
    """
    values = check_image(feature_map, ndims=(2,))
    size, strides, padding, method = _pool_arguments(pool_size, strides, padding, method)
    shape, (pad_top, pad_left) = output_grid(*values.shape, size, strides, padding)
    row, col = check_position(row, col, shape)
    top, left = row * strides - pad_top, col * strides - pad_left
    window, _ = cut_window(values, top, left, size, fill=np.nan)
    if method == "max":
        argmax = tuple(int(i) for i in np.unravel_index(np.nanargmax(window), window.shape))
        return PoolExplanation(row, col, window, float(window[argmax]), method, top, left, argmax)
    value = float(np.nansum(window) / np.count_nonzero(~np.isnan(window)))
    return PoolExplanation(row, col, window, value, method, top, left, None)


def describe_pool(explained: PoolExplanation) -> str:
    """The arithmetic of one pooled cell in words and numbers, for the page to print."""
    real = explained.window[np.isfinite(explained.window)]
    values = ", ".join(f"{value:g}" for value in real.ravel())
    padded = explained.window.size - real.size
    note = f" ({padded} padding cells ignored)" if padded else ""
    if explained.method == "max":
        return f"max({values}) = **{explained.value:g}**{note}"
    return (
        f"({' + '.join(f'{value:g}' for value in real.ravel())}) / {real.size} = "
        f"**{explained.value:g}**{note}"
    )


def shift_image(image: ArrayLike, dy: int, dx: int) -> np.ndarray:
    """Move an image `dy` pixels down and `dx` right (negative: up, left), filling with zeros.

    Nothing wraps around: what leaves the frame is lost. The dtype is kept.

    Raises:
        ValueError: If the image is not 2-D or 3-D, or a shift is not a whole number.
    """
    image = check_image(image)
    dy, dx = (check_int(d, name, None) for d, name in ((dy, "dy"), (dx, "dx")))
    shifted = np.zeros_like(image)
    height, width = image.shape[:2]
    if abs(dy) < height and abs(dx) < width:
        target = (slice(max(dy, 0), height + min(dy, 0)), slice(max(dx, 0), width + min(dx, 0)))
        source = (slice(max(-dy, 0), height - max(dy, 0)), slice(max(-dx, 0), width - max(dx, 0)))
        shifted[target] = image[source]
    return shifted


@dataclass(frozen=True, eq=False)
class TranslationReport:
    """How much a feature map, and the same map after pooling, change when the input moves.

    Attributes:
        shift: `(dy, dx)` applied to the image.
        feature_correlation: Pearson correlation of the feature maps before and after.
        pooled_correlation: The same for the pooled maps.
        feature_change: `mean(|after - before|) / mean(|before|)` for the feature maps.
        pooled_change: The same for the pooled maps.
        maps: The four maps compared, by name: "Feature map", "Feature map, shifted input",
            "Pooled", "Pooled, shifted input".
    """

    shift: tuple[int, int]
    feature_correlation: float
    pooled_correlation: float
    feature_change: float
    pooled_change: float
    maps: dict[str, np.ndarray] = field(default_factory=dict)


def _correlation(before: np.ndarray, after: np.ndarray) -> float:
    """Pearson correlation; for a constant map 1.0 if both maps are equal, else 0.0."""
    if np.ptp(before) == 0 or np.ptp(after) == 0:
        return 1.0 if np.array_equal(before, after) else 0.0
    return float(np.corrcoef(before.ravel(), after.ravel())[0, 1])


def _change(before: np.ndarray, after: np.ndarray) -> float:
    """Mean absolute difference relative to the mean magnitude of `before` (inf if that is 0)."""
    difference, scale = np.abs(after - before).mean(), np.abs(before).mean()
    if scale == 0:
        return 0.0 if difference == 0 else math.inf
    return float(difference / scale)


def translation_invariance(
    image: ArrayLike,
    kernel: ArrayLike,
    shift: tuple[int, int] = (0, 1),
    pool_size: int = 2,
    method: str = "max",
    flip: bool = True,
) -> TranslationReport:
    """Compare a feature map, and its pooled version, before and after shifting the image.

    The teaching point of pooling: moving a digit by a pixel changes its feature map a lot,
    position by position, but changes the pooled map much less. Both feature maps use
    `padding="same"` (so they have the image's size) and are compared whole, position by
    position; pooling uses Keras's defaults (`strides=pool_size`, `padding="valid"`).

    Args:
        image: 2-D or 3-D array.
        kernel, flip: As for `convolve2d`.
        shift: `(dy, dx)` in pixels, see `shift_image`.
        pool_size, method: As for `pool2d`.

    Returns:
        A `TranslationReport`. Correlations of a constant map are 1.0 when both maps are
        equal and 0.0 otherwise, never NaN.

    Raises:
        ValueError: As `convolve2d`, `pool2d` and `shift_image`.
    """
    if not isinstance(shift, tuple | list) or len(shift) != 2:
        raise ValueError(f"`shift` must be a pair (dy, dx) of whole numbers. Received {shift!r}.")
    moved = shift_image(image, *shift)
    before = convolve2d(image, kernel, padding="same", flip=flip)
    after = convolve2d(moved, kernel, padding="same", flip=flip)
    pooled_before = pool2d(before, pool_size, method=method)
    pooled_after = pool2d(after, pool_size, method=method)
    return TranslationReport(
        (int(shift[0]), int(shift[1])),
        _correlation(before, after),
        _correlation(pooled_before, pooled_after),
        _change(before, after),
        _change(pooled_before, pooled_after),
        {
            "Feature map": before,
            "Feature map, shifted input": after,
            "Pooled": pooled_before,
            "Pooled, shifted input": pooled_after,
        },
    )
