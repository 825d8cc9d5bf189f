"""The VGG16 and ImageNet sections of the Transfer learning page, driven like a learner: the
figure and its numbers, the missing weights with their size and cache path, a download that
runs once, can be cancelled and fails offline with what to do, and a photo's top five classes.

No test touches the network: downloads go to a loopback port nothing listens on, or to a
stand-in for `imagenet.download_files`; the engine is a stand-in that answers like VGG16.
"""

import dataclasses
import time

import numpy as np
import pytest
from streamlit.testing.v1 import AppTest

from cnnviz.datasets.download import DownloadCancelled
from cnnviz.transfer import imagenet
from cnnviz.transfer.imagenet import IMAGENET_FILES
from cnnviz.transfer.own_classes import own_photo
from cnnviz.ui import transfer_imagenet
from cnnviz.ui.transfer_imagenet import DOWNLOAD_KEY
from tests.app.conftest import TIMEOUT, chart, png_bytes
from tests.loopback import unused_port

pytestmark = pytest.mark.slow

SCRIPT = "transfer_imagenet_script.py"
TOP5 = [
    ("n02123045", "tabby", 0.5),
    ("n02123159", "tiger_cat", 0.2),
    ("n02124075", "Egyptian_cat", 0.1),
    ("n02127052", "lynx", 0.05),
    ("n04040759", "radiator", 0.01),
]


def section_test() -> AppTest:
    return AppTest.from_file(SCRIPT, default_timeout=TIMEOUT).run()


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def place_all(folder):
    """Every ImageNet file, of its expected size (sparse: no disk used)."""
    folder.mkdir(parents=True, exist_ok=True)
    for file in IMAGENET_FILES.values():
        with open(folder / file.filename, "wb") as opened:
            opened.truncate(file.size)


def wait_for_the_download(at: AppTest, seconds: float = 10) -> None:
    download = at.session_state[DOWNLOAD_KEY]
    deadline = time.monotonic() + seconds
    while not download.finished and time.monotonic() < deadline:
        time.sleep(0.05)
    assert download.finished, "the download thread did not end"


class FakeDownloads:
    """Stands in for `imagenet.download_files`: reports progress until told to stop."""

    def __init__(self):
        self.calls = []

    def __call__(self, roles, *, progress=None, should_stop=None, **options):
        self.calls.append(tuple(roles))
        total = sum(IMAGENET_FILES[role].size for role in roles)
        done = 0
        while not should_stop():
            done = min(done + 1_000_000, total - 1)
            progress(done, total)
            time.sleep(0.01)
        raise DownloadCancelled("The download was cancelled.")


def test_the_figure_shows_vgg16s_parameters_and_the_comparison_is_computed(homes):
    at = section_test()
    assert not at.exception
    figure = chart(at, "transfer_vgg16_figure")
    assert figure["layout"]["title"]["text"] == "VGG16: 138,357,544 parameters"
    assert any("hold 138,357,544 parameters" in text for text in texts(at.caption))
    costs = at.dataframe[0].value  # the VGG16 section's table comes first
    assert costs["Parameters"].tolist() == ["138,357,544", "30,762"]
    assert costs["Multiply-accumulates per image"].tolist() == ["15,470,264,320", "680,832"]
    assert costs["Weights (float32)"].tolist() == ["553.4 MB", "123.0 kB"]
    comparison = next(text for text in texts(at.markdown) if "times** the parameters" in text)
    assert "**4,498 times**" in comparison and "22,723 times the lecture's 680,832" in comparison


def test_missing_weights_show_their_size_and_cache_path_and_nothing_starts(homes, monkeypatch):
    downloads = FakeDownloads()
    monkeypatch.setattr(imagenet, "download_files", downloads)
    at = section_test()
    models = homes / "keras" / "models"
    infos = texts(at.info)
    weights = f"{models / IMAGENET_FILES['weights'].filename}"
    assert any("(553.5 MB) are not on this machine" in text and weights in text for text in infos)
    assert any(str(models / "imagenet_class_index.json") in text for text in infos)
    labels = {button.key: button.label for button in at.button}
    assert labels["transfer_imagenet_download_classify"].endswith("(553.5 MB)")
    assert labels["transfer_imagenet_download_features"].endswith("(58.9 MB)")
    at.run()
    assert DOWNLOAD_KEY not in at.session_state and downloads.calls == []
    assert not at.get("progress") and not at.exception


def test_a_download_runs_once_and_cancel_stops_it(homes, monkeypatch):
    downloads = FakeDownloads()
    monkeypatch.setattr(imagenet, "download_files", downloads)
    at = section_test()
    at.button(key="transfer_imagenet_download_features").click().run()
    assert downloads.calls == [("weights_notop",)]
    time.sleep(0.2)
    at.run()  # a rerun follows the download, and starts no other
    assert downloads.calls == [("weights_notop",)]
    (progress,) = at.get("progress")
    assert "of 58.9 MB" in progress.proto.text
    assert [button.key for button in at.button] == ["transfer_imagenet_cancel"]
    at.button(key="transfer_imagenet_cancel").click().run()
    wait_for_the_download(at, seconds=1)  # stopped within a second
    at.run()
    assert "The download was cancelled; nothing incomplete was kept." in texts(at.info)
    assert downloads.calls == [("weights_notop",)] and not at.get("progress")
    assert "transfer_imagenet_download_features" in [button.key for button in at.button]


def test_offline_a_download_fails_within_seconds_saying_what_to_do(homes, monkeypatch):
    port = unused_port()
    for role, file in IMAGENET_FILES.items():
        url = f"http://127.0.0.1:{port}/{file.filename}"
        monkeypatch.setitem(IMAGENET_FILES, role, dataclasses.replace(file, url=url))
    at = section_test()
    at.button(key="transfer_imagenet_download_classify").click().run()
    wait_for_the_download(at, seconds=3)
    at.run()
    (error,) = texts(at.error)
    target = homes / "keras" / "models" / IMAGENET_FILES["weights"].filename
    assert "probably offline" in error and f"copy it to {target} (exactly that name)" in error
    assert not list(target.parent.iterdir()), "a failed download leaves no file"
    assert not at.exception


class FakeEngine:
    def __init__(self):
        self.photos = []

    def imagenet_classify(self, image, top=5):
        self.photos.append(image)
        return TOP5[:top]


def test_with_the_weights_here_a_photo_gets_its_top_five_classes(homes, monkeypatch):
    place_all(homes / "keras" / "models")
    engine = FakeEngine()
    monkeypatch.setattr(transfer_imagenet, "engine_client", lambda: engine)
    at = section_test()
    assert "Upload a photo to see what VGG16 thinks it shows." in texts(at.info)
    assert not [b for b in at.button if b.key.startswith("transfer_imagenet_download")]
    photo = np.random.default_rng(7).integers(0, 256, (300, 400, 3), dtype=np.uint8)
    at.file_uploader(key="transfer_imagenet_upload").upload(
        "cat.png", png_bytes(photo), "image/png"
    )
    at.run()
    assert not at.exception and not at.error
    top = at.dataframe[-1].value
    assert top["Class"].tolist() == ["tabby", "tiger cat", "Egyptian cat", "lynx", "radiator"]
    assert top["Probability"].tolist() == [0.5, 0.2, 0.1, 0.05, 0.01]
    (sent,) = engine.photos
    assert sent.shape == (224, 224, 3)  # the centred square travels, not the whole photo
    np.testing.assert_array_equal(sent, own_photo(photo, 224))
    at.radio(key="transfer_imagenet_source").set_value("China (scikit-learn sample)").run()
    assert len(engine.photos) == 2 and not at.exception
