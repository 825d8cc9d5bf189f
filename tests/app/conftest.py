"""Shared helpers for AppTest page tests (every page test is in the slow tier)."""

import base64
import io
import json
from pathlib import Path

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz import ui

REPO = Path(__file__).resolve().parents[2]
TIMEOUT = 60
HOME = "lessons/home.py"  # the page `streamlit run app.py` opens first


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    """A fresh engine (started by the page) that saves runs into a temporary folder."""
    directory = tmp_path_factory.mktemp("runs")
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNVIZ_MODELS_DIR", str(directory))
        ui.engine_client.clear()
        yield directory
        ui.engine_client().close()
        ui.engine_client.clear()


def page_test(page: str = HOME) -> AppTest:
    """An AppTest of the app opened on one page (a path from the repository root).

    The app is started from `app.py`, as `streamlit run app.py` does, so that the navigation
    and the links between pages work as they do for a user.
    """
    at = AppTest.from_file(str(REPO / "app.py"), default_timeout=TIMEOUT)
    if page != HOME:
        at.switch_page(page)
    return at


def decode_arrays(value):
    """Plotly sends NumPy arrays as typed arrays ({"dtype", "bdata", "shape"}): unpack them."""
    if isinstance(value, dict):
        if "bdata" in value and "dtype" in value:
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            shape = value.get("shape")
            if shape:
                array = array.reshape([int(n) for n in str(shape).split(",")])
            return array
        return {name: decode_arrays(item) for name, item in value.items()}
    if isinstance(value, list):
        return [decode_arrays(item) for item in value]
    return value


def chart(at: AppTest, key: str) -> dict:
    """The plotly figure (as a dict, arrays decoded) of the chart drawn with this widget key."""
    for element in at.get("plotly_chart"):
        if element.proto.id.endswith(f"-{key}"):
            return decode_arrays(json.loads(element.proto.spec))
    keys = [element.proto.id.rsplit("-", 1)[-1] for element in at.get("plotly_chart")]
    raise KeyError(f"No chart with key {key!r}; charts on the page: {keys}")


def unpack_component(value):
    """A component's data with its packed arrays ({"data", "dtype", "shape"}) as NumPy arrays."""
    if isinstance(value, dict):
        if set(value) >= {"data", "dtype", "shape"} and isinstance(value["data"], str):
            raw = np.frombuffer(base64.b64decode(value["data"]), dtype=value["dtype"])
            array = raw.reshape(value["shape"])
            rest = {k: unpack_component(v) for k, v in value.items() if k not in ("data", "dtype")}
            return {**rest, "values": array}
        return {name: unpack_component(item) for name, item in value.items()}
    if isinstance(value, list):
        return [unpack_component(item) for item in value]
    return value


def component_data(at: AppTest, name: str) -> dict:
    """The data the page sent to its browser component `name` (for example "window_explorer"),
    arrays unpacked: each packed array becomes a dict whose "values" is the array."""
    found = [e for e in at.get("bidi_component") if e.proto.component_name == f"cnnviz.{name}"]
    if not found:
        names = [e.proto.component_name for e in at.get("bidi_component")]
        raise KeyError(f"No component {name!r} on the page; components: {names}")
    return unpack_component(json.loads(found[0].proto.json))


def png_bytes(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, format="PNG")
    return buffer.getvalue()


def canvas_state(rgba: np.ndarray) -> dict:
    """What the drawing canvas puts in session state after a stroke."""
    url = "data:image/png;base64," + base64.b64encode(png_bytes(rgba)).decode()
    return {"drawing": {"raw": {"objects": [{"type": "path"}]}, "data": url}}


@pytest.fixture
def drawn_seven() -> np.ndarray:
    """A 280x280 RGBA canvas with a white 7 drawn on black."""
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[:, :, 3] = 255
    canvas[60:80, 70:210, :3] = 255
    for step in range(150):
        row, col = 80 + step, 205 - step // 2
        canvas[row : row + 3, col - 10 : col + 10, :3] = 255
    return canvas
