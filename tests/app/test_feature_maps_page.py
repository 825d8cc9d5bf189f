import json
import re

import numpy as np
import pytest

from cnnviz import datasets, network, ui
from cnnviz.ui.components.network_overview import store_pick
from tests.app.conftest import canvas_state, chart, component_data, page_test, unpack_component

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


def overview(at, which=None) -> dict:
    """The data of the page's network overview (`which`: "main" or "other" when comparing)."""
    found = [
        e for e in at.get("bidi_component") if e.proto.component_name == "cnnviz.network_overview"
    ]
    if which is not None:
        found = [e for e in found if e.proto.id.endswith(f"feature_maps_overview_{which}")]
    assert found, "no network overview on the page"
    return unpack_component(json.loads(found[0].proto.json))


def lecture_page():
    """The page on the lecture's network, which most tests compare with (four bundled models
    are offered; the transfer-learning sources `digits-0-4` and `fashion` come first by name)."""
    at = page_test(PAGE)
    at.session_state["feature_maps_model"] = "lecture"
    return at


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0].astype(np.float32) / 255.0


def test_the_page_shows_a_prediction_and_one_grid_per_layer(digit):
    at = lecture_page().run()
    assert not at.exception
    expected = ui.engine_client().predict("lecture", digit[None])[0]
    probabilities = np.asarray(chart(at, "feature_maps_probabilities")["data"][0]["y"])
    np.testing.assert_allclose(probabilities, expected, rtol=1e-5)
    assert at.metric[0].value == str(int(np.argmax(expected)))
    layers = overview(at)["layers"]
    assert [layer["name"] for layer in layers] == LECTURE_LAYERS
    assert layers[0]["title"] == "conv2d_1 (Conv2D) → (None, 26, 26, 16)"
    truth = ui.engine_client().layer_activations("lecture", digit)
    for layer, output in zip(layers, truth, strict=True):
        np.testing.assert_array_equal(layer["values"]["values"], output.output.astype(np.float32))
    np.testing.assert_array_equal(overview(at)["input"]["values"], digit)


def test_a_chosen_pixel_is_computed_by_hand_exactly(digit):
    at = lecture_page().run()
    at.selectbox(key="feature_maps_layer").set_value("conv2d_2").run()
    at.number_input(key="feature_maps_channel").set_value(7).run()
    at.number_input(key="feature_maps_row").set_value(3).run()
    at.number_input(key="feature_maps_col").set_value(8).run()
    assert not at.exception
    text = at.success[0].value
    by_hand, model = (float(v) for v in re.findall(r"\*\*(-?[\d.e+-]+)\*\*", text))
    truth = ui.engine_client().layer_activations("lecture", digit)[2].output[3, 8, 7]
    assert by_hand == pytest.approx(truth, abs=1e-5) and model == pytest.approx(truth, abs=1e-5)
    outputs = ui.engine_client().layer_activations("lecture", digit)
    explained = network.explain_activation(outputs, digit, "conv2d_2", 7, 3, 8)
    assert explained.window.shape == (3, 3, 16)
    shown = component_data(at, "number_grids")  # input channel 0 of the 16
    assert [grid["title"] for grid in shown["grids"]] == ["Window", "Kernel", "Window × kernel"]
    assert shown["operators"] == ["×", "="]
    window, kernel, products = (grid["values"]["values"] for grid in shown["grids"])
    np.testing.assert_array_equal(window, explained.window[:, :, 0])
    np.testing.assert_array_equal(products, explained.products[:, :, 0])
    np.testing.assert_allclose(products, window * kernel, rtol=1e-6)


def test_a_drawing_is_preprocessed_and_classified(drawn_seven):
    at = lecture_page().run()
    at.radio(key="picker_source").set_value("Draw a digit").run()
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    assert not at.exception
    assert any("28×28 MNIST digit" in e.label for e in at.expander)
    assert at.metric[0].value == "7"


def test_the_second_model_and_the_filters_tab():
    at = lecture_page().run()
    at.selectbox(key="feature_maps_compare").set_value("regularised").run()
    assert chart(at, "feature_maps_compare_probabilities")["data"][0]["y"] is not None
    assert [m.value for m in at.markdown if m.value in ("**lecture**", "**regularised**")] == [
        "**lecture**",
        "**regularised**",
    ], "the two models side by side"
    other = overview(at, "other")
    assert other["layers"][0]["title"] == "conv2d_1 (Conv2D) → (None, 26, 26, 32)"
    assert other["pick"] is None and not other["pickable"]
    assert overview(at, "main")["layers"][0]["title"].endswith("(None, 26, 26, 16)")
    assert "feature_maps_filters_conv2d_1" not in str([c.proto.id for c in at.get("plotly_chart")])
    at.session_state["feature_maps_tab"] = "Learned filters"  # only the open tab is computed
    at.run()
    filters = np.asarray(chart(at, "feature_maps_filters_conv2d_1")["data"][0]["z"], dtype=float)
    assert filters.shape == (2 * 4 - 1, 8 * 4 - 1), "the lecture's 2×8 grid of 3×3 filters"
    at.toggle(key="feature_maps_do_maximise").set_value(True).run()
    gallery = chart(at, "feature_maps_maxima")
    assert len(gallery["data"]) == 32


