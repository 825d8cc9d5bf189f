"""The learner's own photos through VGG16's ImageNet features and an SVM: offered only when the
weights are in the Keras cache, scored on the photos the form holds out.

The engine is a stand-in whose "features" are each photo's mean colour (repeated to 512
numbers): bright bars and dark bars are told apart by it, so the SVM must score 100 %.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz.transfer.imagenet import IMAGENET_FILES
from cnnviz.ui import transfer_photos
from tests.app.conftest import TIMEOUT, chart
from tests.app.test_transfer_own import files, uploader

pytestmark = pytest.mark.slow

SCRIPT = "own_photos_script.py"


class FakeEngine:
    def __init__(self):
        self.batches = []

    def imagenet_features(self, photos):
        self.batches.append(photos)
        means = photos.reshape(len(photos), -1).mean(axis=1, keepdims=True)
        return np.repeat(means, 512, axis=1).astype(np.float32)


def inverted(file):
    """The same picture in negative: a dark bar on a bright background."""
    name, data, mime = file
    image = 255 - np.asarray(Image.open(io.BytesIO(data)))
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, "PNG")
    return "negative-" + name, buffer.getvalue(), mime


def two_classes() -> AppTest:
    at = AppTest.from_file(SCRIPT, default_timeout=TIMEOUT).run()
    uploader(at, 1).set_value(files(0, 6)).run()
    uploader(at, 2).set_value([inverted(item) for item in files(20, 6)]).run()
    return at


def test_without_the_weights_the_page_says_what_is_missing_and_where(homes):
    at = two_classes()
    assert not at.exception
    notop = IMAGENET_FILES["weights_notop"]
    (info,) = [i.value for i in at.info if notop.filename in i.value]
    assert str(homes / "keras" / "models") in info
    assert not [b for b in at.button if b.key == "transfer_vgg16_photos"]


def test_with_the_weights_the_svm_scores_the_held_out_photos(homes, monkeypatch):
    folder = homes / "keras" / "models"
    folder.mkdir(parents=True)
    notop = IMAGENET_FILES["weights_notop"]
    with open(folder / notop.filename, "wb") as opened:
        opened.truncate(notop.size)
    engine = FakeEngine()
    monkeypatch.setattr(transfer_photos, "engine_client", lambda: engine)
    at = two_classes()
    at.button(key="transfer_vgg16_photos").click().run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    (photos,) = engine.batches
    assert photos.shape == (12, 224, 224, 3)
    matrix = np.asarray(chart(at, "transfer_vgg16_confusion")["data"][0]["z"])
    assert matrix.sum() == 2 * round(0.2 * 6)  # a fifth of each class held out
    assert np.trace(matrix) == matrix.sum()
    assert at.metric[0].value == "100%"
