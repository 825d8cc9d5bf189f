"""Draw on the real canvas in Chromium and watch the pixel grid follow."""

import re
import time
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

pytestmark = [pytest.mark.e2e, pytest.mark.slow]
SCREENSHOT = Path(__file__).resolve().parents[2] / "docs" / "home.png"


def grid_numbers(page) -> list[int]:
    """The numbers written in the 'What computers see' heatmap cells."""
    chart = page.locator(".stPlotlyChart").filter(has_text="Gray values").first
    chart.wait_for()
    texts = chart.evaluate("e => [...e.querySelectorAll('text')].map(t => t.textContent)")
    return [int(t) for t in texts if re.fullmatch(r"\d{1,3}", t.strip())]


def draw(page, points) -> None:
    canvas = page.locator("canvas.upper-canvas").first
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y, steps=8)
    page.mouse.up()


def test_a_stroke_on_the_canvas_changes_the_pixel_grid(page, server_url):
    page.goto(server_url)
    page.get_by_text("Draw a digit", exact=True).click()
    page.get_by_text("Draw a digit on the black square").wait_for()

    draw(page, [(140, 40), (140, 240)])
    page.locator(".stPlotlyChart").filter(has_text="Gray values").first.wait_for()
    first = grid_numbers(page)
    assert len(first) >= 28 * 20, "the 28x28 grid is written out, one number per cell"
    assert max(first) > 200, "the stroke shows up as bright pixels"

    draw(page, [(60, 60), (220, 60)])
    deadline = time.monotonic() + 20
    second = grid_numbers(page)
    while second == first and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        second = grid_numbers(page)
    assert second != first, "a second stroke changes the numbers"

    page.set_viewport_size({"width": 1400, "height": 1250})
    page.wait_for_timeout(800)
    SCREENSHOT.parent.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOT))


def test_a_click_on_a_large_photo_moves_the_window_of_numbers(page, server_url, tmp_path):
    rows, cols = np.mgrid[0:400, 0:500]
    photo = np.dstack([cols % 256, rows % 256, (rows + cols) % 251]).astype(np.uint8)
    path = tmp_path / "photo.png"
    Image.fromarray(photo).save(path)
    page.goto(server_url)
    page.get_by_text("Upload a photo", exact=True).click()
    page.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(str(path))
    canvas = page.locator(".pw[data-ready=true] canvas")
    canvas.wait_for(timeout=30_000)
    box = canvas.bounding_box()
    # Point at row 300, column 100: the readout names the pixel, the server is not asked.
    page.mouse.move(box["x"] + 100.5 * box["width"] / 500, box["y"] + 300.5 * box["height"] / 400)
    readout = page.locator(".pw-readout").inner_text()
    assert readout.startswith("Row 300, column 100: click to see the window at rows 288–303")
    page.mouse.click(box["x"] + 100.5 * box["width"] / 500, box["y"] + 300.5 * box["height"] / 400)
    chart = page.locator(".stPlotlyChart").filter(has_text="Red values, rows 288–303").first
    chart.wait_for(timeout=30_000)
    assert "columns 96–111" in chart.inner_text()
