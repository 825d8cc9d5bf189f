"""keras_side.imagenet: VGG16 built from the Keras cache's files only, checked against a direct
Keras forward pass. The "ImageNet" files here are VGG16's own random weights, saved under the
names Keras gives the real ones, and a class index of made-up names; the network is refused
throughout, so nothing can be downloaded."""

import dataclasses
import hashlib
import json
import socket

import h5py
import keras
import numpy as np
import pytest
from keras.src.legacy.saving import legacy_h5_format

from cnnviz.engine.keras_side.imagenet import ImageNetVGG16
from cnnviz.engine.protocol import PROTOCOL_VERSION
from cnnviz.engine.server import EngineConfig, EngineServer
from cnnviz.transfer import imagenet
from cnnviz.transfer.imagenet import IMAGENET_FILES, ImageNetUnavailable
from cnnviz.transfer.own_classes import own_photo

pytestmark = pytest.mark.slow


def save_legacy_weights(model, path):
    """Weights in the legacy HDF5 layout of Keras's published `.h5` files."""
    with h5py.File(path, "w") as file:
        legacy_h5_format.save_weights_to_hdf5_group(file, model)


def refuse(*args, **kwargs):
    raise OSError("these tests must not touch the network")


@pytest.fixture(scope="module")
def keras_home(tmp_path_factory):
    """A Keras home holding stand-ins for the three files, which `IMAGENET_FILES` expects."""
    home = tmp_path_factory.mktemp("keras")
    models = home / "models"
    models.mkdir()
    keras.utils.set_random_seed(0)
    save_legacy_weights(keras.applications.VGG16(weights=None), models / name("weights"))
    base = keras.applications.VGG16(weights=None, include_top=False, input_shape=(224, 224, 3))
    save_legacy_weights(base, models / name("weights_notop"))
    index = {str(i): [f"n{i:08d}", f"class_{i}"] for i in range(1000)}
    (models / name("class_index")).write_text(json.dumps(index))
    with pytest.MonkeyPatch.context() as patch:
        for role, file in IMAGENET_FILES.items():
            path = models / file.filename
            with open(path, "rb") as opened:
                md5 = hashlib.file_digest(opened, "md5").hexdigest()
            size = path.stat().st_size
            patch.setitem(IMAGENET_FILES, role, dataclasses.replace(file, md5=md5, size=size))
        patch.setattr(socket.socket, "connect", refuse)
        patch.setattr(socket, "getaddrinfo", refuse)
        yield home


def name(role):
    return IMAGENET_FILES[role].filename


@pytest.fixture(scope="module")
def vgg16(keras_home):
    return ImageNetVGG16(cache_dir=keras_home)


@pytest.fixture(scope="module")
def photo():
    return np.random.default_rng(0).integers(0, 256, (224, 224, 3), dtype=np.uint8)


def keras_forward(model, photos):
    batch = keras.applications.vgg16.preprocess_input(np.asarray(photos, np.float32))
    return model.predict(batch, verbose=0)


def test_classify_gives_the_five_most_probable_classes_of_a_direct_keras_pass(
    vgg16, keras_home, photo
):
    top = vgg16.classify(photo)
    assert len(top) == 5
    probabilities = [probability for _, _, probability in top]
    assert probabilities == sorted(probabilities, reverse=True) and sum(probabilities) <= 1
    model = keras.applications.VGG16(weights=str(keras_home / "models" / name("weights")))
    expected = keras_forward(model, [photo])[0]
    for wordnet, class_name, probability in top:
        index = int(wordnet[1:])
        assert class_name == f"class_{index}"
        assert probability == pytest.approx(float(expected[index]), rel=1e-4, abs=1e-7)
    np.testing.assert_allclose(probabilities, np.sort(expected)[::-1][:5], rtol=1e-4, atol=1e-7)


def test_a_photo_of_another_size_is_classified_by_its_centred_square(vgg16):
    wide = np.random.default_rng(1).integers(0, 256, (300, 500, 3), dtype=np.uint8)
    assert vgg16.classify(wide, top=3) == vgg16.classify(own_photo(wide, 224), top=3)
    grey = wide[:, :, 0]
    assert len(vgg16.classify(grey, top=1000)) == 1000


def test_the_model_is_built_once(vgg16, photo):
    vgg16.classify(photo)
    built = vgg16._built["classify"]
    vgg16.classify(photo, top=1)
    assert vgg16._built["classify"] is built and "classify" in vgg16.loaded()


def test_features_are_the_convolutional_base_averaged(vgg16, keras_home, photo):
    photos = [photo, np.zeros((100, 80, 3), np.uint8), np.full((40, 60), 200, np.uint8)]
    features = vgg16.features(photos)
    assert features.shape == (3, 512) and features.dtype == np.float32
    model = keras.applications.VGG16(
        weights=str(keras_home / "models" / name("weights_notop")),
        include_top=False,
        input_shape=(224, 224, 3),
        pooling="avg",
    )
    expected = keras_forward(model, [own_photo(image, 224) for image in photos])
    np.testing.assert_allclose(features, expected, rtol=1e-4, atol=1e-4)
    assert vgg16.features([]).shape == (0, 512)
    stacked = vgg16.features(np.stack([photo, photo]))
    np.testing.assert_allclose(stacked, features[[0, 0]], rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize(
    "images, message",
    [(np.zeros(3), "Received shape"), (7, "Received int"), ([np.zeros((5, 5, 2))], "channels")],
)
def test_bad_features_requests_say_what_was_received(vgg16, images, message):
    with pytest.raises(ValueError, match=message):
        vgg16.features(images)


def test_a_bad_top_is_refused(vgg16, photo):
    with pytest.raises(ValueError, match="Received"):
        vgg16.classify(photo, top=0)


def test_missing_files_are_refused_with_the_pages_message(keras_home, tmp_path, photo):
    empty = ImageNetVGG16(cache_dir=tmp_path)
    with pytest.raises(ImageNetUnavailable) as missing:
        empty.classify(photo)
    message = str(missing.value)
    assert "The ImageNet weights of VGG16 (" in message and "are not on this machine" in message
    assert str(tmp_path / "models" / name("weights")) in message
    assert "ImageNet's class names" in message
    with pytest.raises(ImageNetUnavailable, match="convolutional base.*not on this machine"):
        empty.features([photo])
    assert empty.loaded() == []


def test_a_damaged_file_is_refused(keras_home, tmp_path, photo):
    folder = tmp_path / "models"
    folder.mkdir()
    with open(folder / name("weights_notop"), "wb") as file:  # the right size, other bytes
        file.truncate(IMAGENET_FILES["weights_notop"].size)
    with pytest.raises(ImageNetUnavailable, match="damaged: their MD5 is"):
        ImageNetVGG16(cache_dir=tmp_path).features([photo])


def test_the_engine_serves_both_calls(keras_home, photo, tmp_path, monkeypatch):
    monkeypatch.setenv("KERAS_HOME", str(keras_home))
    server = EngineServer(EngineConfig(bundled_dir=tmp_path / "b", models_dir=tmp_path / "m"), b"k")
    state, top = server.handle((PROTOCOL_VERSION, "imagenet_classify", {"image": photo}))
    assert state == "ok" and len(top) == 5
    state, features = server.handle((PROTOCOL_VERSION, "imagenet_features", {"images": [photo]}))
    assert state == "ok" and features.shape == (1, 512)
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(imagenet.offline, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    reply = server.handle((PROTOCOL_VERSION, "imagenet_classify", {"image": photo}))
    assert reply[:2] == ("error", "ValueError") and "not on this machine" in reply[2]
