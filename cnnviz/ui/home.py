"""The home page's views: the picture beside its numbers, and the tensor it becomes."""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.formatting import format_bytes
from cnnviz.images import (
    LECTURE_TENSOR_SHAPE,
    ImageError,
    PixelWindow,
    normalise,
    pixel_window,
    tensor_bytes,
    tensor_shape,
    to_grayscale,
    to_mnist,
)
from cnnviz.images.pixels import window_positions
from cnnviz.ui.components import mount_photo_window
from cnnviz.ui.components.photo_window import SHOWN_SIDE
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.picker import DRAW, PickedImage
from cnnviz.ui.widgets import channel_label

WINDOW = 16
CHANNEL_COLOURS = {
    "Gray": plots.GRAY,
    "Red": plots.CHANNEL_SCALES["R"],
    "Green": plots.CHANNEL_SCALES["G"],
    "Blue": plots.CHANNEL_SCALES["B"],
}


def what_we_see(picked: PickedImage) -> tuple[np.ndarray, PixelWindow | None]:
    """Show the picture; return the image the numbers come from and the window shown (None
    when a drawing cannot be made into a digit, with the reason on the page)."""
    if picked.is_digit:
        return _digit(picked)
    height, width = picked.image.shape[:2]
    top = _window_slider(t("home.window_row"), height, "home_window_top")
    left = _window_slider(t("home.window_column"), width, "home_window_left")
    window = pixel_window(picked.image, top, left, WINDOW)
    mount_photo_window(
        "home_photo",
        picked.image,
        (window.top, window.left),
        WINDOW,
        t("home.photo_title", name=picked.name, width=width, height=height),
        ("home_window_top", "home_window_left"),
    )
    if max(height, width) > SHOWN_SIDE:
        whose = _whose_numbers(picked)
        st.caption(t("home.shown_smaller", width=width, height=height, window=WINDOW, whose=whose))
    return picked.image, window


def _whose_numbers(picked: PickedImage) -> str:
    if not picked.reduced:
        return t("home.original_numbers")
    height, width = picked.image.shape[:2]
    original_height, original_width = picked.original_size
    return t(
        "home.reduced_numbers",
        width=width,
        height=height,
        original_width=original_width,
        original_height=original_height,
    )


def _window_slider(label: str, length: int, key: str) -> int:
    """Where the window starts along a side of `length` pixels, moved one window at a time.

    No slider is drawn when the window covers the whole side. A position remembered from
    another image is moved to the nearest one this image has.
    """
    positions = window_positions(length, WINDOW)
    if len(positions) == 1:
        st.session_state.pop(key, None)
        return 0
    if key in st.session_state and st.session_state[key] not in positions:
        remembered = int(st.session_state[key])
        st.session_state[key] = min(positions, key=lambda start: abs(start - remembered))
    return int(
        st.select_slider(
            label,
            positions,
            key=key,
            help=t("home.window_help", window=WINDOW),
        )
    )


def _digit(picked: PickedImage) -> tuple[np.ndarray, PixelWindow | None]:
    grid = to_grayscale(picked.image)
    if picked.source == DRAW:
        try:
            grid = np.rint(to_mnist(picked.image).result * 255).astype(np.uint8)
        except ImageError as error:
            st.error(message(error))
            return grid, None
        rows, cols = picked.image.shape[:2]
        st.caption(t("home.drawing_caption", rows=rows, cols=cols))
    figure = plots.image_figure(grid, title=picked.name, height=360, language=language())
    st.plotly_chart(figure, key="home_seen")
    return grid, PixelWindow(grid, 0, 0)


def what_computers_see(window: PixelWindow, is_digit: bool) -> None:
    """The window's values as numbers, one grid per channel, raw or divided by 255."""
    normalised = st.toggle(t("home.normalise"), key="home_normalise", help=t("home.normalise_help"))
    if is_digit:
        channels = {"Gray": window.values}
    else:
        names = list(CHANNEL_COLOURS)[1:]
        channels = {name: window.values[:, :, i] for i, name in enumerate(names)}
    names = [channel_label(name, language()) for name in channels]
    tabs = st.tabs(names) if len(channels) > 1 else [st.container()]
    for tab, shown, (name, values) in zip(tabs, names, channels.items(), strict=True):
        title = t(
            "home.grid_title",
            channel=shown,
            first_row=window.rows.start,
            last_row=window.rows.stop - 1,
            first_col=window.cols.start,
            last_col=window.cols.stop - 1,
        )
        figure = plots.pixel_grid(
            normalise(values) if normalised else values,
            title=title,
            colorscale=CHANNEL_COLOURS[name],
            value_range=(0, 1) if normalised else (0, 255),
            rows=window.rows,
            cols=window.cols,
            decimals=2 if normalised else 0,
            language=language(),
        )
        tab.plotly_chart(figure, key=f"home_grid_{name}")


def tensors(image: np.ndarray, window: PixelWindow) -> None:
    """Normalisation and the tensor `[images, height, width, channels]`, with its memory."""
    shape = tensor_shape(image)
    low, high = int(window.values.min()), int(window.values.max())
    st.markdown(
        t(
            "home.tensors_text",
            low=low,
            high=high,
            low_scaled=f"{low / 255:.3f}",
            high_scaled=f"{high / 255:.3f}",
            shape=list(shape),
            bytes=format_bytes(tensor_bytes(shape, "uint8")),
            floats=format_bytes(tensor_bytes(shape, "float32")),
        )
    )
    count = st.number_input(
        t("home.dataset_count"),
        min_value=1,
        max_value=10_000_000,
        value=LECTURE_TENSOR_SHAPE[0],
        step=1000,
        key="home_images",
    )
    shape = (int(count), *LECTURE_TENSOR_SHAPE[1:])
    as_bytes, as_floats = st.columns(2)
    as_bytes.metric(t("home.tensor_uint8", shape=shape), format_bytes(tensor_bytes(shape, "uint8")))
    as_floats.metric(t("home.tensor_float32"), format_bytes(tensor_bytes(shape, "float32")))
    st.caption(t("home.batches"))
