"""Widgets the pages share: kernel editor, position sliders, the working image."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnnviz.convolution import KERNELS, find_preset, normalise_by_sum, validate_kernel
from cnnviz.images import CHANNELS, WorkingImage, working_image
from cnnviz.ui.picker import PickedImage, image_picker

CUSTOM_KERNEL = "Custom"


@dataclass(frozen=True)
class KernelChoice:
    """The kernel a learner chose or typed, already validated.

    Attributes:
        values: float64 square array with an odd side.
        name: The gallery name it matches, or "custom" once edited away from every preset.
        note: A remark to show (why a kernel could not be normalised), or None.
    """

    values: np.ndarray
    name: str
    note: str | None


def position_slider(container, label: str, max_value: int, key: str) -> int:
    """A 0..max_value slider whose remembered value is pulled back inside a new, smaller range.

    A slider keeps its value when the image changes; without this, a window position past
    the edge of a smaller image would be refused by Streamlit. With `max_value` 0 there is
    nothing to choose and no slider is drawn.
    """
    if max_value <= 0:
        st.session_state.pop(key, None)
        return 0
    if key in st.session_state:
        st.session_state[key] = min(max(int(st.session_state[key]), 0), max_value)
    return int(container.slider(label, 0, max_value, key=key))


def step_position(page: str, shape: tuple[int, int]) -> None:
    """Move `{page}_row`/`{page}_col` one output pixel on, in reading order, wrapping round."""
    rows, cols = shape
    row = int(st.session_state.get(f"{page}_row", 0))
    col = int(st.session_state.get(f"{page}_col", 0)) + 1
    if col >= cols:
        row, col = (row + 1) % rows, 0
    if rows > 1:
        st.session_state[f"{page}_row"] = row
    if cols > 1:
        st.session_state[f"{page}_col"] = col


def kernel_editor(page: str) -> KernelChoice:
    """Pick a kernel from the lecture's gallery, then edit any cell of it in a grid.

    Editing a preset turns it into "custom" at once. Cells are text, so that what a learner
    types is checked by `validate_kernel`, whose message names the bad cell.

    Raises:
        KernelError: When a cell is empty, not a number or not finite.
    """
    names = [*KERNELS, CUSTOM_KERNEL]
    preset = st.selectbox("Kernel", names, key=f"{page}_preset")
    if preset == CUSTOM_KERNEL:
        size = st.radio("Kernel size", (3, 5, 7), horizontal=True, key=f"{page}_size")
        base = np.zeros((size, size))
        base[size // 2, size // 2] = 1.0
        st.caption("Start from the identity and type your own weights.")
    else:
        base = KERNELS[preset].values
        st.caption(KERNELS[preset].description)
    columns = [str(i + 1) for i in range(base.shape[1])]
    frame = pd.DataFrame([[f"{value:g}" for value in row] for row in base], columns=columns)
    edited = st.data_editor(
        frame,
        key=f"{page}_editor_{preset}_{base.shape[0]}",
        hide_index=True,
        num_rows="fixed",
        column_config={c: st.column_config.TextColumn(c, width="small") for c in columns},
    )
    values = validate_kernel(edited)
    note = None
    if st.toggle("Normalise by the sum (for blurs)", key=f"{page}_normalise"):
        values, note = normalise_by_sum(values)
    name = find_preset(values) or "custom"
    return KernelChoice(values, name, note)


def channel_picker(picked: PickedImage, page: str) -> WorkingImage:
    """The picked image as one channel to filter, with a channel choice for colour images."""
    channel = "Gray"
    if not picked.is_digit:
        channel = st.radio("Channel", CHANNELS, horizontal=True, key=f"{page}_channel")
    work = working_image(picked.image, channel)
    if work.resized:
        height, width = work.original_size
        st.caption(
            f"Working on a {work.values.shape[1]}×{work.values.shape[0]} copy of the "
            f"{width}×{height} image, so that every output pixel can be explained."
        )
    return work


def working_input(page: str) -> tuple[WorkingImage | None, DeltaGenerator]:
    """The image picker and its channel in a narrow column, and a wide column for controls.

    Returns:
        The image to filter (None, with a message on the page, while there is none) and the
        column for the page's controls.
    """
    source, controls = st.columns([2, 3], gap="large")
    with source:
        picked = image_picker()
        work = channel_picker(picked, page) if picked is not None else None
    return work, controls
