"""Downloads into the Keras cache, started by the user: full MNIST, Fashion-MNIST, any one file.

The only module that touches the network. Files land where Keras keeps them, so
`cnnviz.datasets.offline` (and `cnnviz.transfer.imagenet`) read them afterwards and Keras finds
them too. The dataset folders, file names and messages are `offline`'s, read through the module
at call time so that there is one place to change (or patch) them. `download_file` fetches one
file with progress reports, can be cancelled between chunks, and fails within seconds offline.
Beyond it, the standard library only.
"""

import glob
import gzip
import hashlib
import http.client
import os
import shutil
import socket
import tempfile
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import zlib
from collections.abc import Callable
from pathlib import Path

from cnnviz.datasets import offline as data
from cnnviz.formatting import format_bytes

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

# Seconds to wait for each network step of `download_file`: resolving, connecting, each read.
DOWNLOAD_TIMEOUT = 10.0
# Bytes read at most between two `should_stop()` checks and `progress` reports.
CHUNK_BYTES = 1 << 18
# A partial file untouched this long was left by a process that died: it is removed. (A live
# download writes at least every DOWNLOAD_TIMEOUT seconds or gives up.)
STALE_PARTIAL_SECONDS = 600
_HASH_LENGTHS = {32: "md5", 64: "sha256"}


class DownloadError(ValueError):
    """A download failed; the message says what failed and how to put the file there by hand."""


class DownloadCancelled(DownloadError):  # noqa: N818 (the name says what happened)
    """The caller asked the download to stop (`should_stop()` returned True); nothing was kept."""


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


