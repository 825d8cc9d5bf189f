"""Presenter mode on a page: from the link, its look, leaving it, hidden controls, the clicker."""

import pytest

from tests.app.conftest import page_test

pytestmark = pytest.mark.slow

PAGE = "lessons/convolution.py"


def styles(at) -> str:
    return "\n".join(element.proto.body for element in at.get("html"))


def position(at) -> tuple[int, int]:
    return at.session_state["convolution_row"], at.session_state["convolution_col"]


def test_the_link_opens_presenter_mode_and_the_button_leaves_it():
    at = page_test(PAGE)
    at.query_params["presenter"] = "1"
    at.run()
    assert not at.exception
    assert at.session_state["presenter"] is True
    assert '[data-testid="stSidebar"]' in styles(at)
    at.button(key="presenter_leave").click().run()
    assert at.session_state["presenter"] is False
    assert "presenter" not in at.query_params
    assert '[data-testid="stSidebar"]' not in styles(at)


def test_the_sidebar_switch_puts_presenter_mode_in_the_link():
    at = page_test(PAGE)
    at.run()
    assert '[data-testid="stSidebar"]' not in styles(at)
    at.toggle(key="presenter").set_value(True).run()
    assert at.query_params["presenter"] == ["1"] or at.query_params["presenter"] == "1"
    assert '[data-testid="stSidebar"]' in styles(at)


def test_a_link_hides_chosen_controls_and_ignores_unknown_names():
    at = page_test(PAGE)
    at.query_params["hide"] = "convolution_strides,no_such_control"
    at.run()
    assert not at.exception
    assert ".st-key-convolution_strides { display: none" in styles(at)
    assert "no_such_control" not in styles(at)
    # The control is still there, with its value: only the page's look hides it.
    assert at.slider(key="convolution_strides").value == 1
    assert at.multiselect(key="presenter_hide_convolution").value == ["convolution_strides"]


def test_the_teacher_picks_controls_to_hide_and_the_link_follows():
    at = page_test(PAGE)
    at.run()
    at.multiselect(key="presenter_hide_convolution").set_value(
        ["convolution_operation", "convolution_padding"]
    ).run()
    hidden = at.query_params["hide"]
    hidden = hidden[0] if isinstance(hidden, list) else hidden
    assert hidden == "convolution_operation,convolution_padding"
    assert ".st-key-convolution_operation, .st-key-convolution_padding" in styles(at)


def test_next_and_previous_pixel_step_the_explained_pixel_along_the_rows():
    at = page_test(PAGE)
    at.run()
    row, col = position(at)
    at.button(key="convolution_next_pixel").click().run()
    assert position(at) == (row, col + 1)
    at.button(key="convolution_previous_pixel").click().run()
    at.button(key="convolution_previous_pixel").click().run()
    assert position(at) == (row, col - 1)
    assert f"Output pixel ({row}, {col - 1})" in "\n".join(
        expander.label for expander in at.expander
    )
