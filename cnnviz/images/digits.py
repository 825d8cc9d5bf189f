"""MNIST-style preprocessing: a drawing or photo of a digit to the 28×28 input a model expects.

The steps are the ones MNIST itself was made with (grayscale, light ink on dark, crop to the
ink, longer side scaled to 20 px, centred by centre of mass in 28×28), and every step is kept
so that a page can show a learner why a thin or off-centre drawing is hard.
"""

from __future__ import annotations

from dataclasses import dataclass

import cv2
import numpy as np

from cnnviz import i18n
from cnnviz.images.convert import as_uint8, to_grayscale
from cnnviz.images.decode import ImageError
from cnnviz.validation import check_image

# Grey levels by which ink must stand out from the background for `to_mnist` to see a digit.
MIN_INK_CONTRAST = 16
# Where `to_mnist` puts the centre of mass, in array indices (row and column): the exact
# middle of the 28×28 field, so a digit and its mirror image are centred alike.
MNIST_CENTRE = 13.5
_DIGIT_BOX = 20
_FIELD = 28


@dataclass(frozen=True)
class MnistSteps:
    """Every step from a picture of a digit to a 28×28 MNIST-style input.

    Attributes:
        grayscale: `uint8 (height, width)`, the picture in luma.
        inverted: True when the background was light, so dark ink was turned into light ink.
        ink: `uint8 (height, width)`, white ink on black: the background level subtracted and
            the contrast stretched so the strongest ink is 255.
        cropped: `uint8`, the ink's bounding box (pixels above 10% of the strongest ink).
        resized: `uint8`, the crop scaled so its longer side is 20 px, aspect ratio kept,
            contrast stretched again so the strongest ink is 255.
        centred: `uint8 (28, 28)`, `resized` pasted so its centre of mass is at the centre.
        result: `float32 (28, 28)`, `centred / 255`: what an MNIST model takes.
    """

    grayscale: np.ndarray
    inverted: bool
    ink: np.ndarray
    cropped: np.ndarray
    resized: np.ndarray
    centred: np.ndarray
    result: np.ndarray

    def as_list(self, language: str = "en") -> list[tuple[str, np.ndarray]]:
        """The steps as `(caption, uint8 image)` pairs, in order, for a page to show; the
        captions in `language` ("en" or "es")."""

        def caption(key: str, **values) -> str:
            return i18n.translate(language, f"feature_maps.input.{key}", **values)

        return [
            (caption("grayscale"), self.grayscale),
            (caption("inverted" if self.inverted else "ink"), self.ink),
            (caption("cropped"), self.cropped),
            (caption("scaled", pixels=_DIGIT_BOX), self.resized),
            (caption("centred", side=_FIELD), self.centred),
        ]


