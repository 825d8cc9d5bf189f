"""Numbers as learners read them: bytes, durations, and values that may be missing.

Example:
    >>> format_bytes(40_500_000_000), format_duration(83.4), format_number(None, ".1%")
    ('40.5 GB', '1 min 23 s', '—')
"""

from __future__ import annotations

MISSING = "—"


def format_bytes(size: int) -> str:
    """A byte count the way people read it: `784 B`, `3.1 kB`, `40.5 GB` (powers of 1000)."""
    value = float(size)
    if value < 1000:
        return f"{int(value)} B"
    for unit in ("kB", "MB", "GB"):
        value /= 1000
        if value < 1000:
            return f"{value:.1f} {unit}"
    return f"{value / 1000:.1f} TB"


def format_duration(seconds: float) -> str:
    """Whole seconds, with minutes from one minute on: `42 s`, `14 min 3 s`."""
    seconds = round(seconds)
    return f"{seconds // 60} min {seconds % 60} s" if seconds >= 60 else f"{seconds} s"


def format_number(value: float | None, spec: str) -> str:
    """`format(value, spec)`, or a dash for a missing value (None: a metric not measured yet)."""
    return MISSING if value is None else format(value, spec)


def format_signed(value: float, spec: str = ".4g") -> str:
    """A number with a true minus sign: `−0.1025` (not `-0.1025`)."""
    return format(value, spec).replace("-", "−")


def format_term(value: float, spec: str = ".4g", *, subtract: bool = False) -> str:
    """A number as the next term of a sum: `+ 0.0059`, `− 0.0059`; with `subtract`, the term
    of `… − value` written out, so subtracting −0.0013 reads `+ 0.0013`.

    Example:
        >>> format_term(-0.0059), format_term(-0.001335, subtract=True), format_term(2.5)
        ('− 0.0059', '+ 0.001335', '+ 2.5')
    """
    negative = (value < 0) != subtract
    return f"{'−' if negative else '+'} {format(abs(value), spec)}"


def format_amount(value: float) -> str:
    """A map's largest |value| for a title: whole thousands apart, three digits when small.

    Example:
        >>> format_amount(2032.0), format_amount(0.123456), format_amount(0.0)
        ('2,032', '0.123', '0')
    """
    return f"{value:,.0f}" if value >= 100 else f"{value:.3g}"
