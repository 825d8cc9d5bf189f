"""Fixtures shared by every test: quiet TensorFlow, a seeded tiny network, empty data folders.

`pytest -m "not slow"` is the quick tier (the core, no engine process, no browser, no page);
`pytest` runs everything.
"""

import os

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
