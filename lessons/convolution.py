"""Convolution: a small kernel slides over the image; every output pixel explained."""

import streamlit as st

from cnnviz import convolution, ui

st.title("Convolution")
st.markdown(
    "A **kernel** is a small grid of weights. It slides over the image; at each position the "
    "pixels under it are multiplied by the weights and added up, giving one output pixel. "
    "Different weights respond to different patterns: lines, edges, blobs. Outputs can be "
    "negative, so they are drawn on a blue–white–red scale with white at zero."
)
st.latex(r"G[i,j] = \sum_k \sum_l F[i-k,\, j-l]\; W[k,l]")

work, controls = ui.working_input("convolution")
if work is None:
    st.stop()
with controls:
    try:
        kernel = ui.kernel_editor("convolution")
    except convolution.KernelError as error:
        st.error(str(error))
        st.stop()
    if kernel.note:
        st.info(kernel.note)
    strides, padding, flip, show_relu = ui.convolution_settings()

settings = ui.SlideSettings(len(kernel.values), strides, padding)
try:
    output = convolution.convolve2d(work.values, kernel.values, strides, padding, flip)
except ValueError as error:
    st.error(str(error))
    st.stop()
ui.save_feature_map(ui.FeatureMap(output, kernel.values, flip, kernel.name))

st.subheader(f"Output: {output.shape[0]}×{output.shape[1]} with the {kernel.name} kernel")
ui.output_formulas(work.values.shape, settings)
position = ui.pick_output("convolution", output.shape, "Next position →")
ui.sliding_window(work, output, kernel.values, position, settings, (flip, show_relu))

st.subheader("Convolution or cross-correlation?")
ui.flip_check(work, kernel.values, settings)

st.subheader("Some spatial filtering results")
ui.filtering_results(work, flip)
