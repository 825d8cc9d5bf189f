"""Does the CNN still see the digit when it moves, turns, grows or gets noisy?

Convolution is translation-equivariant and pooling buys a little invariance, but a CNN trained
on centred MNIST digits is not invariant to much: a few pixels of shift, a tilt of 30° or a
noisy scan can change its answer. `probe_inputs` makes the variants of one image and
`probe_table` turns the model's probabilities for them into rows a page can show, marking
the variants whose predicted class changed.

NumPy and OpenCV only: this runs in the Streamlit process; the engine predicts the batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import cv2
import numpy as np

from cnnviz import i18n
from cnnviz.convolution.invariance import shift_image

SHIFTS = (2, 4)  # pixels
ROTATIONS = (15, 30)  # degrees, each way
SCALES = (0.8, 1.2)
NOISE_LEVELS = (0.1, 0.3)  # standard deviations, in pixel units (0..1)
_DIRECTIONS = (("right", 0, 1), ("left", 0, -1), ("down", 1, 0), ("up", -1, 0))


def original_label(language: str = "en") -> str:
    """The label of the unchanged image among the variants: "original"."""
    return i18n.translate(language, "network.robustness.original")


@dataclass(frozen=True)
class ProbeRow:
    """One variant's prediction.

    Attributes:
        variant: Its label, such as "shift right 2 px".
        predicted_class: The class name with the highest probability; `confidence` that
            probability.
        changed: Whether the predicted class differs from the original image's.
        original_class_confidence: The probability of the original image's predicted class:
            how much the model still believes its first answer.
    """

    variant: str
    predicted_class: str
    confidence: float
    changed: bool
    original_class_confidence: float


def probe_inputs(
    image28: np.ndarray, *, seed: int = 0, language: str = "en"
) -> list[tuple[str, np.ndarray]]:
    """The image and its shifted, rotated, scaled and noisy variants, each with a label.

    Shifts move the image 2 and 4 px right, left, down and up (zeros come in at the edge);
    rotations turn it 15° and 30° each way and scaling resizes it to 0.8 and 1.2 times, both
    about the centre with bilinear interpolation; noise adds Gaussian noise of standard
    deviation 0.1 and 0.3. Every variant is clipped to 0..1.

    Args:
        image28: The image, `(28, 28)` or `(28, 28, 1)` (other sizes work too): floats in
            0..1 or uint8 pixels (divided by 255).
        seed: Seeds the noise.
        language: The labels' language ("en" or "es").

    Returns:
        `(label, image)` pairs, "original" (`original_label`) first, each image float32
        `(H, W)` in 0..1.

    Raises:
        ValueError: If the image is not one grey image of numbers in 0..1 or uint8.

    Example:
        >>> [label for label, _ in probe_inputs(np.zeros((28, 28)))][:3]
        ['original', 'shift right 2 px', 'shift right 4 px']
    """
    image = _check_image(image28)

    def label(key: str, **values) -> str:
        return i18n.translate(language, f"network.robustness.{key}", **values)

    variants = [(original_label(language), image)]
    for direction, dy, dx in _DIRECTIONS:
        for pixels in SHIFTS:
            shifted = shift_image(image, dy * pixels, dx * pixels)
            variants.append((label(f"shift_{direction}", pixels=pixels), shifted))
    for degrees in ROTATIONS:
        turned = _warp(image, degrees, 1.0)
        variants.append((label("rotate_anticlockwise", degrees=degrees), turned))
        variants.append((label("rotate_clockwise", degrees=degrees), _warp(image, -degrees, 1.0)))
    for scale in SCALES:
        variants.append((label("scale", scale=scale), _warp(image, 0.0, scale)))
    rng = np.random.default_rng(seed)
    for sigma in NOISE_LEVELS:
        noisy = np.clip(image + rng.normal(0.0, sigma, image.shape), 0, 1).astype(np.float32)
        variants.append((label("noise", sigma=sigma), noisy))
    return variants


def probe_table(
    labels: Sequence[str],
    probabilities: np.ndarray,
    class_names: Sequence[str],
    *,
    language: str = "en",
) -> list[ProbeRow]:
    """One row per variant: predicted class, confidence, and whether the answer changed.

    Args:
        labels: The variants' labels, as `probe_inputs` gives them (one must be "original").
        probabilities: `(n, classes)`: the model's probabilities for the variants, in order.
        class_names: A name per class ("0" to "9" for digits).
        language: The labels' language: which one is the original's (`original_label`).

    Returns:
        A `ProbeRow` per variant, in the order of `labels`.

    Raises:
        ValueError: If the sizes disagree, the probabilities are not finite, or no label is
            "original".
    """
    labels = list(labels)
    probabilities = np.asarray(probabilities, dtype=np.float64)
    names = [str(name) for name in class_names]
    if probabilities.ndim != 2 or probabilities.shape != (len(labels), len(names)):
        raise ValueError(
            f"Expected probabilities of shape (variants, classes) = ({len(labels)}, "
            f"{len(names)}) for {len(labels)} labels and {len(names)} class names. Received "
            f"shape {probabilities.shape}."
        )
    if not np.isfinite(probabilities).all():
        raise ValueError("Probabilities must be finite numbers. Received NaN or inf.")
    original = original_label(language)
    if original not in labels:
        raise ValueError(f"One label must be {original!r}. Received labels {labels}.")
    predicted = probabilities.argmax(axis=1)
    original = predicted[labels.index(original)]
    return [
        ProbeRow(label, names[best], float(row[best]), bool(best != original), float(row[original]))
        for label, row, best in zip(labels, probabilities, predicted, strict=True)
    ]


def _warp(image: np.ndarray, degrees: float, scale: float) -> np.ndarray:
    """`image` rotated by `degrees` (anticlockwise) and scaled about its centre, zeros outside."""
    height, width = image.shape
    matrix = cv2.getRotationMatrix2D(((width - 1) / 2, (height - 1) / 2), degrees, scale)
    warped = cv2.warpAffine(image, matrix, (width, height), flags=cv2.INTER_LINEAR, borderValue=0.0)
    return np.clip(warped, 0, 1).astype(np.float32)


def _check_image(image) -> np.ndarray:
    """One grey image as float32 `(H, W)` in 0..1."""
    array = np.asarray(image)
    if array.ndim == 3 and array.shape[2] == 1:
        array = array[..., 0]
    if array.ndim != 2 or min(array.shape) < 1 or array.dtype.kind not in "biuf":
        raise ValueError(
            "Expected one grey image (28, 28) or (28, 28, 1) of numbers. Received shape "
            f"{np.shape(image)}, dtype {array.dtype}."
        )
    array = array / 255.0 if array.dtype == np.uint8 else array
    array = array.astype(np.float32)
    if not np.isfinite(array).all():
        raise ValueError("Pixels must be floats in 0..1 or uint8. Received NaN or inf.")
    if array.min() < 0 or array.max() > 1:
        raise ValueError(
            "Pixels must be floats in 0..1 or uint8. Received values from "
            f"{array.min():g} to {array.max():g}."
        )
    return array
