import re

import numpy as np
import pytest
import scipy.signal

from cnnviz import convolution, datasets, network
from tests.app.conftest import component_data, page_test
from tests.convolution.test_invariance import pool_by_loop, shifted_by_hand

pytestmark = pytest.mark.slow

PAGE = "lessons/pooling.py"
CONVOLUTION = "lessons/convolution.py"


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def explorer(at):
    return component_data(at, "window_explorer")


def shown(at, which):
    """The map the explorer draws: "input" (exact) or "output" (as colours, float32)."""
    return explorer(at)[which]["values"].astype(np.float64)


def heading(at) -> str:
    return next(m.value for m in at.markdown if "→" in m.value)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def position(at):
    kept = (at.session_state["pooling_row"], at.session_state["pooling_col"])
    assert tuple(explorer(at)["pick"]) == kept
    return kept


def lecture_map(digit):
    return network.relu(convolution.convolve2d(digit, convolution.KERNELS["Vertical lines"].values))


def test_the_lecture_example_pools_26x26_to_13x13(digit):
    at = page_test(PAGE).run()
    assert not at.exception
    assert "26×26 → 13×13" in heading(at)
    np.testing.assert_array_equal(shown(at, "input"), lecture_map(digit))
    expected = convolution.pool2d(lecture_map(digit), 2)
    np.testing.assert_allclose(shown(at, "output"), expected, rtol=1e-6)
    data = explorer(at)
    assert (data["mode"], data["method"], data["size"], data["strides"]) == ("pooling", "max", 2, 2)
    assert data["kernel"] is None
    assert "floor((26 + 2·0 − 2) / 2) + 1 = 13" in markdown(at)


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
    np.testing.assert_allclose(shown(at, "output"), expected, rtol=1e-6)
    assert "Average pooling" in heading(at)
    assert explorer(at)["pad"] == [0, 0]  # ceil(26 / 2) = 13 windows of 3 need 1 after only


def test_the_window_explanation_matches_the_pooled_cell(digit):
    at = page_test(PAGE).run()
    at.session_state["pooling_row"], at.session_state["pooling_col"] = 6, 7
    at.run()
    pooled = convolution.pool2d(lecture_map(digit), 2)
    text = next(m.value for m in at.main.markdown if m.value.startswith("max("))
    assert float(re.search(r"\*\*(-?[\d.e+]+)\*\*", text).group(1)) == pytest.approx(pooled[6, 7])
    window = ", ".join(f"{v:g}" for v in lecture_map(digit)[12:14, 14:16].ravel())
    assert text.startswith(f"max({window})")
    assert position(at) == (6, 7)


def test_pooling_the_feature_map_from_the_convolution_page(digit):
    at = page_test(CONVOLUTION).run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    at.switch_page("lessons/pooling.py").run()
    at.selectbox(key="pooling_source").set_value("The feature map from the Convolution page").run()
    assert not at.exception
    sobel = convolution.convolve2d(digit, convolution.KERNELS["Sobel vertical edges"].values)
    np.testing.assert_array_equal(shown(at, "input"), sobel)
    assert "Sobel vertical edges map from page 1" in heading(at)


def shift_reference(digit, kernel, shift, size, method):
    """Reference correlations: SciPy's convolution, a hand-made shift and pooling loop."""
    image = digit.astype(float)
    before = scipy.signal.convolve2d(image, kernel, mode="same")
    after = scipy.signal.convolve2d(shifted_by_hand(image, *shift), kernel, mode="same")
    pooled = [pool_by_loop(m, size, size, method) for m in (before, after)]
    return (
        round(np.corrcoef(before.ravel(), after.ravel())[0, 1], 3),
        round(np.corrcoef(pooled[0].ravel(), pooled[1].ravel())[0, 1], 3),
    )


