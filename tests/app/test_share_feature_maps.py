"""A link to the Feature maps page opens the same model, compared model, digit, layer, map and
position (the value computed by hand); an unknown model is refused with the models there are."""

import numpy as np
import pytest

from cnnviz import datasets, ui
from cnnviz.ui.worked_example import CHANNEL_KEY, COL_KEY, LAYER_KEY, ROW_KEY
from tests.app.conftest import page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/feature_maps.py"


@pytest.fixture(scope="module", autouse=True)
def engine_per_module():
    yield
    ui.engine_client().close()
    ui.engine_client.clear()


def opened(**link):
    at = page_test(PAGE)
    for name, value in link.items():
        at.query_params[name] = value
    return at.run()


def test_a_link_opens_the_same_models_layer_unit_and_position():
    at = opened(
        model="lecture", compare="regularised", index="2", layer="conv2d_2", unit="5", at="3,4"
    )
    assert not at.exception and not [w.value for w in at.warning if "link" in w.value]
    assert at.selectbox(key="feature_maps_model").value == "lecture"
    assert at.selectbox(key="feature_maps_compare").value == "regularised"
    assert at.selectbox(key=LAYER_KEY).value == "conv2d_2"
    assert at.number_input(key=CHANNEL_KEY).value == 5
    assert (at.number_input(key=ROW_KEY).value, at.number_input(key=COL_KEY).value) == (3, 4)
    digit = datasets.load_dataset("mnist-sample").x_test[2]
    shown = at.session_state["picker_saved_picker_index"]
    assert shown == 2 and digit.shape == (28, 28)
    assert at.query_params["compare"] == "regularised" and at.query_params["at"] == "3,4"
    at.number_input(key=CHANNEL_KEY).set_value(7).run()
    assert at.query_params["unit"] == "7"


def test_an_unknown_model_is_refused_with_the_models_there_are():
    at = opened(model="someone-elses-run")
    assert not at.exception
    (warning,) = [w.value for w in at.warning if "link" in w.value]
    assert warning.startswith(
        "The link's parameter model was ignored: it received 'someone-elses-run'. Accepted: "
    )
    assert "lecture" in warning and "regularised" in warning
    assert at.selectbox(key="feature_maps_model").value == "lecture"
    assert "model" not in at.query_params
    assert np.isfinite(at.number_input(key=CHANNEL_KEY).value)
