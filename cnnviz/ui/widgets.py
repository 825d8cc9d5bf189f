"""Widgets the pages share: kernel editor, the explained position, the working image."""

from __future__ import annotations

import functools
import hashlib
from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st
from streamlit.delta_generator import DeltaGenerator

from cnnviz import i18n
from cnnviz.convolution import (
    KERNELS,
    KernelError,
    check_image_size,
    kernel_description,
    kernel_label,
    read_kernel,
    strongest_position,
)
from cnnviz.images import CHANNELS, WorkingImage, working_image
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.picker import PickedImage, image_picker

CUSTOM_KERNEL = "Custom"
# Put in `{page}_position_for` by a shared link (`cnnviz.ui.share`): keep the link's position.
LINKED_POSITION = "linked"


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


def start_position(page: str, values: np.ndarray, magnitude: bool = True) -> None:
    """Put the explained position `{page}_row`/`{page}_col` on the strongest output when it is new.

    A new input, kernel or setting makes a new output: the position then starts where the
    response is strongest (`strongest_position`; of |values| with `magnitude`), not at a
    flat corner whose sum is 0. While the output stays the same, the learner's moves stay.
    """
    digest = hashlib.blake2b(np.ascontiguousarray(values).tobytes(), digest_size=16)
    seen = (values.shape, digest.hexdigest())
    keys = (f"{page}_row", f"{page}_col")
    unchanged = st.session_state.get(f"{page}_position_for") == seen
    if unchanged and all(key in st.session_state for key in keys):
        return
    row, col = strongest_position(values, magnitude)
    st.session_state[f"{page}_position_start"] = (row, col)  # a link leaves it out
    linked = st.session_state.get(f"{page}_position_for") == LINKED_POSITION
    st.session_state[f"{page}_position_for"] = seen
    if not linked or not all(key in st.session_state for key in keys):
        st.session_state[f"{page}_row"], st.session_state[f"{page}_col"] = row, col


def kernel_editor(page: str, preset_container=None) -> KernelChoice:
    """Pick a kernel from the lecture's gallery (in `preset_container`, by default here), then
    edit any cell of it in a grid.

    Editing a preset turns it into "custom" at once; normalising one keeps its name
    (`read_kernel`). Cells are text, so that what a learner types is checked, and a bad cell
    (empty, not a number, not finite) is shown with the message naming it while the page
    goes on with the last valid kernel, kept per page in `{page}_last_valid_kernel`.
    """
    names = [*KERNELS, CUSTOM_KERNEL]
    preset = (preset_container or st).selectbox(
        t("widgets.kernel"),
        names,
        format_func=functools.partial(kernel_option, language=language()),
        key=f"{page}_preset",
    )
    if preset == CUSTOM_KERNEL:
        size = st.radio(t("widgets.kernel_size"), (3, 5, 7), horizontal=True, key=f"{page}_size")
        cells = [["1" if r == c == size // 2 else "0" for c in range(size)] for r in range(size)]
        st.caption(t("widgets.custom_caption"))
    else:
        cells = KERNELS[preset].cells()
        st.caption(kernel_description(preset, language=language()))
    base, editor_key = cells, f"{page}_editor_{preset}_{len(cells)}"
    linked = st.session_state.get(f"{page}_kernel_seed")  # (preset, cells) from a shared link
    if linked is not None and linked[0] == preset and len(linked[1]) == len(cells):
        cells, editor_key = linked[1], f"{editor_key}_{_digest(linked[1])}"
    elif linked is not None:
        del st.session_state[f"{page}_kernel_seed"]  # another kernel was picked since
    columns = [str(i + 1) for i in range(len(cells))]
    edited = st.data_editor(
        pd.DataFrame(cells, columns=columns),
        key=editor_key,
        hide_index=True,
        num_rows="fixed",
        column_config={c: st.column_config.TextColumn(c, width="small") for c in columns},
    )
    normalise = st.toggle(t("widgets.normalise"), key=f"{page}_normalise")
    last_valid = f"{page}_last_valid_kernel"
    try:
        choice = KernelChoice(*read_kernel(edited, normalise, language=language()))
    except KernelError as error:
        st.error(message(error))
        choice = st.session_state.get(last_valid) or KernelChoice(*read_kernel(cells, normalise))
        shown = kernel_label(choice.name, language=language())
        st.info(t("widgets.last_valid", kernel=shown))
        return choice
    st.session_state[last_valid] = choice
    typed = [[str(cell).strip() for cell in row] for row in edited.to_numpy().tolist()]
    # The cells as typed, for a shared link (`cnnviz.ui.share`); None while they are the preset's.
    st.session_state[f"{page}_kernel_cells"] = None if typed == base else typed
    return choice


def _digest(cells: list[list[str]]) -> str:
    return hashlib.blake2b(repr(cells).encode(), digest_size=6).hexdigest()


def kernel_option(name: str, language: str) -> str:
    """A kernel of the editor's list (a gallery name or `CUSTOM_KERNEL`) in `language` (a
    `format_func` is given the language: AppTest calls it outside the page's run)."""
    if name == CUSTOM_KERNEL:
        return i18n.translate(language, "widgets.custom")
    return kernel_label(name, language=language)


def channel_label(channel: str, language: str) -> str:
    """A channel of `cnnviz.images.CHANNELS` ("Gray", "Red"...) in `language`."""
    return i18n.translate(language, f"widgets.channels.{channel.lower()}")


def channel_picker(picked: PickedImage, page: str) -> WorkingImage:
    """The picked image as one channel to filter, with a channel choice for colour images."""
    channel = "Gray"
    if not picked.is_digit:
        channel = st.radio(
            t("widgets.channel"),
            CHANNELS,
            format_func=functools.partial(channel_label, language=language()),
            horizontal=True,
            key=f"{page}_channel",
        )
    work = working_image(picked.image, channel)
    if work.resized:
        height, width = work.original_size
        st.caption(
            t(
                "widgets.working_copy",
                width=work.values.shape[1],
                height=work.values.shape[0],
                original_width=width,
                original_height=height,
            )
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
        if work is not None:
            try:
                check_image_size(work.values)
            except ValueError as error:
                st.error(message(error))
                work = None
    return work, controls
