import re

import numpy as np
import pytest

from cnnviz import convolution, datasets, images
from tests.app.conftest import chart, page_test, png_bytes

pytestmark = pytest.mark.slow

PAGE = "lessons/convolution.py"
EDITOR = "convolution_editor_{}_{}"


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def output_values(at):
    return np.asarray(chart(at, "convolution_output")["data"][0]["z"], dtype=np.float64)


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def edit(at, preset, size, row, col, text):
    at.session_state[EDITOR.format(preset, size)] = {
        "edited_rows": {row: {str(col + 1): text}},
        "added_rows": [],
        "deleted_rows": [],
    }
    return at.run()


def test_default_page_convolves_the_digit_with_the_first_lecture_kernel(digit):
    at = page_test(PAGE).run()
    assert not at.exception
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)
    assert "Output: 26×26 with the Horizontal lines kernel" in [s.value for s in at.subheader]
    assert "floor((28 + 2·0 − 3) / 1) + 1 = 26" in markdown(at)


@pytest.mark.parametrize("name", list(convolution.KERNELS))
def test_every_gallery_kernel_is_selectable(name, digit):
    at = page_test(PAGE).run()
    at.selectbox(key="convolution_preset").set_value(name).run()
    assert not at.exception
    expected = convolution.convolve2d(digit, convolution.KERNELS[name].values)
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6, atol=1e-9)


def test_editing_a_cell_changes_the_output_and_makes_the_kernel_custom(digit):
    at = page_test(PAGE).run()
    before = output_values(at)
    edit(at, "Horizontal lines", 3, 1, 1, "5")
    assert not at.exception
    edited = convolution.KERNELS["Horizontal lines"].values.copy()
    edited[1, 1] = 5
    after = output_values(at)
    assert not np.allclose(after, before)
    np.testing.assert_allclose(after, convolution.convolve2d(digit, edited), rtol=1e-6)
    assert any("custom kernel" in s.value for s in at.subheader)


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "Row 1, column 2 holds 'abc'"), ("inf", "Row 1, column 2 holds inf"), ("", "empty")],
)
def test_a_bad_cell_shows_an_error_naming_it(text, message):
    at = edit(page_test(PAGE).run(), "Horizontal lines", 3, 0, 1, text)
    assert not at.exception
    assert at.error and message in at.error[0].value


def test_strides_and_padding_change_the_output_size():
    at = page_test(PAGE).run()
    at.slider(key="convolution_strides").set_value(2).run()
    at.radio(key="convolution_padding").set_value("same").run()
    assert not at.exception
    assert output_values(at).shape == (14, 14)
    assert "ceil(28 / 2) = 14" in markdown(at)
    assert "Output: 14×14" in at.subheader[0].value


def test_worked_example_sum_equals_the_output_pixel(digit):
    at = page_test(PAGE).run()
    at.slider(key="convolution_row").set_value(12).run()
    at.slider(key="convolution_col").set_value(9).run()
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)[12, 9]
    text = markdown(at)
    total = float(re.search(r"= \*\*(-?[\d.e+]+)\*\*", text).group(1))
    shown = float(re.search(r"output pixel is \*\*(-?[\d.e+]+)\*\*", text).group(1))
    assert total == shown == pytest.approx(expected)
    products = np.asarray(chart(at, "convolution_products")["data"][0]["z"], dtype=float)
    assert products.sum() == pytest.approx(expected)


def test_next_position_steps_along_the_row():
    at = page_test(PAGE).run()
    at.button(key="convolution_next").click().run()
    at.button(key="convolution_next").click().run()
    assert at.slider(key="convolution_col").value == 2
    assert "output pixel (0, 2)" in " ".join(s.value for s in at.subheader)


def test_cross_correlation_switch_and_the_flip_proof(digit):
    at = page_test(PAGE).run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    convolved = output_values(at)
    at.radio(key="convolution_operation").set_value(
        "Cross-correlation (what Keras Conv2D computes)"
    ).run()
    correlated = output_values(at)
    kernel = convolution.KERNELS["Sobel vertical edges"].values
    np.testing.assert_allclose(correlated, convolution.convolve2d(digit, kernel, flip=False))
    np.testing.assert_allclose(correlated, -convolved)  # Sobel flips sign when rotated
    assert "differ by at most **0**" in markdown(at)


def test_relu_view_drops_negative_values():
    at = page_test(PAGE).run()
    at.toggle(key="convolution_relu").set_value(True).run()
    values = output_values(at)
    assert values.min() == 0 and values.max() > 0


def test_normalise_by_sum_blurs_keep_brightness_and_edges_explain_why_not(digit):
    at = page_test(PAGE).run()
    at.selectbox(key="convolution_preset").set_value("Box blur").run()
    at.toggle(key="convolution_normalise").set_value(True).run()
    expected = convolution.convolve2d(digit, np.full((3, 3), 1 / 9))
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-5)
    at.selectbox(key="convolution_preset").set_value("Laplacian").run()
    assert at.info and "sum" in at.info[0].value


def test_gallery_shows_every_lecture_kernel_and_the_sobel_magnitude(digit):
    at = page_test(PAGE).run()
    figure = chart(at, "convolution_gallery")
    names = [trace["name"] for trace in figure["data"]]
    assert names[:-1] == list(convolution.LECTURE_KERNEL_NAMES)
    magnitude = np.asarray(figure["data"][-1]["z"], dtype=float)
    np.testing.assert_allclose(magnitude, convolution.edge_magnitude(digit), rtol=1e-5)


def test_a_photo_is_filtered_per_channel_on_a_small_copy():
    rng = np.random.default_rng(1)
    photo = rng.integers(0, 256, size=(400, 300, 3), dtype=np.uint8)
    at = page_test(PAGE).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("p.png", png_bytes(photo), "image/png").run()
    at.radio(key="convolution_channel").set_value("Green").run()
    assert not at.exception
    work = images.working_image(photo, "Green")
    expected = convolution.convolve2d(work.values, convolution.KERNELS["Horizontal lines"].values)
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-5)
    assert any("copy of the 300×400 image" in c.value for c in at.caption)
