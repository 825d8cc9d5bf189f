"""Downloads of full MNIST and Fashion-MNIST into the Keras cache, started by the user.

The only module that touches the network. Files land where `keras.datasets.*.load_data()`
keeps them, so `cnnviz.datasets.offline` reads them afterwards and Keras finds them too. The
folders, file names and messages are `offline`'s, read through the module at call time so
that there is one place to change (or patch) them. Beyond it, the standard library only.
"""

import gzip
import hashlib
import http.client
import os
import shutil
import tempfile
import urllib.error
import urllib.request
import zlib
from pathlib import Path

from cnnviz.datasets import offline as data

KERAS_ORIGIN = "https://storage.googleapis.com/tensorflow/tf-keras-datasets/"
MNIST_SHA256 = "731c5ac602752760c8e48fbffcf8c3b850d9dc2a2aedcf2cc48468fc17b673d1"
# Keras publishes no hash for these files. These are SHA-256 of the *uncompressed* IDX bytes,
# so any faithful gzip copy matches: computed from Debian's dataset-fashion-mnist files, whose
# deflate streams are Zalando's originals (restoring the stripped gzip name and mtime
# reproduces the MD5 sums Zalando publishes).
FASHION_SHA256 = dict(
    zip(
        data.FASHION_FILES,
        (
            "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
            "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
            "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34",
            "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
        ),
        strict=True,
    )
)


def download_dataset(name, *, cache_dir=None, timeout=30):
    """Download a dataset into the Keras cache; call this only when the user asks.

    Fetches the files `keras.datasets.*.load_data()` fetches, into the folder Keras reads,
    so Keras and this app share one copy. Each file is written to a temporary file in the
    target folder, checked, then renamed into place, so a failure never leaves a partial file.
    MNIST is checked against the SHA-256 Keras publishes; Fashion-MNIST against the SHA-256 of
    its uncompressed IDX content (Keras publishes none; see `FASHION_SHA256`).

    Args:
        name: one of `data.DATASET_NAMES`. `"mnist-sample"` is bundled: its path is returned.
        cache_dir: the Keras home to write to. Defaults to `$KERAS_HOME` or `~/.keras`,
            or `/tmp/.keras` when that cannot be written.
        timeout: seconds to wait on the network before giving up.

    Returns:
        The path of the dataset: `mnist.npz`, or the `fashion-mnist` folder.

    Raises:
        ValueError: if `name` is not one of `data.DATASET_NAMES`.
        DatasetUnavailable: if a download fails (offline?) or a file fails its check.
    """
    data.check_name(name)
    if name == "mnist-sample":
        return data.SAMPLE_PATH
    folder = _download_home(cache_dir) / "datasets"
    if name == "mnist":
        target = folder / data.MNIST_FILE
        if not (target.is_file() and _sha256(target) == MNIST_SHA256):
            _fetch(KERAS_ORIGIN + data.MNIST_FILE, target, MNIST_SHA256, timeout)
        return target
    folder = folder / data.FASHION_SUBDIR
    for filename, expected in FASHION_SHA256.items():
        target = folder / filename
        if not (target.is_file() and _sha256_gunzipped(target) == expected):
            _fetch(KERAS_ORIGIN + filename, target, expected, timeout)
    return folder


def _download_home(cache_dir):
    home = data.keras_homes(cache_dir)[0]
    try:
        (home / "datasets").mkdir(parents=True, exist_ok=True)
    except OSError:
        if cache_dir is not None:
            raise data.DatasetUnavailable(
                f"Cannot create a folder in {home} to download into."
            ) from None
        return data.KERAS_FALLBACK_HOME
    return home if os.access(home / "datasets", os.W_OK) else data.KERAS_FALLBACK_HOME


def _fetch(url, target, expected_sha256, timeout):
    """Download `url` to `target` atomically, checking the hash before the rename."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, partial = tempfile.mkstemp(
            prefix=f".{target.name}.", suffix=".part", dir=target.parent
        )
    except OSError as error:
        raise data.DatasetUnavailable(f"Cannot write to {target.parent} ({error}).") from error
    partial = Path(partial)
    try:
        with os.fdopen(handle, "wb") as out:
            _copy_url(url, out, timeout)
        gzipped = target.suffix == ".gz"
        digest = _sha256_gunzipped(partial) if gzipped else _sha256(partial)
        if digest != expected_sha256:
            raise data.DatasetUnavailable(
                f"The download of {url} is corrupt: the SHA-256 of its "
                f"{'content' if gzipped else 'bytes'} is {digest or '(not gzip data)'}, "
                f"expected {expected_sha256}. Nothing was saved; try again later."
            )
        os.replace(partial, target)
    except OSError as error:  # network errors are handled in _copy_url: this is the disk
        raise data.DatasetUnavailable(f"Could not save {target} ({error}).") from error
    finally:
        partial.unlink(missing_ok=True)
    return target


def _copy_url(url, out, timeout):
    """Copy the body of `url` into the open file `out`; network failures say what to do."""
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            shutil.copyfileobj(reply, out)
    except urllib.error.HTTPError as error:
        raise data.DatasetUnavailable(
            f"Could not download {url} (the server answered HTTP {error.code} {error.reason}). "
            f"Try again later. {data.OFFLINE_HINT}."
        ) from error
    except (
        urllib.error.URLError,
        http.client.HTTPException,
        ConnectionError,
        TimeoutError,
    ) as error:
        reason = getattr(error, "reason", None) or error
        raise data.DatasetUnavailable(
            f"Could not download {url} ({reason}). You are probably offline: {data.OFFLINE_HINT}."
        ) from error


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as file:
        for block in iter(lambda: file.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _sha256_gunzipped(path):
    """SHA-256 of a gzip file's content, or "" if it is not a valid gzip file."""
    digest = hashlib.sha256()
    try:
        with gzip.open(path, "rb") as file:
            for block in iter(lambda: file.read(1 << 20), b""):
                digest.update(block)
    except (OSError, EOFError, zlib.error):
        return ""
    return digest.hexdigest()
