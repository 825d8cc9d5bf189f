"""Pooling, computed the way Keras's `MaxPooling2D` and `AveragePooling2D` compute it.

Pooling slides a window over a feature map and keeps one number per position: the largest
(`"max"`) or the mean (`"average"`). Windows, strides and `padding="same"` follow TensorFlow
exactly (`cnnviz.convolution.windows`).

Feature maps are 2-D `(height, width)` or 3-D `(height, width, channels)`; every result is
float64.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike

from cnnviz import i18n
from cnnviz.convolution.windows import (
    check_padding,
    cut_window,
    output_grid,
    output_size,
    padding_amounts,
)
from cnnviz.validation import check_choice, check_image, check_position, check_whole

POOL_METHODS = ("max", "average")


def _pool_arguments(pool_size, strides, padding, method) -> tuple[int, int, str, str]:
    """Checked `(pool_size, strides, padding, method)`, with strides defaulting to pool_size."""
    size = check_whole(pool_size, "`pool_size`", low=1)
    strides = size if strides is None else check_whole(strides, "`strides`", low=1)
    check_choice(method, "`method`", POOL_METHODS)
    return size, strides, check_padding(padding), method


@dataclass(frozen=True)
class PoolSettings:
    """How to pool: the arguments of Keras's `MaxPooling2D`/`AveragePooling2D`, checked.

    Attributes:
        pool_size: Side of the pooling window, at least 1.
        strides: Step between windows, at least 1, or None for `pool_size` (Keras's default).
        padding: `"valid"` or `"same"`.
        method: `"max"` or `"average"`.

    Example:
        >>> PoolSettings(3, method="average").describe()
        "3×3 average pooling, strides 3, padding 'valid'"
    """

    pool_size: int = 2
    strides: int | None = None
    padding: str = "valid"
    method: str = "max"

    def __post_init__(self) -> None:
        _pool_arguments(self.pool_size, self.strides, self.padding, self.method)

    @property
    def step(self) -> int:
        """The strides in pixels (`pool_size` when `strides` is None)."""
        return self.pool_size if self.strides is None else self.strides

    def describe(self, *, language: str = "en") -> str:
        """The settings in words, as the pages say them (in `language`)."""
        return i18n.translate(
            language,
            "pooling.settings_text",
            size=self.pool_size,
            method=self.method,
            strides=self.step,
            padding=self.padding,
        )


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
        value = float(window[argmax])
    else:
        argmax, value = None, float(np.nansum(window) / np.count_nonzero(~np.isnan(window)))
    where = {"row": row, "col": col, "top": top, "left": left}
    return PoolExplanation(**where, window=window, value=value, method=method, argmax=argmax)


def describe_pool(explained: PoolExplanation, *, language: str = "en") -> str:
    """The arithmetic of one pooled cell in words and numbers, for the page to print (in
    `language`)."""
    real = explained.window[np.isfinite(explained.window)]
    values = ", ".join(f"{value:g}" for value in real.ravel())
    padded = explained.window.size - real.size
    note = i18n.translate(language, "pooling.padding_ignored", count=padded) if padded else ""
    if explained.method == "max":
        return f"max({values}) = **{explained.value:g}**{note}"
    return (
        f"({' + '.join(f'{value:g}' for value in real.ravel())}) / {real.size} = "
        f"**{explained.value:g}**{note}"
    )
