"""The sidebar's language switch: the link's `lang`, the switch, and the link that follows."""

import pytest

from cnnviz import i18n
from tests.app.conftest import page_test

pytestmark = pytest.mark.slow


def test_the_link_opens_in_spanish_and_the_switch_goes_back_to_english():
    at = page_test()
    at.query_params["lang"] = "es"
    at.run()
    assert not at.exception
    assert at.session_state["language"] == "es"
    assert at.title[0].value == i18n.translate("es", "navigation.home.title")
    assert at.query_params["lang"] in ("es", ["es"])

    at.session_state["language"] = "en"
    at.run()
    assert at.title[0].value == i18n.translate("en", "navigation.home.title")
    # English is this (test) browser's own language: the link needs no parameter for it.
    assert "lang" not in at.query_params


def test_an_unknown_language_in_the_link_falls_back_to_english():
    at = page_test()
    at.query_params["lang"] = "xx"
    at.run()
    assert not at.exception
    assert at.session_state["language"] == "en"
    assert at.title[0].value == i18n.translate("en", "navigation.home.title")
