import json
import re

import numpy as np
import pytest

from cnnviz import datasets, network, ui
from tests.app.conftest import canvas_state, chart, page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/feature_maps.py"
LECTURE_LAYERS = [
    "conv2d_1",
    "max_pooling2d_1",
    "conv2d_2",
    "max_pooling2d_2",
    "flatten",
    "dense_1",
    "output",
]


@pytest.fixture(scope="module", autouse=True)
def engine_per_module():
    yield
    ui.engine_client().close()
    ui.engine_client.clear()


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0].astype(np.float32) / 255.0


def test_the_page_shows_a_prediction_and_one_grid_per_layer(digit):
    at = page_test(PAGE).run()
    assert not at.exception
    expected = ui.engine_client().predict("lecture", digit[None])[0]
    probabilities = np.asarray(chart(at, "feature_maps_probabilities")["data"][0]["y"])
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5)
    assert at.metric[0].value == str(int(np.argmax(expected)))
    titles = [chart(at, f"feature_maps_layer{i}")["layout"]["title"]["text"] for i in range(7)]
    assert [title.split(" ")[0] for title in titles] == LECTURE_LAYERS
    assert titles[0] == "conv2d_1 (Conv2D) → (None, 26, 26, 16)"
    tiles = np.asarray(chart(at, "feature_maps_layer0")["data"][0]["z"], dtype=float)
    first_map = ui.engine_client().layer_activations("lecture", digit)[0].output[:, :, 0]
    np.testing.assert_allclose(tiles[:26, :26], first_map, rtol=1e-5, atol=1e-6)


def test_a_chosen_pixel_is_computed_by_hand_exactly(digit):
    at = page_test(PAGE).run()
    at.selectbox(key="feature_maps_layer").set_value("conv2d_2").run()
    at.number_input(key="feature_maps_channel").set_value(7).run()
    at.slider(key="feature_maps_row").set_value(3).run()
    at.slider(key="feature_maps_col").set_value(8).run()
    assert not at.exception
    text = at.success[0].value
    by_hand, model = (float(v) for v in re.findall(r"\*\*(-?[\d.e+-]+)\*\*", text))
    truth = ui.engine_client().layer_activations("lecture", digit)[2].output[3, 8, 7]
    assert by_hand == pytest.approx(truth, abs=1e-5) and model == pytest.approx(truth, abs=1e-5)
    outputs = ui.engine_client().layer_activations("lecture", digit)
    explained = network.explain_activation(outputs, digit, "conv2d_2", 7, 3, 8)
    assert explained.window.shape == (3, 3, 16)


def test_a_drawing_is_preprocessed_and_classified(drawn_seven):
    at = page_test(PAGE).run()
    at.radio(key="picker_source").set_value("Draw a digit").run()
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    assert not at.exception
    assert any("28×28 MNIST digit" in e.label for e in at.expander)
    assert at.metric[0].value == "7"


def test_the_second_model_and_the_filters_tab():
    at = page_test(PAGE).run()
    at.selectbox(key="feature_maps_compare").set_value("regularised").run()
    assert chart(at, "feature_maps_compare_probabilities")["data"][0]["y"] is not None
    title = chart(at, "feature_maps_other0")["layout"]["title"]["text"]
    assert title == "regularised: conv2d_1 (Conv2D) → (None, 26, 26, 32)"
    filters = np.asarray(chart(at, "feature_maps_filters_conv2d_1")["data"][0]["z"], dtype=float)
    assert filters.shape == (2 * 4 - 1, 8 * 4 - 1), "the lecture's 2×8 grid of 3×3 filters"
    at.toggle(key="feature_maps_do_maximise").set_value(True).run()
    gallery = chart(at, "feature_maps_maxima")
    assert len(gallery["data"]) == 32


def test_evidence_and_robustness():
    at = page_test(PAGE).run()
    cam = np.asarray(chart(at, "feature_maps_gradcam")["data"][1]["z"], dtype=float)
    assert cam.shape == (28, 28)
    assert np.nanmax(cam) <= 1.0
    table = at.dataframe[-1].value
    assert len(table) == 17 and table.iloc[0]["variant"] == "original"


def test_bad_upload_shows_an_error_not_a_traceback():
    at = page_test(PAGE).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("x.png", b"not an image", "image/png").run()
    assert not at.exception
    assert at.error


def test_json_manifest_class_names_label_the_bars():
    at = page_test(PAGE).run()
    labels = chart(at, "feature_maps_probabilities")["data"][0]["x"]
    assert json.dumps(labels) == json.dumps([str(n) for n in range(10)])
