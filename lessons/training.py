"""Training: train the lecture's CNN live, watch it over-fit, and regularise it."""

import streamlit as st

from cnnviz import ui
from cnnviz.ui.errors import message

st.title(ui.t("training.title"))
link = ui.shared_view("training")  # before the widgets: a shared link sets them
st.markdown(ui.t("training.intro"))

st.subheader(ui.t("training.settings"))
st.caption(ui.t("training.settings_caption"))
ui.training_presets()
# A bad setting blocks only Train (no st.stop): a running job and past runs stay on the page.
config = ui.checked_config(ui.training_settings())
name = None
try:
    name = ui.run_name()
except ValueError as error:
    st.error(message(error))
if config is not None:
    ui.augmentation_preview(config)

st.subheader(ui.t("training.train"))
st.caption(ui.t("training.train_caption"))
ui.train_and_stop(config, name)
ui.live_view(config)

st.subheader(ui.t("training.runs"))
st.markdown(ui.t("training.runs_intro"))
ui.compare_runs(ui.available_models())
link.done()
