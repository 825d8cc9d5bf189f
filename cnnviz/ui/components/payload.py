"""Arrays and colour scales packed for the browser: compact, exact, and described.

A component receives each array once, as base64 bytes with their dtype and shape (about a
third of the size of JSON numbers), in the smallest dtype that holds every value exactly:
uint8 for 0..255 integers, float32 when no value changes, float64 otherwise. The browser's
`decodeArray` (common.js) turns it back into a typed array.
"""

from __future__ import annotations

import base64
import functools
import hashlib

import numpy as np
import plotly.colors


def exact_dtype(values: np.ndarray) -> np.dtype:
    """The smallest of uint8, float32 and float64 that holds every value of `values` exactly.

    Example:
        >>> exact_dtype(np.array([0, 255])), exact_dtype(np.array([0.5])), exact_dtype([0.1])
        (dtype('uint8'), dtype('float32'), dtype('float64'))
    """
    values = np.asarray(values)
    if values.dtype == np.uint8:
        return np.dtype(np.uint8)
    as_float = values.astype(np.float64)
    whole = np.isfinite(as_float).all() and (as_float == np.round(as_float)).all()
    if whole and as_float.size and as_float.min() >= 0 and as_float.max() <= 255:
        return np.dtype(np.uint8)
    with np.errstate(over="ignore"):
        narrowed = as_float.astype(np.float32)
    if np.array_equal(narrowed.astype(np.float64), as_float, equal_nan=True):
        return np.dtype(np.float32)
    return np.dtype(np.float64)


def encode_array(values, dtype=None) -> dict:
    """`values` as `{"data": base64, "dtype": name, "shape": [...]}` for a component.

    Args:
        values: Any numeric array.
        dtype: "uint8", "float32" or "float64"; by default the smallest exact one
            (`exact_dtype`). Ask for float32 where the browser only draws colours.

    Example:
        >>> encode_array(np.array([[1, 2]]))
        {'data': 'AQI=', 'dtype': 'uint8', 'shape': [1, 2]}
    """
    values = np.asarray(values)
    dtype = np.dtype(dtype) if dtype is not None else exact_dtype(values)
    raw = np.ascontiguousarray(values, dtype=dtype.newbyteorder("<")).tobytes()
    return {
        "data": base64.b64encode(raw).decode("ascii"),
        "dtype": dtype.name,
        "shape": list(values.shape),
    }


def colour_scale(name_or_stops, low: float, high: float) -> dict:
    """A plotly colour scale (name or stops) as stops the browser interpolates, with its range.

    Example:
        >>> colour_scale([[0.0, "#000000"], [1.0, "#ffffff"]], 0, 255)["stops"][1]
        [1.0, '#ffffff']
    """
    stops = named_stops(name_or_stops) if isinstance(name_or_stops, str) else name_or_stops
    return {"stops": [[float(p), c] for p, c in stops], "low": float(low), "high": float(high)}


@functools.cache
def named_stops(name: str) -> tuple[tuple[float, str], ...]:
    """A plotly colour scale's stops by name, looked up once (plotly searches every time)."""
    return tuple((float(p), c) for p, c in plotly.colors.get_colorscale(name))


def version_of(*parts) -> str:
    """A short digest of arrays and settings: a component redraws only when it changes."""
    digest = hashlib.blake2b(digest_size=12)
    for part in parts:
        if isinstance(part, np.ndarray):
            digest.update(str((part.shape, part.dtype.str)).encode())
            digest.update(np.ascontiguousarray(part).tobytes())
        else:
            digest.update(repr(part).encode())
    return digest.hexdigest()
