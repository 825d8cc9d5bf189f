"""Each component from the keyboard alone, in Chromium, without a server.

A component's files (common.js, its JS and CSS) are loaded into a blank page and mounted with
data packed as the Python side packs it; then only Tab, the arrows, Home, End and Enter are
pressed, and what the component reads out or sends back is compared with the arrays here.
"""

from __future__ import annotations

import base64
import io
import json

import numpy as np
import pytest
from PIL import Image

from cnnviz.ui.components import encode_array
from cnnviz.ui.components.registry import HERE

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SHOW = json.dumps
RNG = np.random.default_rng(14)


def texts(*names: str) -> dict[str, str]:
    """Words for a component: each name stands for itself, so a readout can be predicted."""
    return {name: name for name in names}


@pytest.fixture
def mount(browser):
    """`mount(folder, data)`: a blank page with the component of `folder` mounted with `data`;
    what it sends back collects in `window.sent`."""
    context = browser.new_context(viewport={"width": 1000, "height": 800})
    page = context.new_page()

    def mounted(folder: str, data: dict):
        script = (
            (HERE / "common.js").read_text() + "\n" + next((HERE / folder).glob("*.js")).read_text()
        )
        script = script.replace("export default function", "window.mountComponent = function")
        style = (
            (HERE / "common.css").read_text()
            + "\n"
            + next((HERE / folder).glob("*.css")).read_text()
        )
        page.set_content("<html><body><main id='host'></main></body></html>")
        page.add_style_tag(content=style)
        page.add_script_tag(content=script)
        page.evaluate(
            """(data) => {
              window.sent = [];
              const host = document.getElementById('host');
              const component = {data, parentElement: host,
                                 setStateValue: (name, value) => window.sent.push([name, value])};
              window.remount = () => window.mountComponent(component);
              window.remount();
            }""",
            data,
        )
        page.locator("[data-ready=true]").wait_for()
        return page

    yield mounted
    context.close()


def focused_outline(page) -> str:
    return page.evaluate("() => getComputedStyle(document.activeElement).outlineStyle")


def test_the_map_gallery_reads_each_map_cell_by_cell(mount):
    maps = {"a": RNG.normal(size=(3, 4)), "b": RNG.normal(size=(5, 2))}
    data = {
        "maps": [
            {"title": name, "subtitle": None, "values": encode_array(values)}
            for name, values in maps.items()
        ],
        "stops": [[0.0, "#0000ff"], [0.5, "#ffffff"], [1.0, "#ff0000"]],
        "shared": True,
        "limit": 3.0,
        "columns": 2,
        "scale_title": "scale",
        "texts": texts("point", "max", "blue", "white", "red", "row", "column"),
        "version": "1",
    }
    page = mount("map_gallery", data)
    readout = page.locator(".mg-readout")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "a"
    assert focused_outline(page) == "solid", "the focused map shows it"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert readout.inner_text() == f"a: row 1, column 2 = {maps['a'][1, 2]:g}"
    page.keyboard.press("Tab")
    page.keyboard.press("End")
    assert readout.inner_text() == f"b: row 4, column 1 = {maps['b'][4, 1]:g}"
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Home")
    assert readout.inner_text() == f"a: row 0, column 0 = {maps['a'][0, 0]:g}"


def overview_data(conv: np.ndarray, dense: np.ndarray) -> dict:
    height, width, _ = conv.shape
    return {
        "input": encode_array(RNG.random((6, 6)).astype(np.float32), "float32"),
        "scales": {
            "never_negative": [[0.0, "#ffffff"], [1.0, "#ff0000"]],
            "signed": [[0.0, "#0000ff"], [0.5, "#ffffff"], [1.0, "#ff0000"]],
        },
        "layers": [
            {
                "name": "conv",
                "kind": "Conv2D",
                "title": "conv (Conv2D)",
                "values": encode_array(conv, "float32"),
                "never_negative": False,
                "explainable": True,
                "rows": [[r, 3] for r in range(height)],
                "cols": [[c, 3] for c in range(width)],
            },
            {
                "name": "dense",
                "kind": "Dense",
                "title": "dense (Dense)",
                "values": encode_array(dense, "float32"),
                "never_negative": True,
                "explainable": True,
                "rows": None,
                "cols": None,
            },
        ],
        "per_map": False,
        "pick": None,
        "class_names": ["x", "y", "z"],
        "pickable": True,
        "texts": texts("point", "input", "map", "unit", "class", "only_reshapes"),
        "version": "1",
    }


def test_the_network_overview_reads_and_picks_cells_from_the_keyboard(mount):
    conv = RNG.normal(size=(4, 4, 2)).astype(np.float32)
    dense = np.array([0.1, 0.7, 0.2], np.float32)
    page = mount("network_overview", overview_data(conv, dense))
    readout = page.locator(".no-readout")
    # Each layer's numeric legend: −max..max for signed maps, 0..max for a never-negative layer.
    limit, top = float(np.abs(conv).max()), float(dense.max())
    legends = [legend.split("\n") for legend in page.locator(".cx-legend-ticks").all_inner_texts()]
    assert legends == [[f"{-limit:g}", "0", f"{limit:g}"], ["0", f"{top / 2:g}", f"{top:g}"]]
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")  # the second map of the conv layer
    page.keyboard.press("ArrowDown")
    page.keyboard.press("ArrowRight")
    assert readout.inner_text() == f"conv · map 1 · (1, 1) = {float(conv[1, 1, 1]):g}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.sent") == [["pick", [0, 1, 1, 1]]]
    assert page.evaluate("() => document.activeElement.dataset.map") == "1", "focus kept"
    page.keyboard.press("Tab")  # the dense layer's units
    page.keyboard.press("End")
    assert readout.inner_text() == f"dense · unit 2 (class z) = {float(dense[2]):g}"
    page.keyboard.press("Enter")
    assert page.evaluate("() => window.sent")[-1] == ["pick", [1, 2, None, None]]


def png_url(side: int) -> str:
    buffer = io.BytesIO()
    Image.fromarray(RNG.integers(0, 256, (side, side, 3), dtype=np.uint8)).save(buffer, "PNG")
    return "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode("ascii")


def test_the_photo_window_moves_from_the_keyboard(mount):
    data = {
        "picture": png_url(64),
        "size": [64, 64],
        "window": [0, 0],
        "side": 16,
        "positions": {"rows": [0, 16, 32, 48], "cols": [0, 16, 32, 48]},
        "title": "photo",
        "texts": {"readout": "point", "hover": "{top}-{bottom}, {left}-{right}"},
        "version": "1",
    }
    page = mount("photo_window", data)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.getAttribute('aria-label')") == "photo"
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert page.locator(".pw-readout").inner_text() == "16-31, 32-47"
    assert page.evaluate("() => window.sent") == [], "a preview sends nothing"
    page.keyboard.press("Enter")
    page.keyboard.press("End")
    page.keyboard.press("Space")
    assert page.evaluate("() => window.sent") == [["window", [16, 32]], ["window", [48, 48]]]
