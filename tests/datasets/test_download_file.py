"""cnnviz.datasets.download.download_file: one file, checked, atomic, cancellable and bounded in
time; served from the loopback interface only."""

import hashlib
import os
import socket
import time

import numpy as np
import pytest

from cnnviz.datasets import download as downloads
from cnnviz.datasets.download import DownloadCancelled, DownloadError, download_file
from tests.loopback import LoopbackServer, unused_port

BODY = np.random.default_rng(0).bytes(3 * downloads.CHUNK_BYTES + 12_345)
MD5 = hashlib.md5(BODY).hexdigest()


@pytest.fixture
def server():
    with LoopbackServer() as running:
        running.files["weights.h5"] = BODY
        yield running


def leftovers(folder):
    return sorted(path.name for path in folder.iterdir())


def test_the_file_lands_checked_with_its_progress_reported(server, tmp_path):
    reports = []
    target = tmp_path / "models" / "weights.h5"  # the folder is made
    path = download_file(
        server.url("weights.h5"), target, MD5, progress=lambda *r: reports.append(r)
    )
    assert path == target and target.read_bytes() == BODY
    assert leftovers(target.parent) == ["weights.h5"]
    assert reports[-1] == (len(BODY), len(BODY))
    done = [done for done, _ in reports]
    assert done == sorted(done) and len(reports) >= 4  # chunks of at most CHUNK_BYTES
    assert {total for _, total in reports} == {len(BODY)}


def test_a_sha256_is_checked_too(server, tmp_path):
    sha256 = hashlib.sha256(BODY).hexdigest()
    assert download_file(server.url("weights.h5"), tmp_path / "w.h5", sha256).read_bytes() == BODY


def test_a_wrong_hash_is_refused_and_nothing_is_kept(server, tmp_path):
    target = tmp_path / "weights.h5"
    wrong = "0" * 32
    with pytest.raises(DownloadError, match=f"corrupt: its MD5 is {MD5}, expected {wrong}"):
        download_file(server.url("weights.h5"), target, wrong)
    assert leftovers(tmp_path) == []


def test_a_failed_download_keeps_the_file_that_was_there(server, tmp_path):
    target = tmp_path / "weights.h5"
    target.write_bytes(b"the old file")
    with pytest.raises(DownloadError, match="corrupt"):
        download_file(server.url("weights.h5"), target, "f" * 32)
    assert target.read_bytes() == b"the old file" and leftovers(tmp_path) == ["weights.h5"]


def test_cancelling_stops_between_chunks_and_leaves_no_file(server, tmp_path):
    server.pace = 0.05  # a slow server: the download is still going when it is cancelled
    reports = []
    with pytest.raises(DownloadCancelled, match="cancelled"):
        download_file(
            server.url("weights.h5"),
            tmp_path / "weights.h5",
            MD5,
            progress=lambda *r: reports.append(r),
            should_stop=lambda: len(reports) >= 2,
        )
    assert len(reports) == 2 and leftovers(tmp_path) == []


def test_a_refused_connection_fails_at_once_with_the_offline_alternative(tmp_path):
    url = f"http://127.0.0.1:{unused_port()}/weights.h5"
    target = tmp_path / "models" / "weights.h5"
    start = time.monotonic()
    with pytest.raises(DownloadError) as failed:
        download_file(url, target, MD5)
    assert time.monotonic() - start < 2
    message = str(failed.value)
    assert f"Could not download {url}" in message and "probably offline" in message
    assert f"copy it to {target} (exactly that name)" in message
    assert leftovers(target.parent) == []


def test_a_server_that_never_answers_is_given_up_after_the_timeout(tmp_path):
    with socket.socket() as silent:  # accepts connections (the backlog) but never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/weights.h5"
        start = time.monotonic()
        with pytest.raises(DownloadError, match="timed out.*probably offline"):
            download_file(url, tmp_path / "weights.h5", MD5, timeout=0.5)
        assert time.monotonic() - start < 3
    assert leftovers(tmp_path) == []


def test_a_name_lookup_that_hangs_is_given_up_after_the_timeout(tmp_path, monkeypatch):
    monkeypatch.setattr(downloads.socket, "getaddrinfo", lambda *args, **kw: time.sleep(5))
    start = time.monotonic()
    with pytest.raises(DownloadError, match="looking up example.test took longer than 0.5 s"):
        download_file("http://example.test/weights.h5", tmp_path / "w.h5", MD5, timeout=0.5)
    assert time.monotonic() - start < 2


def test_an_unknown_name_says_so(tmp_path, monkeypatch):
    def unknown(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(downloads.socket, "getaddrinfo", unknown)
    with pytest.raises(DownloadError, match="Name or service not known.*probably offline"):
        download_file("http://example.test/weights.h5", tmp_path / "w.h5", MD5)


def test_an_http_error_is_reported(server, tmp_path):
    with pytest.raises(DownloadError, match="answered HTTP 404 Not Found"):
        download_file(server.url("missing.h5"), tmp_path / "missing.h5", MD5)
    assert leftovers(tmp_path) == []


def test_a_body_cut_short_is_reported(server, tmp_path):
    server.cut_at = 1000
    with pytest.raises(DownloadError, match=f"stopped after 1,000 of {len(BODY):,} bytes"):
        download_file(server.url("weights.h5"), tmp_path / "weights.h5", MD5, timeout=2)
    assert leftovers(tmp_path) == []


def test_too_little_disk_space_is_said_before_downloading(server, tmp_path, monkeypatch):
    usage = downloads.shutil.disk_usage(tmp_path)
    monkeypatch.setattr(
        downloads.shutil, "disk_usage", lambda path: usage._replace(free=len(BODY) - 1)
    )
    with pytest.raises(DownloadError, match="not enough space"):
        download_file(server.url("weights.h5"), tmp_path / "weights.h5", MD5)
    assert leftovers(tmp_path) == []


@pytest.mark.parametrize("file_hash", ["abc", "z" * 32, None, "0" * 40])
def test_a_hash_must_be_md5_or_sha256(file_hash, tmp_path):
    with pytest.raises(ValueError, match="Received"):
        download_file("http://127.0.0.1:9/x", tmp_path / "x", file_hash)


def test_partial_files_a_dead_process_left_are_removed(server, tmp_path):
    stale, fresh = tmp_path / ".weights.h5.abc.part", tmp_path / ".weights.h5.def.part"
    other = tmp_path / ".other.h5.abc.part"
    for path in (stale, fresh, other):
        path.write_bytes(b"half")
    old = time.time() - downloads.STALE_PARTIAL_SECONDS - 1
    os.utime(stale, (old, old))
    os.utime(other, (old, old))
    download_file(server.url("weights.h5"), tmp_path / "weights.h5", MD5)
    assert leftovers(tmp_path) == sorted([fresh.name, other.name, "weights.h5"])
