"""The ImageNet files of Keras's VGG16: what they are, where Keras caches them, whether they
are here, and fetching them when the user asks.

`keras.applications.VGG16(weights="imagenet")` downloads its weights on first use, and
`decode_predictions` ImageNet's class names; both land in Keras's cache, `$KERAS_HOME/models`
or `~/.keras/models` (`/tmp/.keras/models` when that cannot be written). This app never lets
Keras download: the engine builds VGG16 from the file's explicit path when it is here, the page
says what is missing when it is not, and `download_files` fetches it (through
`cnnviz.datasets.download`) only when the user asks. A photo becomes VGG16's 224×224 input
by `cnnviz.transfer.own_classes.own_photo` (the shorter side scaled to 224, the centre kept).
The standard library only.

Example:
    >>> status = weights_status(cache_dir="/nonexistent")["weights"]
    >>> status.present, status.expected_bytes, status.path.name
    (False, 553467096, 'vgg16_weights_tf_dim_ordering_tf_kernels.h5')
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from cnnviz import i18n
from cnnviz.datasets import download, offline
from cnnviz.formatting import format_bytes
from cnnviz.validation import check_choice

KERAS_APPLICATIONS = "https://storage.googleapis.com/tensorflow/keras-applications/vgg16/"
CLASS_INDEX_URL = (
    "https://storage.googleapis.com/download.tensorflow.org/data/imagenet_class_index.json"
)
MODELS_SUBDIR = "models"  # Keras's `cache_subdir` for applications' weights
IMAGENET_SIDE = 224  # VGG16's input is 224×224×3 with its Dense top
FEATURES = 512  # block5's channels: the length of a photo's feature vector


@dataclass(frozen=True)
class ImageNetFile:
    """A file Keras fetches for VGG16 on ImageNet, and the MD5 Keras checks it against.

    Attributes:
        filename: Its name in the Keras cache, `<Keras home>/models/<filename>`.
        url: Where Keras downloads it from.
        md5: The hash Keras's `get_file` checks (`file_hash`).
        size: Its size in bytes.
        description: What it is, starting a sentence ("The ImageNet weights of VGG16").
        purpose: What the app needs it for.
    """

    filename: str
    url: str
    md5: str
    size: int
    description: str
    purpose: str


# keras/src/applications/vgg16.py (WEIGHTS_PATH, WEIGHTS_PATH_NO_TOP and their file_hash) and
# keras/src/applications/imagenet_utils.py (CLASS_INDEX_PATH); read at call time, so that
# tests can put smaller stand-ins in their place.
_WEIGHTS = "vgg16_weights_tf_dim_ordering_tf_kernels"
IMAGENET_FILES = {
    "weights": ImageNetFile(
        f"{_WEIGHTS}.h5",
        f"{KERAS_APPLICATIONS}{_WEIGHTS}.h5",
        "64373286793e3c8b2b4e3219cbf3544b",
        553_467_096,
        "The ImageNet weights of VGG16",
        "to classify a photo into ImageNet's 1,000 classes",
    ),
    "weights_notop": ImageNetFile(
        f"{_WEIGHTS}_notop.h5",
        f"{KERAS_APPLICATIONS}{_WEIGHTS}_notop.h5",
        "6d6bbae143d832006294945121d1f1fc",
        58_889_256,
        "The ImageNet weights of VGG16's convolutional base, without its Dense layers,",
        "to turn photos into 512 features each",
    ),
    "class_index": ImageNetFile(
        "imagenet_class_index.json",
        CLASS_INDEX_URL,
        "c2c37ea517e94d9795004a39431a14cb",
        35_363,
        "ImageNet's class names",
        "to name the classes VGG16 predicts",
    ),
}
CLASSIFY_FILES = ("weights", "class_index")
FEATURE_FILES = ("weights_notop",)


class ImageNetUnavailable(ValueError):  # noqa: N818 (the name says what happened)
    """A file VGG16 needs is not on this machine; the message says which and where it goes."""


@dataclass(frozen=True)
class FileStatus:
    """Whether one ImageNet file is here.

    Attributes:
        role: Its key in `IMAGENET_FILES`.
        file: What it is and how big it should be.
        path: Where it is; when it is not here, where a download would put it.
        found_bytes: The size of the file at `path`; None when there is none.
        message: One sentence for the learner: what is missing (or damaged), its size and
            where it would be cached; empty when the file is here.
    """

    role: str
    file: ImageNetFile
    path: Path
    found_bytes: int | None
    message: str

    @property
    def present(self) -> bool:
        """True when the file is there, complete (its size is the expected one)."""
        return self.found_bytes == self.file.size

    @property
    def expected_bytes(self) -> int:
        """The file's size when complete."""
        return self.file.size


