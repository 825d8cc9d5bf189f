"""Fixtures shared with the page tests."""

from tests.app.conftest import models_dir  # noqa: F401 (a fixture)
