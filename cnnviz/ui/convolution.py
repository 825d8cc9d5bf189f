"""The Convolution page's views: the sliding window, one output explained, the 180° flip and
every lecture kernel on the image; and what the Pooling page shares with them (how a window
slides, the output-size formulas, picking an output position, a grid of maps)."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import i18n, plots
from cnnviz.convolution import (
    EDGE_MAGNITUDE,
    PADDINGS,
    VALID_MARGIN,
    describe_pixel,
    explain_pixel,
    filter_gallery,
    flip_comparison,
    flip_kernel,
    is_blur,
    kernel_label,
    output_size_formula,
)
from cnnviz.images import WorkingImage
from cnnviz.network import relu
from cnnviz.plots import summaries, tables
from cnnviz.ui.charts import alternatives, chart
from cnnviz.ui.components import (
    WindowView,
    colour_scale,
    mount_map_gallery,
    mount_window_explorer,
)
from cnnviz.ui.errors import message
from cnnviz.ui.exports import array_downloads, gallery_downloads
from cnnviz.ui.language import language, t
from cnnviz.ui.widgets import KernelChoice, start_position

OPERATIONS = (
    "Convolution (kernel rotated 180°)",
    "Cross-correlation (Keras's Conv2D)",
)
# The options' values stay English; they are shown through the `convolution` catalog.
OPERATION_KEYS = dict(zip(OPERATIONS, ("convolution", "correlation"), strict=True))


@dataclass(frozen=True)
class SlideSettings:
    """How a window slides: its side, `strides` and `padding`."""

    size: int
    strides: int
    padding: str


def convolution_settings(strides_column, padding_column, operation_column) -> tuple[int, str, bool]:
    """Strides, padding and the operation, one per column: `(strides, padding, flip)`."""
    strides = strides_column.slider(t("convolution.strides"), 1, 3, 1, key="convolution_strides")
    padding = padding_column.radio(
        t("convolution.padding"), PADDINGS, key="convolution_padding", horizontal=True
    )
    operation = operation_column.radio(
        t("convolution.operation"),
        OPERATIONS,
        format_func=functools.partial(operation_label, language=language()),
        key="convolution_operation",
    )
    return strides, padding, operation == OPERATIONS[0]


def operation_label(operation: str, language: str) -> str:
    """One of `OPERATIONS` in `language` (a `format_func` is given the language: AppTest
    calls it outside the page's run)."""
    return i18n.translate(language, f"convolution.operations.{OPERATION_KEYS[operation]}")


def output_formulas(shape: tuple[int, int], settings: SlideSettings) -> None:
    """The output-size formula for rows and columns, with the numbers filled in."""
    rows, cols = (
        output_size_formula(n, settings.size, settings.strides, settings.padding) for n in shape
    )
    st.markdown(t("convolution.rows_and_columns", rows=rows, cols=cols))


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
        shown, title, scale = relu(output), t("convolution.explorer.relu_output"), plots.SEQUENTIAL
        output_scale = colour_scale(scale, 0.0, max(float(np.nanmax(shown)), 1e-12))
    elif is_blur(kernel):
        # No negative weight: the output is a picture like the input, on its grey scale.
        shown, title = output, t("convolution.explorer.picture")
        output_scale = colour_scale(plots.GRAY, 0.0, max(255.0, float(np.nanmax(output))))
    else:
        shown, title = output, t("convolution.explorer.plain_output")
        output_scale = colour_scale(plots.DIVERGING, *plots.symmetric_range(output))
    height, width = work.values.shape
    rows, cols = output.shape
    rotated = t("convolution.explorer.rotated") if flip else ""
    name = kernel_label(choice.name, language=language())
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
                t("convolution.explorer.input", height=height, width=width),
                t("convolution.explorer.window", rotated=rotated),
                t("convolution.explorer.output", title=title, rows=rows, cols=cols, kernel=name),
            ),
            scales=(colour_scale(plots.GRAY, 0, 255), output_scale),
            kernel_label=t("convolution.explorer.kernel", rotated=rotated),
        ),
        position,
    )
    table = tables.grid_table(shown, language=language())
    summary = summaries.grid_summary(shown, language=language())
    alternatives(summary, table, "convolution_output", hide_index=False)
    explained = explain_pixel(
        work.values, kernel, row, col, settings.strides, settings.padding, flip
    )
    with st.expander(t("convolution.pixel_expander", row=row, col=col)):
        described = describe_pixel(explained, language=language())
        st.markdown(t("convolution.pixel_text", sum=described, value=f"{output[row, col]:g}"))
    kernel_scale = colour_scale(plots.DIVERGING, *plots.symmetric_range(kernel))
    stems = (t("exports.files.kernel", name=name), t("exports.files.output", name=name))
    what = (t("exports.what.kernel"), t("exports.what.output"))
    array_downloads(what[0], stems[0], kernel, kernel_scale, "convolution_kernel")
    array_downloads(what[1], stems[1], shown, output_scale, "convolution_output")