def download_file(
    url: str,
    target,
    file_hash: str,
    *,
    progress: Callable[[int, int | None], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
) -> Path:
    """Download one file to `target`, checked against its hash, or leave nothing at all.

    The bytes go to a temporary file beside `target` (`.<name>.<random>.part`) and are hashed
    on the way; the file is renamed to `target` only when the hash matches. A failure or a
    cancellation removes it. Nothing waits without a bound: resolving the host's name,
    connecting and every read each take at most `timeout` seconds, so offline the call fails
    within seconds (at once when the name cannot be resolved or the connection is refused).

    Args:
        url: Where the file is (http or https; the environment's proxies are used).
        target: The file to write; its folder is made if needed, a file there is replaced.
        file_hash: The file's MD5 (32 hex digits) or SHA-256 (64), as Keras's `get_file`
            takes them.
        progress: Called as `progress(bytes_done, bytes_total)` after each chunk of at most
            `CHUNK_BYTES`; `bytes_total` is None when the server does not say.
        should_stop: Called before each chunk; returning True cancels the download.
        timeout: Seconds each network step may take.

    Returns:
        `target`, as a `Path`.

    Raises:
        ValueError: If `file_hash` is neither 32 nor 64 hexadecimal digits.
        DownloadCancelled: If `should_stop()` returned True.
        DownloadError: If the network fails (offline?), the server refuses, the bytes fail
            their check or cannot be written; the message says how to copy the file by hand.

    Example:
        >>> download_file(url, Path.home() / ".keras/models/file.h5", md5)  # doctest: +SKIP
    """
    transfer = _Transfer(url, Path(target), timeout, progress, should_stop)
    digest = _hasher(file_hash)
    handle, partial = transfer.partial_file()
    try:
        with os.fdopen(handle, "wb") as out:
            transfer.copy_into(out, digest)
        if digest.hexdigest() != file_hash.lower():
            raise DownloadError(
                f"The download of {url} is corrupt: its {digest.name.upper()} is "
                f"{digest.hexdigest()}, expected {file_hash.lower()}. Nothing was saved; try "
                f"again. {transfer.by_hand()}"
            )
        os.replace(partial, transfer.target)
    except OSError as error:  # the network's errors are DownloadErrors by now: this is the disk
        raise DownloadError(
            f"Could not save {transfer.target} ({error}). {transfer.by_hand()}"
        ) from error
    finally:
        partial.unlink(missing_ok=True)
    return transfer.target


def _hasher(file_hash: str):
    algorithm = _HASH_LENGTHS.get(len(file_hash)) if isinstance(file_hash, str) else None
    if algorithm is None or any(c not in "0123456789abcdefABCDEF" for c in file_hash):
        raise ValueError(
            "`file_hash` is an MD5 (32 hexadecimal digits) or a SHA-256 (64). "
            f"Received {file_hash!r}."
        )
    return hashlib.new(algorithm, usedforsecurity=False)


class _Transfer:
    """One download: where from and to, its bounds and callbacks, and its messages."""

    def __init__(self, url, target, timeout, progress, should_stop):
        self.url, self.target, self.timeout = url, target, timeout
        self.progress, self.should_stop = progress, should_stop

    def by_hand(self) -> str:
        """How to do without the download: the offline alternative every message ends with."""
        return (
            "To do without the download here, fetch the file on a machine that is online and "
            f"copy it to {self.target} (exactly that name)."
        )

    def partial_file(self) -> tuple[int, Path]:
        """A new temporary file beside the target: its open handle and its path. Partial
        files of the target that a dead process left behind are removed first."""
        try:
            self.target.parent.mkdir(parents=True, exist_ok=True)
            _remove_stale_partials(self.target)
            handle, partial = tempfile.mkstemp(
                prefix=f".{self.target.name}.", suffix=".part", dir=self.target.parent
            )
        except OSError as error:
            raise DownloadError(
                f"Cannot download {self.url} into {self.target.parent} ({error}). {self.by_hand()}"
            ) from error
        return handle, Path(partial)

    def copy_into(self, out, digest) -> None:
        """Copy the body of the URL into the open file `out`, hashing it on the way."""
        with self._open() as reply:
            total = reply.length
            self._check_space(total)
            done = 0
            while True:
                if self.should_stop is not None and self.should_stop():
                    raise DownloadCancelled(f"The download of {self.url} was cancelled.")
                chunk = self._network(reply.read1, CHUNK_BYTES)
                if not chunk:
                    break
                out.write(chunk)
                digest.update(chunk)
                done += len(chunk)
                if self.progress is not None:
                    self.progress(done, total)
        if total is not None and done < total:
            raise DownloadError(
                f"The download of {self.url} stopped after {done:,} of {total:,} bytes. Nothing "
                f"was saved; try again. {self.by_hand()}"
            )

    def _open(self):
        host = urllib.parse.urlsplit(self.url)
        if host.hostname and not _proxied(host.scheme, host.hostname):
            self._network(_resolve, host.hostname, self.timeout)
        return self._network(urllib.request.urlopen, self.url, timeout=self.timeout)

    def _network(self, step, *args, **kwargs):
        """`step(*args, **kwargs)`, its network failures turned into messages."""
        try:
            return step(*args, **kwargs)
        except urllib.error.HTTPError as error:
            raise DownloadError(
                f"Could not download {self.url}: the server answered HTTP {error.code} "
                f"{error.reason}. Try again later. {self.by_hand()}"
            ) from error
        except (urllib.error.URLError, http.client.HTTPException, OSError) as error:
            reason = getattr(error, "reason", None) or str(error) or type(error).__name__
            raise DownloadError(
                f"Could not download {self.url} ({reason}): you are probably offline. "
                f"{self.by_hand()}"
            ) from error

    def _check_space(self, total: int | None) -> None:
        free = shutil.disk_usage(self.target.parent).free
        if total is not None and total > free:
            raise DownloadError(
                f"There is not enough space in {self.target.parent} for {self.url}: it needs "
                f"{format_bytes(total)} and {format_bytes(free)} are free. Free some space. "
                f"{self.by_hand()}"
            )


def _remove_stale_partials(target: Path) -> None:
    """Remove `target`'s partial files not written to for `STALE_PARTIAL_SECONDS`."""
    now = time.time()
    for partial in target.parent.glob(f".{glob.escape(target.name)}.*.part"):
        try:
            if now - partial.stat().st_mtime > STALE_PARTIAL_SECONDS:
                partial.unlink()
        except FileNotFoundError:
            continue  # its download ended meanwhile


def _proxied(scheme: str, host: str) -> bool:
    """Whether the environment sends requests for `host` through a proxy (which resolves it)."""
    return scheme in urllib.request.getproxies() and not urllib.request.proxy_bypass(host)


def _resolve(host: str, timeout: float) -> None:
    """Resolve `host` within `timeout` seconds: the system's resolver has no bound of its own.

    Raises:
        OSError: If the name cannot be resolved (`socket.gaierror`) or not in time
            (`TimeoutError`; the lookup then ends in the background).
    """
    failure = []

    def look_up():
        try:
            socket.getaddrinfo(host, None, type=socket.SOCK_STREAM)
        except OSError as error:
            failure.append(error)

    lookup = threading.Thread(target=look_up, name=f"resolve {host}", daemon=True)
    lookup.start()
    lookup.join(timeout)
    if lookup.is_alive():
        raise TimeoutError(f"looking up {host} took longer than {timeout:g} s")
    if failure:
        raise failure[0]
