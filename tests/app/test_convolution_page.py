import re

import numpy as np
import pytest
import scipy.signal

from cnnviz import convolution, datasets, images
from tests.app.conftest import chart, component_data, page_test, png_bytes

pytestmark = pytest.mark.slow

PAGE = "lessons/convolution.py"
EDITOR = "convolution_editor_{}_{}"


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def explorer(at):
    return component_data(at, "window_explorer")


def output_values(at):
    return explorer(at)["output"]["values"].astype(np.float64)


def output_title(at) -> str:
    return explorer(at)["output"]["title"]


def markdown(at) -> str:
    return "\n".join(m.value for m in at.markdown)


def edit(at, preset, size, row, col, text, *, earlier=None):
    """Type `text` into one cell of the kernel editor (after the `earlier` {row: {col: text}})."""
    rows = {r: {str(c + 1): t for c, t in cells.items()} for r, cells in (earlier or {}).items()}
    rows.setdefault(row, {})[str(col + 1)] = text
    at.session_state[EDITOR.format(preset, size)] = {
        "edited_rows": rows,
        "added_rows": [],
        "deleted_rows": [],
    }
    return at.run()


def strongest(values):
    """Reference: the first (row, col) in reading order with the largest |value|."""
    best, where = -1.0, None
    for row in range(values.shape[0]):
        for col in range(values.shape[1]):
            if abs(values[row, col]) > best:
                best, where = abs(values[row, col]), (row, col)
    return where


def position(at, page="convolution"):
    """The explained position, as the page keeps it and as it sends it to the explorer."""
    kept = (at.session_state[f"{page}_row"], at.session_state[f"{page}_col"])
    assert tuple(explorer(at)["pick"]) == kept
    return kept


def move(at, row, col, page="convolution"):
    """What a click in the explorer does: its pick lands in `{page}_row`/`{page}_col`."""
    at.session_state[f"{page}_row"], at.session_state[f"{page}_col"] = row, col
    return at.run()


def upload(at, array):
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("p.png", png_bytes(array), "image/png")
    return at.run()


def test_default_page_convolves_the_digit_with_the_first_lecture_kernel(digit):
    at = page_test(PAGE).run()
    assert not at.exception
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)
    assert output_title(at) == "Output 26×26, Horizontal lines kernel"
    assert "floor((28 + 2·0 − 3) / 1) + 1 = 26" in markdown(at)
    data = explorer(at)
    np.testing.assert_array_equal(data["input"]["values"], digit)
    np.testing.assert_array_equal(
        data["kernel"], np.flip(convolution.KERNELS["Horizontal lines"].values)
    )
    assert (data["mode"], data["size"], data["strides"], data["pad"]) == (
        "convolution",
        3,
        1,
        [0, 0],
    )


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
    assert output_title(at) == "Output 26×26, custom kernel"


@pytest.mark.parametrize(
    ("text", "message"),
    [("abc", "Row 1, column 2 holds 'abc'"), ("inf", "Row 1, column 2 holds inf"), ("", "empty")],
)
def test_a_bad_cell_shows_an_error_naming_it(text, message):
    at = edit(page_test(PAGE).run(), "Horizontal lines", 3, 0, 1, text)
    assert not at.exception
    assert at.error and message in at.error[0].value


def test_a_bad_cell_keeps_the_page_computed_with_the_last_valid_kernel(digit):
    at = edit(page_test(PAGE).run(), "Horizontal lines", 3, 1, 1, "5")
    at = edit(at, "Horizontal lines", 3, 0, 1, "abc", earlier={1: {1: "5"}})
    assert not at.exception
    assert "Row 1, column 2 holds 'abc'" in at.error[0].value
    assert any("the output below uses the last valid kernel: custom" in i.value for i in at.info)
    last_valid = np.array([[-1, -1, -1], [2, 5, 2], [-1, -1, -1]], dtype=float)
    expected = scipy.signal.convolve2d(digit.astype(float), last_valid, mode="valid")
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)
    headings = [s.value for s in at.subheader]
    assert "Convolution or cross-correlation?" in headings
    assert "Some spatial filtering results" in headings
    assert len(component_data(at, "map_gallery")["maps"]) == 10
    edit(at, "Horizontal lines", 3, 0, 1, "1/2", earlier={1: {1: "5"}})
    assert not at.error
    last_valid[0, 1] = 0.5
    expected = scipy.signal.convolve2d(digit.astype(float), last_valid, mode="valid")
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)


