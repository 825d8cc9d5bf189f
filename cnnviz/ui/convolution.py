"""The Convolution and Pooling pages' views: the sliding window, one output explained, and the
feature map that page 1 hands to page 2."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.convolution import (
    KERNELS,
    PADDINGS,
    POOL_METHODS,
    convolve2d,
    describe_pixel,
    describe_pool,
    explain_pixel,
    explain_pool,
    filter_gallery,
    flip_difference,
    flip_kernel,
    output_size_formula,
)
from cnnviz.images import WorkingImage
from cnnviz.network import relu
from cnnviz.ui import session_keys
from cnnviz.ui.widgets import position_slider, step_position

OPERATIONS = (
    "Convolution (kernel rotated 180°, as in the formula)",
    "Cross-correlation (what Keras Conv2D computes)",
)
LECTURE_KERNEL = "Vertical lines"
POOLING_SOURCES = (
    "The lecture's example: the image after a 3×3 convolution",
    "The feature map from the Convolution page",
    "The image itself",
)


@dataclass(frozen=True)
class FeatureMap:
    """A feature map with the kernel that made it, as the Pooling page takes it.

    Attributes:
        values: The map, float64 `(height, width)`.
        kernel: The kernel that made it (also used for the shift experiment).
        flip: Whether it was true convolution (the kernel rotated 180°).
        name: What it is, for titles.
    """

    values: np.ndarray
    kernel: np.ndarray
    flip: bool
    name: str


@dataclass(frozen=True)
class SlideSettings:
    """How a window slides: its side, `strides` and `padding`."""

    size: int
    strides: int
    padding: str


def convolution_settings() -> tuple[int, str, bool, bool]:
    """Strides, padding, the operation and the ReLU view: `(strides, padding, flip, relu)`."""
    strides_column, padding_column = st.columns(2)
    strides = strides_column.slider("Strides", 1, 3, 1, key="convolution_strides")
    padding = padding_column.radio("Padding", PADDINGS, key="convolution_padding", horizontal=True)
    flip = st.radio("Operation", OPERATIONS, key="convolution_operation") == OPERATIONS[0]
    show_relu = st.toggle("Show ReLU(output): negatives set to 0", key="convolution_relu")
    return strides, padding, flip, show_relu


def output_formulas(shape: tuple[int, int], settings: SlideSettings) -> None:
    """The output-size formula for rows and columns, with the numbers filled in."""
    rows, cols = (
        output_size_formula(n, settings.size, settings.strides, settings.padding) for n in shape
    )
    st.markdown(f"Rows: `{rows}`  \nColumns: `{cols}`")


def pick_output(page: str, shape: tuple[int, int], label: str) -> tuple[int, int]:
    """Sliders for an output position and a button stepping it on, in reading order."""
    row = position_slider(st, "Output row", shape[0] - 1, f"{page}_row")
    col = position_slider(st, "Output column", shape[1] - 1, f"{page}_col")
    st.button(label, key=f"{page}_next", on_click=step_position, args=(page, shape))
    return row, col


def sliding_window(work: WorkingImage, output, kernel, position, settings, view) -> None:
    """The input with the window outlined beside the output with the pixel outlined, then the
    window, the kernel as applied and their products, and the sum. `view` is `(flip, relu)`."""
    flip, show_relu = view
    row, col = position
    explained = explain_pixel(
        work.values, kernel, row, col, settings.strides, settings.padding, flip
    )
    box = (explained.top, explained.left, settings.size, settings.size)
    image_view, output_view = st.columns(2)
    image_view.plotly_chart(
        plots.signed_map(
            work.values, title="Input", box=box, value_range=(0, 255), colorscale=plots.GRAY
        ),
        key="convolution_input",
    )
    output_view.plotly_chart(
        plots.signed_map(
            relu(output) if show_relu else output,
            title="ReLU(output)" if show_relu else "Output",
            box=(row, col, 1, 1),
        ),
        key="convolution_output",
    )
    st.subheader(f"How output pixel ({row}, {col}) is computed")
    window, weights, products = st.columns(3)
    window.plotly_chart(
        plots.number_grid(
            explained.window, title="Input window", decimals=0, mask=explained.padded_mask
        ),
        key="convolution_window",
    )
    applied = "Kernel as applied" + (" (rotated 180°)" if flip else "")
    weights.plotly_chart(
        plots.number_grid(explained.kernel, title=applied), key="convolution_kernel"
    )
    products.plotly_chart(
        plots.number_grid(explained.products, title="Window × kernel"),
        key="convolution_products",
    )
    st.markdown(f"{describe_pixel(explained)} The output pixel is **{output[row, col]:g}**.")


def flip_check(work: WorkingImage, kernel: np.ndarray, settings: SlideSettings) -> None:
    """Convolution against correlation with the rotated kernel: the largest difference."""
    difference = flip_difference(work.values, kernel, settings.strides, settings.padding)
    st.markdown(
        "True convolution rotates the kernel by 180° before sliding it; cross-correlation does "
        "not. Keras's `Conv2D` computes cross-correlation; since its kernels are learned, the "
        "difference does not matter to the network. On this image, convolving with the kernel "
        "and correlating with the rotated kernel differ by at most "
        f"**{difference:g}**: they are the same operation."
    )
    original, rotated = st.columns(2)
    original.plotly_chart(plots.number_grid(kernel, title="Kernel"), key="convolution_flip_a")
    rotated.plotly_chart(
        plots.number_grid(flip_kernel(kernel), title="Rotated 180°"), key="convolution_flip_b"
    )


def filtering_results(work: WorkingImage, flip: bool) -> None:
    """Every lecture kernel on the image, and the Sobel edge magnitude."""
    gallery = filter_gallery(work.values, flip)
    st.plotly_chart(plots.map_gallery(gallery), key="convolution_gallery")


def pooling_settings(has_feature_map: bool) -> tuple[str, str, SlideSettings]:
    """What to pool and how: `(source, method, settings)`."""
    sources = POOLING_SOURCES if has_feature_map else POOLING_SOURCES[::2]
    source = st.radio("Pool what?", sources, key="pooling_source")
    method = st.radio("Method", POOL_METHODS, horizontal=True, key="pooling_method")
    size = st.slider("Pool size", 2, 4, 2, key="pooling_size")
    keras_default = st.checkbox(
        "Strides = pool size (Keras's default)", True, key="pooling_default_strides"
    )
    strides = size if keras_default else st.slider("Strides", 1, 4, 1, key="pooling_strides")
    padding = st.radio("Padding", PADDINGS, horizontal=True, key="pooling_padding")
    return source, method, SlideSettings(size, strides, padding)


def pooling_input(source: str, work: WorkingImage) -> FeatureMap:
    """The map to pool: the lecture's example, the Convolution page's map, or the image."""
    kernel = KERNELS[LECTURE_KERNEL].values
    if source == POOLING_SOURCES[1] and saved_feature_map() is not None:
        saved = saved_feature_map()
        return FeatureMap(
            saved.values, saved.kernel, saved.flip, f"the {saved.name} map from page 1"
        )
    if source == POOLING_SOURCES[0]:
        values = relu(convolve2d(work.values, kernel))
        return FeatureMap(values, kernel, True, "ReLU(Vertical lines 3×3, valid)")
    return FeatureMap(work.values.astype(float), kernel, True, "the image")


def save_feature_map(feature_map: FeatureMap) -> None:
    """Offer the Convolution page's output to the Pooling page."""
    st.session_state[session_keys.CONVOLUTION_FEATURE_MAP] = feature_map