def test_evidence_and_robustness():
    at = lecture_page().run()
    at.session_state["feature_maps_tab"] = "What drove the decision"
    at.run()
    cam = np.asarray(chart(at, "feature_maps_gradcam")["data"][1]["z"], dtype=float)
    assert cam.shape == (28, 28)
    assert np.nanmax(cam) <= 1.0
    table = at.dataframe[-1].value
    assert len(table) == 17 and table.iloc[0]["Variant"] == "original"
    assert list(table.columns) == [
        "Variant",
        "Predicted",
        "Confidence",
        "Answer changed",
        "Belief in the first answer",
    ]
    overlay = chart(at, "feature_maps_gradcam")["data"][1]
    assert overlay["colorscale"][-1][1].lower() not in ("#ffffff", "rgb(255,255,255)", "white")


def test_bad_upload_shows_an_error_not_a_traceback():
    at = lecture_page().run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("x.png", b"not an image", "image/png").run()
    assert not at.exception
    assert at.error


def test_json_manifest_class_names_label_the_bars():
    at = lecture_page().run()
    labels = chart(at, "feature_maps_probabilities")["data"][0]["x"]
    assert json.dumps(labels) == json.dumps([str(n) for n in range(10)])


def test_the_input_the_network_sees_is_shown_for_every_source(digit, drawn_seven):
    at = lecture_page().run()
    shown = overview(at)["input"]["values"]  # beside the prediction, the overview's input
    np.testing.assert_allclose(shown, digit, atol=1e-6)
    at.radio(key="picker_source").set_value("Draw a digit").run()
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    drawn = overview(at)["input"]["values"]
    assert drawn.shape == (28, 28) and drawn.max() == pytest.approx(1.0)


def test_maps_are_numbered_and_start_on_an_active_value(digit):
    at = lecture_page().run()
    data = overview(at)
    first = ui.engine_client().layer_activations("lecture", digit)[0].output
    row, col, channel = np.unravel_index(int(np.argmax(first)), first.shape)
    assert at.selectbox(key="feature_maps_layer").value == "conv2d_1"
    picked = [at.number_input(key=f"feature_maps_{k}").value for k in ("channel", "row", "col")]
    assert picked == [channel, row, col] and first[row, col, channel] > 0
    assert data["pick"] == [0, channel, row, col]  # outlined on its map
    # Receptive fields: a conv2d_1 value sees the 3×3 pixels under its kernel...
    assert data["layers"][0]["rows"][row] == [row, 3] and data["layers"][0]["cols"][col] == [col, 3]
    # ...and a conv2d_2 value 8×8 of them (3 + 1 + 2×2 through the pooling), cut at the edge.
    assert data["layers"][2]["rows"][0] == [0, 8] and data["layers"][2]["cols"][10] == [20, 8]
    field = chart(at, "feature_maps_receptive_field")["layout"]["shapes"][0]
    assert (field["x0"], field["y0"], field["x1"], field["y1"]) == (
        col - 0.5,
        row - 0.5,
        col + 2.5,
        row + 2.5,
    ), "a conv2d_1 value sees the 3×3 pixels under its kernel"


def test_relu_maps_use_a_sequential_scale_and_signed_maps_a_diverging_one():
    at = lecture_page().run()
    data = overview(at)
    assert data["layers"][0]["never_negative"]
    assert data["scales"]["never_negative"][0][1].lower() in ("#fff5f0", "rgb(255,245,240)")
    assert data["scales"]["signed"][5][1] == "rgb(247,247,247)"  # white in the middle: 0
    at.selectbox(key="feature_maps_model").set_value("regularised").run()
    layers = overview(at)["layers"]
    assert not layers[0]["never_negative"]  # Conv2D before batch norm
    assert [layer["never_negative"] for layer in layers[:4]] == [False, False, True, True]


def test_a_click_in_the_overview_picks_the_value_to_explain(digit):
    at = lecture_page().run()
    # What the component's click does: its pick, then the callback before the next run.
    keys = ("feature_maps_layer", "feature_maps_channel", "feature_maps_row", "feature_maps_col")
    outputs = ui.engine_client().layer_activations("lecture", digit)
    state = {"feature_maps_overview": {"pick": [2, 5, 4, 6]}}
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr("streamlit.session_state", state)
        store_pick("feature_maps_overview", outputs, keys)
    for key in keys:
        at.session_state[key] = state[key]
    at.run()
    assert not at.exception
    assert overview(at)["pick"] == [2, 5, 4, 6]
    text = at.success[0].value
    model = float(re.findall(r"\*\*(-?[\d.e+-]+)\*\*", text)[1])
    assert model == pytest.approx(outputs[2].output[4, 6, 5], abs=1e-5)


