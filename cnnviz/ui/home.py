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
from cnnviz.ui.picker import DRAW, PickedImage

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
    top = _window_slider("Window row (its top pixel)", height, "home_window_top")
    left = _window_slider("Window column (its left pixel)", width, "home_window_left")
    window = pixel_window(picked.image, top, left, WINDOW)
    mount_photo_window(
        "home_photo",
        picked.image,
        (window.top, window.left),
        WINDOW,
        f"{picked.name}, {width}×{height} pixels",
        ("home_window_top", "home_window_left"),
    )
    if max(height, width) > SHOWN_SIDE:
        st.caption(
            f"Shown smaller than its {width}×{height} pixels, so the {WINDOW}×{WINDOW} window "
            f"is small here: the red ring marks where it is. {_whose_numbers(picked)} Click "
            "anywhere to look there."
        )
    return picked.image, window


def _whose_numbers(picked: PickedImage) -> str:
    if not picked.reduced:
        return "The numbers are the original pixels."
    height, width = picked.image.shape[:2]
    original_height, original_width = picked.original_size
    return (
        f"The numbers are those of the reduced {width}×{height} image, not the "
        f"{original_width}×{original_height} pixels of the file."
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
            help=f"Each step moves the window by its own size, {WINDOW} pixels; the last "
            "step puts it against the edge.",
        )
    )


def _digit(picked: PickedImage) -> tuple[np.ndarray, PixelWindow | None]:
    grid = to_grayscale(picked.image)
    if picked.source == DRAW:
        try:
            grid = np.rint(to_mnist(picked.image).result * 255).astype(np.uint8)
        except ImageError as error:
            st.error(str(error))
            return grid, None
        st.caption(
            f"Your {picked.image.shape[0]}×{picked.image.shape[1]} drawing, made into a "
            "28×28 MNIST-style digit (cropped, scaled to 20 px, centred)."
        )
    st.plotly_chart(plots.image_figure(grid, title=picked.name, height=360), key="home_seen")
    return grid, PixelWindow(grid, 0, 0)


def what_computers_see(window: PixelWindow, is_digit: bool) -> None:
    """The window's values as numbers, one grid per channel, raw or divided by 255."""
    normalised = st.toggle(
        "Show normalised values (x / 255)",
        key="home_normalise",
        help="Networks are fed pixels scaled to 0..1: every value divided by 255.",
    )
    if is_digit:
        channels = {"Gray": window.values}
    else:
        names = list(CHANNEL_COLOURS)[1:]
        channels = {name: window.values[:, :, i] for i, name in enumerate(names)}
    tabs = st.tabs(list(channels)) if len(channels) > 1 else [st.container()]
    for tab, (name, values) in zip(tabs, channels.items(), strict=True):
        figure = plots.pixel_grid(
            normalise(values) if normalised else values,
            title=f"{name} values, rows {window.rows.start}–{window.rows.stop - 1}, "
            f"columns {window.cols.start}–{window.cols.stop - 1}",
            colorscale=CHANNEL_COLOURS[name],
            value_range=(0, 1) if normalised else (0, 255),
            rows=window.rows,
            cols=window.cols,
            decimals=2 if normalised else 0,
        )
        tab.plotly_chart(figure, key=f"home_grid_{name}")


def tensors(image: np.ndarray, window: PixelWindow) -> None:
    """Normalisation and the tensor `[images, height, width, channels]`, with its memory."""
    shape = tensor_shape(image)
    low, high = int(window.values.min()), int(window.values.max())
    st.markdown(
        f"**Normalisation.** The values shown range from {low} to {high}; divided by 255 they "
        f"range from {low / 255:.3f} to {high / 255:.3f}. Small inputs of similar scale keep "
        "the network's arithmetic stable while it learns.\n\n"
        f"**Tensors.** Networks take a batch of images as one tensor "
        f"`[images, height, width, channels]`. This image alone is `{list(shape)}`: "
        f"{format_bytes(tensor_bytes(shape, 'uint8'))} as 0–255 bytes, "
        f"{format_bytes(tensor_bytes(shape, 'float32'))} as normalised float32."
    )
    count = st.number_input(
        "The lecture's dataset: how many 300×450 colour photos?",
        min_value=1,
        max_value=10_000_000,
        value=LECTURE_TENSOR_SHAPE[0],
        step=1000,
        key="home_images",
    )
    shape = (int(count), *LECTURE_TENSOR_SHAPE[1:])
    as_bytes, as_floats = st.columns(2)
    as_bytes.metric(f"Tensor {shape} as uint8", format_bytes(tensor_bytes(shape, "uint8")))
    as_floats.metric(
        "The same as float32 (after x / 255)", format_bytes(tensor_bytes(shape, "float32"))
    )
    st.caption("This is why datasets are streamed to the network in batches, not loaded at once.")
