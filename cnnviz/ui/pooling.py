"""The Pooling page's views: what to pool, one pooled cell explained, the shift experiment, and
the feature map that the Convolution page hands to this page."""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import i18n, plots
from cnnviz.convolution import (
    KERNELS,
    PADDINGS,
    POOL_METHODS,
    PoolSettings,
    convolve2d,
    describe_invariance,
    describe_pool,
    explain_pool,
    kernel_label,
    shift_vector,
    translation_invariance,
)
from cnnviz.images import WorkingImage
from cnnviz.network import relu
from cnnviz.plots import summaries, tables
from cnnviz.ui import session_keys
from cnnviz.ui.charts import alternatives
from cnnviz.ui.components import WindowView, colour_scale, mount_window_explorer
from cnnviz.ui.convolution import SlideSettings, map_grid
from cnnviz.ui.errors import message
from cnnviz.ui.exports import pooling_downloads
from cnnviz.ui.language import language as current_language
from cnnviz.ui.language import t
from cnnviz.ui.widgets import KernelChoice

LECTURE_KERNEL = "Vertical lines"
IMAGE_KERNEL = "Identity"  # pooling the image itself: its "feature map" is the image
POOLING_SOURCES = (
    "The lecture's example: the image after a 3×3 convolution",
    "The feature map from the Convolution page",
    "The image itself",
)
# The options' values stay English; they are shown through the `pooling` catalog.
SOURCE_KEYS = dict(zip(POOLING_SOURCES, ("lecture", "convolution_page", "image"), strict=True))
SHIFT_MAP_KEYS = {
    "Feature map": "feature",
    "Feature map, shifted input": "feature_shifted",
    "Pooled": "pooled",
    "Pooled, shifted input": "pooled_shifted",
}


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
    source = source_column.selectbox(
        t("pooling.pool_what"),
        sources,
        format_func=functools.partial(option_label, "sources", SOURCE_KEYS, current_language()),
        key="pooling_source",
    )
    method = method_column.radio(
        t("pooling.method"),
        POOL_METHODS,
        format_func=functools.partial(option_label, "methods", None, current_language()),
        horizontal=True,
        key="pooling_method",
    )
    size = size_column.slider(t("pooling.pool_size"), 2, 4, 2, key="pooling_size")
    keras_default = strides_column.checkbox(
        t("pooling.keras_default"), True, key="pooling_default_strides"
    )
    strides = (
        size
        if keras_default
        else strides_column.slider(t("pooling.strides"), 1, 4, 1, key="pooling_strides")
    )
    padding = padding_column.radio(
        t("pooling.padding"), PADDINGS, horizontal=True, key="pooling_padding"
    )
    return source, method, SlideSettings(size, strides, padding)


def option_label(table: str, keys: dict | None, language: str, option: str) -> str:
    """An option of the page (its key in `keys`, or itself) from the `pooling` catalog's
    `table`, in `language` (a `format_func` is given the language: AppTest calls it outside
    the page's run)."""
    key = keys[option] if keys else option
    return i18n.translate(language, f"pooling.{table}.{key}")


def pooling_input(source: str, work: WorkingImage) -> FeatureMap:
    """The map to pool: the lecture's example, the Convolution page's map, or the image."""
    saved = saved_feature_map()
    spoken = current_language()
    if source == POOLING_SOURCES[1] and saved is not None:
        title = t("pooling.from_page", kernel=kernel_label(saved.name, language=spoken))
        return FeatureMap(saved.values, saved.kernel, saved.flip, title, saved.kernel_name)
    if source == POOLING_SOURCES[0]:
        kernel = KERNELS[LECTURE_KERNEL].values
        values = relu(convolve2d(work.values, kernel))
        title = t("pooling.lecture_map", kernel=kernel_label(LECTURE_KERNEL, language=spoken))
        return FeatureMap(values, kernel, True, title, LECTURE_KERNEL)
    identity = KERNELS[IMAGE_KERNEL].values
    image = t("pooling.the_image")
    return FeatureMap(work.values.astype(float), identity, True, image, IMAGE_KERNEL)


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
                t("pooling.input_title", height=height, width=width),
                t("pooling.window_title", size=size, strides=settings.strides),
                t("pooling.pooled_title", rows=pooled.shape[0], cols=pooled.shape[1]),
            ),
            scales=(scale, scale),
        ),
        position,
    )
    spoken = current_language()
    summary = summaries.grid_summary(pooled, language=spoken)
    table = tables.grid_table(pooled, language=spoken)
    alternatives(summary, table, "pooling_output", hide_index=False)
    explained = explain_pool(values, row, col, size, settings.strides, settings.padding, method)
    with st.expander(t("pooling.cell_expander", row=row, col=col)):
        st.markdown(describe_pool(explained, language=current_language()))
    pooling_downloads(values, pooled, scale, method)


def shift_demo(work: WorkingImage, feature_map: FeatureMap, method: str, settings) -> None:
    """Why pool: shift the input, then compare the feature map and the pooled map (pooled
    with the page's `method` and `settings`) with their unshifted selves."""
    amount, way = st.columns(2)
    spoken = current_language()
    pixels = amount.slider(t("pooling.shift_by"), 1, 3, 1, key="pooling_shift")
    directions = ("right", "down", "diagonal")
    direction = way.radio(
        t("pooling.direction"),
        directions,
        format_func=functools.partial(option_label, "directions", None, spoken),
        horizontal=True,
        key="pooling_direction",
    )
    pooling = PoolSettings(settings.size, settings.strides, settings.padding, method)
    kernel = kernel_label(feature_map.kernel_name, language=spoken)
    described = pooling.describe(language=spoken)
    st.caption(t("pooling.shift_caption", kernel=kernel, settings=described))
    try:
        report = translation_invariance(
            work.values,
            feature_map.kernel,
            shift_vector(direction, pixels),
            pooling,
            feature_map.flip,
        )
    except ValueError as error:
        st.info(t("pooling.cannot_measure", error=message(error)))
        return
    unpooled_metric, pooled_metric = st.columns(2)
    unpooled_metric.metric(t("pooling.feature_correlation"), f"{report.feature_correlation:.3f}")
    pooled_metric.metric(
        t("pooling.pooled_correlation"),
        f"{report.pooled_correlation:.3f}",
        delta=f"{report.pooled_correlation - report.feature_correlation:+.3f}",
    )
    show = {"steadied": st.success, "no clear gain": st.info, "not steadied": st.warning}
    show[report.verdict](describe_invariance(report, language=spoken))
    feature, pooled = f"{report.feature_change:.0%}", f"{report.pooled_change:.0%}"
    st.caption(t("pooling.change_caption", feature=feature, pooled=pooled))
    maps = {
        t(f"pooling.maps.{SHIFT_MAP_KEYS[name]}"): values for name, values in report.maps.items()
    }
    map_grid(maps, 4, "pooling_shift_maps", shared_scale=True)
