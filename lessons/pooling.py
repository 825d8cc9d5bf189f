"""Pooling: max and average pooling shrink a feature map and steady it."""

import streamlit as st

from cnnviz import convolution, ui

st.title("Pooling")
st.markdown(
    "Pooling cuts a feature map into small windows and keeps one number per window: the "
    "**largest** (max pooling) or the **mean** (average pooling). **Point at any cell** to see "
    "its window; click to keep it, move it with the arrow keys, or press Play."
)
settings_columns = st.columns([3, 2, 2, 3, 2])
explorer = st.container()

st.subheader("The image")
work, notes = ui.working_input("pooling")
if work is None:
    st.stop()
source, method, settings = ui.pooling_settings(settings_columns, ui.saved_feature_map() is not None)

feature_map = ui.pooling_input(source, work)
try:
    pooled = convolution.pool2d(
        feature_map.values, settings.size, settings.strides, settings.padding, method
    )
except ValueError as error:
    explorer.error(str(error))
    st.stop()

with explorer:
    height, width = feature_map.values.shape
    st.markdown(
        f"**{method.capitalize()} pooling of {feature_map.name}: {height}×{width} → "
        f"{pooled.shape[0]}×{pooled.shape[1]}**"
    )
    position = ui.pick_output("pooling", pooled, magnitude=False)
    ui.pooling_explorer(feature_map, pooled, position, method, settings)
with notes:
    st.markdown(
        "The map shrinks (the lecture's 26×26 map becomes 13×13 with 2×2 windows and strides "
        "2), the network has less to compute, and a feature that moves by a pixel often still "
        "lands in the same window. The output size:"
    )
    ui.output_formulas((height, width), settings)

st.subheader("Why pool? Shift the input and compare")
st.markdown(
    "A network should know a digit moved by a pixel. Move the input, then compare each map "
    "with its unshifted self: a correlation of 1 means unchanged, 0 unrelated. When a "
    "feature stays inside its pooling window, the pooled map changes less than the feature map."
)
ui.shift_demo(work, feature_map, method, settings)
