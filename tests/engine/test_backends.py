"""`CNNVIZ_ENGINE` picks the engine: the local one by default, a Ray cluster by address; a bad
setting or a missing Ray says what was received and what is accepted."""

import sys

import pytest

from cnnviz.engine import EngineClient, EngineError
from cnnviz.engine.api import JOB_REQUESTS, LONG_REQUESTS, EngineAPI
from cnnviz.engine.backends import ENGINE_ENV, engine_address, open_engine


@pytest.mark.parametrize("setting", [None, "", "  ", "local", " local "])
def test_the_local_engine_is_the_default(setting):
    assert engine_address(setting) is None


@pytest.mark.parametrize(
    "setting", ["ray://127.0.0.1:10001", "ray://head.school.example:10001", " ray://10.0.0.5:1 "]
)
def test_a_ray_address_is_taken_as_given(setting):
    assert engine_address(setting) == setting.strip()


@pytest.mark.parametrize(
    "setting",
    [
        "ray",
        "ray://",
        "ray://head",
        "ray://head:port",
        "ray://head:0",
        "ray://head:70000",
        "http://head:10001",
        "head:10001",
        "remote",
    ],
)
def test_anything_else_is_refused_naming_what_is_accepted(setting):
    with pytest.raises(ValueError) as raised:
        engine_address(setting)
    message = str(raised.value)
    assert message.startswith(f"{ENGINE_ENV} must be empty or 'local'")
    assert "'ray://host:port'" in message and f"Received {setting.strip()!r}." in message


def test_open_engine_refuses_a_bad_setting_before_starting_anything(monkeypatch):
    monkeypatch.setenv(ENGINE_ENV, "ray:/oops:1")
    with pytest.raises(ValueError, match="Received 'ray:/oops:1'"):
        open_engine()


def test_without_ray_installed_the_message_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "cnnviz.engine.ray_side.client", None)  # import fails
    with pytest.raises(EngineError) as raised:
        open_engine("ray://127.0.0.1:10001")
    message = str(raised.value)
    assert "asks for Ray, which is not installed here" in message
    assert "pip install -r requirements-ray.txt" in message and f"unset {ENGINE_ENV}" in message


def test_both_backends_share_one_interface():
    assert issubclass(EngineClient, EngineAPI)
    requests = {"predict", "layer_activations", "layer_outputs", "activation_maximisation"}
    requests |= {"grad_cam", "saliency", "augmentation_preview", "imagenet_classify"}
    requests |= {"imagenet_features", "list_models", *JOB_REQUESTS}
    assert all(callable(getattr(EngineAPI, name)) for name in requests)
    assert requests >= LONG_REQUESTS and not LONG_REQUESTS & JOB_REQUESTS
