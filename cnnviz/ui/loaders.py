"""Cached loaders: each dataset, image set and decoded upload is made once per server."""

from __future__ import annotations

import threading

import numpy as np
import streamlit as st

from cnnviz import datasets, images
from cnnviz.ui.language import language, t

DECODES_AT_ONCE = 2


def cached_dataset(name: str) -> datasets.Dataset:
    """`cnnviz.datasets.load_dataset`, loaded once per server (a spinner, in the session's
    language, while it loads)."""
    with st.spinner(t("picker.loading_dataset")):
        return _dataset(name)


@st.cache_data(show_spinner=False, max_entries=3)
def _dataset(name: str) -> datasets.Dataset:
    return datasets.load_dataset(name)


@st.cache_data(show_spinner=False)
def cached_builtin_images() -> dict[str, np.ndarray]:
    """The built-in teaching images and sample photos, made once per server."""
    return images.builtin_images()


def cached_decode(digest: str, _upload: bytes) -> images.DecodedImage:
    """`cnnviz.images.decode_image`, once per distinct upload (`_decode`), with a spinner in
    the session's language while it decodes."""
    with st.spinner(t("picker.decoding")):
        return _decode(digest, _upload)


@st.cache_resource(show_spinner=False, max_entries=16, ttl=600)
def _decode(digest: str, _upload: bytes) -> images.DecodedImage:
    """`cnnviz.images.decode_image`, once per distinct upload, shared by every session.

    Keyed by `digest` (the upload's SHA-256, computed once when it arrives), so a rerun neither
    hashes nor copies the upload or the image: every session gets the same read-only array.
    At most 16 images are kept (48 MB each at most), each for 10 minutes after it was
    decoded; and at most `DECODES_AT_ONCE` uploads are decoded at a time on the server, so a
    whole class uploading at once queues for a second instead of running out of memory.
    """
    with _decode_slots():
        decoded = images.decode_image(_upload)
    decoded.image.setflags(write=False)
    return decoded


@st.cache_resource
def _decode_slots() -> threading.BoundedSemaphore:
    """The server's permits to decode an upload (a decode at the limit needs up to ~200 MB)."""
    return threading.BoundedSemaphore(DECODES_AT_ONCE)


def available_datasets() -> dict[str, str | None]:
    """Which datasets can be loaded here: name -> None if available, else the reason (in this
    session's language)."""
    return _available_datasets(language())


@st.cache_data(show_spinner=False, ttl=60)
def _available_datasets(language: str) -> dict[str, str | None]:
    return datasets.available_datasets(language=language)


available_datasets.clear = _available_datasets.clear  # after a download: look again
