"""The model engine, seen from the pages: one client per server, started on first use.

TensorFlow runs only in the engine process (`python -m cnnviz.engine`); this module and the
client it wraps import neither TensorFlow nor Keras.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz.engine.catalog import default_catalog
from cnnviz.engine.client import EngineClient
from cnnviz.engine.protocol import ModelInfo

LOG_PATH = Path(tempfile.gettempdir()) / "cnnviz-engine.log"


@st.cache_resource(show_spinner="Starting the model engine (TensorFlow)…")
def engine() -> EngineClient:
    """The engine client shared by every session; the engine starts on the first call."""
    return EngineClient.start(log_path=LOG_PATH)


def engine_notice() -> None:
    """Say so on the page when the engine had stopped and was restarted since last seen."""
    seen = st.session_state.get("engine_restarts_seen", 0)
    notice = engine().restart_notice(seen)
    if notice is not None:
        st.warning(str(notice))
    st.session_state["engine_restarts_seen"] = engine().restarts


def available_models() -> list[ModelInfo]:
    """Bundled and saved models with their manifests, read from disk (no engine needed)."""
    return default_catalog().list_models()


@st.cache_data(show_spinner=False, max_entries=64)
def predictions(model: str, batch: np.ndarray) -> np.ndarray:
    """Class probabilities for a batch of 28×28 inputs, cached by model and batch.

    Raises:
        ValueError: For an unknown model or a bad batch (the engine's message).
        EngineError: If the engine fails.
    """
    return engine().predict(model, batch)
