"""Convolution: a small kernel slides over the image; every output pixel explained."""

import streamlit as st

from cnnviz import convolution, ui
from cnnviz.ui.errors import message

st.title(ui.t("navigation.convolution.title"))
link = ui.shared_view("convolution")  # before the widgets: a shared link sets them
st.markdown(ui.t("convolution.intro"))
kernel_column, strides_column, padding_column, operation_column = st.columns([3, 2, 2, 3])
explorer = st.container()

st.subheader(ui.t("convolution.image_and_weights"))
work, controls = ui.working_input("convolution")
if work is None:
    st.stop()
with controls:
    kernel = ui.kernel_editor("convolution", preset_container=kernel_column)
    if kernel.note:
        st.info(kernel.note)
    show_relu = st.toggle(ui.t("convolution.relu"), key="convolution_relu")
strides, padding, flip = ui.convolution_settings(strides_column, padding_column, operation_column)

settings = ui.SlideSettings(len(kernel.values), strides, padding)
try:
    output = convolution.convolve2d(work.values, kernel.values, strides, padding, flip)
except ValueError as error:
    explorer.error(message(error))
    st.stop()
ui.save_feature_map(output, kernel, flip)

with explorer:
    position = ui.pick_output("convolution", output)
    ui.convolution_explorer(work, output, kernel, position, settings, (flip, show_relu))
    ui.clicker_steps("convolution", output.shape)
    rows, cols = output.shape
    with st.expander(ui.t("convolution.formula_expander", rows=rows, cols=cols)):
        st.markdown(ui.t("convolution.formula_text"))
        st.latex(r"G[i,j] = \sum_k \sum_l F[i-k,\, j-l]\; W[k,l]")
        ui.output_formulas(work.values.shape, settings)

st.subheader(ui.t("convolution.flip_header"))
ui.flip_check(work, kernel, settings)

st.subheader(ui.t("convolution.filtering_header"))
ui.filtering_results(work, flip)
link.done()
