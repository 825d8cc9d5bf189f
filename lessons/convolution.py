"""Convolution: a small kernel slides over the image; every output pixel explained."""

import streamlit as st

from cnnviz import convolution, ui

st.title("Convolution")
st.markdown(
    "A **kernel**, a small grid of weights, slides over the image: the pixels under it times "
    "the weights, added up, give one output pixel. **Point at any pixel** to see its sum; "
    "click to keep it, move it with the arrow keys, or press Play."
)
kernel_column, strides_column, padding_column, operation_column = st.columns([3, 2, 2, 3])
explorer = st.container()

st.subheader("The image and the kernel's weights")
work, controls = ui.working_input("convolution")
if work is None:
    st.stop()
with controls:
    kernel = ui.kernel_editor("convolution", preset_container=kernel_column)
    if kernel.note:
        st.info(kernel.note)
    show_relu = st.toggle("Show ReLU(output): negatives set to 0", key="convolution_relu")
strides, padding, flip = ui.convolution_settings(strides_column, padding_column, operation_column)

settings = ui.SlideSettings(len(kernel.values), strides, padding)
try:
    output = convolution.convolve2d(work.values, kernel.values, strides, padding, flip)
except ValueError as error:
    explorer.error(str(error))
    st.stop()
ui.save_feature_map(output, kernel, flip)

with explorer:
    position = ui.pick_output("convolution", output)
    ui.convolution_explorer(work, output, kernel, position, settings, (flip, show_relu))
    with st.expander(f"The formula and the output size: {output.shape[0]}×{output.shape[1]}"):
        st.markdown(
            "Outputs can be negative, so they are drawn on a blue–white–red scale with white "
            "at zero. True convolution rotates the kernel by 180°:"
        )
        st.latex(r"G[i,j] = \sum_k \sum_l F[i-k,\, j-l]\; W[k,l]")
        ui.output_formulas(work.values.shape, settings)

st.subheader("Convolution or cross-correlation?")
ui.flip_check(work, kernel, settings)

st.subheader("Some spatial filtering results")
ui.filtering_results(work, flip)
