"""Presenter mode's CSS, the controls a link may hide, and the clicker's step through pixels."""

import re

import pytest
import streamlit as st

from cnnviz import i18n
from cnnviz.ui import presenter


def test_presenter_css_hides_the_sidebar_and_enlarges_text_only_when_presenting():
    css = presenter.presenter_css(True, ())
    assert '[data-testid="stSidebar"]' in css
    assert re.search(r"html \{ font-size: (\d+)px", css).group(1) == "21"
    assert ".st-key-training_learning_rate" in css  # an advanced control
    assert presenter.presenter_css(False, ()) == ""


def test_hidden_controls_become_css_for_their_keys_only():
    css = presenter.presenter_css(False, ("convolution_strides", "pooling_size"))
    assert css == ".st-key-convolution_strides, .st-key-pooling_size { display: none !important; }"
    # A key that is not a plain name never reaches the CSS (no injection through the link).
    assert presenter._hiding_css(("x} body {display:none",)) == ""


def test_every_hideable_and_advanced_control_has_a_label_in_both_languages():
    keys = {key for page in presenter.HIDEABLE.values() for key in page}
    assert set(presenter.ADVANCED) <= keys
    for language in i18n.LANGUAGES:
        labels = i18n.catalog(language)
        missing = [key for key in keys if f"presenter.controls.{key}" not in labels]
        assert not missing, (language, missing)


@pytest.mark.parametrize(
    ("start", "direction", "expected"),
    [((0, 0), 1, (0, 1)), ((0, 2), 1, (1, 0)), ((2, 2), 1, (0, 0)), ((0, 0), -1, (2, 2))],
)
def test_the_clicker_steps_along_the_rows_and_wraps(start, direction, expected):
    st.session_state.clear()
    st.session_state["convolution_row"], st.session_state["convolution_col"] = start
    presenter._step("convolution", (3, 3), direction)
    assert (st.session_state["convolution_row"], st.session_state["convolution_col"]) == expected
