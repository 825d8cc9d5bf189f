import re

import numpy as np
import pytest

from cnnviz import convolution, datasets, network
from tests.app.conftest import chart, page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/pooling.py"
CONVOLUTION = "lessons/convolution.py"


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def z(at, key):
    return np.asarray(chart(at, key)["data"][0]["z"], dtype=np.float64)


def lecture_map(digit):
    return network.relu(convolution.convolve2d(digit, convolution.KERNELS["Vertical lines"].values))


def test_the_lecture_example_pools_26x26_to_13x13(digit):
    at = page_test(PAGE).run()
    assert not at.exception
    assert "26×26 → 13×13" in at.subheader[0].value
    np.testing.assert_allclose(z(at, "pooling_input"), lecture_map(digit), rtol=1e-6)
    expected = convolution.pool2d(lecture_map(digit), 2)
    np.testing.assert_allclose(z(at, "pooling_output"), expected, rtol=1e-6)
    assert "floor((26 + 2·0 − 2) / 2) + 1 = 13" in at.main.markdown[1].value


def test_average_pooling_size_strides_and_padding_change_the_output(digit):
    at = page_test(PAGE).run()
    at.radio(key="pooling_method").set_value("average").run()
    at.slider(key="pooling_size").set_value(3).run()
    at.checkbox(key="pooling_default_strides").uncheck().run()
    at.slider(key="pooling_strides").set_value(2).run()
    at.radio(key="pooling_padding").set_value("same").run()
    assert not at.exception
    expected = convolution.pool2d(lecture_map(digit), 3, 2, "same", "average")
    assert expected.shape == (13, 13)
    np.testing.assert_allclose(z(at, "pooling_output"), expected, rtol=1e-6)
    assert "Average pooling" in at.subheader[0].value


def test_the_window_explanation_matches_the_pooled_cell(digit):
    at = page_test(PAGE).run()
    at.slider(key="pooling_row").set_value(6).run()
    at.slider(key="pooling_col").set_value(7).run()
    pooled = convolution.pool2d(lecture_map(digit), 2)
    text = at.main.markdown[-1].value
    assert text.startswith("max(")
    assert float(re.search(r"\*\*(-?[\d.e+]+)\*\*", text).group(1)) == pytest.approx(pooled[6, 7])
    np.testing.assert_allclose(z(at, "pooling_window"), lecture_map(digit)[12:14, 14:16])


def test_pooling_the_feature_map_from_the_convolution_page(digit):
    at = page_test(CONVOLUTION).run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    at.switch_page("lessons/pooling.py").run()
    at.radio(key="pooling_source").set_value("The feature map from the Convolution page").run()
    assert not at.exception
    sobel = convolution.convolve2d(digit, convolution.KERNELS["Sobel vertical edges"].values)
    np.testing.assert_allclose(z(at, "pooling_input"), sobel, rtol=1e-6)
    assert "Sobel vertical edges map from page 1" in at.subheader[0].value


def test_shifting_the_input_shows_pooling_steadies_the_map(digit):
    at = page_test(PAGE).run()
    at.slider(key="pooling_shift").set_value(2).run()
    at.radio(key="pooling_direction").set_value("down").run()
    report = convolution.translation_invariance(
        digit, convolution.KERNELS["Vertical lines"].values, (2, 0)
    )
    shown = [float(m.value) for m in at.metric]
    assert shown == [round(report.feature_correlation, 3), round(report.pooled_correlation, 3)]
    assert len(chart(at, "pooling_shift_maps")["data"]) == 4


def test_describe_pool_explains_average_and_padding():
    window = np.array([[1.0, 3.0], [np.nan, np.nan]])
    explained = convolution.PoolExplanation(0, 0, window, 2.0, "average", 0, 0, None)
    assert convolution.describe_pool(explained) == "(1 + 3) / 2 = **2** (2 padding cells ignored)"
