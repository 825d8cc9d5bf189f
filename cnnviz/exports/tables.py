"""Arrays as CSV text with their exact values, and file names that say what a download is.

A 2-D array (a kernel, one feature map) is written as the grid it is: one line per row, values
separated by commas, no header, so a spreadsheet shows it as the page does and
`numpy.loadtxt(file, delimiter=",")` reads it back. A stack of maps (a layer's feature maps, a
conv layer's filters, a gallery of maps) is one *long* table with the columns `map,row,col,
value`: one file a learner opens in a spreadsheet and filters or pivots by map, rather than a
zip of files to unpack.

Every value is written exactly: float32 values in the shortest decimal that reads back as the
same float32 (`0.1`, not `0.10000000149011612`), float64 values in the shortest one that reads
back as the same float64, whole numbers as whole numbers; `nan`, `inf` and `-inf` as such.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping

import numpy as np

LONG_COLUMNS = ("map", "row", "col", "value")


def _numbers(values) -> np.ndarray:
    """`values` as a NumPy array of numbers, bools as 0/1 and float16 widened to float32."""
    array = np.asarray(values)
    if array.dtype == bool:
        return array.astype(np.uint8)
    if array.dtype == np.float16:
        return array.astype(np.float32)
    if not (np.issubdtype(array.dtype, np.integer) or np.issubdtype(array.dtype, np.floating)):
        raise ValueError(
            "Only arrays of numbers can be exported. "
            f"Received an array of dtype {array.dtype} and shape {array.shape}."
        )
    return array


def _text(value) -> str:
    # NumPy writes a float32 or float64 scalar as the shortest decimal that reads back as
    # the same value of that type (Dragon4), and whole numbers without a point.
    return str(value)


def array_csv(values) -> str:
    """A 2-D array as CSV text: one line per row, exact values, no header.

    Args:
        values: 2-D array of numbers (a kernel, a feature map).

    Returns:
        The text, each line ended by a newline.

    Raises:
        ValueError: If `values` is not a 2-D array of numbers.

    Example:
        >>> print(array_csv([[1, 2], [3, 4]]), end="")
        1,2
        3,4
    """
    array = _numbers(values)
    if array.ndim != 2:
        raise ValueError(
            "A CSV grid needs a 2-D array (rows × columns). "
            f"Received shape {array.shape}: export a stack of maps with `maps_csv`."
        )
    return "".join(",".join(_text(value) for value in row) + "\n" for row in array)


def maps_csv(maps) -> str:
    """A stack of maps as one long CSV table: `map,row,col,value`, a line per value.

    Args:
        maps: `(height, width, maps)` array, maps last as Keras stores a layer's output (the
            `map` column is then 0, 1, ...), or a mapping of name to 2-D array (the `map`
            column is then the name).

    Returns:
        The text, with a header line; maps in order, each row by row.

    Raises:
        ValueError: If `maps` is not a 3-D array, or a mapping of 2-D arrays, of numbers.

    Example:
        >>> print(maps_csv({"a": [[1, 2]], "b": [[3, 4]]}), end="")
        map,row,col,value
        a,0,0,1
        a,0,1,2
        b,0,0,3
        b,0,1,4
    """
    if isinstance(maps, Mapping):
        named = {str(name): _numbers(values) for name, values in maps.items()}
    else:
        stack = _numbers(maps)
        if stack.ndim != 3:
            raise ValueError(
                "A stack of maps needs shape (height, width, maps), or a mapping of name to "
                f"2-D map. Received shape {stack.shape}."
            )
        named = {str(index): stack[:, :, index] for index in range(stack.shape[2])}
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(LONG_COLUMNS)
    for name, values in named.items():
        if values.ndim != 2:
            raise ValueError(f"Map {name!r} must be 2-D. Received shape {values.shape}.")
        for (row, col), value in np.ndenumerate(values):
            writer.writerow((name, row, col, _text(value)))
    return buffer.getvalue()


def shown_filters(kernel) -> np.ndarray:
    """A conv layer's filters as the pages draw them: each averaged over its input channels.

    For a first layer on grayscale images (one input channel) these are the weights
    themselves; for a deeper layer, one 2-D summary per filter (as `plots.filter_grid`).

    Args:
        kernel: `(k, k, in_channels, filters)` array, as Keras stores a Conv2D kernel.

    Returns:
        float32 array `(k, k, filters)`.

    Raises:
        ValueError: If `kernel` is not 4-D.
    """
    kernel = np.asarray(kernel, dtype=np.float32)
    if kernel.ndim != 4:
        raise ValueError(
            f"A conv kernel has shape (k, k, in_channels, filters). Received {kernel.shape}."
        )
    return kernel.mean(axis=2)


def filters_csv(kernel) -> str:
    """A conv layer's filters, as drawn (`shown_filters`), as a long CSV `map,row,col,value`,
    the `map` column numbering the filters from 0."""
    return maps_csv(shown_filters(kernel))


def file_stem(*parts: str) -> str:
    """A file name (without its extension) made of `parts`: lower case ASCII words joined by
    dashes, accents dropped.

    Example:
        >>> file_stem("conv2d_1", "feature maps"), file_stem("Núcleo", "Sobel x")
        ('conv2d-1-feature-maps', 'nucleo-sobel-x')
    """
    text = unicodedata.normalize("NFKD", " ".join(parts)).encode("ascii", "ignore").decode()
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "array"
