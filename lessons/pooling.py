"""Pooling: max and average pooling shrink a feature map and steady it."""

import streamlit as st

from cnnviz import convolution, plots, ui

st.title("Pooling")
st.markdown(
    "Pooling cuts a feature map into small windows and keeps one number per window: the "
    "**largest** (max pooling) or the **mean** (average pooling). The map shrinks (the "
    "lecture's 26×26 map becomes 13×13 with 2×2 windows and strides 2), the network has "
    "less to compute, and a feature that moves by a pixel still lands in the same window."
)

work, controls = ui.working_input("pooling")
if work is None:
    st.stop()
with controls:
    source, method, settings = ui.pooling_settings(ui.saved_feature_map() is not None)

feature_map = ui.pooling_input(source, work)
try:
    pooled = convolution.pool2d(
        feature_map.values, settings.size, settings.strides, settings.padding, method
    )
except ValueError as error:
    st.error(str(error))
    st.stop()

height, width = feature_map.values.shape
st.subheader(
    f"{method.capitalize()} pooling of {feature_map.name}: {height}×{width} → "
    f"{pooled.shape[0]}×{pooled.shape[1]}"
)
ui.output_formulas((height, width), settings)
position = ui.pick_output("pooling", pooled.shape, "Next window →")
ui.pooling_window(feature_map.values, pooled, position, method, settings)

st.subheader("Why pool? A small shift barely moves the pooled map")
shift_size = st.slider("Shift the input by (pixels)", 1, 3, 1, key="pooling_shift")
direction = st.radio(
    "Direction", ("right", "down", "diagonal"), horizontal=True, key="pooling_direction"
)
report = convolution.translation_invariance(
    work.values,
    feature_map.kernel,
    convolution.shift_vector(direction, shift_size),
    settings.size,
    method,
    feature_map.flip,
)
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
    f"{report.pooled_change:.0%} after {settings.size}×{settings.size} {method} pooling."
)
st.plotly_chart(plots.map_gallery(report.maps, columns=4), key="pooling_shift_maps")
