"""Architecture: assemble a CNN and see every layer's shape and parameters at once."""

import streamlit as st

from cnnviz import network, ui
from cnnviz.ui.errors import message

st.title(ui.t("architecture.title"))
link = ui.shared_view("architecture")  # before the widgets: a shared link sets them
st.markdown(ui.t("architecture.intro"))

config = ui.network_editor("architecture")
st.subheader(ui.t("architecture.summary"))
try:
    ui.network_summary(config)
except ValueError as error:
    st.error(message(error))
    st.stop()

st.subheader(ui.t("architecture.comparison"))
ui.parameter_comparison()

st.subheader(ui.t("architecture.memory"))
ui.memory_estimate(config)
for hint in network.design_hints(config, language=ui.current_language()):
    st.warning(hint)

st.subheader(ui.t("architecture.trained"))
st.markdown(ui.t("architecture.trained_intro"))
ui.trained_models("architecture", ui.available_models())
link.done()
