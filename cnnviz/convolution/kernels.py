"""Named kernels (the lecture's gallery) and the checks that turn typed-in grids into kernels.

A kernel is a small square grid of weights. The lecture shows hand-made ones that detect lines,
edges and blobs; a convolutional network learns its own. This module holds the gallery (read
from `kernels.toml`, beside it) as read-only arrays, checks kernels typed into an editor cell by
cell (a cell may be a fraction such as `1/9`), and offers the small operations the convolution
page needs: dividing a kernel by its sum, rotating it by 180° and naming it.
"""

from __future__ import annotations

import math
import numbers
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType

import numpy as np

from cnnviz import i18n
from cnnviz.messages import Invalid, Phrase

# The editor's sizes: an odd side gives the kernel a centre pixel to sit on the output pixel.
ODD_SIZES = (1, 3, 5, 7)
MAX_MAGNITUDE = 1e6


class KernelError(Invalid):
    """A kernel that cannot be used: wrong shape, an empty or non-numeric cell, or a huge value."""


@dataclass(frozen=True, eq=False)
class NamedKernel:
    """A kernel of the gallery, with what it is for.

    Attributes:
        name: Name shown to the learner, e.g. `"Sobel vertical edges"`.
        values: Read-only float64 array of shape `(size, size)`: the whole numbers given,
            divided by `divisor`.
        description: One line saying what the kernel detects or does.
        from_lecture: Whether the lecture slides show this kernel.
        divisor: What the whole numbers given are divided by: their sum for a blur (9 for
            the box blur, whose values are then 1/9 each: a mean), 1 for the others.
    """

    name: str
    values: np.ndarray
    description: str
    from_lecture: bool = False
    divisor: int = 1

    def __post_init__(self) -> None:
        values = np.array(self.values, dtype=np.float64) / self.divisor
        values.setflags(write=False)
        object.__setattr__(self, "values", values)

    def cells(self) -> list[list[str]]:
        """The values as the editor shows them: whole numbers, or fractions such as `"1/9"`.

        Example:
            >>> KERNELS["Box blur"].cells()[0]
            ['1/9', '1/9', '1/9']
        """
        whole = np.rint(self.values * self.divisor).astype(int).tolist()
        if self.divisor == 1:
            return [[str(value) for value in row] for row in whole]
        return [[f"{value}/{self.divisor}" if value else "0" for value in row] for row in whole]


GALLERY_FILE = Path(__file__).with_name("kernels.toml")


def _gallery() -> tuple[NamedKernel, ...]:
    """The gallery from `kernels.toml`, in its order (the lecture's kernels first)."""
    with GALLERY_FILE.open("rb") as file:
        return tuple(NamedKernel(**entry) for entry in tomllib.load(file)["kernel"])


_GALLERY = _gallery()
KERNELS: MappingProxyType[str, NamedKernel] = MappingProxyType({k.name: k for k in _GALLERY})
LECTURE_KERNEL_NAMES: tuple[str, ...] = tuple(k.name for k in _GALLERY if k.from_lecture)
SOBEL_PAIR = ("Sobel horizontal edges", "Sobel vertical edges")
# The names `read_kernel` gives a kernel that is not a gallery one, and a normalised preset.
CUSTOM = "custom"
NORMALISED = ", normalised"


def _cells(values) -> np.ndarray:
    """The values as a 2-D object or numeric array, with shape problems reported."""
    if hasattr(values, "to_numpy"):
        values = values.to_numpy()
    elif not isinstance(values, np.ndarray | list | tuple) and hasattr(values, "values"):
        values = values.values
    if isinstance(values, list | tuple):
        lengths = [
            len(row) if isinstance(row, list | tuple | np.ndarray) else None for row in values
        ]
        if None not in lengths and len(set(lengths)) > 1:
            raise KernelError("errors.kernels.ragged", lengths=str(tuple(lengths)))
        values = np.array(values, dtype=object)
    array = np.asarray(values)
    if array.ndim != 2 or 0 in array.shape:
        raise KernelError("errors.kernels.not_a_grid", shape=str(array.shape))
    return array


