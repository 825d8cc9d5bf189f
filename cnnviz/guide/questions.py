"""A "predict, then reveal" question, and the guided lesson's questions on images.

A `Question` holds its choices, the index of the right one and why it is right, all computed:
the number of values in a digit, which kernel lights up on the left edge of a 7 (each kernel
convolved with the digit and compared), what shape max pooling gives (`output_size`). The
words come from the `guided` catalogs in the language asked for.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cnnviz import i18n
from cnnviz.convolution import KERNELS, convolve2d, kernel_key, kernel_label, output_size
from cnnviz.convolution.windows import output_size_formula
from cnnviz.validation import check_image, check_whole

# The 7 of the bundled sample's test split the lesson asks about: the 8th 7 there, drawn with
# a long, steep stroke (whichever kernel wins on it is computed, never assumed).
SEVEN_INDEX = 58
# The kernels the left-edge question offers: two edge detectors, a line detector, a blur.
EDGE_KERNELS = ("Sobel vertical edges", "Sobel horizontal edges", "Horizontal lines", "Box blur")
INK_THRESHOLD = 128  # a pixel at least this bright is ink


@dataclass(frozen=True)
class Question:
    """A question with choices, asked before its answer is shown.

    Attributes:
        prompt: The question.
        choices: What the learner picks from (at least two, all different).
        answer: Index of the right choice, computed by the core.
        explanation: Why it is right, with the computed numbers.
    """

    prompt: str
    choices: tuple[str, ...]
    answer: int
    explanation: str

    def __post_init__(self) -> None:
        if len(self.choices) < 2 or len(set(self.choices)) != len(self.choices):
            raise ValueError(
                f"A question needs two or more different choices. Received {self.choices!r}."
            )
        check_whole(self.answer, "The answer's index", 0, len(self.choices) - 1)

    @property
    def right_choice(self) -> str:
        """The right choice's text."""
        return self.choices[self.answer]

    def is_right(self, choice: int) -> bool:
        """Whether choice number `choice` (0 first) is the right one.

        Raises:
            ValueError: If `choice` is not the index of a choice.
        """
        return check_whole(choice, "The choice", 0, len(self.choices) - 1) == self.answer


def format_count(value: int, language: str = "en") -> str:
    """A whole number as the language writes it: 30,762 in English, 30.762 in Spanish (and
    four digits without a separator, 4800, as Spain's style guides ask).

    Example:
        >>> format_count(30762), format_count(30762, language="es"), format_count(4800, "es")
        ('30,762', '30.762', '4800')
    """
    if language == "es":
        return f"{value:,}".replace(",", ".") if abs(value) >= 10_000 else str(value)
    return f"{value:,}"


def format_decimal(value: float, decimals: int, language: str = "en") -> str:
    """A number with `decimals` digits after the point: 95.60 in English, 95,60 in Spanish."""
    text = f"{value:,.{decimals}f}"
    return text.translate(str.maketrans(",.", ".,")) if language == "es" else text


def numeric_choices(correct: int, others: Sequence[int]) -> tuple[list[int], int]:
    """The distinct values of `correct` and `others`, smallest first, and where `correct` is."""
    values = sorted({int(correct), *map(int, others)})
    return values, values.index(int(correct))


def pixels_question(digit: np.ndarray, language: str = "en") -> Question:
    """How many numbers a grayscale digit is: its height × width (one per pixel).

    Raises:
        ValueError: If `digit` is not a 2-D grayscale image.
    """
    digit = check_image(digit, ndims=(2,))
    rows, cols = digit.shape
    values, answer = numeric_choices(digit.size, (rows, rows + cols, 3 * digit.size))
    words = dict(rows=rows, cols=cols, count=format_count(digit.size, language))
    return Question(
        prompt=i18n.translate(language, "guided.pixels.prompt", rows=rows, cols=cols),
        choices=tuple(format_count(value, language) for value in values),
        answer=answer,
        explanation=i18n.translate(
            language, "guided.pixels.why", rgb=format_count(3 * digit.size, language), **words
        ),
    )


