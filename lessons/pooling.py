"""Pooling: max and average pooling shrink a feature map and steady it."""

import streamlit as st

from cnnviz import convolution, ui
from cnnviz.ui.errors import message

st.title(ui.t("navigation.pooling.title"))
link = ui.shared_view("pooling")  # before the widgets: a shared link sets them
st.markdown(ui.t("pooling.intro"))
settings_columns = st.columns([3, 2, 2, 3, 2])
explorer = st.container()

st.subheader(ui.t("pooling.image_header"))
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
    explorer.error(message(error))
    st.stop()

with explorer:
    height, width = feature_map.values.shape
    rows, cols = pooled.shape
    name = feature_map.name
    st.markdown(
        ui.t(
            f"pooling.heading.{method}", name=name, height=height, width=width, rows=rows, cols=cols
        )
    )
    position = ui.pick_output("pooling", pooled, magnitude=False)
    ui.pooling_explorer(feature_map, pooled, position, method, settings)
    ui.clicker_steps("pooling", pooled.shape)
with notes:
    st.markdown(ui.t("pooling.notes"))
    ui.output_formulas((height, width), settings)

st.subheader(ui.t("pooling.shift_header"))
st.markdown(ui.t("pooling.shift_text"))
ui.shift_demo(work, feature_map, method, settings)
link.done()
