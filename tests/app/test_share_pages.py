"""Shared links, page by page: a link's parameters set the widgets before the first run (the
outputs then match an independent reference), a bad parameter is ignored with a warning that
says what it accepts, and a changed widget changes the link (defaults left out, other
parameters left alone)."""

import urllib.parse

import numpy as np
import pytest
import scipy.signal
from numpy.lib.stride_tricks import sliding_window_view

from cnnviz import datasets, images
from cnnviz.ui.session_keys import ARCHITECTURE_CONFIG
from cnnviz.ui.share_codecs import Digit
from tests.app.conftest import canvas_state, chart, component_data, page_test, png_bytes

pytestmark = pytest.mark.slow

CONVOLUTION, POOLING, HOME = "lessons/convolution.py", "lessons/pooling.py", "lessons/home.py"


@pytest.fixture(scope="module")
def sample():
    return datasets.load_dataset("mnist-sample")


def opened(page: str, **link: str):
    """The app opened on `page` by a link with these parameters."""
    at = page_test(page)
    for name, value in link.items():
        at.query_params[name] = value
    return at.run()


def explorer(at):
    return component_data(at, "window_explorer")


def output_values(at):
    return explorer(at)["output"]["values"].astype(np.float64)


def link_box(at) -> str:
    """The link the "Copy link" popover shows."""
    (box,) = at.code
    return box.value


def warnings(at) -> list[str]:
    return [warning.value for warning in at.warning]


def test_a_link_sets_the_kernel_strides_and_sample_of_the_convolution_page(sample):
    weights = "1,2,0;0,-1,0;0,0,3"
    at = opened(
        CONVOLUTION,
        kernel="custom",
        weights=weights,
        strides="2",
        index="5",
        operation="correlation",
        lang="es",
    )
    assert not at.exception and not warnings(at)
    assert at.selectbox(key="convolution_preset").value == "Custom"
    assert at.slider(key="convolution_strides").value == 2
    assert at.number_input(key="picker_index").value == 5
    kernel = np.array([[1, 2, 0], [0, -1, 0], [0, 0, 3]], dtype=float)
    digit = sample.x_test[5].astype(float)
    expected = scipy.signal.correlate2d(digit, kernel, mode="valid")[::2, ::2]
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)
    np.testing.assert_array_equal(explorer(at)["kernel"], kernel)
    # The link stays as it was opened, and the popover shows it.
    assert at.query_params == {
        "kernel": "custom",
        "weights": weights,
        "strides": "2",
        "index": "5",
        "operation": "correlation",
        "lang": "es",
    }
    path, query = link_box(at).split("?")
    assert path.endswith("convolution") and "weights=1,2,0;0,-1,0;0,0,3" in query
    assert dict(urllib.parse.parse_qsl(query)) == at.query_params


def test_a_linked_kernel_is_convolved_when_the_operation_is_left_at_its_default(sample):
    at = opened(CONVOLUTION, kernel="custom", size="5", weights=";".join(["0,0,0,0,1"] * 5))
    assert not at.exception
    assert at.radio(key="convolution_size").value == 5
    kernel = np.zeros((5, 5))
    kernel[:, 4] = 1
    expected = scipy.signal.convolve2d(sample.x_test[0].astype(float), kernel, mode="valid")
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)


def test_an_edited_preset_travels_as_its_cells(sample):
    at = opened(CONVOLUTION, kernel="sobel-vertical-edges", weights="1,0,-1;5,0,-5;1,0,-1")
    assert at.selectbox(key="convolution_preset").value == "Sobel vertical edges"
    kernel = np.array([[1, 0, -1], [5, 0, -5], [1, 0, -1]], dtype=float)
    expected = scipy.signal.convolve2d(sample.x_test[0].astype(float), kernel, mode="valid")
    np.testing.assert_allclose(output_values(at), expected, rtol=1e-6)
    # Another preset drops the linked cells: the gallery's kernel, and no weights in the link.
    at.selectbox(key="convolution_preset").set_value("Laplacian").run()
    assert "weights" not in at.query_params and at.query_params["kernel"] == "laplacian"


def test_bad_parameters_are_ignored_with_what_they_accept(sample):
    at = opened(CONVOLUTION, strides="9", kernel="nope", weights="1,2;3,4", padding="same")
    assert not at.exception
    found = warnings(at)
    assert (
        "The link's parameter strides was ignored: it received '9'. Accepted: a whole number "
        "from 1 to 3." in found
    )
    assert any(
        w.startswith(
            "The link's parameter kernel was ignored: it received 'nope'. "
            "Accepted: horizontal-lines,"
        )
        for w in found
    )
    assert any("parameter weights was ignored: it received '1,2;3,4'" in w for w in found)
    assert len(found) == 3
    assert at.slider(key="convolution_strides").value == 1
    assert at.radio(key="convolution_padding").value == "same"  # the good one is used
    assert at.query_params == {"padding": "same"}  # the bad ones leave the link


def test_a_bad_parameter_is_explained_in_spanish():
    at = opened(CONVOLUTION, strides="cuatro", lang="es")
    assert warnings(at) == [
        "Se ha ignorado el parámetro strides del enlace: se recibió 'cuatro'. Se acepta: un "
        "número entero de 1 a 3."
    ]
    assert any(c.value.startswith("Este enlace abre esta página") for c in at.caption)