def test_strides_and_padding_change_the_output_size():
    at = page_test(PAGE).run()
    at.slider(key="convolution_strides").set_value(2).run()
    at.radio(key="convolution_padding").set_value("same").run()
    assert not at.exception
    assert output_values(at).shape == (14, 14)
    assert "ceil(28 / 2) = 14" in markdown(at)
    assert output_title(at).startswith("Output 14×14")
    assert explorer(at)["pad"] == [0, 0] and explorer(at)["strides"] == 2
    at.slider(key="convolution_strides").set_value(1).run()
    assert explorer(at)["pad"] == [1, 1]  # "same" with a 3×3 kernel: one row and column


def test_the_explained_pixel_starts_where_the_response_is_strongest(digit):
    at = page_test(PAGE).run()
    reference = scipy.signal.convolve2d(
        digit.astype(float), np.array([[-1] * 3, [2] * 3, [-1] * 3])
    )
    expected = strongest(reference[2:-2, 2:-2])  # the valid part
    assert position(at) == expected != (0, 0)
    labels = [e.label for e in at.expander]
    assert f"Output pixel ({expected[0]}, {expected[1]}) as text" in labels
    text = markdown(at)
    shown = float(re.search(r"output pixel is \*\*(-?[\d.e+]+)\*\*", text).group(1))
    assert abs(shown) == np.abs(reference[2:-2, 2:-2]).max() > 0
    # A new kernel or setting starts again at its strongest output...
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    sobel = scipy.signal.convolve2d(digit.astype(float), [[1, 0, -1], [2, 0, -2], [1, 0, -1]])
    assert position(at) == strongest(sobel[2:-2, 2:-2])
    at.radio(key="convolution_padding").set_value("same").run()
    assert position(at) == strongest(sobel[1:-1, 1:-1])
    # ...but where the learner puts the window, it stays.
    move(at, 3, 4)
    at.toggle(key="convolution_relu").set_value(True).run()
    assert position(at) == (3, 4)


def test_worked_example_sum_equals_the_output_pixel(digit):
    at = page_test(PAGE).run()
    move(at, 12, 9)
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)[12, 9]
    text = markdown(at)
    total = float(re.search(r"= \*\*(-?[\d.e+]+)\*\*", text).group(1))
    shown = float(re.search(r"output pixel is \*\*(-?[\d.e+]+)\*\*", text).group(1))
    assert total == shown == pytest.approx(expected)
    assert explorer(at)["output"]["values"][12, 9] == pytest.approx(expected)


def largest_difference(digit, kernel):
    """Reference: the largest |convolution - cross-correlation| by SciPy (valid, strides 1)."""
    image = digit.astype(float)
    convolved = scipy.signal.convolve2d(image, kernel, mode="valid")
    return np.abs(convolved - scipy.signal.correlate2d(image, kernel, mode="valid")).max()


def test_cross_correlation_switch_and_the_flip_proof(digit):
    at = page_test(PAGE).run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    convolved = output_values(at)
    at.radio(key="convolution_operation").set_value("Cross-correlation (Keras's Conv2D)").run()
    correlated = output_values(at)
    kernel = convolution.KERNELS["Sobel vertical edges"].values
    np.testing.assert_allclose(correlated, scipy.signal.correlate2d(digit, kernel, mode="valid"))
    np.testing.assert_allclose(correlated, -convolved)  # Sobel flips sign when rotated
    text = markdown(at)
    assert "instead" not in text
    assert f"differ by up to **{largest_difference(digit, kernel):g}**" in text
    assert "differ by **0**" in text


def test_a_kernel_symmetric_under_rotation_is_checked_with_sobel_instead(digit):
    at = page_test(PAGE).run()  # Horizontal lines: the same rotated by 180°
    text = markdown(at)
    assert "The Horizontal lines kernel is the same after a 180° rotation" in text
    assert "uses the lecture's **Sobel vertical edges** kernel instead" in text
    sobel = convolution.KERNELS["Sobel vertical edges"].values
    difference = largest_difference(digit, sobel)
    assert difference > 0 and f"differ by up to **{difference:g}**" in text
    assert "differ by **0**" in text
    shown = np.asarray(chart(at, "convolution_flip_a")["data"][0]["z"], dtype=float)
    np.testing.assert_array_equal(shown, [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]])


