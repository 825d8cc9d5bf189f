"""The Pooling page's views: what to pool, one pooled cell explained, the shift experiment, and
the feature map that the Convolution page hands to this page."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.convolution import (
    KERNELS,
    PADDINGS,
    POOL_METHODS,
    PoolSettings,
    convolve2d,
    describe_invariance,
    describe_pool,
    explain_pool,
    shift_vector,
    translation_invariance,
)
from cnnviz.images import WorkingImage
from cnnviz.network import relu
from cnnviz.ui import session_keys
from cnnviz.ui.components import WindowView, colour_scale, mount_window_explorer
from cnnviz.ui.convolution import SlideSettings, map_grid
from cnnviz.ui.widgets import KernelChoice

LECTURE_KERNEL = "Vertical lines"
IMAGE_KERNEL = "Identity"  # pooling the image itself: its "feature map" is the image
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
        kernel_name: The kernel's name.
    """

    values: np.ndarray
    kernel: np.ndarray
    flip: bool
    name: str
    kernel_name: str


def pooling_settings(columns, has_feature_map: bool) -> tuple[str, str, SlideSettings]:
    """What to pool and how, in five `columns`: `(source, method, settings)`."""
    sources = POOLING_SOURCES if has_feature_map else POOLING_SOURCES[::2]
    source_column, method_column, size_column, strides_column, padding_column = columns
    source = source_column.selectbox("Pool what?", sources, key="pooling_source")
    method = method_column.radio("Method", POOL_METHODS, horizontal=True, key="pooling_method")
    size = size_column.slider("Pool size", 2, 4, 2, key="pooling_size")
    keras_default = strides_column.checkbox(
        "Strides = pool size (Keras's default)", True, key="pooling_default_strides"
    )
    strides = (
        size if keras_default else strides_column.slider("Strides", 1, 4, 1, key="pooling_strides")
    )
    padding = padding_column.radio("Padding", PADDINGS, horizontal=True, key="pooling_padding")
    return source, method, SlideSettings(size, strides, padding)


def pooling_input(source: str, work: WorkingImage) -> FeatureMap:
    """The map to pool: the lecture's example, the Convolution page's map, or the image."""
    saved = saved_feature_map()
    if source == POOLING_SOURCES[1] and saved is not None:
        title = f"the {saved.name} map from page 1"
        return FeatureMap(saved.values, saved.kernel, saved.flip, title, saved.kernel_name)
    if source == POOLING_SOURCES[0]:
        kernel = KERNELS[LECTURE_KERNEL].values
        values = relu(convolve2d(work.values, kernel))
        title = f"ReLU({LECTURE_KERNEL} 3×3, valid)"
        return FeatureMap(values, kernel, True, title, LECTURE_KERNEL)
    identity = KERNELS[IMAGE_KERNEL].values
    return FeatureMap(work.values.astype(float), identity, True, "the image", IMAGE_KERNEL)


def save_feature_map(output: np.ndarray, kernel: KernelChoice, flip: bool) -> None:
    """Offer the Convolution page's output, and the kernel that made it, to the Pooling page."""
    feature_map = FeatureMap(output, kernel.values, flip, kernel.name, kernel.name)
    st.session_state[session_keys.CONVOLUTION_FEATURE_MAP] = feature_map


def saved_feature_map() -> FeatureMap | None:
    """The feature map the Convolution page made last, if any."""
    return st.session_state.get(session_keys.CONVOLUTION_FEATURE_MAP)


def map_scale(values: np.ndarray) -> dict:
    """The colour scale of a map to pool: grey for the image, white-to-red for a map with no
    negative value (after a ReLU), blue-white-red centred on 0 otherwise."""
    finite = values[np.isfinite(values)]
    high = float(finite.max()) if finite.size else 1.0
    if finite.size and finite.min() >= 0:
        return colour_scale(plots.SEQUENTIAL, 0.0, max(high, 1e-12))
    return colour_scale(plots.DIVERGING, *plots.symmetric_range(values))


def pooling_explorer(feature_map: FeatureMap, pooled, position, method, settings) -> None:
    """The map, the pooled window and the pooled map, explored in the browser (both maps on
    one colour scale), then the same arithmetic as text."""
    row, col = position
    values = feature_map.values
    scale = (
        colour_scale(plots.GRAY, 0, 255)
        if feature_map.kernel_name == IMAGE_KERNEL
        else map_scale(values)
    )
    height, width = values.shape
    size = settings.size
    mount_window_explorer(
        "pooling",
        WindowView(
            input=values,
            output=pooled,
            size=size,
            strides=settings.strides,
            padding=settings.padding,
            kernel=None,
            method=method,
            titles=(
                f"Input {height}×{width}",
                f"{size}×{size} window, strides {settings.strides}",
                f"Pooled {pooled.shape[0]}×{pooled.shape[1]}",
            ),
            scales=(scale, scale),
        ),
        position,
    )
    explained = explain_pool(values, row, col, size, settings.strides, settings.padding, method)
    with st.expander(f"Output cell ({row}, {col}) as text"):
        st.markdown(describe_pool(explained))


def shift_demo(work: WorkingImage, feature_map: FeatureMap, method: str, settings) -> None:
    """Why pool: shift the input, then compare the feature map and the pooled map (pooled
    with the page's `method` and `settings`) with their unshifted selves."""
    amount, way = st.columns(2)
    pixels = amount.slider("Shift the input by (pixels)", 1, 3, 1, key="pooling_shift")
    directions = ("right", "down", "diagonal")
    direction = way.radio("Direction", directions, horizontal=True, key="pooling_direction")
    pooling = PoolSettings(settings.size, settings.strides, settings.padding, method)
    st.caption(
        f"The feature map here is the image through the {feature_map.kernel_name} kernel "
        f"with padding 'same' (no ReLU), pooled with this page's settings: {pooling.describe()}."
    )
    try:
        report = translation_invariance(
            work.values,
            feature_map.kernel,
            shift_vector(direction, pixels),
            pooling,
            feature_map.flip,
        )
    except ValueError as error:
        st.info(f"The shift cannot be measured on this image with these settings: {error}")
        return
    unpooled_metric, pooled_metric = st.columns(2)
    unpooled_metric.metric(
        "Feature map: correlation before/after the shift", f"{report.feature_correlation:.3f}"
    )
    pooled_metric.metric(
        "Pooled map: correlation before/after the shift",
        f"{report.pooled_correlation:.3f}",
        delta=f"{report.pooled_correlation - report.feature_correlation:+.3f}",
    )
    show = {"steadied": st.success, "no clear gain": st.info, "not steadied": st.warning}
    show[report.verdict](describe_invariance(report))
    st.caption(
        f"Mean change relative to the map: {report.feature_change:.0%} for the feature map, "
        f"{report.pooled_change:.0%} for the pooled map. All four maps share one colour scale."
    )
    map_grid(report.maps, 4, "pooling_shift_maps", shared_scale=True)
