"""The engine's ImageNet calls seen from the client: long requests, and the page's message
when the files are not on this machine (no network: the engine only looks in the cache)."""

import numpy as np
import pytest

from cnnviz.engine import EngineClient
from cnnviz.engine.client import LONG_REQUESTS
from cnnviz.engine.protocol import PROTOCOL_VERSION
from cnnviz.transfer import imagenet


def test_the_imagenet_calls_are_long_requests_since_protocol_7():
    assert {"imagenet_classify", "imagenet_features"} <= LONG_REQUESTS
    assert PROTOCOL_VERSION >= 7


@pytest.mark.slow
def test_the_engine_refuses_with_the_pages_message_when_the_files_are_missing(
    tmp_path, monkeypatch
):
    if any(status.present for status in imagenet.weights_status(cache_dir="/tmp/.keras").values()):
        pytest.skip("Keras's fallback cache (/tmp/.keras) holds ImageNet files on this machine")
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))  # the engine inherits it
    engine = EngineClient.start(models_dir=tmp_path / "models", bundled_dir=tmp_path / "none")
    try:
        photo = np.zeros((30, 40, 3), np.uint8)
        with pytest.raises(
            ValueError, match="The ImageNet weights of VGG16 .* not on this machine"
        ):
            engine.imagenet_classify(photo)
        path = tmp_path / "keras" / "models" / imagenet.IMAGENET_FILES["weights_notop"].filename
        with pytest.raises(ValueError, match=f"cached at {path}"):
            engine.imagenet_features([photo, photo])
    finally:
        engine.close()
