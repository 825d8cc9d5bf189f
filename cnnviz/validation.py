"""The checks every public entry point makes, written once (as scikit-learn's `utils/validation`).

Each check returns the value in its plain form (an `int`, a `float`, an array) or raises a
`ValueError` whose message names what was checked, what was received and what is accepted, so a
page can show it as it is. The errors are `Invalid` (`cnnviz.messages`), so that a page shows
them in its own language. `name` is the argument as the message should say it: a code name in
backticks ("`strides`"), the same in every language, or words as a `Phrase`
(`Phrase("errors.names.block_setting", number=1, setting="Conv2D `filters`")`).

Example:
    >>> check_whole(3, "`strides`", low=1)
    3
    >>> try:
    ...     check_whole(0, "`strides`", low=1)
    ... except ValueError as error:
    ...     print(error)
    ...     print(error.text("es"))
    `strides` must be a whole number of at least 1. Received 0.
    `strides` debe ser un número entero mayor o igual que 1. Se recibió 0.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Collection, Mapping, Sequence
from dataclasses import fields

import numpy as np

from cnnviz.messages import Invalid, Phrase, either

# The accepted numbers of dimensions, as the messages name them.
_SHAPES = {
    (2,): "errors.validation.shapes.2d",
    (3,): "errors.validation.shapes.3d",
    (2, 3): "errors.validation.shapes.2d_or_3d",
}


def is_whole(value) -> bool:
    """Whether `value` is an integer (Python or NumPy), not a bool."""
    return isinstance(value, numbers.Integral) and not isinstance(value, bool | np.bool_)


def is_real(value, *, finite: bool = True) -> bool:
    """Whether `value` is a real number (not a bool); with `finite`, neither NaN nor infinite."""
    real = isinstance(value, numbers.Real) and not isinstance(value, bool | np.bool_)
    return real and (not finite or math.isfinite(value))


def _whole_key(low, high) -> str:
    if low is not None and high is not None:
        return "errors.validation.whole_between"
    if low is not None:
        return "errors.validation.whole_at_least"
    return "errors.validation.whole_at_most" if high is not None else "errors.validation.whole"


def check_whole(
    value,
    name: str | Phrase,
    low: int | None = None,
    high: int | None = None,
    *,
    alternative: str | Phrase = "",
) -> int:
    """`value` as an `int` if it is a whole number within `low..high` (None: no bound).

    Args:
        value: The value to check; bools and floats (even 3.0) are refused.
        name: How the message names it.
        low, high: Inclusive bounds, or None.
        alternative: Words added to what is accepted, such as " or None (all)"
            (`Phrase("errors.validation.or_none_all")`).

    Raises:
        ValueError: "`name` must be a whole number from low to high. Received value."
    """
    inside = is_whole(value) and (low is None or value >= low) and (high is None or value <= high)
    if not inside:
        raise Invalid(
            _whole_key(low, high),
            name=name,
            low=low,
            high=high,
            alternative=alternative,
            received=repr(value),
        )
    return int(value)


def check_real(
    value,
    name: str | Phrase,
    low: float,
    high: float,
    *,
    open_low: bool = False,
    open_high: bool = False,
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
            key = "errors.validation.real_above" if open_low else "errors.validation.real_at_least"
        else:
            key = "errors.validation.real_in"
        interval = f"{'(' if open_low else '['}{low:g}, {high:g}{')' if open_high else ']'}"
        raise Invalid(key, name=name, low=f"{low:g}", interval=interval, received=repr(value))
    return float(value)


def check_rate(value, name: str | Phrase) -> float:
    """A dropout-like rate: a number in [0, 1).

    Raises:
        ValueError: "`name` must be a number in [0, 1). Received value."
    """
    return check_real(value, name, 0.0, 1.0, open_high=True)


def check_choice(value, name: str | Phrase, accepted: Collection):
    """`value` if it is one of `accepted` (compared by equality, None allowed as a choice).

    Raises:
        ValueError: "`name` must be one of (...). Received value."
    """
    if not any(value is choice or (choice is not None and value == choice) for choice in accepted):
        raise Invalid(
            "errors.validation.choice",
            name=name,
            accepted=str(tuple(accepted)),
            received=repr(value),
        )
    return value


def check_known_keys(data, cls, what: str | Phrase) -> dict:
    """`data` as a dict, after checking that every key is a field of the dataclass `cls`.

    Raises:
        ValueError: If `data` is not a mapping, or has keys that are not fields (both named).
    """
    if not isinstance(data, Mapping):
        raise Invalid(
            "errors.validation.not_a_dict", what=what, kind=type(data).__name__, data=repr(data)
        )
    accepted = [field.name for field in fields(cls)]
    unknown = sorted(str(key) for key in data if key not in accepted)
    if unknown:
        raise Invalid(
            "errors.validation.unknown_keys",
            what=what,
            unknown=str(unknown),
            accepted=str(accepted),
        )
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
    if caller:
        who = Phrase("errors.validation.caller_expects", caller=caller)
    else:
        who = Phrase("errors.validation.expected")
    if caller and not isinstance(image, np.ndarray):
        raise Invalid("errors.validation.not_an_array", who=who, kind=type(image).__name__)
    array = np.asarray(image)
    layout = array.ndim in ndims and 0 not in array.shape
    if layout and array.ndim == 3 and channels is not None:
        layout = array.shape[2] in channels
    if not layout:
        counts = (
            Phrase("errors.validation.with_channels", counts=either(channels)) if channels else ""
        )
        raise Invalid(
            "errors.validation.image_shape",
            who=who,
            shapes=Phrase(_SHAPES[tuple(ndims)]),
            channels=counts,
            shape=str(array.shape),
        )
    if not _accepted_dtype(array.dtype, dtypes):
        raise Invalid(
            "errors.validation.image_dtype",
            who=who,
            dtypes=Phrase(_DTYPE_WORDS[dtypes]),
            dtype=str(array.dtype),
        )
    return array


_DTYPE_WORDS = {
    "numbers": "errors.validation.dtypes.numbers",
    "uint8": "errors.validation.dtypes.uint8",
    "uint8 or float": "errors.validation.dtypes.uint8_or_float",
}


def _accepted_dtype(dtype: np.dtype, dtypes: str) -> bool:
    if dtypes == "numbers":
        return dtype.kind in "biuf"
    return dtype == np.uint8 or (dtypes == "uint8 or float" and dtype.kind == "f")


def check_position(row, col, shape) -> tuple[int, int]:
    """`(row, col)` as ints if they lie inside an output of `shape` `(rows, cols)`.

    Raises:
        ValueError: Giving the output's size and the position received.
    """
    inside = is_whole(row) and is_whole(col) and 0 <= row < shape[0] and 0 <= col < shape[1]
    if not inside:
        raise Invalid(
            "errors.validation.position",
            rows=shape[0],
            columns=shape[1],
            last_row=shape[0] - 1,
            last_col=shape[1] - 1,
            row=repr(row),
            col=repr(col),
        )
    return int(row), int(col)
