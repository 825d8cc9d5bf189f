"""A `.keras` file checked before Keras opens it: a zip of a few members of sensible size.

A `.keras` model is a zip archive (`metadata.json`, `config.json`, `model.weights.h5`). A
hostile one can declare a 1 GB `config.json` compressed into 1 MB, which Keras would read
into memory whole. `check_model_archive` reads only the archive's directory (the sizes each
member declares; Python's `zipfile`, which Keras uses, never inflates a member past its
declared size) and refuses such a file before a single member is read.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from cnnviz.formatting import format_bytes

MAX_MEMBERS = 64
MAX_CONFIG_BYTES = 10_000_000
MAX_TOTAL_BYTES = 200_000_000
# Keras stores its members uncompressed; a compressed archive may shrink them, not 50-fold.
MAX_EXPANSION = 50
SLACK_BYTES = 1_000_000


def check_model_archive(path) -> None:
    """Refuse a `.keras` file whose members would take far more memory than the file.

    Checks that the file is a zip archive of at most `MAX_MEMBERS` members with plain
    relative names, that `config.json` declares at most `MAX_CONFIG_BYTES`, and that the
    members together declare at most `MAX_TOTAL_BYTES` and at most `MAX_EXPANSION` times
    the file's size (plus 1 MB). No member is read.

    Raises:
        ValueError: Naming the file and what is wrong with it (sizes included).
        OSError: If the file cannot be read.
    """
    path = Path(path)
    size = path.stat().st_size
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except zipfile.BadZipFile as error:
        raise ValueError(
            f"{path.name} is not a Keras model (not a zip archive: {error})."
        ) from None
    if len(members) > MAX_MEMBERS:
        raise ValueError(
            f"{path.name} has {len(members):,} members; a Keras model has a few (at most "
            f"{MAX_MEMBERS} accepted)."
        )
    for member in members:
        parts = Path(member.filename).parts
        if member.filename.startswith("/") or ".." in parts:
            raise ValueError(f"{path.name} has a member outside the archive: {member.filename!r}.")
        if member.filename == "config.json" and member.file_size > MAX_CONFIG_BYTES:
            raise ValueError(
                f"{path.name}'s config.json would unpack to {format_bytes(member.file_size)} "
                f"(at most {format_bytes(MAX_CONFIG_BYTES)} accepted): refused unread."
            )
    total = sum(member.file_size for member in members)
    bound = min(MAX_TOTAL_BYTES, MAX_EXPANSION * size + SLACK_BYTES)
    if total > bound:
        raise ValueError(
            f"{path.name} ({format_bytes(size)}) would unpack to {format_bytes(total)} (at "
            f"most {format_bytes(bound)} accepted for a file of its size): refused unread."
        )
