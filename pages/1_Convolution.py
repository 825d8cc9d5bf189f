"""Page 1: convolution. A small kernel slides over the image; every output pixel explained."""

import streamlit as st

from cnnviz import convolution, filtering, kernels, plots, ui

ui.page_setup("convolution")
st.title("Convolution")
st.markdown(
    "A **kernel** is a small grid of weights. It slides over the image; at each position the "
    "pixels under it are multiplied by the weights and added up, giving one output pixel. "
    "Different weights respond to different patterns: lines, edges, blobs. Outputs can be "
    "negative, so they are drawn on a blue–white–red scale with white at zero."
)
st.latex(r"G[i,j] = \sum_k \sum_l F[i-k,\, j-l]\; W[k,l]")

source, controls = st.columns([2, 3], gap="large")
with source:
    picked = ui.image_picker()
if picked is None:
    st.stop()
with source:
    work = ui.working_image(picked, "convolution")
with controls:
    try:
        kernel = ui.kernel_editor("convolution")
    except kernels.KernelError as error:
        st.error(str(error))
        st.stop()
    if kernel.note:
        st.info(kernel.note)
    strides_column, padding_column = st.columns(2)
    strides = strides_column.slider("Strides", 1, 3, 1, key="convolution_strides")
    padding = padding_column.radio(
        "Padding", convolution.PADDINGS, key="convolution_padding", horizontal=True
    )
    flip = st.radio(
        "Operation",
        (
            "Convolution (kernel rotated 180°, as in the formula)",
            "Cross-correlation (what Keras Conv2D computes)",
        ),
        key="convolution_operation",
    ).startswith("Convolution")
    relu = st.toggle("Show ReLU(output): negatives set to 0", key="convolution_relu")

height, width = work.values.shape
try:
    output = convolution.convolve2d(work.values, kernel.values, strides, padding, flip)
    formula_rows = convolution.output_size_formula(height, len(kernel.values), strides, padding)
    formula_cols = convolution.output_size_formula(width, len(kernel.values), strides, padding)
except ValueError as error:
    st.error(str(error))
    st.stop()
# The pooling page offers this map as its input.
st.session_state["convolution_feature_map"] = {
    "map": output,
    "kernel": kernel.values,
    "name": kernel.name,
    "flip": flip,
}

st.subheader(f"Output: {output.shape[0]}×{output.shape[1]} with the {kernel.name} kernel")
st.markdown(f"Rows: `{formula_rows}`  \nColumns: `{formula_cols}`")
row = ui.position_slider(st, "Output row", output.shape[0] - 1, "convolution_row")
col = ui.position_slider(st, "Output column", output.shape[1] - 1, "convolution_col")
st.button(
    "Next position →",
    key="convolution_next",
    on_click=ui.step_position,
    args=("convolution", output.shape),
)
explained = convolution.explain_pixel(work.values, kernel.values, row, col, strides, padding, flip)
size = len(kernel.values)
box = (explained.top, explained.left, size, size)
image_view, output_view = st.columns(2)
image_view.plotly_chart(
    plots.signed_map(
        work.values, title="Input", box=box, value_range=(0, 255), colorscale=plots.GRAY
    ),
    key="convolution_input",
)
output_view.plotly_chart(
    plots.signed_map(
        filtering.relu(output) if relu else output,
        title="ReLU(output)" if relu else "Output",
        box=(row, col, 1, 1),
    ),
    key="convolution_output",
)

st.subheader(f"How output pixel ({row}, {col}) is computed")
window, weights, products = st.columns(3)
window.plotly_chart(
    plots.number_grid(
        explained.window, title="Input window", decimals=0, mask=explained.padded_mask
    ),
    key="convolution_window",
)
weights.plotly_chart(
    plots.number_grid(
        explained.kernel, title="Kernel as applied" + (" (rotated 180°)" if flip else "")
    ),
    key="convolution_kernel",
)
products.plotly_chart(
    plots.number_grid(explained.products, title="Window × kernel"), key="convolution_products"
)
terms = " + ".join(f"({p + 0.0:g})" for p in explained.products.ravel())
st.markdown(
    f"Sum of the products: {terms} = **{explained.total:g}**. "
    f"The output pixel is **{output[row, col]:g}**."
)

st.subheader("Convolution or cross-correlation?")
difference = filtering.flip_difference(work.values, kernel.values, strides, padding)
st.markdown(
    "True convolution rotates the kernel by 180° before sliding it; cross-correlation does "
    "not. Keras's `Conv2D` computes cross-correlation; since its kernels are learned, the "
    "difference does not matter to the network. On this image, convolving with the kernel "
    "and correlating with the rotated kernel differ by at most "
    f"**{difference:g}**: they are the same operation."
)
original, rotated = st.columns(2)
original.plotly_chart(plots.number_grid(kernel.values, title="Kernel"), key="convolution_flip_a")
rotated.plotly_chart(
    plots.number_grid(kernels.flip_kernel(kernel.values), title="Rotated 180°"),
    key="convolution_flip_b",
)

st.subheader("Some spatial filtering results")
gallery = filtering.lecture_gallery(work.values, flip=flip)
gallery["Sobel edge magnitude √(Gx² + Gy²)"] = filtering.edge_magnitude(work.values)
st.plotly_chart(plots.map_gallery(gallery), key="convolution_gallery")
