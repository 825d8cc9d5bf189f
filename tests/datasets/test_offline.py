"""cnnviz.datasets.offline: the bundled sample, the Keras and Debian caches, names and status."""

import gzip
import hashlib
import os
import subprocess
import sys
from importlib.util import find_spec
from pathlib import Path

import numpy as np
import pytest

from cnnviz.datasets import offline as data
from cnnviz.datasets.download import download_dataset
from cnnviz.datasets.offline import DatasetUnavailable, load_dataset
from tests.dataset_fakes import (
    idx_bytes,
    write_fashion_dir,
    write_idx,
    write_mnist_npz,
)

REPO = Path(__file__).resolve().parents[1]
# Fingerprint of the sample's test split: changes if the split or the bundled file changes.
SAMPLE_TEST_SHA256 = "492a3769fc2f1cf2568bf6ab38b6e542ec1d02ea426d55e1ecf1e18353cf3595"


# ---------------------------------------------------------------- helpers and fixtures


def image_hashes(images):
    return [hashlib.sha256(image.tobytes()).hexdigest() for image in images]


@pytest.fixture(scope="module")
def sample():
    return load_dataset("mnist-sample")


# ---------------------------------------------------------------- the bundled sample


def test_sample_has_the_documented_shapes_and_types(sample):
    assert sample.name == "mnist-sample"
    assert sample.x_train.shape == (8000, 28, 28)
    assert sample.x_test.shape == (2000, 28, 28)
    assert sample.y_train.shape == (8000,)
    assert sample.y_test.shape == (2000,)
    for array in (sample.x_train, sample.y_train, sample.x_test, sample.y_test):
        assert array.dtype == np.uint8
    assert sample.class_names == tuple("0123456789") == data.MNIST_CLASS_NAMES
    assert sample.num_classes == 10
    assert sample.image_shape == (28, 28)
    assert "mnist_sample.npz" in sample.source


def test_sample_labels_are_digits_and_images_use_the_full_byte_range(sample):
    assert set(np.unique(sample.y_train)) == set(range(10))
    assert set(np.unique(sample.y_test)) == set(range(10))
    assert sample.x_train.min() == 0 and sample.x_train.max() == 255
    # MNIST is white ink on black: the border pixels are almost all background.
    assert sample.x_train[:, 0, :].mean() < 1


def test_sample_split_is_stratified(sample):
    train_counts = np.bincount(sample.y_train, minlength=10)
    test_counts = np.bincount(sample.y_test, minlength=10)
    for train, test in zip(train_counts, test_counts, strict=True):
        assert abs(test - 0.2 * (train + test)) <= 1
    assert test_counts.tolist() == [200, 225, 198, 206, 196, 173, 203, 214, 189, 196]


def test_sample_split_is_deterministic_and_pinned(sample):
    again = load_dataset("mnist-sample")
    np.testing.assert_array_equal(again.x_train, sample.x_train)
    np.testing.assert_array_equal(again.y_test, sample.y_test)
    fingerprint = hashlib.sha256(sample.x_test.tobytes() + sample.y_test.tobytes()).hexdigest()
    assert fingerprint == SAMPLE_TEST_SHA256


def test_sample_train_and_test_are_disjoint_and_cover_the_file(sample):
    train, test = set(image_hashes(sample.x_train)), set(image_hashes(sample.x_test))
    assert len(train) == 8000 and len(test) == 2000
    assert not train & test
    with np.load(data.SAMPLE_PATH, allow_pickle=False) as archive:
        assert train | test == set(image_hashes(archive["images"]))


def test_sample_split_mixes_classes_in_any_prefix(sample):
    assert len(np.unique(sample.y_test[:50])) >= 8


