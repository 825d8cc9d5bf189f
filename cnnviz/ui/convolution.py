"""The Convolution page's views: the sliding window, one output explained, the 180° flip and
every lecture kernel on the image; and what the Pooling page shares with them (how a window
slides, the output-size formulas, picking an output position, a grid of maps)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.convolution import (
    PADDINGS,
    VALID_MARGIN,
    describe_pixel,
    explain_pixel,
    filter_gallery,
    flip_comparison,
    flip_kernel,
    is_blur,
    output_size_formula,
)
from cnnviz.images import WorkingImage
from cnnviz.network import relu
from cnnviz.ui.components import (
    WindowView,
    colour_scale,
    mount_map_gallery,
    mount_window_explorer,
)
from cnnviz.ui.widgets import KernelChoice, start_position

OPERATIONS = (
    "Convolution (kernel rotated 180°)",
    "Cross-correlation (Keras's Conv2D)",
)


@dataclass(frozen=True)
class SlideSettings:
    """How a window slides: its side, `strides` and `padding`."""

    size: int
    strides: int
    padding: str


def convolution_settings(strides_column, padding_column, operation_column) -> tuple[int, str, bool]:
    """Strides, padding and the operation, one per column: `(strides, padding, flip)`."""
    strides = strides_column.slider("Strides", 1, 3, 1, key="convolution_strides")
    padding = padding_column.radio("Padding", PADDINGS, key="convolution_padding", horizontal=True)
    operation = operation_column.radio("Operation", OPERATIONS, key="convolution_operation")
    return strides, padding, operation == OPERATIONS[0]


def output_formulas(shape: tuple[int, int], settings: SlideSettings) -> None:
    """The output-size formula for rows and columns, with the numbers filled in."""
    rows, cols = (
        output_size_formula(n, settings.size, settings.strides, settings.padding) for n in shape
    )
    st.markdown(f"Rows: `{rows}`  \nColumns: `{cols}`")


def pick_output(page: str, output: np.ndarray, magnitude: bool = True) -> tuple[int, int]:
    """The output position the page explains: `{page}_row`/`{page}_col`, which the explorer sets.

    It starts on the strongest output (of |output| with `magnitude`) whenever the output
    changes, and stays where the learner puts it otherwise (`start_position`).
    """
    start_position(page, output, magnitude)
    rows, cols = output.shape
    row = min(max(int(st.session_state.get(f"{page}_row", 0)), 0), rows - 1)
    col = min(max(int(st.session_state.get(f"{page}_col", 0)), 0), cols - 1)
    return row, col


def convolution_explorer(
    work: WorkingImage, output, choice: KernelChoice, position, settings, view
) -> None:
    """Input, the arithmetic of one output pixel and the output, explored in the browser; then
    the same sum as text. `view` is `(flip, relu)`; `choice` is the kernel as chosen."""
    flip, show_relu = view
    row, col = position
    kernel = choice.values
    applied = flip_kernel(kernel) if flip else kernel
    if show_relu:
        shown, title, scale = relu(output), "ReLU(output)", plots.SEQUENTIAL
        output_scale = colour_scale(scale, 0.0, max(float(np.nanmax(shown)), 1e-12))
    elif is_blur(kernel):
        # No negative weight: the output is a picture like the input, on its grey scale.
        shown, title = output, "Output as a picture"
        output_scale = colour_scale(plots.GRAY, 0.0, max(255.0, float(np.nanmax(output))))
    else:
        shown, title = output, "Output"
        output_scale = colour_scale(plots.DIVERGING, *plots.symmetric_range(output))
    height, width = work.values.shape
    rows, cols = output.shape
    rotated = " rotated 180°" if flip else ""
    mount_window_explorer(
        "convolution",
        WindowView(
            input=work.values,
            output=shown,
            size=settings.size,
            strides=settings.strides,
            padding=settings.padding,
            kernel=applied,
            method=None,
            titles=(
                f"Input {height}×{width}",
                f"Window × kernel{rotated}",
                f"{title} {rows}×{cols}, {choice.name} kernel",
            ),
            scales=(colour_scale(plots.GRAY, 0, 255), output_scale),
            kernel_label=f"Kernel{rotated}",
        ),
        position,
    )
    explained = explain_pixel(
        work.values, kernel, row, col, settings.strides, settings.padding, flip
    )
    with st.expander(f"Output pixel ({row}, {col}) as text"):
        st.markdown(f"{describe_pixel(explained)} The output pixel is **{output[row, col]:g}**.")


def flip_check(work: WorkingImage, kernel: KernelChoice, settings: SlideSettings) -> None:
    """Convolution against cross-correlation on this image, with a kernel where they differ,
    then against correlation with the rotated kernel: the largest differences."""
    compared = flip_comparison(
        work.values, kernel.values, kernel.name, settings.strides, settings.padding
    )
    text = [
        "True convolution rotates the kernel by 180° before sliding it; cross-correlation "
        "does not. Keras's `Conv2D` computes cross-correlation; since its kernels are learned, "
        "the difference does not matter to the network."
    ]
    if compared.substituted:
        text.append(
            f"The {kernel.name} kernel is the same after a 180° rotation, so with it both give "
            f"the same output. To see them apart, this check uses the lecture's "
            f"**{compared.name}** kernel instead."
        )
    differ = compared.operations_differ_by
    text.append(
        f"On this image, convolution and cross-correlation with the {compared.name} kernel "
        f"differ by up to **{differ:g}** (the largest |difference| of an output pixel)."
        + ("" if differ else " This image happens not to tell them apart.")
        + " Correlating with the kernel rotated by 180° gives exactly the convolution: they "
        f"differ by **{compared.rotated_differ_by:g}**."
    )
    st.markdown("\n\n".join(text))
    original, rotated = st.columns(2)
    cells = tuple(map(tuple, compared.kernel.tolist()))
    original.plotly_chart(kernel_figure(cells, compared.name), key="convolution_flip_a")
    flipped = tuple(map(tuple, flip_kernel(compared.kernel).tolist()))
    rotated.plotly_chart(kernel_figure(flipped, "Rotated 180°"), key="convolution_flip_b")


@st.cache_resource(max_entries=64, show_spinner=False)
def kernel_figure(cells: tuple[tuple[float, ...], ...], title: str):
    """A kernel's number grid, built once per kernel and title for every session: it does
    not depend on the image (`st.plotly_chart` only reads it)."""
    return plots.number_grid(np.array(cells), title=title)


def filtering_results(work: WorkingImage, flip: bool) -> None:
    """Every lecture kernel on the image and the Sobel edge magnitude, valid parts only."""
    try:
        gallery = filter_gallery(work.values, flip)
    except ValueError as error:
        st.info(str(error))
        return
    height, width = next(iter(gallery.values())).shape
    st.caption(
        f"Each map shows only its valid part, {width}×{height} pixels: a {VALID_MARGIN}-pixel "
        "border is cut off, so every kernel (the largest is 5×5) lay wholly on the image, as "
        "with `padding='valid'`, and the zero padding round the image adds no false edges. "
        "Each map has its own colour scale, from −max to +max of its values (max under its "
        "title); white is 0."
    )
    map_grid(gallery, 5, "convolution_gallery")


def map_grid(maps: dict[str, np.ndarray], columns: int, key: str, shared_scale=False) -> None:
    """Maps in rows of `columns` (two on a phone) under their colour scale, read by hovering
    (the `map_gallery` component, keyed `key`)."""
    mount_map_gallery(key, maps, columns, shared_scale)