def _parse_cell(cell, row: int, col: int) -> float:
    """One cell as a finite float, or a `KernelError` naming the cell (1-based)."""
    where = Phrase("errors.kernels.cell", row=row + 1, col=col + 1)
    if cell is None or (isinstance(cell, str) and not cell.strip()):
        raise KernelError("errors.kernels.empty_cell", where=where)
    if isinstance(cell, bool | np.bool_) or not isinstance(cell, numbers.Real | str):
        raise KernelError("errors.kernels.not_a_number", where=where, cell=repr(cell))
    value = _number(cell.strip()) if isinstance(cell, str) else float(cell)
    if math.isnan(value):
        if isinstance(cell, str):
            raise KernelError("errors.kernels.not_a_number_text", where=where, cell=repr(cell))
        raise KernelError("errors.kernels.empty_cell", where=where)
    if math.isinf(value):
        raise KernelError("errors.kernels.infinite", where=where, value=str(value))
    if abs(value) > MAX_MAGNITUDE:
        raise KernelError("errors.kernels.too_large", where=where, value=f"{value:g}")
    return value


def _number(text: str) -> float:
    """A number typed as text, `"-1.5"`, or a fraction, `"1/9"`; NaN when it is neither or
    divides by 0."""
    numerator, slash, denominator = text.partition("/")
    try:
        return float(numerator) / float(denominator) if slash else float(text)
    except (ValueError, ZeroDivisionError):
        return math.nan


def validate_kernel(values, *, odd_size: bool = True) -> np.ndarray:
    """Check a kernel typed into an editor and return it as a float64 array.

    Accepts a nested list, a NumPy array, or a table with `.to_numpy()` or `.values` (the
    pandas DataFrame that `st.data_editor` returns). Cells may be numbers or strings such as
    `" -1.5 "` or a fraction `"1/9"`; empty cells (None, NaN, blank strings), text,
    infinities and magnitudes above 1e6 are refused with a message naming the cell, counted
    from 1.

    Args:
        values: The kernel's rows.
        odd_size: If True (the editor's rule), the side must be 1, 3, 5 or 7 so the kernel
            has a centre pixel. If False, any square size is accepted, as Keras allows.

    Returns:
        A new float64 array of shape `(size, size)`.

    Raises:
        KernelError: If the grid is not square (with an odd side when `odd_size`), or a cell
            is empty, not a number, infinite, or larger than 1e6 in magnitude.

    Example:
        >>> validate_kernel([["0", "-1", "0"], [-1, 4, -1], [0, -1, 0]])[1, 1]
        np.float64(4.0)
    """
    cells = _cells(values)
    rows, cols = cells.shape
    if odd_size and (rows != cols or rows not in ODD_SIZES):
        raise KernelError("errors.kernels.odd_square", shape=str(cells.shape))
    if rows != cols:
        raise KernelError("errors.kernels.square", shape=str(cells.shape))
    if cells.dtype.kind in "iuf":
        kernel = cells.astype(np.float64)
        if np.all(np.isfinite(kernel)) and np.abs(kernel).max() <= MAX_MAGNITUDE:
            return kernel
    return np.array(
        [[_parse_cell(cells[r, c], r, c) for c in range(cols)] for r in range(rows)],
        dtype=np.float64,
    )


def normalise_by_sum(kernel, *, language: str = "en") -> tuple[np.ndarray, str | None]:
    """Divide a kernel by the sum of its values, so that it keeps an image's brightness.

    A blur typed with whole numbers (`[[1, 2, 1], [2, 4, 2], [1, 2, 1]]`) becomes a weighted
    mean divided by their sum (16). A kernel that already sums to 1 (the gallery's blurs) is
    returned as it is. Edge and line kernels sum to 0: they answer 0 on a flat region, and
    dividing by 0 is impossible, so they are returned unchanged with a note.

    Args:
        kernel: A square kernel (see `validate_kernel`; any square size is accepted).
        language: The language of the note ("en" or "es").

    Returns:
        `(kernel, note)`: the normalised float64 kernel and None, or the unchanged kernel and
        a sentence explaining why it was not normalised.

    Raises:
        KernelError: If `kernel` is not a valid square kernel.
    """
    values = validate_kernel(kernel, odd_size=False)
    total = float(values.sum())
    # Rounding: nine values of 1/9 need not add up to exactly 1 (or 0) in floating point.
    rounding = 1e-12 * max(1.0, float(np.abs(values).sum()))
    if abs(total) <= rounding:
        return values, i18n.translate(language, "kernels.zero_sum_note")
    return (values, None) if abs(total - 1.0) <= rounding else (values / total, None)


