"""The lesson's navigation, as a student who follows a link sees it."""

import pytest

from cnnviz.ui import GUIDED, LESSON
from tests.e2e.conftest import streamlit_server

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_a_link_to_a_page_opens_it_inside_the_lesson_on_a_fresh_server(browser):
    with streamlit_server() as url:  # its own server: the first visit is this one
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        page = context.new_page()
        page.goto(f"{url}/pooling")
        page.get_by_role("heading", name="Pooling").first.wait_for(timeout=60_000)
        sidebar = page.locator("[data-testid='stSidebarNav']")
        links = sidebar.get_by_role("link").all_inner_texts()
        titles = [text.strip().splitlines()[-1] for text in links]  # after the icon's name
        assert titles == [lesson.title for lesson in (*LESSON, GUIDED)]  # sections in order
        sidebar.get_by_role("link", name="Convolution").click()
        page.get_by_role("heading", name="Convolution").first.wait_for(timeout=60_000)
        assert page.url.endswith("/convolution")
        context.close()
