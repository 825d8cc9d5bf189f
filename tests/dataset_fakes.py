"""Small fake datasets and the places cnnviz.datasets looks, for the dataset tests."""

import gzip
import struct

import numpy as np

from cnnviz.datasets import offline as data


def fake_split(n, seed):
    rng = np.random.default_rng(seed)
    images = rng.integers(0, 256, size=(n, 28, 28), dtype=np.uint8)
    return images, rng.integers(0, 10, size=n, dtype=np.uint8)


def write_mnist_npz(path, seed=0):
    """A small file shaped like Keras's mnist.npz; returns its arrays."""
    (x_train, y_train), (x_test, y_test) = fake_split(12, seed), fake_split(5, seed + 1)
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez(path, x_train=x_train, y_train=y_train, x_test=x_test, y_test=y_test)
    return x_train, y_train, x_test, y_test


def idx_bytes(array):
    array = np.asarray(array, dtype=np.uint8)
    header = struct.pack(f">BBBB{array.ndim}I", 0, 0, 0x08, array.ndim, *array.shape)
    return header + array.tobytes()


def write_idx(path, array, gzipped=True, mtime=0):
    path.parent.mkdir(parents=True, exist_ok=True)
    raw = idx_bytes(array)
    path.write_bytes(gzip.compress(raw, mtime=mtime) if gzipped else raw)


def write_fashion_dir(folder, seed=0):
    """The four Fashion-MNIST IDX files, small; returns (x_train, y_train, x_test, y_test)."""
    (x_train, y_train), (x_test, y_test) = fake_split(12, seed), fake_split(5, seed + 1)
    arrays = dict(zip(data.FASHION_FILES, (y_train, x_train, y_test, x_test), strict=True))
    for filename, array in arrays.items():
        write_idx(folder / filename, array)
    return x_train, y_train, x_test, y_test
