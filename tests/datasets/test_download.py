"""cnnviz.datasets.download: fetching MNIST and Fashion-MNIST, from a local server only."""

import gzip
import hashlib
import http.server
import io
import socket
import threading

import numpy as np
import pytest

from cnnviz.datasets import download as downloads
from cnnviz.datasets import offline as data
from cnnviz.datasets.download import download_dataset
from cnnviz.datasets.offline import DatasetUnavailable, load_dataset
from tests.dataset_fakes import fake_split, idx_bytes

# ---------------------------------------------------------------- helpers and fixtures
# (the same small helpers as in test_data.py)


@pytest.fixture
def server(monkeypatch):
    """A loopback HTTP server; put bytes in `server.files`; KERAS_ORIGIN points at it."""
    files, requests = {}, []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):
            requests.append(self.path)
            body = files.get(self.path.lstrip("/"))
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args):
            pass

    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    monkeypatch.setattr(downloads, "KERAS_ORIGIN", f"http://127.0.0.1:{httpd.server_port}/")
    httpd.files, httpd.requests = files, requests
    yield httpd
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.endswith(".part"))


def test_download_mnist_lands_the_verified_file(homes, server, monkeypatch):
    buffer = io.BytesIO()
    x, y = np.zeros((2, 28, 28), np.uint8), np.array([3, 4], np.uint8)
    np.savez(buffer, x_train=x, y_train=y, x_test=x, y_test=y)
    server.files["mnist.npz"] = buffer.getvalue()
    monkeypatch.setattr(downloads, "MNIST_SHA256", hashlib.sha256(buffer.getvalue()).hexdigest())
    path = download_dataset("mnist", timeout=5)
    assert path == homes / "keras" / "datasets" / "mnist.npz"
    assert path.read_bytes() == buffer.getvalue()
    assert leftovers(path.parent) == []
    assert load_dataset("mnist").y_train.tolist() == [3, 4]
    download_dataset("mnist", timeout=5)
    assert server.requests == ["/mnist.npz"]  # a verified file is not fetched again


def test_download_with_a_wrong_hash_keeps_nothing(homes, server):
    server.files["mnist.npz"] = b"not the real mnist.npz"
    with pytest.raises(DatasetUnavailable, match="corrupt.*SHA-256"):
        download_dataset("mnist", timeout=5)
    folder = homes / "keras" / "datasets"
    assert list(folder.iterdir()) == []


def test_download_replaces_a_damaged_cached_file(homes, server, monkeypatch):
    server.files["mnist.npz"] = b"good bytes"
    monkeypatch.setattr(downloads, "MNIST_SHA256", hashlib.sha256(b"good bytes").hexdigest())
    target = homes / "keras" / "datasets" / "mnist.npz"
    target.parent.mkdir(parents=True)
    target.write_bytes(b"half a file")
    download_dataset("mnist", timeout=5)
    assert target.read_bytes() == b"good bytes"


def test_download_while_offline_says_so_and_keeps_nothing(homes, monkeypatch):
    with socket.socket() as probe:  # a port nothing listens on: the connection is refused
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setattr(downloads, "KERAS_ORIGIN", f"http://127.0.0.1:{port}/")
    with pytest.raises(DatasetUnavailable, match="probably offline.*mnist-sample"):
        download_dataset("mnist", timeout=5)
    assert list((homes / "keras" / "datasets").iterdir()) == []


def test_download_http_error_is_reported(homes, server):
    with pytest.raises(DatasetUnavailable, match="Could not download.*Not Found"):
        download_dataset("mnist", timeout=5)


def test_download_fashion_checks_content_not_gzip_headers(homes, server, monkeypatch):
    arrays = dict(
        zip(data.FASHION_FILES, fake_split(4, 0)[::-1] + fake_split(3, 1)[::-1], strict=True)
    )
    hashes = {}
    for filename, array in arrays.items():
        # A different gzip mtime than any reference copy: the content hash still matches.
        server.files[filename] = gzip.compress(idx_bytes(array), mtime=1234567)
        hashes[filename] = hashlib.sha256(idx_bytes(array)).hexdigest()
    monkeypatch.setattr(downloads, "FASHION_SHA256", hashes)
    folder = download_dataset("fashion-mnist", timeout=5)
    assert folder == homes / "keras" / "datasets" / "fashion-mnist"
    assert sorted(p.name for p in folder.iterdir()) == sorted(data.FASHION_FILES)
    np.testing.assert_array_equal(
        load_dataset("fashion-mnist").y_test, arrays[data.FASHION_FILES[2]]
    )


def test_download_fashion_rejects_a_wrong_file(homes, server, monkeypatch):
    for filename in data.FASHION_FILES:
        server.files[filename] = gzip.compress(b"\x00\x00\x08\x01\x00\x00\x00\x00")
    with pytest.raises(DatasetUnavailable, match="corrupt"):
        download_dataset("fashion-mnist", timeout=5)
    assert list((homes / "keras" / "datasets" / "fashion-mnist").iterdir()) == []


def test_download_of_the_sample_needs_no_network():
    assert download_dataset("mnist-sample") == data.SAMPLE_PATH


# ---------------------------------------------------------------- the recorded hashes


@pytest.mark.skipif(
    not (data.DEBIAN_FASHION_DIR / "t10k-labels-idx1-ubyte.gz").exists(),
    reason="Debian's dataset-fashion-mnist is not installed",
)
def test_debian_fashion_files_match_the_recorded_content_hashes():
    for filename, expected in downloads.FASHION_SHA256.items():
        assert downloads._sha256_gunzipped(data.DEBIAN_FASHION_DIR / filename) == expected
