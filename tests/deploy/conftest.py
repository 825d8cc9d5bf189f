"""What the deployment tests need: Debian's haproxy (skipped without it, except under CI)."""

import os

import pytest

from cnnviz import deploy


@pytest.fixture(scope="session")
def haproxy() -> str:
    """The haproxy program's path; a skip with the reason where it is missing (a failure
    under CI, which installs it)."""
    try:
        return deploy.find_haproxy()
    except FileNotFoundError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI installs Debian's haproxy: {error}")
        pytest.skip(str(error))