def flip_kernel(kernel) -> np.ndarray:
    """Rotate a kernel by 180° (flip rows and columns): what true convolution does to it.

    Raises:
        KernelError: If `kernel` is not a valid square kernel (any square size is accepted).
    """
    return np.flip(validate_kernel(kernel, odd_size=False), axis=(0, 1)).copy()


def is_blur(kernel) -> bool:
    """Whether no weight is negative (and one is positive): the output is then a weighted sum
    of pixels, a picture like the input (blurred, or unchanged by the identity), worth showing
    on a grey scale.

    Raises:
        KernelError: If `kernel` is not a valid square kernel.

    Example:
        >>> is_blur(KERNELS["Box blur"].values), is_blur(KERNELS["Laplacian"].values)
        (True, False)
    """
    values = validate_kernel(kernel, odd_size=False)
    return bool(np.all(values >= 0) and np.any(values > 0))


def find_preset(values) -> str | None:
    """Name of the gallery kernel with exactly these values, or None for a custom kernel.

    "Outline" has the same values as "Laplacian with diagonals"; the lecture's name is
    returned for them.

    Raises:
        KernelError: If `values` is not a valid square kernel.
    """
    kernel = validate_kernel(values, odd_size=False)
    for name, named in KERNELS.items():
        if named.values.shape == kernel.shape and np.array_equal(named.values, kernel):
            return name
    return None


def read_kernel(
    cells, normalise: bool = False, *, language: str = "en"
) -> tuple[np.ndarray, str, str | None]:
    """A kernel typed into the editor: checked, divided by its sum if asked, and named.

    The name is the gallery's name for the values (`find_preset`), else "custom". A preset
    that normalising changes keeps its name, with ", normalised" after it; normalising
    whole numbers that make a gallery kernel (nine 1s) gives that kernel's name ("Box blur").

    Args:
        cells: The editor's rows (see `validate_kernel`; the side must be 1, 3, 5 or 7).
        normalise: Whether to divide the kernel by its sum (`normalise_by_sum`).
        language: The language of the note ("en" or "es"); the name is always the gallery's
            (see `kernel_label` for the name in a language).

    Returns:
        `(values, name, note)`: the float64 kernel, its name, and the note of
        `normalise_by_sum` (why a kernel summing to 0 was left as it is) or None.

    Raises:
        KernelError: As `validate_kernel`.

    Example:
        >>> read_kernel([["1"] * 3] * 3, normalise=True)[1]
        'Box blur'
    """
    values = validate_kernel(cells)
    name, note = find_preset(values), None
    if normalise:
        normalised, note = normalise_by_sum(values, language=language)
        if not np.array_equal(normalised, values):
            renamed = f"{name}{NORMALISED}" if name else None
            values, name = normalised, find_preset(normalised) or renamed
    return values, name or CUSTOM, note


def kernel_key(name: str) -> str:
    """A gallery name as its key in the `kernels` catalog: `"Sobel vertical edges"` →
    `"sobel_vertical_edges"`, `"Laplacian of Gaussian 5×5"` → `"laplacian_of_gaussian_5_5"`."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def kernel_label(name: str, *, language: str = "en") -> str:
    """A kernel's name as `read_kernel` gives it (a gallery name, "custom", or a gallery name
    with ", normalised"), in `language`; any other name is returned as it is.

    Example:
        >>> kernel_label("Box blur", language="es"), kernel_label("custom", language="es")
        ('Desenfoque de caja', 'personalizado')
    """
    if name.endswith(NORMALISED) and name.removesuffix(NORMALISED) in KERNELS:
        base = kernel_label(name.removesuffix(NORMALISED), language=language)
        return i18n.translate(language, "kernels.normalised", name=base)
    if name == CUSTOM:
        return i18n.translate(language, "kernels.custom")
    if name in KERNELS:
        return i18n.translate(language, f"kernels.{kernel_key(name)}.name")
    return name


def kernel_description(name: str, *, language: str = "en") -> str:
    """What a gallery kernel detects or does, in `language` (English: its `description`)."""
    return i18n.translate(language, f"kernels.{kernel_key(name)}.description")
