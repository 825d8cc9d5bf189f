"""The photo window: a photo on the home page, whose 16×16 window of numbers moves by a click.

The photo travels once, as a JPEG of a copy at most 640 pixels wide (for looking only: the
numbers the page shows come from the original); hovering is answered in the browser, and a
click comes back into the page's window sliders, `home_window_top` and `home_window_left`.
"""

from __future__ import annotations

import base64
import functools

import cv2
import numpy as np
import streamlit as st

from cnnviz import i18n
from cnnviz.images import fit_for_display
from cnnviz.images.pixels import window_positions
from cnnviz.ui.components.payload import version_of
from cnnviz.ui.components.registry import component
from cnnviz.ui.language import language

SHOWN_SIDE = 640
JPEG_QUALITY = 88


@st.cache_data(max_entries=8, show_spinner=False)
def picture_url(image: np.ndarray) -> str:
    """A downscaled copy of an RGB or grey uint8 image as a JPEG data URL (made once)."""
    shown = fit_for_display(image, SHOWN_SIDE).image
    if shown.ndim == 3:
        shown = cv2.cvtColor(shown, cv2.COLOR_RGB2BGR)
    ok, encoded = cv2.imencode(".jpg", shown, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
    if not ok:
        raise ValueError(f"The photo could not be encoded as JPEG. Received shape {image.shape}.")
    return "data:image/jpeg;base64," + base64.b64encode(encoded.tobytes()).decode("ascii")


def photo_texts(language: str = "en") -> dict[str, str]:
    """The words the photo window writes in the browser, in `language`."""
    return {name: i18n.translate(language, f"home.photo.{name}") for name in ("readout", "hover")}


def store_window(key: str, keys: tuple[str, str]) -> None:
    """Copy a clicked window `[top, left]` into the page's window keys."""
    state = st.session_state.get(key) or {}
    window = state.get("window") if hasattr(state, "get") else None
    if isinstance(window, list | tuple) and len(window) == 2:
        st.session_state[keys[0]], st.session_state[keys[1]] = (int(v) for v in window)


def mount_photo_window(
    key: str, image: np.ndarray, window: tuple[int, int], side: int, title: str, keys
):
    """Mount the photo with the `side`×`side` window at `window` = (top, left); a click moves
    it, through the page's `keys` (top, left)."""
    height, width = image.shape[:2]
    picture = picture_url(image)
    rows, cols = window_positions(height, side), window_positions(width, side)
    data = {
        "picture": picture,
        "size": [int(height), int(width)],
        "window": [int(window[0]), int(window[1])],
        "side": int(side),
        "positions": {
            "rows": rows,
            "cols": cols,
        },
        "title": title,
        "texts": photo_texts(language()),
        "version": version_of(image.shape, picture, language()),
    }
    component("photo_window")(
        key=key, data=data, on_window_change=functools.partial(store_window, key, keys)
    )
