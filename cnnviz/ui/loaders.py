"""Cached loaders: each dataset, image set and decoded upload is made once per server."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import datasets, images


@st.cache_data(show_spinner="Loading the dataset…", max_entries=3)
def cached_dataset(name: str) -> datasets.Dataset:
    """`cnnviz.datasets.load_dataset`, loaded once per server."""
    return datasets.load_dataset(name)


@st.cache_data(show_spinner=False)
def cached_builtin_images() -> dict[str, np.ndarray]:
    """The built-in teaching images and sample photos, made once per server."""
    return images.builtin_images()


@st.cache_data(show_spinner="Decoding the image…", max_entries=8)
def cached_decode(upload: bytes) -> np.ndarray:
    """`cnnviz.images.load_image`, decoded once per distinct upload."""
    return images.load_image(upload)


@st.cache_data(show_spinner=False, ttl=60)
def available_datasets() -> dict[str, str | None]:
    """Which datasets can be loaded here: name -> None if available, else the reason."""
    return datasets.available_datasets()
