"""The guided lesson's experiments: one small, live experiment per step, computed by the core.

Each takes no argument and draws its controls and results (widget keys start with `guided_`);
`EXPERIMENTS` maps a step's key to its experiment. No sliders: a clicker's keys and the arrow
keys move between steps, and a focused slider would take them too.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import guide, plots
from cnnviz.convolution import (
    KERNELS,
    LECTURE_KERNEL_NAMES,
    POOL_METHODS,
    convolve2d,
    kernel_label,
    pool2d,
    strongest_position,
)
from cnnviz.network import (
    ConvBlock,
    conv_layer_parameters,
    lecture_config,
    mlp_first_layer_parameters,
    parameter_totals,
    relu,
    summary_rows,
)
from cnnviz.transfer import layer_table, parameter_counts
from cnnviz.transfer.config import body_layers, reused_layers, target_network
from cnnviz.ui.language import language, t
from cnnviz.ui.loaders import cached_dataset

SAMPLE = "mnist-sample"
POOLED_KERNEL = "Vertical lines"  # the lecture's example: this kernel, ReLU, then pooling
DESIGN_FILTERS = (16, 32, 64)


def _seven() -> np.ndarray:
    return cached_dataset(SAMPLE).x_test[guide.SEVEN_INDEX]


def _map_figure(values: np.ndarray, title: str, signed: bool = True):
    """A feature map with each value written in, on the signed or the after-ReLU scale."""
    if signed:
        scale, value_range = plots.DIVERGING, plots.symmetric_range(values)
    else:
        scale, value_range = plots.SEQUENTIAL, (0.0, max(float(values.max()), 1.0))
    return plots.pixel_grid(
        values, title=title, colorscale=scale, value_range=value_range, language=language()
    )


def _layers_table(rows) -> pd.DataFrame:
    """The layers as `model.summary()` lists them, with the headers in the session's language."""
    return pd.DataFrame(
        {
            t("guided.mnist.layer"): [row.name for row in rows],
            t("guided.mnist.kind"): [row.kind for row in rows],
            t("guided.mnist.shape"): [str(row.output_shape) for row in rows],
            t("guided.mnist.parameters"): [row.parameters for row in rows],
        }
    )


def pixels() -> None:
    sample = cached_dataset(SAMPLE)
    last = len(sample.x_test) - 1
    index = st.number_input(
        t("guided.pixels.digit", last=last), 0, last, 0, key="guided_pixels_index"
    )
    digit = sample.x_test[index]
    title = t(
        "guided.pixels.digit_title", index=index, label=sample.class_names[sample.y_test[index]]
    )
    st.plotly_chart(
        plots.pixel_grid(digit, title=title, language=language()), key="guided_pixels_grid"
    )
    st.caption(
        t(
            "guided.pixels.facts",
            rows=digit.shape[0],
            cols=digit.shape[1],
            low=int(digit.min()),
            high=int(digit.max()),
            ink=int((digit >= 128).sum()),
        )
    )


def convolution() -> None:
    names = (*LECTURE_KERNEL_NAMES, "Box blur")
    name = st.selectbox(
        t("guided.convolution.kernel"),
        names,
        format_func={name: kernel_label(name, language=language()) for name in names}.get,
        key="guided_convolution_kernel",
    )
    seven = _seven()
    feature_map = convolve2d(seven, KERNELS[name].values, padding="same", flip=False)
    left, middle, right = st.columns([2, 1, 3])
    title = t("guided.convolution.digit_title", index=guide.SEVEN_INDEX)
    left.plotly_chart(
        plots.image_figure(seven, title=title, language=language()), key="guided_convolution_digit"
    )
    kernel_title = t("guided.convolution.kernel_title")
    middle.plotly_chart(
        plots.number_grid(KERNELS[name].values, title=kernel_title, language=language()),
        key="guided_convolution_kernel_grid",
    )
    map_title = t("guided.convolution.map_title")
    right.plotly_chart(_map_figure(feature_map, map_title), key="guided_convolution_map")
    row, col = strongest_position(feature_map, magnitude=False)
    value = guide.format_decimal(feature_map[row, col], 0, language())
    st.caption(t("guided.convolution.strongest", value=value, row=row, col=col))


def parameters() -> None:
    columns = st.columns(3)
    filters = columns[0].selectbox(
        t("guided.parameters.filters"), (8, 16, 32, 64), 2, key="guided_parameters_filters"
    )
    size = columns[1].selectbox(
        t("guided.parameters.kernel_size"), (1, 3, 5, 7), 1, key="guided_parameters_size"
    )
    channels = columns[2].selectbox(
        t("guided.parameters.channels"), (1, 3), key="guided_parameters_channels"
    )
    conv = conv_layer_parameters(size, channels, filters)
    dense = mlp_first_layer_parameters(28, 28, filters, channels)
    left, right = st.columns(2)
    left.metric(t("guided.parameters.conv_count"), guide.format_count(conv, language()))
    right.metric(t("guided.parameters.dense_count"), guide.format_count(dense, language()))