def test_missing_sample_says_how_to_restore_it(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SAMPLE_PATH", tmp_path / "mnist_sample.npz")
    with pytest.raises(DatasetUnavailable, match="build_mnist_sample.py"):
        load_dataset("mnist-sample")


def test_damaged_sample_is_reported(tmp_path, monkeypatch):
    monkeypatch.setattr(data, "SAMPLE_PATH", tmp_path / "mnist_sample.npz")
    data.SAMPLE_PATH.write_bytes(data.SAMPLE_PATH.name.encode())
    with pytest.raises(DatasetUnavailable, match="damaged"):
        load_dataset("mnist-sample")


def test_stratified_split_gives_exact_sizes_and_disjoint_indices():
    labels = np.repeat(np.arange(3), [7, 11, 5])
    train, test = data.stratified_split(labels, 6, seed=1)
    assert len(test) == 6 and len(train) == 17
    assert sorted(np.concatenate([train, test]).tolist()) == list(range(23))
    assert np.bincount(labels[test]).tolist() == [2, 3, 1]


@pytest.mark.parametrize("test_size", [-1, 24])
def test_stratified_split_rejects_impossible_sizes(test_size):
    with pytest.raises(ValueError, match="Received: test_size"):
        data.stratified_split(np.zeros(23), test_size, seed=0)


# ---------------------------------------------------------------- MNIST from the Keras cache


def test_mnist_loads_from_keras_home(homes):
    expected = write_mnist_npz(homes / "keras" / "datasets" / "mnist.npz")
    loaded = load_dataset("mnist")
    for got, want in zip(
        (loaded.x_train, loaded.y_train, loaded.x_test, loaded.y_test), expected, strict=True
    ):
        np.testing.assert_array_equal(got, want)
    assert loaded.class_names == data.MNIST_CLASS_NAMES
    assert str(homes / "keras" / "datasets" / "mnist.npz") in loaded.source
    assert data.dataset_status("mnist") is None


def test_mnist_loads_from_home_dot_keras_without_keras_home(homes, monkeypatch):
    monkeypatch.delenv("KERAS_HOME")
    write_mnist_npz(homes / "home" / ".keras" / "datasets" / "mnist.npz")
    assert load_dataset("mnist").x_train.shape == (12, 28, 28)


def test_mnist_loads_from_the_tmp_fallback_keras_uses(homes):
    write_mnist_npz(homes / "fallback" / "datasets" / "mnist.npz")
    assert load_dataset("mnist").x_test.shape == (5, 28, 28)


def test_mnist_loads_from_an_explicit_cache_dir(homes):
    write_mnist_npz(homes / "elsewhere" / "datasets" / "mnist.npz")
    assert load_dataset("mnist", cache_dir=homes / "elsewhere").y_train.shape == (12,)


def test_missing_mnist_says_where_it_looked_and_what_to_do(homes):
    with pytest.raises(DatasetUnavailable) as caught:
        load_dataset("mnist")
    message = str(caught.value)
    assert "mnist-sample" in message
    assert str(homes / "keras" / "datasets" / "mnist.npz") in message
    assert "download_dataset('mnist')" in message
    assert isinstance(caught.value, ValueError)
    assert data.dataset_status("mnist") == message


@pytest.mark.parametrize(
    "content",
    [b"this is not a zip file", b"PK\x03\x04 truncated"],
    ids=["garbage", "truncated-zip"],
)
def test_corrupt_mnist_npz_is_reported_as_damaged(homes, content):
    path = homes / "keras" / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    path.write_bytes(content)
    with pytest.raises(DatasetUnavailable, match="damaged.*Delete it"):
        load_dataset("mnist")


def test_mnist_npz_without_the_keras_keys_is_damaged(homes):
    path = homes / "keras" / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    np.savez(path, images=np.zeros((3, 28, 28), np.uint8))
    with pytest.raises(DatasetUnavailable, match="damaged"):
        load_dataset("mnist")


def test_mnist_npz_with_wrong_shapes_is_damaged(homes):
    path = homes / "keras" / "datasets" / "mnist.npz"
    path.parent.mkdir(parents=True)
    x, y = np.zeros((3, 32, 32), np.uint8), np.zeros(3, np.uint8)
    np.savez(path, x_train=x, y_train=y, x_test=x, y_test=y)
    with pytest.raises(DatasetUnavailable, match=r"not uint8 \(n, 28, 28\)"):
        load_dataset("mnist")


# ---------------------------------------------------------------- Fashion-MNIST


def test_fashion_loads_from_the_keras_cache(homes):
    expected = write_fashion_dir(homes / "keras" / "datasets" / "fashion-mnist")
    loaded = load_dataset("fashion-mnist")
    np.testing.assert_array_equal(loaded.x_train, expected[0])
    np.testing.assert_array_equal(loaded.y_test, expected[3])
    assert loaded.class_names == data.FASHION_CLASS_NAMES
    assert loaded.class_names[9] == "Ankle boot"
    assert "fashion-mnist" in loaded.source


def test_fashion_loads_from_the_debian_folder(homes, monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", homes / "debian")
    expected = write_fashion_dir(homes / "debian")
    loaded = load_dataset("fashion-mnist")
    np.testing.assert_array_equal(loaded.x_test, expected[2])
    assert str(homes / "debian") in loaded.source


def test_fashion_prefers_the_keras_cache_to_debian(homes, monkeypatch):
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", homes / "debian")
    write_fashion_dir(homes / "debian", seed=5)
    expected = write_fashion_dir(homes / "keras" / "datasets" / "fashion-mnist", seed=9)
    np.testing.assert_array_equal(load_dataset("fashion-mnist").x_train, expected[0])


def test_fashion_with_a_file_missing_is_unavailable(homes):
    folder = homes / "keras" / "datasets" / "fashion-mnist"
    write_fashion_dir(folder)
    (folder / "t10k-labels-idx1-ubyte.gz").unlink()
    with pytest.raises(DatasetUnavailable):
        load_dataset("fashion-mnist")


def test_missing_fashion_suggests_debian_download_and_the_sample(homes):
    message = data.dataset_status("fashion-mnist")
    assert "sudo apt-get install dataset-fashion-mnist" in message
    assert "mnist-sample" in message
    assert str(homes / "no-debian") in message
    assert str(homes / "keras" / "datasets" / "fashion-mnist") in message


def test_fashion_with_mismatched_counts_is_damaged(homes):
    folder = homes / "keras" / "datasets" / "fashion-mnist"
    write_fashion_dir(folder)
    write_idx(folder / "train-labels-idx1-ubyte.gz", np.zeros(11, np.uint8))
    with pytest.raises(DatasetUnavailable, match="damaged"):
        load_dataset("fashion-mnist")


@pytest.mark.skipif(find_spec("keras") is None, reason="Keras is not installed")
def test_fashion_reader_matches_keras_on_the_same_files(tmp_path):
    expected = write_fashion_dir(tmp_path / "datasets" / "fashion-mnist")
    code = (
        "import numpy as np, keras\n"
        "(a, b), (c, d) = keras.datasets.fashion_mnist.load_data()\n"
        "np.savez('out.npz', x_train=a, y_train=b, x_test=c, y_test=d)\n"
    )
    env = {**os.environ, "KERAS_HOME": str(tmp_path), "KERAS_BACKEND": "tensorflow"}
    subprocess.run([sys.executable, "-c", code], cwd=tmp_path, env=env, check=True, timeout=300)
    with np.load(tmp_path / "out.npz") as keras_arrays:
        for key, ours in zip(("x_train", "y_train", "x_test", "y_test"), expected, strict=True):
            np.testing.assert_array_equal(keras_arrays[key], ours)


# ---------------------------------------------------------------- the IDX reader


def test_read_idx_reads_plain_and_gzipped_files(tmp_path):
    array = np.arange(2 * 3 * 4, dtype=np.uint8).reshape(2, 3, 4)
    write_idx(tmp_path / "plain.idx", array, gzipped=False)
    write_idx(tmp_path / "packed.idx", array, gzipped=True)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "plain.idx"), array)
    np.testing.assert_array_equal(data.read_idx(tmp_path / "packed.idx"), array)


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        (b"\x00\x00\x0d\x01\x00\x00\x00\x01abcd", "magic number"),  # float IDX
        (b"\x00\x01", "magic number"),
        (b"\x00\x00\x08\x03\x00\x00", "header is cut short"),
        (idx_bytes(np.zeros((4, 28, 28)))[:-10], r"header says \(4, 28, 28\)"),
        (gzip.compress(idx_bytes(np.zeros(50)))[:-12], "EOFError"),
    ],
    ids=["wrong-type", "too-short", "cut-header", "cut-payload", "cut-gzip"],
)
def test_read_idx_reports_a_damaged_file(tmp_path, content, problem):
    path = tmp_path / "bad-idx1-ubyte.gz"
    path.write_bytes(content)
    with pytest.raises(DatasetUnavailable, match=problem) as caught:
        data.read_idx(path)
    assert str(path) in str(caught.value) and "download it again" in str(caught.value)


# ---------------------------------------------------------------- names and status


@pytest.mark.parametrize(
    "call",
    [load_dataset, data.dataset_status, download_dataset],
    ids=["load", "status", "download"],
)
def test_unknown_names_are_rejected_with_the_accepted_ones(call):
    with pytest.raises(
        ValueError,
        match=r"must be one of \('mnist-sample', 'mnist', 'fashion-mnist'\)\. Received 'cifar10'",
    ):
        call("cifar10")


def test_available_datasets_lists_every_name(homes):
    status = data.available_datasets()
    assert list(status) == list(data.DATASET_NAMES)
    assert status["mnist-sample"] is None
    assert "mnist-sample" in status["mnist"]