def to_mnist(image: np.ndarray) -> MnistSteps:
    """Turn a picture of one digit into a 28×28 input, the way MNIST's digits were made.

    The steps: grayscale; invert when the background is light (the median of the border
    pixels is above 127), since MNIST has white ink on black; subtract the background level
    and stretch the ink to 0..255; crop to the ink; scale the longer side to 20 px keeping
    the aspect ratio (`INTER_AREA` to shrink, `INTER_LINEAR` to enlarge); paste into 28×28
    so the intensity-weighted centre of mass sits at the field's centre, `MNIST_CENTRE`
    = (13.5, 13.5) in (row, column) array indices. The shift is a whole number of pixels,
    so the centre of mass lands within 0.5 px of it, unless that would push ink off the edge.
    An RGBA image (a drawing canvas) is composited on black: transparent means background.

    Args:
        image: `(height, width)`, or `(height, width, channels)` with 1, 3 or 4 channels;
            `uint8`, or float in 0..1. Any size.

    Returns:
        An `MnistSteps` whose `result` is the `float32 (28, 28)` input in 0..1.

    Raises:
        ImageError: If the image is blank (no ink stands out from the background) or its
            ink is too faint to survive scaling down to 20 px.
        ValueError: If the shape or dtype is not one of those above.
    """
    if isinstance(image, np.ndarray) and image.size == 0:
        raise ImageError("errors.images.blank_shape", shape=str(image.shape))
    image = check_image(image, channels=(1, 3, 4), dtypes="uint8 or float", caller="to_mnist")
    pixels = as_uint8(image)
    if pixels.ndim == 3 and pixels.shape[2] == 4:
        alpha = pixels[..., 3:].astype(np.uint32)
        pixels = ((pixels[..., :3] * alpha + 127) // 255).astype(np.uint8)
    grayscale = to_grayscale(pixels)
    inverted = bool(np.median(_border(grayscale)) > 127)
    ink = _ink(255 - grayscale if inverted else grayscale)
    rows = np.flatnonzero((ink > 0.1 * 255).any(axis=1))
    cols = np.flatnonzero((ink > 0.1 * 255).any(axis=0))
    cropped = ink[rows[0] : rows[-1] + 1, cols[0] : cols[-1] + 1]
    resized = _scale_longer_side(cropped, _DIGIT_BOX)
    centred = _centre_by_mass(resized)
    return MnistSteps(
        grayscale, inverted, ink, cropped, resized, centred, centred.astype(np.float32) / 255
    )


def _ink(light_on_dark: np.ndarray) -> np.ndarray:
    background = np.median(_border(light_on_dark))
    contrast = np.clip(light_on_dark.astype(np.float64) - background, 0, None)
    peak = float(contrast.max())
    if peak < MIN_INK_CONTRAST:
        raise ImageError("errors.images.blank_ink", peak=f"{peak:g}", needed=MIN_INK_CONTRAST)
    return np.rint(contrast * 255 / peak).astype(np.uint8)


def _border(image: np.ndarray) -> np.ndarray:
    return np.concatenate([image[0], image[-1], image[:, 0], image[:, -1]])


def _scale_longer_side(cropped: np.ndarray, side: int) -> np.ndarray:
    height, width = cropped.shape
    scale = side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # cv2 wants (w, h)
    interpolation = cv2.INTER_AREA if scale < 1 else cv2.INTER_LINEAR
    resized = cv2.resize(cropped, size, interpolation=interpolation).reshape(size[1], size[0])
    peak = int(resized.max())
    if peak == 0:
        raise ImageError("errors.images.thin_ink", height=height, width=width)
    return np.rint(resized.astype(np.float64) * 255 / peak).astype(np.uint8)


def _centre_by_mass(digit: np.ndarray) -> np.ndarray:
    weights = digit.astype(np.float64)
    total = weights.sum()
    height, width = digit.shape
    centre_row = weights.sum(axis=1) @ np.arange(height) / total
    centre_col = weights.sum(axis=0) @ np.arange(width) / total
    # Whole-pixel shift, clipped so the digit (at most 20 px) stays inside the field.
    top = int(np.clip(np.floor(MNIST_CENTRE - centre_row + 0.5), 0, _FIELD - height))
    left = int(np.clip(np.floor(MNIST_CENTRE - centre_col + 0.5), 0, _FIELD - width))
    field = np.zeros((_FIELD, _FIELD), dtype=np.uint8)
    field[top : top + height, left : left + width] = digit
    return field


# What MNIST digits look like after the steps above, measured on the bundled sample's 10,000
# digits (0.1st and 99.9th percentiles, so 99.8 % of real digits lie inside):
# - the share of pixels that are ink (above half brightness): 0.033 to 0.292;
# - grey pixels (0.1 to 0.9) per full-ink pixel (0.9 and above): at most 7.45, as strokes
#   have thin soft edges; a photo made into a "digit" is mostly shades of grey (10 to 15).
MNIST_INK_SHARE = (0.03, 0.30)
MNIST_MAX_GREY_PER_INK = 7.5


def ink_share(image28: np.ndarray) -> float:
    """The share of a 28×28 input's pixels above half brightness (floats in 0..1).

    Example:
        >>> ink_share(np.eye(28, dtype=np.float32))
        0.03571428571428571
    """
    return float(np.mean(np.asarray(image28) > 0.5))


def grey_per_ink(image28: np.ndarray) -> float:
    """Grey pixels (0.1 to 0.9) per full-ink pixel (0.9 and above) of a 28×28 input.

    Example:
        >>> grey_per_ink(np.full((28, 28), 0.5))
        inf
    """
    image = np.asarray(image28)
    grey, ink = np.count_nonzero((image > 0.1) & (image < 0.9)), np.count_nonzero(image >= 0.9)
    return grey / ink if ink else (np.inf if grey else 0.0)


def unlike_mnist(image28: np.ndarray, language: str = "en") -> str | None:
    """Why a 28×28 input does not look like an MNIST digit, or None if it does: its ink
    covers more or less of the field than a real digit's, or it is mostly shades of grey.
    The reason is in `language` ("en" or "es").

    Example:
        >>> unlike_mnist(np.ones((28, 28), np.float32))
        '100.0% of its pixels are ink, where MNIST digits have 3% to 30%'
    """
    share, (low, high) = ink_share(image28), MNIST_INK_SHARE
    if not low <= share <= high:
        values = {"share": share, "low": low, "high": high}
        return i18n.translate(language, "feature_maps.input.too_much_ink", **values)
    if grey_per_ink(image28) > MNIST_MAX_GREY_PER_INK:
        values = {"grey": grey_per_ink(image28), "most": MNIST_MAX_GREY_PER_INK}
        return i18n.translate(language, "feature_maps.input.too_grey", **values)
    return None
