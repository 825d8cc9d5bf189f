"""The shared image picker remembers the learner's choice from page to page."""

import numpy as np
import pytest

from cnnviz import convolution, datasets
from tests.app.conftest import chart, page_test

pytestmark = pytest.mark.slow


def test_the_chosen_digit_follows_the_learner_to_the_convolution_page():
    at = page_test().run()
    at.selectbox(key="picker_class").set_value("7").run()
    at.number_input(key="picker_index").set_value(3).run()
    at.switch_page("lessons/convolution.py").run()
    assert not at.exception
    assert at.selectbox(key="picker_class").value == "7"
    assert at.number_input(key="picker_index").value == 3
    sample = datasets.load_dataset("mnist-sample")
    digit = sample.x_test[np.flatnonzero(sample.y_test == 7)[3]]
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)
    output = np.asarray(chart(at, "convolution_output")["data"][0]["z"], dtype=float)
    np.testing.assert_allclose(output, expected, rtol=1e-6)


def test_the_source_and_builtin_choice_survive_a_round_trip():
    at = page_test().run()
    at.radio(key="picker_source").set_value("Built-in image").run()
    at.selectbox(key="picker_builtin").set_value("Circle").run()
    at.switch_page("lessons/pooling.py").run()
    at.switch_page("lessons/home.py").run()
    assert not at.exception
    assert at.radio(key="picker_source").value == "Built-in image"
    assert at.selectbox(key="picker_builtin").value == "Circle"
