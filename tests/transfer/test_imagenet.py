"""cnnviz.transfer.imagenet: VGG16's ImageNet files, where Keras caches them, whether they are
here, and fetching them (from the loopback interface only)."""

import dataclasses
import hashlib
import importlib.util
import json
import time
from pathlib import Path

import pytest

from cnnviz.datasets.download import DownloadCancelled, DownloadError
from cnnviz.transfer import imagenet
from cnnviz.transfer.imagenet import (
    CLASSIFY_FILES,
    IMAGENET_FILES,
    ImageNetUnavailable,
    download_files,
    file_status,
    read_class_index,
    require_files,
    verify_file,
    weights_status,
)
from tests.loopback import LoopbackServer, unused_port

WEIGHTS = "vgg16_weights_tf_dim_ordering_tf_kernels.h5"


def place(folder: Path, role: str, size: int | None = None) -> Path:
    """A file of the role's name and (by default) its expected size, sparse: no disk used."""
    path = folder / IMAGENET_FILES[role].filename
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as file:
        file.truncate(IMAGENET_FILES[role].size if size is None else size)
    return path


def stand_in(monkeypatch, role: str, body: bytes, url: str = "http://127.0.0.1:9/") -> None:
    """Make a small file the one `role` expects: its size and MD5."""
    file = dataclasses.replace(
        IMAGENET_FILES[role], url=url, size=len(body), md5=hashlib.md5(body).hexdigest()
    )
    monkeypatch.setitem(IMAGENET_FILES, role, file)


def test_the_files_and_hashes_are_those_of_kerass_source():
    # Read as text: Keras is not imported (and nothing is downloaded).
    applications = Path(importlib.util.find_spec("keras").origin).parent / "src" / "applications"
    vgg16 = (applications / "vgg16.py").read_text()
    utils = (applications / "imagenet_utils.py").read_text()
    for role, source in (("weights", vgg16), ("weights_notop", vgg16), ("class_index", utils)):
        file = IMAGENET_FILES[role]
        assert f'"{file.filename}"' in source and f'file_hash="{file.md5}"' in source
        assert file.url in source.replace('"\n    "', "")  # the URL's pieces joined
    assert IMAGENET_FILES["weights"].size == 553_467_096
    assert IMAGENET_FILES["weights_notop"].size == 58_889_256


def test_missing_files_say_their_size_and_where_they_would_be_cached(homes):
    statuses = weights_status()
    assert list(statuses) == list(IMAGENET_FILES)
    status = statuses["weights"]
    assert not status.present and status.found_bytes is None
    assert status.path == homes / "keras" / "models" / WEIGHTS  # $KERAS_HOME/models
    assert status.expected_bytes == 553_467_096
    assert status.message == (
        f"The ImageNet weights of VGG16 (553.5 MB) are not on this machine; they would be "
        f"cached at {status.path}. They are needed to classify a photo into ImageNet's 1,000 "
        "classes."
    )
    assert "(58.9 MB)" in statuses["weights_notop"].message
    assert "(35.4 kB)" in statuses["class_index"].message


