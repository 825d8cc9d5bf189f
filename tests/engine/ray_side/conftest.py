"""A Ray cluster of one machine for the Ray backend's tests: `LocalHead`, a head on loopback
with token authentication and 4 logical CPUs (a forward-pass replica, jobs and a spare),
stopped at the end of the module.

Ray is optional: without it these tests skip, except under CI, which installs
`requirements-ray.txt` and must run them.
"""

import os

import pytest


@pytest.fixture(scope="module")
def ray_installed():
    """Skip (fail under CI) where Ray is not installed."""
    try:
        import ray  # noqa: F401
    except ImportError as error:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(f"CI installs requirements-ray.txt: {error}")
        pytest.skip(f"Ray is not installed ({error}): pip install -r requirements-ray.txt")


@pytest.fixture(scope="module")
def ray_address(ray_installed, tmp_path_factory):
    """`ray://127.0.0.1:<port>` of a new head, with nothing of cnnviz on it yet."""
    from cnnviz.engine.ray_side.head import LocalHead

    with LocalHead(num_cpus=4, log_path=tmp_path_factory.mktemp("ray") / "start.log") as address:
        yield address
