"""Translation invariance: why pooling steadies a feature map when the image moves.

The teaching point of pooling, measured: moving a digit by a pixel changes its feature map a lot,
position by position, but often changes the pooled map much less. Not always: a shift as large
as the pooling step moves features into other windows, and the report then says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from numpy.typing import ArrayLike

from cnnviz import i18n
from cnnviz.convolution.convolve import convolve2d
from cnnviz.convolution.pooling import PoolSettings, pool2d
from cnnviz.messages import Phrase
from cnnviz.validation import check_choice, check_image, check_whole

SHIFT_DIRECTIONS = {"right": (0, 1), "left": (0, -1), "down": (1, 0), "up": (-1, 0)}
SHIFT_DIRECTIONS["diagonal"] = (1, 1)
# When a pooled map counts as steadied by pooling: after the shift it still correlates at least
# this much with the original, and clearly (by CLEAR_GAIN) more than the feature map does.
STEADY_CORRELATION = 0.5
CLEAR_GAIN = 0.05


def shift_vector(direction: str, pixels: int) -> tuple[int, int]:
    """`(dy, dx)` for a shift of `pixels` in a named direction ("diagonal": down and right).

    Example:
        >>> shift_vector("diagonal", 2)
        (2, 2)
    """
    dy, dx = SHIFT_DIRECTIONS[check_choice(direction, "`direction`", SHIFT_DIRECTIONS)]
    pixels = check_whole(pixels, Phrase("errors.names.shift"), low=0)
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
        pooling: How the maps were pooled.
        maps: The four maps compared, by name: "Feature map", "Feature map, shifted input",
            "Pooled", "Pooled, shifted input".
    """

    shift: tuple[int, int]
    feature_correlation: float
    pooled_correlation: float
    feature_change: float
    pooled_change: float
    pooling: PoolSettings = PoolSettings()
    maps: dict[str, np.ndarray] = field(default_factory=dict)

    @property
    def verdict(self) -> str:
        """What pooling did: "steadied" (the pooled map stayed clearly steadier), "no clear
        gain" (both maps stayed alike), or "not steadied" (the pooled map changed a lot too)."""
        if self.pooled_correlation < STEADY_CORRELATION:
            return "not steadied"
        gain = self.pooled_correlation - self.feature_correlation
        return "steadied" if gain >= CLEAR_GAIN else "no clear gain"


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
    pooling: PoolSettings | None = None,
    flip: bool = True,
) -> TranslationReport:
    """Compare a feature map, and its pooled version, before and after shifting the image.

    The teaching point of pooling: moving a digit by a pixel changes its feature map a lot,
    position by position, but often changes the pooled map much less. Both feature maps use
    `padding="same"` (so they have the image's size) and are compared whole, position by
    position; they are pooled as `pooling` says (default: 2×2 max pooling with Keras's
    defaults, `strides=pool_size` and `padding="valid"`).

    Args:
        image: 2-D or 3-D array.
        kernel, flip: As for `convolve2d`.
        shift: `(dy, dx)` in pixels, see `shift_image`.
        pooling: A `PoolSettings`, or None for `PoolSettings()`.

    Returns:
        A `TranslationReport`. Correlations of a constant map are 1.0 when both maps are
        equal and 0.0 otherwise, never NaN.

    Raises:
        ValueError: As `convolve2d`, `pool2d` and `shift_image`.
    """
    if not isinstance(shift, tuple | list) or len(shift) != 2:
        raise ValueError(f"`shift` must be a pair (dy, dx) of whole numbers. Received {shift!r}.")
    pooling = PoolSettings() if pooling is None else pooling
    if not isinstance(pooling, PoolSettings):
        raise ValueError(f"`pooling` must be a PoolSettings or None. Received {pooling!r}.")
    moved = shift_image(image, *shift)
    before = convolve2d(image, kernel, padding="same", flip=flip)
    after = convolve2d(moved, kernel, padding="same", flip=flip)
    pool = (pooling.pool_size, pooling.strides, pooling.padding, pooling.method)
    pooled_before, pooled_after = pool2d(before, *pool), pool2d(after, *pool)
    return TranslationReport(
        shift=(int(shift[0]), int(shift[1])),
        feature_correlation=_correlation(before, after),
        pooled_correlation=_correlation(pooled_before, pooled_after),
        feature_change=_change(before, after),
        pooled_change=_change(pooled_before, pooled_after),
        pooling=pooling,
        maps={
            "Feature map": before,
            "Feature map, shifted input": after,
            "Pooled": pooled_before,
            "Pooled, shifted input": pooled_after,
        },
    )


def describe_invariance(report: TranslationReport, *, language: str = "en") -> str:
    """What the shift did, in one or two sentences that agree with `report.verdict` (in
    `language`).

    Example:
        >>> report = TranslationReport((3, 3), -0.30, -0.28, 1.2, 1.1, PoolSettings(3))
        >>> print(describe_invariance(report))  # doctest: +NORMALIZE_WHITESPACE
        Here pooling did not steady the map: after the shift the pooled map correlates -0.280
        with the original, the feature map -0.300. The shift (3 px) is not smaller than the
        pooling step (3 px), so features moved into other windows; ...
    """

    def words(key: str, **values) -> str:
        return i18n.translate(language, f"pooling.invariance.{key}", **values)

    pooled, feature = report.pooled_correlation, report.feature_correlation
    numbers = words("numbers", pooled=f"{pooled:.3f}", feature=f"{feature:.3f}")
    if report.verdict == "steadied":
        return words("steadied", numbers=numbers)
    if report.verdict == "no clear gain":
        return words("little_difference", numbers=numbers)
    moved, step = max(abs(report.shift[0]), abs(report.shift[1])), report.pooling.step
    reason = ""
    if moved >= step:
        reason = words("shift_too_large", moved=moved, step=step)
    elif pooled > feature:
        reason = words("still_a_lot")
    return words("not_steadied", numbers=numbers, reason=reason)
