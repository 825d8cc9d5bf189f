"""Fixtures shared by every test: quiet TensorFlow, a seeded tiny network, empty data folders.

`pytest -m "not slow"` is the quick tier (the core, no engine process, no browser, no page);
`pytest` runs everything.
"""

import os
import sys

import pytest

from cnnviz.datasets import offline

# Before anything imports TensorFlow: its C++ start-up chatter off, warnings and errors kept.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")


def seeded_cnn(config=None, seed: int = 0):
    """A `keras.Sequential` for `config` (default: `TINY_CNN`) with weights seeded by `seed`."""
    import keras

    from cnnviz.engine.keras_side.build import build_cnn
    from cnnviz.network import CNNConfig, ConvBlock

    keras.utils.set_random_seed(seed)
    tiny = CNNConfig(conv_blocks=(ConvBlock(4),), dense_units=(8,))
    return build_cnn(tiny if config is None else config)


@pytest.fixture(autouse=True, scope="session")
def pages_reset_keras_without_a_full_collection():
    """After every script run Streamlit resets Keras's session, if Keras is imported, with a
    full garbage collection: 0.4 s or more per run of a page in this process, where the engine's
    tests imported Keras. The app's own process never imports it (the engine does), so there
    this costs nothing; here pages keep the reset and skip the collection (the collector still
    runs on its own)."""
    from streamlit.runtime.scriptrunner import script_runner

    def clean_problem_modules():
        if "keras" in sys.modules:
            sys.modules["keras"].backend.clear_session(free_memory=False)
        if "matplotlib.pyplot" in sys.modules:
            sys.modules["matplotlib.pyplot"].close("all")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(script_runner, "_clean_problem_modules", clean_problem_modules)
        yield


@pytest.fixture
def tiny_cnn():
    """The seeded tiny network factory: `tiny_cnn(config=None, seed=0)` builds one."""
    return seeded_cnn


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """Every place the datasets are looked for (and downloads write to), moved into tmp_path;
    all empty."""
    keras_home = tmp_path / "keras"
    keras_home.mkdir()
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(offline, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    monkeypatch.setattr(offline, "DEBIAN_FASHION_DIR", tmp_path / "no-debian")
    return tmp_path


@pytest.fixture(scope="session")
def browser():
    """One Chromium (Playwright's sync API) for every browser test of the session: the browser
    tests' and the deployment's. A second sync Playwright in the same session would refuse to
    start inside the first one's event loop."""
    from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, _require_chromium

    _require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()
