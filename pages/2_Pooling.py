"""Page 2: pooling. Max and average pooling shrink a feature map and steady it."""

import streamlit as st

from cnnviz import convolution, filtering, kernels, plots, pooling, ui

ui.page_setup("pooling")
st.title("Pooling")
st.markdown(
    "Pooling cuts a feature map into small windows and keeps one number per window: the "
    "**largest** (max pooling) or the **mean** (average pooling). The map shrinks (the "
    "lecture's 26×26 map becomes 13×13 with 2×2 windows and strides 2), the network has "
    "less to compute, and a feature that moves by a pixel still lands in the same window."
)

SOURCES = (
    "The lecture's example: the image after a 3×3 convolution",
    "The feature map from the Convolution page",
    "The image itself",
)
source_column, controls = st.columns([2, 3], gap="large")
with source_column:
    picked = ui.image_picker()
if picked is None:
    st.stop()
with source_column:
    work = ui.working_image(picked, "pooling")
from_page_one = st.session_state.get("convolution_feature_map")
with controls:
    source = st.radio(
        "Pool what?", SOURCES if from_page_one else SOURCES[::2], key="pooling_source"
    )
    method = st.radio("Method", pooling.POOL_METHODS, horizontal=True, key="pooling_method")
    pool_size = st.slider("Pool size", 2, 4, 2, key="pooling_size")
    keras_default = st.checkbox(
        "Strides = pool size (Keras's default)", True, key="pooling_default_strides"
    )
    strides = pool_size if keras_default else st.slider("Strides", 1, 4, 1, key="pooling_strides")
    padding = st.radio("Padding", convolution.PADDINGS, horizontal=True, key="pooling_padding")

lecture_kernel = kernels.KERNELS["Vertical lines"].values
if source == SOURCES[0]:
    feature_map = filtering.relu(convolution.convolve2d(work.values, lecture_kernel))
    kernel, flip, name = lecture_kernel, True, "ReLU(Vertical lines 3×3, valid)"
elif source == SOURCES[1]:
    feature_map, kernel = from_page_one["map"], from_page_one["kernel"]
    flip, name = from_page_one["flip"], f"the {from_page_one['name']} map from page 1"
else:
    feature_map, kernel, flip, name = work.values.astype(float), lecture_kernel, True, "the image"
try:
    pooled = pooling.pool2d(feature_map, pool_size, strides, padding, method)
except ValueError as error:
    st.error(str(error))
    st.stop()

height, width = feature_map.shape
st.subheader(
    f"{method.capitalize()} pooling of {name}: {height}×{width} → "
    f"{pooled.shape[0]}×{pooled.shape[1]}"
)
formulas = [
    convolution.output_size_formula(n, pool_size, strides, padding) for n in (height, width)
]
st.markdown(f"Rows: `{formulas[0]}`  \nColumns: `{formulas[1]}`")
row = ui.position_slider(st, "Output row", pooled.shape[0] - 1, "pooling_row")
col = ui.position_slider(st, "Output column", pooled.shape[1] - 1, "pooling_col")
st.button(
    "Next window →", key="pooling_next", on_click=ui.step_position, args=("pooling", pooled.shape)
)
explained = pooling.explain_pool(feature_map, row, col, pool_size, strides, padding, method)
value_range = plots.symmetric_range(feature_map)
before, after = st.columns(2)
before.plotly_chart(
    plots.signed_map(
        feature_map,
        title=f"Input {height}×{width}",
        box=(explained.top, explained.left, pool_size, pool_size),
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
sentence.markdown(pooling.describe_pool(explained))

st.subheader("Why pool? A small shift barely moves the pooled map")
shift_size = st.slider("Shift the input by (pixels)", 1, 3, 1, key="pooling_shift")
direction = st.radio(
    "Direction", ("right", "down", "diagonal"), horizontal=True, key="pooling_direction"
)
shift = {"right": (0, shift_size), "down": (shift_size, 0), "diagonal": (shift_size, shift_size)}[
    direction
]
report = pooling.translation_invariance(work.values, kernel, shift, pool_size, method, flip)
unpooled_metric, pooled_metric = st.columns(2)
unpooled_metric.metric(
    "Feature map: correlation before/after the shift", f"{report.feature_correlation:.3f}"
)
pooled_metric.metric(
    "Pooled map: correlation before/after the shift",
    f"{report.pooled_correlation:.3f}",
    delta=f"{report.pooled_correlation - report.feature_correlation:+.3f}",
)
st.caption(
    f"Mean change relative to the map: {report.feature_change:.0%} for the feature map, "
    f"{report.pooled_change:.0%} after {pool_size}×{pool_size} {method} pooling."
)
st.plotly_chart(plots.map_gallery(report.maps, columns=4), key="pooling_shift_maps")
