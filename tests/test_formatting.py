"""Numbers as learners read them."""

import pytest

from cnnviz.formatting import format_bytes, format_duration, format_number


@pytest.mark.parametrize(
    ("size", "text"),
    [(0, "0 B"), (784, "784 B"), (3_100, "3.1 kB"), (40_500_000_000, "40.5 GB"), (2e12, "2.0 TB")],
)
def test_format_bytes_uses_powers_of_1000(size, text):
    assert format_bytes(size) == text


@pytest.mark.parametrize(
    ("seconds", "text"), [(0.4, "0 s"), (42.5, "42 s"), (59.6, "1 min 0 s"), (843, "14 min 3 s")]
)
def test_format_duration_shows_minutes_from_one_minute_on(seconds, text):
    assert format_duration(seconds) == text


def test_format_number_shows_a_dash_for_a_missing_value():
    assert format_number(None, ".1%") == "—"
    assert format_number(0.981, ".1%") == "98.1%"
    assert format_number(-0.0123, "+.3f") == "-0.012"
