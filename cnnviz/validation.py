"""The checks every public entry point makes, written once (as scikit-learn's `utils/validation`).

Each check returns the value in its plain form (an `int`, a `float`, an array) or raises a
`ValueError` whose message names what was checked, what was received and what is accepted, so a
page can show it as it is. `name` is the argument as the message should say it: a code name in
backticks ("`strides`") or a phrase ("Block 1's Conv2D `filters`").

Example:
    >>> check_whole(3, "`strides`", low=1)
    3
    >>> check_whole(0, "`strides`", low=1)
    Traceback (most recent call last):
    ...
    ValueError: `strides` must be a whole number of at least 1. Received 0.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields

import numpy as np

_SHAPES = {2: "(height, width)", 3: "(height, width, channels)"}


def is_whole(value) -> bool:
    """Whether `value` is an integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_real(value, *, finite: bool = True) -> bool:
    """Whether `value` is a real number (not a bool); with `finite`, neither NaN nor infinite."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    return real and (not finite or math.isfinite(value))


def _bounds(low, high) -> str:
    if low is not None and high is not None:
        return f"from {low} to {high}"
    if low is not None:
        return f"of at least {low}"
    return f"of at most {high}" if high is not None else ""


def check_whole(
    value, name: str, low: int | None = None, high: int | None = None, *, alternative: str = ""
) -> int:
    """`value` as an `int` if it is a whole number within `low..high` (None: no bound).

    Args:
        value: The value to check; bools and floats (even 3.0) are refused.
        name: How the message names it.
        low, high: Inclusive bounds, or None.
        alternative: Words added to what is accepted, such as " or None (all)".

    Raises:
        ValueError: "`name` must be a whole number from low to high. Received value."
    """
    inside = is_whole(value) and (low is None or value >= low) and (high is None or value <= high)
    if not inside:
        accepted = " ".join(filter(None, ["a whole number", _bounds(low, high)]))
        raise ValueError(f"{name} must be {accepted}{alternative}. Received {value!r}.")
    return int(value)


def check_real(
    value, name: str, low: float, high: float, *, open_low: bool = False, open_high: bool = False
) -> float:
    """`value` as a `float` if it is a finite number between `low` and `high`.

    Args:
        value: The value to check; bools, NaN and infinities are refused.
        name: How the message names it.
        low, high: The bounds, included unless `open_low` or `open_high`.

    Raises:
        ValueError: "`name` must be a number in [low, high). Received value."
    """
    inside = is_real(value)
    inside = inside and (value > low if open_low else value >= low)
    inside = inside and (value < high if open_high else value <= high)
    if not inside:
        if high == math.inf:
            accepted = f"above {low:g}" if open_low else f"of at least {low:g}"
        else:
            accepted = f"in {'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        raise ValueError(f"{name} must be a number {accepted}. Received {value!r}.")
    return float(value)


def check_rate(value, name: str) -> float:
    """A dropout-like rate: a number in [0, 1).

    Raises:
        ValueError: "`name` must be a number in [0, 1). Received value."
    """
    return check_real(value, name, 0.0, 1.0, open_high=True)


def check_choice(value, name: str, accepted: Collection):
    """`value` if it is one of `accepted` (compared by equality, None allowed as a choice).

    Raises:
        ValueError: "`name` must be one of (...). Received value."
    """
    if not any(value is choice or (choice is not None and value == choice) for choice in accepted):
        raise ValueError(f"{name} must be one of {tuple(accepted)}. Received {value!r}.")
    return value


def check_known_keys(data, cls, what: str) -> dict:
    """`data` as a dict, after checking that every key is a field of the dataclass `cls`.

    Raises:
        ValueError: If `data` is not a mapping, or has keys that are not fields (both named).
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a dict. Received {type(data).__name__}: {data!r}.")
    accepted = [field.name for field in fields(cls)]
    unknown = sorted(str(key) for key in data if key not in accepted)
    if unknown:
        raise ValueError(f"{what} has unknown keys {unknown}. Accepted keys: {accepted}.")
    return dict(data)


def check_image(
    image,
    *,
    ndims=(2, 3),
    channels: Sequence[int] | None = None,
    dtypes: str = "numbers",
    caller: str = "",
) -> np.ndarray:
    """`image` as an array of `ndims` dimensions, none empty, of an accepted dtype.

    Args:
        image: The image; anything `np.asarray` takes, unless `caller` is given.
        ndims: Accepted numbers of dimensions: 2 is `(height, width)`, 3 adds channels.
        channels: Accepted channel counts of a 3-D image (None: any).
        dtypes: "numbers" (bool, integers, floats), "uint8", or "uint8 or float" (the range
            of floats is checked where they are converted, by `images.pixels.as_uint8`).
        caller: The function asking, named in the messages; it also means `image` must
            already be a NumPy array.

    Returns:
        The image as an array (the same object when it already was one).

    Raises:
        ValueError: Naming the shape or dtype received and what is accepted.
    """
    who = f"{caller} expects" if caller else "Expected"
    if caller and not isinstance(image, np.ndarray):
        raise ValueError(f"{who} a NumPy array. Received {type(image).__name__}.")
    array = np.asarray(image)
    layout = array.ndim in ndims and 0 not in array.shape
    if layout and array.ndim == 3 and channels is not None:
        layout = array.shape[2] in channels
    if not layout:
        shapes = " or ".join(_SHAPES[n] for n in ndims)
        counts = f" with {_either(channels)} channels" if channels else ""
        raise ValueError(f"{who} an image of shape {shapes}{counts}. Received shape {array.shape}.")
    if not _accepted_dtype(array.dtype, dtypes):
        raise ValueError(f"{who} an image of {_DTYPE_WORDS[dtypes]}. Received dtype {array.dtype}.")
    return array


_DTYPE_WORDS = {
    "numbers": "numbers",
    "uint8": "uint8 pixels",
    "uint8 or float": "uint8 or float (0..1) pixels",
}


def _accepted_dtype(dtype: np.dtype, dtypes: str) -> bool:
    if dtypes == "numbers":
        return dtype.kind in "biuf"
    return dtype == np.uint8 or (dtypes == "uint8 or float" and dtype.kind == "f")


def _either(items) -> str:
    """The items as words: "1, 3 or 4" for (1, 3, 4)."""
    words = [str(item) for item in items]
    return " or ".join([", ".join(words[:-1]), words[-1]]) if len(words) > 1 else words[0]


def check_position(row, col, shape) -> tuple[int, int]:
    """`(row, col)` as ints if they lie inside an output of `shape` `(rows, cols)`.

    Raises:
        ValueError: Giving the output's size and the position received.
    """
    inside = is_whole(row) and is_whole(col) and 0 <= row < shape[0] and 0 <= col < shape[1]
    if not inside:
        raise ValueError(
            f"The output has {shape[0]} rows and {shape[1]} columns, so row must be 0 to "
            f"{shape[0] - 1} and col 0 to {shape[1] - 1}. Received row={row!r}, col={col!r}."
        )
    return int(row), int(col)
