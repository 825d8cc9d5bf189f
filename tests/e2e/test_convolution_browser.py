"""Edit a kernel cell in the real data editor and watch the convolution output change."""

import time

import pytest

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def output_signature(page) -> str:
    """The explorer's output picture, as PNG data."""
    canvas = page.locator(".cx[data-ready=true] canvas.cx-output")
    canvas.wait_for()
    return canvas.evaluate("c => c.toDataURL()")


def test_editing_a_kernel_cell_changes_the_output(page, server_url):
    page.goto(f"{server_url}/convolution")
    page.locator(".cx[data-ready=true]").wait_for()
    before = output_signature(page)
    assert before

    # The kernel editor (the charts' "As a table" expanders hold data frames too).
    grid = page.locator("[class*=st-key-convolution_editor_] [data-testid=stDataFrame]").first
    grid.scroll_into_view_if_needed()
    box = grid.bounding_box()
    # The 3x3 editor: a header row, then three rows; double-click the centre cell.
    row_height = box["height"] / 4
    page.mouse.dblclick(box["x"] + box["width"] / 2, box["y"] + row_height * 2.5)
    page.wait_for_timeout(500)
    page.keyboard.press("Control+A")
    page.keyboard.type("9")
    page.wait_for_timeout(300)
    page.keyboard.press("Enter")
    page.locator(".cx figcaption", has_text="custom kernel").wait_for()

    deadline = time.monotonic() + 20
    after = output_signature(page)
    while after == before and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        after = output_signature(page)
    assert after != before, "editing a kernel cell re-computes the output"
