"""Webcam snapshots wherever a photo can be uploaded: the picker's "Upload a photo" (Home,
Convolution, Pooling, Feature maps) and VGG16's photo to classify. AppTest has no camera:
`camera_input(...).set_value(...)` stages the JPEG file a browser's snapshot sends, which goes
through the same decoding and checks as an upload."""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz.transfer.own_classes import own_photo
from cnnviz.ui import transfer_imagenet
from tests.app.conftest import TIMEOUT, chart, component_data, page_test, png_bytes
from tests.app.test_transfer_imagenet import FakeEngine, place_all

pytestmark = pytest.mark.slow


def jpeg_snapshot(seed: int = 0) -> tuple[bytes, np.ndarray]:
    """A 48×64 "snapshot" as the browser sends it (JPEG), and its pixels as PIL decodes them."""
    rng = np.random.default_rng(seed)
    photo = rng.integers(0, 256, (48, 64, 3), dtype=np.uint8)
    buffer = io.BytesIO()
    Image.fromarray(photo).save(buffer, format="JPEG", quality=90)
    data = buffer.getvalue()
    return data, np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def grid(at, name):
    return np.asarray(chart(at, f"home_grid_{name}")["data"][0]["z"])


def captions(at) -> str:
    return " ".join(caption.value for caption in at.caption)


def webcam_on(at):
    at.radio(key="picker_source").set_value("Upload a photo").run()
    assert at.file_uploader(key="picker_upload")  # the upload first: the webcam is a switch
    at.toggle(key="picker_webcam").set_value(True).run()
    assert "localhost" in captions(at) and "HTTPS" in captions(at)
    return at


def test_a_snapshot_is_the_pickers_image_like_an_upload():
    data, pixels = jpeg_snapshot()
    at = webcam_on(page_test().run())
    assert not at.exception and not [u for u in at.get("file_uploader")]
    at.camera_input(key="picker_camera").set_value(("image.jpg", data, "image/jpeg")).run()
    assert not at.exception and not at.error
    np.testing.assert_array_equal(grid(at, "Red"), pixels[:16, :16, 0])
    np.testing.assert_array_equal(grid(at, "Blue"), pixels[:16, :16, 2])
    assert component_data(at, "photo_window")["title"].startswith("Webcam snapshot, 64×48")
    # The snapshot is kept across pages, as an upload is.
    at.switch_page("lessons/convolution.py").run()
    assert not at.exception
    assert at.toggle(key="picker_webcam").value is True
    gray = component_data(at, "window_explorer")["input"]["values"]
    assert gray.shape == (48, 64)


def test_a_snapshot_that_is_not_an_image_gets_a_message_not_a_traceback():
    at = webcam_on(page_test().run())
    at.camera_input(key="picker_camera").set_value(("image.jpg", b"not a jpeg", "image/jpeg"))
    at.run()
    assert not at.exception
    assert at.error and "Webcam snapshot" in at.error[0].value


def test_switching_the_webcam_off_brings_the_uploader_back():
    data, _ = jpeg_snapshot(1)
    photo = np.random.default_rng(2).integers(0, 256, (20, 30, 3), dtype=np.uint8)
    at = webcam_on(page_test().run())
    at.camera_input(key="picker_camera").set_value(("image.jpg", data, "image/jpeg")).run()
    at.toggle(key="picker_webcam").set_value(False).run()
    at.file_uploader(key="picker_upload").upload("p.png", png_bytes(photo), "image/png").run()
    assert not at.exception
    np.testing.assert_array_equal(grid(at, "Green"), photo[:16, :16, 1])


def test_vgg16_classifies_a_webcam_snapshot(homes, monkeypatch):
    place_all(homes / "keras" / "models")
    engine = FakeEngine()
    monkeypatch.setattr(transfer_imagenet, "engine_client", lambda: engine)
    at = AppTest.from_file("transfer_imagenet_script.py", default_timeout=TIMEOUT).run()
    at.toggle(key="transfer_imagenet_webcam").set_value(True).run()
    assert not at.exception and "localhost" in captions(at)
    data, pixels = jpeg_snapshot(4)
    at.camera_input(key="transfer_imagenet_camera").set_value(("image.jpg", data, "image/jpeg"))
    at.run()
    assert not at.exception and not at.error
    (sent,) = engine.photos
    np.testing.assert_array_equal(sent, own_photo(pixels, 224))
    assert at.dataframe[-1].value["Class"].tolist()[0] == "tabby"


def test_the_webcam_speaks_spanish():
    at = page_test()
    at.query_params["lang"] = "es"
    at.run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    assert at.toggle(key="picker_webcam").label == "Usar la cámara"
    at.toggle(key="picker_webcam").set_value(True).run()
    assert at.camera_input(key="picker_camera").label == "Haz una foto"
    assert "Los navegadores solo permiten la cámara" in captions(at)
