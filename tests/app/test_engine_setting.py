"""A bad `CNNVIZ_ENGINE`, or a Ray cluster that is not there, is a message on the pages that
need the engine, never a traceback; the pages that do not need it work as before."""

import socket

import pytest

from cnnviz import ui
from tests.app.conftest import page_test

pytestmark = pytest.mark.slow


@pytest.fixture
def engine_setting(monkeypatch):
    def use(value):
        monkeypatch.setenv("CNNVIZ_ENGINE", value)
        ui.engine_client.clear()

    yield use
    ui.engine_client.clear()


@pytest.mark.parametrize("page", ["lessons/feature_maps.py", "lessons/training.py"])
def test_a_bad_setting_is_named_on_the_page(engine_setting, page):
    engine_setting("ray:/head:10001")
    at = page_test(page)
    if page.endswith("feature_maps.py"):
        at.session_state["feature_maps_model"] = "lecture"
    at.run()
    assert not at.exception
    errors = [shown.value for shown in [*at.error, *at.warning]]
    expected = "CNNVIZ_ENGINE must be empty or 'local' (the engine on this machine), or "
    assert any(expected in error for error in errors), errors
    assert any("Received 'ray:/head:10001'." in error for error in errors), errors


def test_a_cluster_that_is_not_there_is_named_on_the_page(engine_setting):
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    engine_setting(f"ray://127.0.0.1:{port}")
    at = page_test("lessons/feature_maps.py")
    at.session_state["feature_maps_model"] = "lecture"
    at.run()
    assert not at.exception
    errors = [error.value for error in at.error]
    assert any(error.startswith(f"Nothing answers at ray://127.0.0.1:{port}") for error in errors)


def test_the_pages_without_the_engine_do_not_mind(engine_setting):
    engine_setting("ray:/head:10001")
    at = page_test("lessons/convolution.py").run()
    assert not at.exception and not at.error
