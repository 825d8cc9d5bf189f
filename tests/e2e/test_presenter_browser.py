"""Presenter mode in Chromium at a projector's 1280×720: the sidebar hidden, larger text, and
a presentation clicker (PageDown / PageUp, or the arrow keys) stepping the explained pixel."""

import re
import time

import pytest

pytestmark = pytest.mark.slow


def explained(page) -> tuple[int, int]:
    found = re.search(r"Output pixel \((\d+), (\d+)\) as text", page.inner_text("body"))
    return int(found.group(1)), int(found.group(2))


def press_until_moved(page, key: str) -> tuple[int, int]:
    before = explained(page)
    page.keyboard.press(key)
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline:
        now = explained(page)
        if now != before:
            return now
        page.wait_for_timeout(200)
    return before


@pytest.fixture
def projector(browser, server_url):
    context = browser.new_context(viewport={"width": 1280, "height": 720})
    page = context.new_page()
    page.set_default_timeout(60_000)
    yield page
    context.close()


def root_font_size(page) -> float:
    return float(page.evaluate("getComputedStyle(document.documentElement).fontSize")[:-2])


def test_presenter_mode_hides_the_sidebar_and_enlarges_the_text(projector, server_url):
    projector.goto(f"{server_url}/convolution")
    projector.get_by_text("as text").first.wait_for()
    assert projector.get_by_test_id("stSidebar").is_visible()
    normal = root_font_size(projector)

    projector.goto(f"{server_url}/convolution?presenter=1")
    projector.get_by_text("as text").first.wait_for()
    assert not projector.get_by_test_id("stSidebar").is_visible()
    assert root_font_size(projector) >= 1.25 * normal
    title = projector.get_by_role("heading", level=1).first.bounding_box()
    assert title["y"] + title["height"] < 720  # the title is on the first screen

    projector.get_by_role("button", name="Leave presenter mode").click()
    projector.get_by_test_id("stSidebar").wait_for(state="visible")
    assert root_font_size(projector) == normal


def test_a_clicker_steps_the_explained_pixel(projector, server_url):
    projector.goto(f"{server_url}/convolution?presenter=1")
    projector.get_by_text("as text").first.wait_for()
    # The page has finished its first runs (the explorer reports its pick once it is drawn),
    # and the keys go to the page, as a clicker's do once the presenter has clicked into it.
    projector.locator(".cx[data-ready=true]").wait_for()
    projector.wait_for_timeout(3000)
    projector.get_by_role("heading", level=1).first.click()
    row, col = explained(projector)
    assert press_until_moved(projector, "PageDown") == (row, col + 1)
    assert press_until_moved(projector, "ArrowRight") == (row, col + 2)
    assert press_until_moved(projector, "PageUp") == (row, col + 1)
    assert press_until_moved(projector, "ArrowLeft") == (row, col)
