"""The browser's arithmetic is the core's: common.js in Chromium against Python and NumPy."""

import json

import numpy as np
import pytest

from cnnviz.ui.components import encode_array
from cnnviz.ui.components.registry import HERE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture
def js(browser):
    context = browser.new_context()
    page = context.new_page()
    page.set_content("<html><body></body></html>")
    page.add_script_tag(content=(HERE / "common.js").read_text(encoding="utf-8"))
    yield page
    context.close()


def special_values(rng) -> list[float]:
    exponents = rng.integers(-9, 12, 600)
    values = (rng.standard_normal(600) * 10.0**exponents).tolist()
    values += [0.0, 1.0, -1.0, 1e-5, 1e-4, 0.0001234567, 123456.0, 1234567.0, 999999.5, 2032.0]
    values += [1 / 9, 2 / 3, -713.0, 9.999995, 0.1 + 0.2, 1e16, -2.5e-7, 100.0, 1e6]
    return values


def test_numbers_are_written_as_python_writes_them(js):
    values = special_values(np.random.default_rng(0))
    written = js.evaluate("values => values.map(formatG)", values)
    assert written == [f"{value:g}" for value in values]


@pytest.mark.parametrize("size", [1, 4, 9, 16, 25, 49, 130, 300])
def test_sums_are_added_in_numpys_order_bit_for_bit(js, size):
    rng = np.random.default_rng(size)
    for _ in range(20):
        values = rng.standard_normal(size) * 10.0 ** rng.integers(-3, 4, size)
        total = js.evaluate("values => numpySum(values)", values.tolist())
        assert total == float(values.sum())


def test_arrays_come_back_from_their_packing(js):
    for values in (
        np.arange(12, dtype=np.uint8).reshape(3, 4),
        np.array([[0.5, -2.25]]),
        np.array([1 / 3, 1 / 7]),
    ):
        decoded = js.evaluate(
            "packed => { const a = decodeArray(packed); return [Array.from(a.values), a.shape]; }",
            json.loads(json.dumps(encode_array(values))),
        )
        assert decoded[1] == list(values.shape)
        assert decoded[0] == values.ravel().astype(float).tolist()