def test_changing_widgets_rewrites_only_the_pages_parameters():
    at = opened(CONVOLUTION, lang="es", presenter="0", step="3")
    assert at.query_params == {"lang": "es", "presenter": "0", "step": "3"}
    at.slider(key="convolution_strides").set_value(3).run()
    at.radio(key="convolution_operation").set_value(
        at.radio(key="convolution_operation").options[1]
    ).run()
    at.toggle(key="convolution_relu").set_value(True).run()
    assert at.query_params == {
        "lang": "es",
        "presenter": "0",
        "step": "3",
        "strides": "3",
        "operation": "correlation",
        "relu": "1",
    }
    at.slider(key="convolution_strides").set_value(1).run()  # back to its default: left out
    assert "strides" not in at.query_params and at.query_params["relu"] == "1"
    at.session_state["convolution_editor_Horizontal lines_3"] = {
        "edited_rows": {1: {"2": "7"}},
        "added_rows": [],
        "deleted_rows": [],
    }
    at.run()
    assert at.query_params["weights"] == "-1,-1,-1;2,7,2;-1,-1,-1"
    assert "weights=-1,-1,-1;2,7,2;-1,-1,-1" in link_box(at)


def test_the_explained_position_travels_once_moved():
    at = opened(CONVOLUTION)
    assert "pos" not in at.query_params  # it starts on the strongest output
    at.session_state["convolution_row"], at.session_state["convolution_col"] = 3, 4
    at.run()
    assert at.query_params["pos"] == "3,4"
    other = opened(CONVOLUTION, pos="3,4")
    assert tuple(explorer(other)["pick"]) == (3, 4)
    assert other.query_params == {"pos": "3,4"}


def test_a_drawn_digit_travels_in_the_link(drawn_seven):
    at = opened(HOME)
    at.radio(key="picker_source").set_value("Draw a digit").run()
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    assert at.query_params["src"] == "draw"
    text = at.query_params["digit"]
    assert text == Digit().encode(drawn_seven)
    other = opened(CONVOLUTION, src="draw", digit=text)
    assert not other.exception and not warnings(other)
    digit = Digit().decode(text)
    drawing = np.kron(digit, np.ones((10, 10), dtype=np.uint8))
    expected = images.working_image(np.dstack([drawing] * 3)).values
    np.testing.assert_array_equal(explorer(other)["input"]["values"], expected)
    assert other.query_params["digit"] == text  # the drawing stays in the link


def test_an_upload_cannot_travel_and_the_popover_says_so():
    photo = np.random.default_rng(3).integers(0, 256, (30, 40, 3), dtype=np.uint8)
    at = opened(HOME)
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("p.png", png_bytes(photo), "image/png").run()
    assert "src" not in at.query_params
    assert any("a link cannot carry it" in info.value for info in at.info)


def test_home_opens_on_the_linked_example_of_a_class(sample):
    at = opened(HOME, **{"class": "7", "index": "3", "normalised": "1"})
    assert not at.exception and not warnings(at)
    index = np.flatnonzero(sample.y_test == 7)[3]
    grid = np.asarray(chart(at, "home_grid_Gray")["data"][0]["z"])
    np.testing.assert_allclose(grid, sample.x_test[index] / 255, atol=1e-6)


def test_a_built_in_image_and_its_window_travel():
    at = opened(HOME, src="builtin", builtin="checkerboard", top="16", left="16")
    assert not at.exception and not warnings(at)
    board = images.synthetic_images()["Checkerboard"]
    grid = np.asarray(chart(at, "home_grid_Red")["data"][0]["z"])
    np.testing.assert_array_equal(grid, board[16:32, 16:32, 0])


def test_pooling_settings_travel(sample):
    at = opened(POOLING, pool="image", method="average", size="3", keras_strides="0", strides="2")
    assert not at.exception and not warnings(at)
    windows = sliding_window_view(sample.x_test[0].astype(float), (3, 3))[::2, ::2]
    np.testing.assert_allclose(output_values(at), windows.mean(axis=(2, 3)), rtol=1e-6)
    at.radio(key="pooling_method").set_value("max").run()
    assert "method" not in at.query_params and at.query_params["strides"] == "2"


def test_the_network_of_the_architecture_page_travels():
    at = opened(
        "lessons/architecture.py", blocks="3", b3_filters="40", b1_padding="same", dropout="0.25"
    )
    assert not at.exception and not warnings(at)
    config = at.session_state[ARCHITECTURE_CONFIG]
    assert [block["filters"] for block in config["conv_blocks"]] == [16, 32, 40]
    assert config["conv_blocks"][0]["padding"] == "same" and config["dropout"] == 0.25
    at.slider(key="architecture_net_blocks").set_value(2).run()
    assert "b3_filters" not in at.query_params  # a block that is not used is left out
    assert at.query_params["b1_padding"] == "same"


def test_training_settings_travel(models_dir):
    at = opened("lessons/training.py", epochs="3", seed="7", learning_rate="0.01", dropout="0.3")
    assert not at.exception and not warnings(at)
    assert at.number_input(key="training_epochs").value == 3
    assert at.number_input(key="training_seed").value == 7
    assert at.number_input(key="training_learning_rate").value == pytest.approx(0.01)
    assert at.slider(key="training_dropout").value == pytest.approx(0.3)
    at.number_input(key="training_seed").set_value(8).run()
    assert at.query_params["seed"] == "8" and at.query_params["epochs"] == "3"


def test_transfer_settings_travel():
    at = opened(
        "lessons/transfer.py",
        target="sklearn-digits",
        methods="features,scratch",
        per_class="50",
        seed="3",
    )
    assert not at.exception and not warnings(at)
    assert at.radio(key="transfer_target").value == "sklearn-digits"
    assert at.multiselect(key="transfer_methods").value == ["features", "scratch"]
    assert at.select_slider(key="transfer_per_class").value == 50
    assert at.number_input(key="transfer_seed").value == 3
    at.select_slider(key="transfer_per_class").set_value(10).run()  # its default
    assert "per_class" not in at.query_params and at.query_params["seed"] == "3"
