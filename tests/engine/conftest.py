"""The engine of a test module: started on the module's own `dirs` (bundled and saved models,
log), shared by its tests."""

import pytest

from cnnviz.engine import EngineClient


@pytest.fixture(scope="module")
def engine(dirs):
    client = EngineClient.start(
        models_dir=dirs["saved"], bundled_dir=dirs["bundled"], log_path=dirs["log"]
    )
    yield client
    client.close()