def pooling() -> None:
    left, right = st.columns(2)
    size = left.segmented_control(
        t("guided.pooling.size"), (2, 3, 4), default=2, required=True, key="guided_pooling_size"
    )
    method = right.segmented_control(
        t("guided.pooling.method"),
        POOL_METHODS,
        default=POOL_METHODS[0],
        required=True,
        format_func={name: t(f"guided.pooling.{name}") for name in POOL_METHODS}.get,
        key="guided_pooling_method",
    )
    feature_map = relu(convolve2d(_seven(), KERNELS[POOLED_KERNEL].values))
    pooled = pool2d(feature_map, size, method=method)
    before, after = st.columns(2)
    title = t("guided.pooling.map_title", rows=feature_map.shape[0], cols=feature_map.shape[1])
    before.plotly_chart(_map_figure(feature_map, title, signed=False), key="guided_pooling_map")
    title = t("guided.pooling.pooled_title", rows=pooled.shape[0], cols=pooled.shape[1])
    after.plotly_chart(_map_figure(pooled, title, signed=False), key="guided_pooling_pooled")


def mnist() -> None:
    config = lecture_config()
    st.dataframe(_layers_table(summary_rows(config)), hide_index=True, key="guided_mnist_table")
    total = guide.format_count(sum(parameter_totals(config)), language())
    st.caption(t("guided.mnist.total", total=total))


def filters() -> None:
    fields = guide.receptive_fields()
    layer = st.selectbox(
        t("guided.filters.layer"), guide.RECEPTIVE_LAYERS, 2, key="guided_filters_layer"
    )
    side = fields[layer]
    seven = _seven()
    top, left = (seven.shape[0] - side) // 2, (seven.shape[1] - side) // 2
    title = t("guided.filters.box_title", layer=layer, side=side)
    figure = plots.image_figure(
        seven, title=title, box=(top, left, side, side), language=language()
    )
    st.plotly_chart(figure, key="guided_filters_digit")


def regularisation() -> None:
    left, right = st.columns(2)
    batch_norm = left.toggle(t("guided.regularisation.batch_norm"), key="guided_regularisation_bn")
    rate = right.selectbox(
        t("guided.regularisation.spatial_dropout"),
        (0.0, 0.1, 0.2),
        key="guided_regularisation_rate",
    )
    config = replace(lecture_config(), batch_norm=batch_norm, spatial_dropout=rate)
    trainable, non_trainable = parameter_totals(config)
    first, second = st.columns(2)
    first.metric(t("guided.regularisation.trainable"), guide.format_count(trainable, language()))
    second.metric(
        t("guided.regularisation.non_trainable"), guide.format_count(non_trainable, language())
    )
    st.dataframe(
        _layers_table(summary_rows(config)), hide_index=True, key="guided_regularisation_table"
    )


def design() -> None:
    blocks = st.segmented_control(
        t("guided.design.blocks"), (1, 2, 3), default=2, required=True, key="guided_design_blocks"
    )
    config = replace(
        lecture_config(), conv_blocks=tuple(ConvBlock(n) for n in DESIGN_FILTERS[:blocks])
    )
    rows = [row for row in summary_rows(config) if row.parameters]
    heading = t("guided.mnist.parameters")
    chart = pd.DataFrame(
        {heading: [row.parameters for row in rows]}, index=[row.name for row in rows]
    )
    st.bar_chart(chart, horizontal=True, y_label="", x_label=heading)
    flatten = next(row for row in summary_rows(config) if row.kind == "Flatten").output_shape[1]
    total = guide.format_count(sum(parameter_totals(config)), language())
    st.caption(
        t("guided.design.total", total=total, flatten=guide.format_count(flatten, language()))
    )


def transfer() -> None:
    source = lecture_config()
    names = [row.name for row in body_layers(source)]
    cut = st.selectbox(
        t("guided.transfer.cut"), names, names.index("flatten"), key="guided_transfer_cut"
    )
    reused = reused_layers(source, cut)
    counts = parameter_counts(layer_table(target_network(source, 5), reused, reused))
    left, right = st.columns(2)
    left.metric(
        t("guided.transfer.frozen"), guide.format_count(counts["non_trainable"], language())
    )
    right.metric(t("guided.transfer.trained"), guide.format_count(counts["trainable"], language()))


EXPERIMENTS = {
    "pixels": pixels,
    "convolution": convolution,
    "parameters": parameters,
    "pooling": pooling,
    "mnist": mnist,
    "filters": filters,
    "regularisation": regularisation,
    "design": design,
    "transfer": transfer,
}
