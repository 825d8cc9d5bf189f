"""The model engine as the pages see it: one client per server, cached calls, errors as messages.

TensorFlow runs only in the engine process (`python -m cnnviz.engine`); this module and the
client it wraps import neither TensorFlow nor Keras. Results are cached by model and input, so a
rerun that asks the same question again costs nothing.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz import i18n
from cnnviz.engine.api import EngineAPI
from cnnviz.engine.backends import open_engine
from cnnviz.engine.protocol import EngineError
from cnnviz.network.forward_pass import LayerActivation
from cnnviz.training.runs import ModelInfo, default_catalog
from cnnviz.ui.errors import message
from cnnviz.ui.language import t

RESTARTS_SEEN_KEY = "engine_restarts_seen"
# The engine starts once per server, for whichever session comes first: say it in both languages.
STARTING = " / ".join(i18n.translate(code, "engine.starting") for code in i18n.LANGUAGES)


@st.cache_resource(show_spinner=STARTING)
def engine_client() -> EngineAPI:
    """The engine client shared by every session; the engine starts (or the Ray cluster is
    joined, `CNNVIZ_ENGINE=ray://host:port`) on the first call.

    The local engine's log is this server's own: a new private folder (readable by its owner
    only) per server, `engine.log` in it, bounded in size (see `EngineOptions.log_path`).
    """
    folder = Path(tempfile.mkdtemp(prefix="cnnviz-engine-log-"))
    try:
        return open_engine(log_path=folder / "engine.log")
    except ValueError as error:  # a bad CNNVIZ_ENGINE: the engine cannot be used, as when down
        raise EngineError(str(error)) from error


def engine_notice() -> None:
    """Say so on the page when the engine had stopped and was restarted since last seen."""
    seen = st.session_state.get(RESTARTS_SEEN_KEY, 0)
    try:
        client = engine_client()
    except EngineError as error:  # a bad CNNVIZ_ENGINE, an unreachable cluster
        st.error(message(error))
        return
    if client.restart_notice(seen) is not None:
        # The client's notice is English; its reason (a hang, or a stop) in this session's words.
        if client.restart_reason:
            st.warning(t("engine.hung", seconds=client.options.health_timeout))
        else:
            st.warning(t("engine.restarted"))
    st.session_state[RESTARTS_SEEN_KEY] = client.restarts


def available_models() -> list[ModelInfo]:
    """Bundled and saved models with their manifests, read from disk (no engine needed)."""
    return default_catalog().list_models()


def engine_call(function, *args, **kwargs):
    """Call the engine; a refused request or an engine failure becomes an error on the page.

    Returns:
        What `function` returns, or None after showing the error.
    """
    try:
        return function(*args, **kwargs)
    except (ValueError, EngineError) as error:
        st.error(message(error))
        return None


def model_version(model: str) -> str:
    """What identifies the model's current file: its size and modification time. A run saved
    again under the same name gets a new version, so no cached answer outlives its model."""
    return default_catalog().version(model)


def predictions(model: str, batch: np.ndarray) -> np.ndarray:
    """Class probabilities for a batch of 28×28 inputs, cached by model (its file's version)
    and batch.

    Raises:
        ValueError: For an unknown model or a bad batch (the engine's message).
        EngineError: If the engine fails.
    """
    return _predictions(model, model_version(model), batch)


def layer_activations(model: str, image: np.ndarray) -> list[LayerActivation]:
    """Every layer's output from the engine, cached by model (its file's version) and image."""
    with st.spinner(t("engine.running")):
        return _layer_activations(model, model_version(model), image)


def maximised(model: str, layer: str, steps: int = 64) -> np.ndarray:
    """Activation-maximisation images of every map of `layer` (the engine caches them too)."""
    with st.spinner(t("engine.maximising")):
        return _maximised(model, model_version(model), layer, steps)


def evidence(model: str, image: np.ndarray, smoothgrad: int) -> tuple[np.ndarray, np.ndarray]:
    """Grad-CAM and saliency for the predicted class, cached by model and image."""
    return _evidence(model, model_version(model), image, smoothgrad)


# `version` is part of each cache key; the engine reloads a model whose file changed itself.
@st.cache_data(show_spinner=False, max_entries=64)
def _predictions(model: str, version: str, batch: np.ndarray) -> np.ndarray:
    return engine_client().predict(model, batch)


@st.cache_data(show_spinner=False, max_entries=64)
def _layer_activations(model: str, version: str, image: np.ndarray) -> list[LayerActivation]:
    return engine_client().layer_activations(model, image)


@st.cache_data(show_spinner=False, max_entries=32)
def _maximised(model: str, version: str, layer: str, steps: int) -> np.ndarray:
    return engine_client().activation_maximisation(model, layer, steps=steps)


@st.cache_data(show_spinner=False, max_entries=64)
def _evidence(model: str, version: str, image: np.ndarray, smoothgrad: int):
    client = engine_client()
    return client.grad_cam(model, image), client.saliency(model, image, None, smoothgrad)
