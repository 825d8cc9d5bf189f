"""Fixtures shared by the unit tests."""

import pytest

from cnnviz import data


@pytest.fixture
def homes(tmp_path, monkeypatch):
    """Every place cnnviz.data looks (and downloads write to), moved into tmp_path; all empty."""
    keras_home = tmp_path / "keras"
    keras_home.mkdir()
    (tmp_path / "home").mkdir()
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setattr(data, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", tmp_path / "no-debian")
    return tmp_path