def test_shifting_the_input_shows_pooling_steadies_the_map(digit):
    at = page_test(PAGE).run()
    at.slider(key="pooling_shift").set_value(2).run()
    at.radio(key="pooling_direction").set_value("down").run()
    kernel = convolution.KERNELS["Vertical lines"].values
    feature, pooled = shift_reference(digit, kernel, (2, 0), 2, "max")
    assert [float(m.value) for m in at.metric] == [feature, pooled]
    gallery = component_data(at, "map_gallery")
    names = [tile["title"] for tile in gallery["maps"]]
    assert names == ["Feature map", "Feature map, shifted input", "Pooled", "Pooled, shifted input"]
    assert gallery["shared"] and gallery["scale_title"] == "Colour scale"
    assert at.success[0].value.startswith("Here pooling steadied the map:")
    assert f"{pooled:.3f}" in at.success[0].value and not at.warning
    captions = " ".join(c.value for c in at.caption)
    assert "Vertical lines kernel with padding 'same'" in captions
    assert "2×2 max pooling, strides 2, padding 'valid'" in captions


def test_the_shift_uses_the_pages_pooling_and_says_when_it_does_not_steady_the_map(digit):
    # The case: the Sobel map, 3x3 average pooling, a 3-pixel diagonal shift.
    at = page_test(CONVOLUTION).run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    at.switch_page(PAGE).run()
    at.selectbox(key="pooling_source").set_value("The feature map from the Convolution page").run()
    at.radio(key="pooling_method").set_value("average").run()
    at.slider(key="pooling_size").set_value(3).run()
    at.slider(key="pooling_shift").set_value(3).run()
    at.radio(key="pooling_direction").set_value("diagonal").run()
    assert not at.exception
    sobel = convolution.KERNELS["Sobel vertical edges"].values
    feature, pooled = shift_reference(digit, sobel, (3, 3), 3, "average")
    assert [float(m.value) for m in at.metric] == [feature, pooled]
    assert pooled < 0.5
    warning = at.warning[0].value
    assert warning.startswith("Here pooling did not steady the map:")
    assert f"pooled map correlates {pooled:.3f}" in warning
    assert "The shift (3 px) is not smaller than the pooling step (3 px)" in warning
    assert not at.success
    assert "3×3 average pooling, strides 3, padding 'valid'" in " ".join(
        c.value for c in at.caption
    )
    headings = [s.value for s in at.subheader]
    assert "Why pool? Shift the input and compare" in headings
    assert not any("barely moves" in heading for heading in headings)


def test_the_shift_follows_strides_and_padding(digit):
    at = page_test(PAGE).run()
    at.checkbox(key="pooling_default_strides").uncheck().run()
    at.slider(key="pooling_strides").set_value(1).run()
    at.radio(key="pooling_padding").set_value("same").run()
    assert "2×2 max pooling, strides 1, padding 'same'" in " ".join(c.value for c in at.caption)
    assert component_data(at, "map_gallery")["maps"][2]["values"]["shape"] == [28, 28]


def test_the_window_starts_at_the_largest_pooled_value(digit):
    at = page_test(PAGE).run()
    pooled = pool_by_loop(lecture_map(digit), 2, 2, "max")
    expected = np.unravel_index(np.argmax(pooled), pooled.shape)
    assert position(at) == expected
    assert f"Output cell ({expected[0]}, {expected[1]}) as text" in [e.label for e in at.expander]
    at.session_state["pooling_row"] = 1
    at.radio(key="pooling_direction").set_value("down").run()
    assert position(at)[0] == 1
    at.radio(key="pooling_method").set_value("average").run()
    averaged = pool_by_loop(lecture_map(digit), 2, 2, "average")
    expected = np.unravel_index(np.argmax(averaged), averaged.shape)
    assert position(at) == expected


def test_describe_pool_explains_average_and_padding():
    window = np.array([[1.0, 3.0], [np.nan, np.nan]])
    explained = convolution.PoolExplanation(0, 0, window, 2.0, "average", 0, 0, None)
    assert convolution.describe_pool(explained) == "(1 + 3) / 2 = **2** (2 padding cells ignored)"