def left_edge(image: np.ndarray) -> np.ndarray:
    """The left edge of the ink: in each row with ink, its first ink pixel (`(row, col)` pairs).

    Raises:
        ValueError: If `image` is not a 2-D grayscale image or has no ink (no pixel of at
            least `INK_THRESHOLD`).

    Example:
        >>> image = np.zeros((4, 5), np.uint8); image[1:3, 2:4] = 255
        >>> left_edge(image).tolist()
        [[1, 2], [2, 2]]
    """
    ink = check_image(image, ndims=(2,)) >= INK_THRESHOLD
    rows = np.flatnonzero(ink.any(axis=1))
    if rows.size == 0:
        raise ValueError(
            f"The image has no ink: no pixel is {INK_THRESHOLD} or brighter. Received an "
            f"image whose brightest pixel is {np.max(image)}."
        )
    return np.stack([rows, ink[rows].argmax(axis=1)], axis=1)


def left_edge_responses(image: np.ndarray, names: Sequence[str] = EDGE_KERNELS) -> dict:
    """Each kernel's mean response on the image's left edge (`left_edge`), as Keras's `Conv2D`
    computes it: cross-correlation (no flip) with `padding="same"`, so outputs line up with
    pixels.

    Returns:
        `{kernel name: mean response}`, in the order of `names`.

    Raises:
        ValueError: As `left_edge`, or if a name is not in `KERNELS`.
    """
    edge = left_edge(image)
    responses = {}
    for name in names:
        if name not in KERNELS:
            raise ValueError(f"No kernel is called {name!r}. Known: {', '.join(KERNELS)}.")
        output = convolve2d(image, KERNELS[name].values, padding="same", flip=False)
        responses[name] = float(output[edge[:, 0], edge[:, 1]].mean())
    return responses


def kernel_question(seven: np.ndarray, language: str = "en") -> Question:
    """Which of `EDGE_KERNELS` lights up most on the left edge of `seven` (computed).

    Raises:
        ValueError: As `left_edge`.
    """
    responses = left_edge_responses(seven)
    winner = max(responses, key=responses.get)
    listed = "; ".join(
        f"{kernel_label(name, language=language)}: {format_decimal(value, 0, language)}"
        for name, value in responses.items()
    )
    return Question(
        prompt=i18n.translate(language, "guided.convolution.prompt"),
        choices=tuple(kernel_label(name, language=language) for name in responses),
        answer=list(responses).index(winner),
        explanation=i18n.translate(
            language,
            "guided.convolution.why",
            pixels=len(left_edge(seven)),
            responses=listed,
            winner=kernel_label(winner, language=language),
            reason=i18n.translate(language, f"guided.convolution.reasons.{kernel_key(winner)}"),
        ),
    )


def pooling_question(
    input_shape: tuple[int, int, int] = (26, 26, 32), pool_size: int = 2, language: str = "en"
) -> Question:
    """The shape `pool_size`×`pool_size` max pooling (strides = pool size, as in Keras) gives.

    Raises:
        ValueError: If the window does not fit the input (`output_size`).
    """
    height, width, channels = (check_whole(n, "Each side of the input", 1) for n in input_shape)
    correct = (
        output_size(height, pool_size, pool_size),
        output_size(width, pool_size, pool_size),
        channels,
    )
    others = [
        (correct[0], correct[1], max(channels // 2, 1)),  # pooling does not halve the maps
        (output_size(height, pool_size, 1), output_size(width, pool_size, 1), channels),
        (height, width, channels),  # it does shrink them
    ]
    shapes = sorted({correct, *others})
    return Question(
        prompt=i18n.translate(
            language, "guided.pooling.prompt", size=pool_size, shape=_shape(input_shape)
        ),
        choices=tuple(_shape(shape) for shape in shapes),
        answer=shapes.index(correct),
        explanation=i18n.translate(
            language,
            "guided.pooling.why",
            channels=channels,
            formula=output_size_formula(height, pool_size, pool_size),
            shape=_shape(correct),
        ),
    )


def _shape(shape: Sequence[int]) -> str:
    return "×".join(str(side) for side in shape)