def test_batch_norm_arithmetic_is_written_with_proper_signs():
    at = lecture_page().run()
    at.selectbox(key="feature_maps_model").set_value("regularised").run()
    at.selectbox(key="feature_maps_layer").set_value("batch_normalization_1").run()
    line = next(m.value for m in at.markdown if "Batch normalisation, γ" in m.value)
    assert "− -" not in line and "+ -" not in line and "-" not in line.split(":", 1)[1]


def test_a_picture_that_is_not_a_digit_gets_a_caveat():
    at = lecture_page().run()
    at.radio(key="picker_source").set_value("Built-in image").run()
    at.selectbox(key="picker_builtin").set_value("China (scikit-learn sample)").run()
    assert any("does not look like an MNIST digit" in w.value for w in at.warning)


def test_a_run_saved_again_under_its_name_shows_the_new_model(tmp_path, monkeypatch, tiny_cnn):
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    ui.engine_client().close()
    ui.engine_client.clear()
    manifest = json.dumps({"class_names": [str(n) for n in range(10)]})
    digit = datasets.load_dataset("mnist-sample").x_test[0].astype(np.float32) / 255.0
    shown = []
    for seed in (0, 1):
        model = tiny_cnn(seed=seed)
        model.save(tmp_path / "swap.keras")
        (tmp_path / "swap.json").write_text(manifest)
        at = page_test(PAGE)
        at.session_state["feature_maps_model"] = "swap"
        at.run()
        probabilities = np.asarray(chart(at, "feature_maps_probabilities")["data"][0]["y"])
        expected = model(digit[None, :, :, None], training=False).numpy()[0]
        np.testing.assert_allclose(probabilities, expected, rtol=1e-4, atol=1e-6)
        shown.append(probabilities)
    assert not np.allclose(shown[0], shown[1])
    ui.engine_client().close()
    ui.engine_client.clear()


def test_damaged_runs_are_skipped_with_a_warning_and_short_class_names_numbered(
    tmp_path, monkeypatch, tiny_cnn
):
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    ui.engine_client().close()
    ui.engine_client.clear()
    for name, manifest in (
        ("few-names", {"class_names": ["zero", "one"]}),  # a model with 10 outputs
        ("broken", {"class_names": "0123456789", "config": {"model": []}}),
    ):
        tiny_cnn(seed=0).save(tmp_path / f"{name}.keras")
        (tmp_path / f"{name}.json").write_text(json.dumps(manifest))
    (tmp_path / "junk.json").write_text("[[[[" * 10_000)
    at = page_test(PAGE)
    at.session_state["feature_maps_model"] = "few-names"
    at.run()
    assert not at.exception
    warnings = [warning.value for warning in at.warning]
    for file in ("broken.json", "junk.json", "few-names.json"):
        assert any(str(tmp_path / file) in warning for warning in warnings), (file, warnings)
    assert "broken" not in at.selectbox(key="feature_maps_model").options
    labels = chart(at, "feature_maps_probabilities")["data"][0]["x"]
    assert json.dumps(labels) == json.dumps([str(n) for n in range(10)])
    ui.engine_client().close()
    ui.engine_client.clear()


def test_the_four_bundled_models_are_offered():
    at = page_test(PAGE).run()
    assert not at.exception
    offered = at.selectbox(key="feature_maps_model").options
    assert {"lecture", "regularised", "digits-0-4", "fashion"} <= set(offered)


def test_the_page_opens_on_the_lectures_network():
    at = page_test(PAGE).run()
    assert at.selectbox(key="feature_maps_model").value == "lecture"


def test_a_five_class_model_names_its_outputs_0_to_4(digit):
    at = page_test(PAGE)
    at.session_state["feature_maps_model"] = "digits-0-4"
    at.run()
    assert not at.exception and not at.error
    five = [str(n) for n in range(5)]
    expected = ui.engine_client().predict("digits-0-4", digit[None])[0]
    bars = chart(at, "feature_maps_probabilities")["data"][0]
    assert list(bars["x"]) == five
    np.testing.assert_allclose(np.asarray(bars["y"]), expected, rtol=1e-5)
    assert at.metric[0].value == str(int(np.argmax(expected)))
    assert overview(at)["class_names"] == five
    at.session_state["feature_maps_tab"] = "What drove the decision"
    at.run()
    assert not at.exception
    assert set(at.dataframe[-1].value["Predicted"]) <= set(five)


def test_a_second_model_is_labelled_with_its_own_classes():
    at = page_test(PAGE)
    at.session_state["feature_maps_model"] = "digits-0-4"
    at.run()
    at.selectbox(key="feature_maps_compare").set_value("fashion").run()
    assert not at.exception
    clothes = list(datasets.FASHION_CLASS_NAMES)
    assert list(chart(at, "feature_maps_compare_probabilities")["data"][0]["x"]) == clothes
    assert overview(at, "other")["class_names"] == clothes
    assert overview(at, "main")["class_names"] == [str(n) for n in range(5)]
    said = [c.value for c in at.caption if c.value.startswith("fashion predicts ")]
    assert len(said) == 1 and said[0].removeprefix("fashion predicts ").rstrip(".") in clothes