def weights_status(*, cache_dir=None, language: str = "en") -> dict[str, FileStatus]:
    """Say, for each of `IMAGENET_FILES`, whether it is in the Keras cache; reads no file.

    A file counts as here when a file of that name and of the expected size is in
    `<Keras home>/models` (Keras's own check, its MD5, is the engine's, once per file).

    Args:
        cache_dir: The Keras home. Defaults to `$KERAS_HOME` or `~/.keras`, then `/tmp/.keras`.
        language: The language of the statuses' messages ("en" or "es").

    Returns:
        `{role: FileStatus}`, in the order of `IMAGENET_FILES`.
    """
    return {
        role: file_status(role, cache_dir=cache_dir, language=language) for role in IMAGENET_FILES
    }


def file_status(role: str, *, cache_dir=None, language: str = "en") -> FileStatus:
    """`weights_status` for one file: `role` is a key of `IMAGENET_FILES`; its message is in
    `language` (the file's description and purpose from the catalog `transfer`, whose English
    a test keeps equal to `IMAGENET_FILES`').

    Raises:
        ValueError: If `role` is not a key of `IMAGENET_FILES`.
    """
    check_choice(role, "The ImageNet file", tuple(IMAGENET_FILES))
    file = IMAGENET_FILES[role]
    found = [home / MODELS_SUBDIR / file.filename for home in offline.keras_homes(cache_dir)]
    sizes = {path: _size(path) for path in found}
    complete = [path for path, size in sizes.items() if size == file.size]
    if complete:
        return FileStatus(role, file, complete[0], file.size, "")
    damaged = [path for path, size in sizes.items() if size is not None]
    words = {
        "description": i18n.translate(language, f"transfer.imagenet.files.{role}.description"),
        "size": format_bytes(file.size),
    }
    if damaged:
        path = damaged[0]
        message = i18n.translate(
            language,
            "transfer.imagenet.damaged",
            path=path,
            found=f"{sizes[path]:,}",
            expected=f"{file.size:,}",
            **words,
        )
        return FileStatus(role, file, path, sizes[path], message)
    path = download_folder(cache_dir) / file.filename
    purpose = i18n.translate(language, f"transfer.imagenet.files.{role}.purpose")
    message = i18n.translate(
        language, "transfer.imagenet.missing", path=path, purpose=purpose, **words
    )
    return FileStatus(role, file, path, None, message)


def require_files(roles: Iterable[str], *, cache_dir=None) -> dict[str, Path]:
    """The paths of the files `roles` name, or an error that says what is missing.

    Raises:
        ImageNetUnavailable: If any is missing or incomplete; the message has one sentence
            per file (size and cache path) and how to get it.
        ValueError: For an unknown role.
    """
    statuses = [file_status(role, cache_dir=cache_dir) for role in roles]
    missing = [status for status in statuses if not status.present]
    if missing:
        raise ImageNetUnavailable(
            " ".join(status.message for status in missing)
            + " Download them on the Transfer learning page, or copy them there by hand "
            "(from Keras's cache on a machine that has them)."
        )
    return {status.role: status.path for status in statuses}


