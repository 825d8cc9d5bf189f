"""Translation invariance: why pooling steadies a feature map when the image moves.

The teaching point of pooling, measured: moving a digit by a pixel changes its feature map a lot,
position by position, but changes the pooled map much less.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from cnnviz.convolution.convolve import convolve2d
from cnnviz.convolution.pooling import pool2d
from cnnviz.validation import check_choice, check_image, check_whole

SHIFT_DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
SHIFT_DIRECTIONS["diagonal"] = (1, 1)


def shift_vector(direction: str, pixels: int) -> tuple[int, int]:
    """`(dy, dx)` for a shift of `pixels` in a named direction ("diagonal": down and right).

    Example:
        >>> shift_vector("diagonal", 2)
        (2, 2)
    """
    dy, dx = SHIFT_DIRECTIONS[check_choice(direction, "`direction`", SHIFT_DIRECTIONS)]
    pixels = check_whole(pixels, "The shift in pixels", low=0)
    return dy * pixels, dx * pixels


def shift_image(image: ArrayLike, dy: int, dx: int) -> np.ndarray:
    """Move an image `dy` pixels down and `dx` right (negative: up, left), filling with zeros.

    Nothing wraps around: what leaves the frame is lost. The dtype is kept.

    Raises:
        ValueError: If the image is not 2-D or 3-D, or a shift is not a whole number.
    """
    image = check_image(image)
    dy, dx = check_whole(dy, "`dy`"), check_whole(dx, "`dx`")
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
        shift=(int(shift[0]), int(shift[1])),
        feature_correlation=_correlation(before, after),
        pooled_correlation=_correlation(pooled_before, pooled_after),
        feature_change=_change(before, after),
        pooled_change=_change(pooled_before, pooled_after),
        maps={
            "Feature map": before,
            "Feature map, shifted input": after,
            "Pooled": pooled_before,
            "Pooled, shifted input": pooled_after,
        },
    )