def flip_check(work: WorkingImage, kernel: KernelChoice, settings: SlideSettings) -> None:
    """Convolution against cross-correlation on this image, with a kernel where they differ,
    then against correlation with the rotated kernel: the largest differences."""
    compared = flip_comparison(
        work.values, kernel.values, kernel.name, settings.strides, settings.padding
    )
    name = kernel_label(compared.name, language=language())
    text = [t("convolution.flip_intro")]
    if compared.substituted:
        mine = kernel_label(kernel.name, language=language())
        text.append(t("convolution.flip_substituted", kernel=mine, demo=name))
    differ = compared.operations_differ_by
    text.append(
        t("convolution.flip_differ", kernel=name, differ=f"{differ:g}")
        + ("" if differ else t("convolution.flip_not_apart"))
        + t("convolution.flip_rotated", rotated=f"{compared.rotated_differ_by:g}")
    )
    st.markdown("\n\n".join(text))
    original, rotated = st.columns(2)
    flipped, turned = flip_kernel(compared.kernel), t("convolution.rotated_title")
    for column, values, title, said, key in (
        (original, compared.kernel, name, name, "convolution_flip_a"),
        (rotated, flipped, turned, f"{name} ({turned})", "convolution_flip_b"),
    ):
        chart(
            kernel_figure(tuple(map(tuple, values.tolist())), title, language()),
            table=tables.grid_table(values, language=language()),
            summary=summaries.kernel_summary(values, said, language=language()),
            key=key,
            container=column,
            hide_index=False,
        )


@st.cache_resource(max_entries=64, show_spinner=False)
def kernel_figure(cells: tuple[tuple[float, ...], ...], title: str, language: str = "en"):
    """A kernel's number grid, built once per kernel, title and language for every session:
    it does not depend on the image (`st.plotly_chart` only reads it)."""
    return plots.number_grid(np.array(cells), title=title, language=language)


def filtering_results(work: WorkingImage, flip: bool) -> None:
    """Every lecture kernel on the image and the Sobel edge magnitude, valid parts only."""
    try:
        gallery = filter_gallery(work.values, flip)
    except ValueError as error:
        st.info(message(error))
        return
    height, width = next(iter(gallery.values())).shape
    st.caption(t("convolution.filtering_caption", width=width, height=height, margin=VALID_MARGIN))
    map_grid(
        {map_title(name): values for name, values in gallery.items()}, 5, "convolution_gallery"
    )


def map_title(name: str) -> str:
    """A map of the filtering results, titled by its kernel, in the session's language."""
    if name == EDGE_MAGNITUDE:
        return t("kernels.edge_magnitude")
    return kernel_label(name, language=language())


def map_grid(maps: dict[str, np.ndarray], columns: int, key: str, shared_scale=False) -> None:
    """Maps in rows of `columns` (two on a phone) under their colour scale, read by hovering
    (the `map_gallery` component, keyed `key`), then the maps to download."""
    mount_map_gallery(key, maps, columns, shared_scale)
    gallery_downloads(maps, key.removesuffix("_maps"), columns, shared_scale, key)
