"""Architecture: assemble a CNN and see every layer's shape and parameters at once."""

import streamlit as st

from cnnviz import network, ui

st.title("Architecture")
st.markdown(
    "A CNN stacks **convolution** layers (learned kernels), **pooling** layers (shrink the "
    "maps) and, after **flatten**, **dense** layers that decide the class. Change any layer "
    "below: the summary (Keras's `model.summary()`), the shapes and the memory a training "
    "step needs are computed at once, without building the network."
)

config = ui.network_editor("architecture")
st.subheader("Summary")
try:
    ui.network_summary(config)
except ValueError as error:
    st.error(str(error))
    st.stop()

st.subheader("Why a CNN needs far fewer parameters than an MLP")
ui.parameter_comparison()

st.subheader("Design practice: will a training step fit in memory?")
ui.memory_estimate(config)
for hint in network.design_hints(config):
    st.warning(hint)

st.subheader("Trained networks")
st.markdown(
    "These networks were trained on MNIST digits: the two that ship with the app, and the "
    "runs saved on the Training page. Load one to see its layers above."
)
ui.trained_models("architecture", ui.available_models())