def verify_file(role: str, path) -> None:
    """Check a file against the MD5 Keras checks it against (about a second for 528 MiB).

    Raises:
        ImageNetUnavailable: If the MD5 differs: the message says to delete and download it.
        ValueError: For an unknown role.
    """
    check_choice(role, "The ImageNet file", tuple(IMAGENET_FILES))
    file = IMAGENET_FILES[role]
    digest = hashlib.md5(usedforsecurity=False)
    with open(path, "rb") as opened:
        while chunk := opened.read(1 << 20):
            digest.update(chunk)
    if digest.hexdigest() != file.md5:
        raise ImageNetUnavailable(
            f"{file.description} at {path} are damaged: their MD5 is {digest.hexdigest()}, "
            f"Keras expects {file.md5}. Delete the file and download it again."
        )


def read_class_index(path) -> list[tuple[str, str]]:
    """ImageNet's classes from `imagenet_class_index.json`, in the order of VGG16's outputs.

    The file maps "0" to "999" to `[WordNet id, class name]` (`["n01440764", "tench"]`), as
    Keras's `decode_predictions` reads it; read here so that nothing asks Keras to download it.

    Returns:
        `[(wordnet_id, class_name), ...]`, one per class, index 0 first.

    Raises:
        ImageNetUnavailable: If the file cannot be read or is not such a mapping.
    """
    try:
        with open(path, encoding="utf-8") as opened:
            index = json.load(opened)
        classes = [tuple(index[str(number)]) for number in range(len(index))]
    except (OSError, ValueError, KeyError, TypeError) as error:
        classes, problem = [], f"{type(error).__name__}: {error}"
    else:
        problem = "it does not map each class number to [WordNet id, class name]"
    if not classes or any(
        len(pair) != 2 or not all(isinstance(text, str) for text in pair) for pair in classes
    ):
        raise ImageNetUnavailable(
            f"The class index {path} cannot be read ({problem}). Delete it and download it again."
        )
    return classes


def download_folder(cache_dir=None) -> Path:
    """Where a download goes, as Keras's `get_file` picks it: `<Keras home>/models`, or
    `/tmp/.keras/models` when the Keras home cannot be written. Creates nothing."""
    home = offline.keras_homes(cache_dir)[0]
    if cache_dir is None and not _writable(home / MODELS_SUBDIR):
        home = offline.KERAS_FALLBACK_HOME
    return home / MODELS_SUBDIR


def download_files(
    roles: Iterable[str],
    *,
    cache_dir=None,
    progress: Callable[[int, int], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    timeout: float = download.DOWNLOAD_TIMEOUT,
) -> dict[str, Path]:
    """Download the files `roles` name that are not here yet, one after the other.

    Each goes through `cnnviz.datasets.download.download_file`: into `download_folder()`,
    checked against Keras's MD5, written atomically, cancellable between chunks.

    Args:
        roles: Keys of `IMAGENET_FILES`, e.g. `CLASSIFY_FILES`.
        cache_dir: The Keras home (default: Keras's).
        progress: Called as `progress(bytes_done, bytes_total)` over all the missing files.
        should_stop: Called before each chunk; True cancels (the file being fetched is
            removed, the files already complete stay).
        timeout: Seconds each network step may take.

    Returns:
        `{role: path}` of every file `roles` name.

    Raises:
        DownloadCancelled: If `should_stop()` returned True.
        DownloadError: If a download failed; the message says how to copy the file by hand.
        ValueError: For an unknown role.
    """
    missing = [file_status(role, cache_dir=cache_dir) for role in roles]
    missing = [status for status in missing if not status.present]
    total, before = sum(status.expected_bytes for status in missing), 0
    for status in missing:

        def report(done, _size, before=before):
            if progress is not None:
                progress(min(before + done, total), total)

        target = download_folder(cache_dir) / status.file.filename
        file = status.file
        download.download_file(
            file.url, target, file.md5, progress=report, should_stop=should_stop, timeout=timeout
        )
        before += status.expected_bytes
    return require_files(roles, cache_dir=cache_dir)


def _size(path: Path) -> int | None:
    try:
        return path.stat().st_size if path.is_file() else None
    except OSError:
        return None


def _writable(path: Path) -> bool:
    """Whether `path` could be made and written: its nearest existing ancestor is writable."""
    for folder in (path, *path.parents):
        if folder.exists():
            return folder.is_dir() and os.access(folder, os.W_OK | os.X_OK)
    return False