def saved_feature_map() -> FeatureMap | None:
    """The feature map the Convolution page made last, if any."""
    return st.session_state.get(session_keys.CONVOLUTION_FEATURE_MAP)


def pooling_window(feature_map: np.ndarray, pooled, position, method, settings) -> None:
    """The map with the window outlined beside the pooled map, then the window's arithmetic."""
    row, col = position
    explained = explain_pool(
        feature_map, row, col, settings.size, settings.strides, settings.padding, method
    )
    value_range = plots.symmetric_range(feature_map)
    before, after = st.columns(2)
    height, width = feature_map.shape
    before.plotly_chart(
        plots.signed_map(
            feature_map,
            title=f"Input {height}×{width}",
            box=(explained.top, explained.left, settings.size, settings.size),
            value_range=value_range,
        ),
        key="pooling_input",
    )
    after.plotly_chart(
        plots.signed_map(
            pooled,
            title=f"Pooled {pooled.shape[0]}×{pooled.shape[1]}",
            box=(row, col, 1, 1),
            value_range=value_range,
        ),
        key="pooling_output",
    )
    st.subheader(f"How output cell ({row}, {col}) is computed")
    window_view, sentence = st.columns([1, 2])
    window_view.plotly_chart(
        plots.number_grid(explained.window, title="Window", decimals=1, highlight=explained.argmax),
        key="pooling_window",
    )
    sentence.markdown(describe_pool(explained))