def test_without_keras_home_it_is_the_home_folders_keras(homes, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    assert file_status("weights").path == homes / "home" / ".keras" / "models" / WEIGHTS


def test_an_explicit_keras_home_is_the_only_place_looked_at(homes, tmp_path):
    place(homes / "keras" / "models", "weights")
    status = file_status("weights", cache_dir=tmp_path / "other")
    assert not status.present and status.path == tmp_path / "other" / "models" / WEIGHTS


def test_a_complete_file_is_present(homes):
    path = place(homes / "keras" / "models", "weights")
    status = file_status("weights")
    assert status.present and status.path == path and status.message == ""
    assert require_files(["weights"]) == {"weights": path}


def test_kerass_fallback_in_tmp_is_found(homes):
    path = place(homes / "fallback" / "models", "class_index")
    assert file_status("class_index").path == path and file_status("class_index").present


def test_downloads_go_to_the_fallback_when_the_keras_home_cannot_be_written(homes, monkeypatch):
    monkeypatch.setattr(imagenet.os, "access", lambda path, mode: False)
    assert file_status("weights").path == homes / "fallback" / "models" / WEIGHTS


def test_an_incomplete_file_is_said_to_be_damaged(homes):
    path = place(homes / "keras" / "models", "weights", size=1000)
    status = file_status("weights")
    assert not status.present and status.path == path and status.found_bytes == 1000
    assert "incomplete or damaged: 1,000 bytes instead of 553,467,096" in status.message


def test_require_files_lists_every_missing_file(homes):
    place(homes / "keras" / "models", "weights")
    with pytest.raises(ImageNetUnavailable) as missing:
        require_files(CLASSIFY_FILES)
    message = str(missing.value)
    assert "ImageNet's class names (35.4 kB) are not on this machine" in message
    assert "weights of VGG16 (" not in message  # the weights are here


def test_an_unknown_role_is_refused():
    with pytest.raises(ValueError, match="Received"):
        file_status("weights_top")


def test_verify_file_checks_kerass_md5(tmp_path, monkeypatch):
    path = tmp_path / "index.json"
    path.write_bytes(b"{}")
    with pytest.raises(ImageNetUnavailable, match="damaged: their MD5 is .*c2c37ea517e94d97"):
        verify_file("class_index", path)
    stand_in(monkeypatch, "class_index", b"{}")
    verify_file("class_index", path)


def test_the_class_index_is_read_in_class_order(tmp_path):
    path = tmp_path / "index.json"
    path.write_text(json.dumps({"1": ["n02", "goldfish"], "0": ["n01", "tench"]}))
    assert read_class_index(path) == [("n01", "tench"), ("n02", "goldfish")]


@pytest.mark.parametrize(
    "text", ["not json", "[]", '{"0": ["n01"]}', '{"1": ["n01", "tench"]}', '{"0": [1, 2]}']
)
def test_a_bad_class_index_says_so(tmp_path, text):
    path = tmp_path / "index.json"
    path.write_text(text)
    with pytest.raises(ImageNetUnavailable, match="cannot be read.*download it again"):
        read_class_index(path)


def test_download_files_fetches_what_is_missing_with_one_progress(homes, monkeypatch):
    weights, index = b"w" * 700_000, json.dumps({"0": ["n01", "tench"]}).encode()
    with LoopbackServer() as server:
        server.files |= {"weights.h5": weights, "index.json": index}
        stand_in(monkeypatch, "weights", weights, server.url("weights.h5"))
        stand_in(monkeypatch, "class_index", index, server.url("index.json"))
        reports = []
        paths = download_files(CLASSIFY_FILES, progress=lambda *r: reports.append(r))
        assert paths == {
            "weights": homes / "keras" / "models" / WEIGHTS,
            "class_index": homes / "keras" / "models" / "imagenet_class_index.json",
        }
        assert paths["weights"].read_bytes() == weights
        assert reports[-1] == (len(weights) + len(index),) * 2
        assert [done for done, _ in reports] == sorted(done for done, _ in reports)
        download_files(CLASSIFY_FILES)
        assert len(server.requests) == 2  # what is here is not fetched again


def test_a_cancelled_download_keeps_the_complete_files_only(homes, monkeypatch):
    index, weights = b'{"0": ["n01", "tench"]}', b"w" * 2_000_000
    with LoopbackServer() as server:
        server.files |= {"weights.h5": weights, "index.json": index}
        server.pace = 0.02
        stand_in(monkeypatch, "class_index", index, server.url("index.json"))
        stand_in(monkeypatch, "weights", weights, server.url("weights.h5"))
        reports = []
        with pytest.raises(DownloadCancelled):
            download_files(
                ["class_index", "weights"],
                progress=lambda *r: reports.append(r),
                should_stop=lambda: len(reports) > 3,
            )
    folder = homes / "keras" / "models"
    assert sorted(path.name for path in folder.iterdir()) == ["imagenet_class_index.json"]


def test_offline_the_download_fails_within_seconds_saying_where_to_copy(homes, monkeypatch):
    stand_in(monkeypatch, "weights", b"w", f"http://127.0.0.1:{unused_port()}/weights.h5")
    start = time.monotonic()
    with pytest.raises(DownloadError) as failed:
        download_files(["weights"])
    assert time.monotonic() - start < 2
    target = homes / "keras" / "models" / WEIGHTS
    assert f"copy it to {target} (exactly that name)" in str(failed.value)
    assert list(target.parent.iterdir()) == []