def test_relu_view_drops_negative_values():
    at = page_test(PAGE).run()
    at.toggle(key="convolution_relu").set_value(True).run()
    values = output_values(at)
    assert values.min() == 0 and values.max() > 0


def test_box_blur_is_a_mean_and_normalising_it_keeps_its_name(digit):
    at = page_test(PAGE).run()
    at.selectbox(key="convolution_preset").set_value("Box blur").run()
    assert "mean of its 3×3 neighbourhood" in " ".join(c.value for c in at.caption)
    mean = scipy.signal.convolve2d(digit.astype(float), np.full((3, 3), 1 / 9), mode="valid")
    np.testing.assert_allclose(output_values(at), mean, rtol=1e-6)
    np.testing.assert_array_equal(explorer(at)["kernel"], np.full((3, 3), 1 / 9))
    at.toggle(key="convolution_normalise").set_value(True).run()
    np.testing.assert_allclose(output_values(at), mean, rtol=1e-6)
    assert output_title(at) == "Output as a picture 26×26, Box blur kernel"
    at.selectbox(key="convolution_preset").set_value("Laplacian").run()
    assert at.info and "sum" in at.info[0].value


@pytest.mark.parametrize(
    ("name", "weights"),
    [
        ("Box blur", np.full((3, 3), 1 / 9)),
        ("Gaussian blur 5×5", np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1]) / 256),
    ],
)
def test_a_blur_is_also_shown_as_a_grey_picture(digit, name, weights):
    at = page_test(PAGE).run()
    assert explorer(at)["output"]["scale"]["low"] < 0  # a signed kernel: blue-white-red
    at.selectbox(key="convolution_preset").set_value(name).run()
    expected = scipy.signal.convolve2d(digit.astype(float), weights, mode="valid")
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-5)
    scale = explorer(at)["output"]["scale"]
    assert (scale["low"], scale["high"]) == (0, 255)
    assert scale["stops"] == [[0.0, "#000000"], [1.0, "#ffffff"]]
    assert output_title(at).startswith("Output as a picture")


def test_gallery_shows_every_lecture_kernel_and_the_sobel_magnitude(digit):
    at = page_test(PAGE).run()
    gallery = component_data(at, "map_gallery")
    names = [tile["title"] for tile in gallery["maps"]]
    assert names == [*convolution.LECTURE_KERNEL_NAMES, convolution.EDGE_MAGNITUDE]
    image = digit.astype(float)
    rows = scipy.signal.convolve2d(image, [[1, 2, 1], [0, 0, 0], [-1, -2, -1]], mode="valid")
    cols = scipy.signal.convolve2d(image, [[1, 0, -1], [2, 0, -2], [1, 0, -1]], mode="valid")
    magnitude = np.hypot(rows, cols)[1:-1, 1:-1]  # the 24x24 valid part of the 5x5 kernel
    tiles = gallery["maps"]
    np.testing.assert_allclose(tiles[9]["values"]["values"], magnitude, rtol=1e-12)
    laplacian = scipy.signal.convolve2d(image, [[0, -1, 0], [-1, 4, -1], [0, -1, 0]], "valid")
    np.testing.assert_array_equal(tiles[6]["values"]["values"], laplacian[1:-1, 1:-1])
    assert tiles[6]["subtitle"] == f"max |value| {np.abs(laplacian[1:-1, 1:-1]).max():,.0f}"
    assert not gallery["shared"] and gallery["columns"] == 5
    assert gallery["scale_title"] == "Colour scale, each map on its own"
    assert any("only its valid part, 24×24 pixels" in c.value for c in at.caption)


@pytest.mark.parametrize("page", [PAGE, "lessons/pooling.py"])
@pytest.mark.parametrize(("height", "width"), [(2, 4000), (10, 800), (1, 1)])
def test_an_image_under_3_pixels_on_a_side_ends_in_a_clear_message(page, height, width):
    at = upload(page_test(page).run(), np.full((height, width, 3), 120, np.uint8))
    assert not at.exception
    small = "1×1" if width == 1 else f"160×{1 if height == 2 else 2}"
    assert [e.value for e in at.error] == [
        f"The image is {small} pixels (width × height): too small to slide a 3×3 kernel "
        "over. Every side needs at least 3 pixels. Pick or upload a larger image."
    ]
    assert not at.get("plotly_chart")
    upload(at, np.full((3, 3, 3), 120, np.uint8))
    assert not at.exception
    assert not [e for e in at.error if "too small" in e.value]


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
