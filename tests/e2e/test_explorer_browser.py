"""The window explorers in a real browser: hover answers at once without the server, a click
or an arrow key picks a pixel for the server's explanation, Play runs to the end."""

import pytest

from cnnviz import convolution, datasets

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def open_explorer(page, url):
    page.goto(url)
    explorer = page.locator(".cx[data-ready=true]")
    explorer.wait_for()
    return explorer


def cell_centre(canvas, row, col, rows, cols):
    box = canvas.bounding_box()
    x = box["x"] + (col + 0.5) * box["width"] / cols
    return x, box["y"] + (row + 0.5) * box["height"] / rows


def count_frames_sent(page):
    """A list that grows by one for every message the browser sends the server."""
    sent = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda frame: sent.append(frame)))
    return sent


def test_hovering_an_output_pixel_shows_its_sum_without_a_rerun(page, server_url, digit):
    sent = count_frames_sent(page)
    explorer = open_explorer(page, f"{server_url}/convolution")
    page.wait_for_timeout(1000)  # let the first run's messages settle
    before = len(sent)
    output = explorer.locator("canvas.cx-output")
    kernel = convolution.KERNELS["Horizontal lines"].values
    for row, col in [(5, 12), (20, 3), (0, 0), (25, 25)]:
        page.mouse.move(*cell_centre(output, row, col, 26, 26))
        expected = convolution.explain_pixel(digit, kernel, row, col, flip=True).total
        assert explorer.locator(".cx-heading").inner_text() == f"Output pixel ({row}, {col})"
        assert explorer.locator(".cx-sum").inner_text() == f"{expected + 0.0:g}"
        products = explorer.locator(".cx-grid").nth(2).locator("td").all_inner_texts()
        assert len(products) == 9
    page.wait_for_timeout(500)
    assert len(sent) == before, "hovering must not send anything to the server"


def test_a_click_and_the_arrow_keys_pick_a_pixel_for_the_server(page, server_url, digit):
    sent = count_frames_sent(page)
    explorer = open_explorer(page, f"{server_url}/convolution")
    output = explorer.locator("canvas.cx-output")
    page.wait_for_timeout(1000)
    before = len(sent)
    page.mouse.click(*cell_centre(output, 7, 9, 26, 26))
    page.get_by_text("Output pixel (7, 9) as text").wait_for()
    assert len(sent) > before, "a click sends the pick to the server"
    explorer.focus()
    page.keyboard.press("ArrowRight")
    page.keyboard.press("ArrowDown")
    assert explorer.locator(".cx-heading").inner_text() == "Output pixel (8, 10)"
    page.get_by_text("Output pixel (8, 10) as text").wait_for()
    page.get_by_text("Output pixel (8, 10) as text").click()
    kernel = convolution.KERNELS["Horizontal lines"].values
    expected = convolution.explain_pixel(digit, kernel, 8, 10, flip=True).total
    page.get_by_text(f"= {expected:g}.").first.wait_for()


def test_play_animates_the_kernel_to_the_last_pixel(page, server_url):
    explorer = open_explorer(page, f"{server_url}/convolution")
    explorer.locator(".cx-play").click()
    assert explorer.get_attribute("data-playing") == "true"
    explorer.locator(".cx-status", has_text="Animation finished").wait_for(timeout=30_000)
    assert explorer.get_attribute("data-playing") == "false"
    assert "all 676 output pixels" in explorer.locator(".cx-status").inner_text()


def test_the_pooling_explorer_marks_the_maximum(page, server_url, digit):
    explorer = open_explorer(page, f"{server_url}/pooling")
    output = explorer.locator("canvas.cx-output")
    feature_map = convolution.convolve2d(digit, convolution.KERNELS["Vertical lines"].values)
    feature_map = feature_map.clip(min=0)
    for row, col in [(6, 7), (3, 9)]:
        page.mouse.move(*cell_centre(output, row, col, 13, 13))
        explained = convolution.explain_pool(feature_map, row, col, 2)
        assert explorer.locator(".cx-sum").inner_text() == f"{explained.value:g}"
        marked = explorer.locator("td.cx-marked")
        assert marked.count() == 1 and marked.inner_text() == f"{explained.value:g}"
        formula = explorer.locator(".cx-formula").inner_text()
        assert formula == convolution.describe_pool(explained).replace("**", "")


def test_the_network_overview_answers_a_hover_and_a_click_explains(page, server_url):
    sent = count_frames_sent(page)
    page.goto(f"{server_url}/feature_maps")
    overview = page.locator(".no[data-ready=true]")
    overview.wait_for(timeout=60_000)
    page.wait_for_timeout(1000)
    before = len(sent)
    canvas = overview.locator('canvas[data-layer="2"][data-map="5"]')  # conv2d_2, map 5
    canvas.scroll_into_view_if_needed()
    page.mouse.move(*cell_centre(canvas, 4, 6, 11, 11))
    readout = overview.locator(".no-readout").inner_text()
    assert readout.startswith("conv2d_2 · map 5 · (4, 6) = ")
    page.wait_for_timeout(500)
    assert len(sent) == before, "hovering must not send anything to the server"
    page.mouse.click(*cell_centre(canvas, 4, 6, 11, 11))
    value = readout.rsplit("= ", 1)[1]
    page.get_by_text(f"the model's own value: {value}.").wait_for(timeout=30_000)
    page.get_by_text("The 8×8 input pixels this value depends on.").wait_for()
