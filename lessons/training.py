"""Training: train the lecture's CNN live, watch it over-fit, and regularise it."""

import streamlit as st

from cnnviz import ui

st.title("Training")
st.markdown(
    "Training shows the network batches of labelled images and nudges every weight against "
    "the gradient of the **loss**. Watch the loss fall and the accuracy rise batch by batch, "
    "and the first layer's 16 filters turn from noise into edge detectors. Train on few "
    "images for many epochs and the **validation** loss turns up while the training loss "
    "keeps falling: over-fitting. Batch normalisation, dropout and augmentation close the gap."
)

st.subheader("Settings")
st.caption("A preset sets everything below; change anything before you train.")
ui.training_presets()
# A bad setting blocks only Train (no st.stop): a running job and past runs stay on the page.
config = ui.checked_config(ui.training_settings())
name = None
try:
    name = ui.run_name()
except ValueError as error:
    st.error(str(error))
if config is not None:
    ui.augmentation_preview(config)

st.subheader("Train")
st.caption(
    "The job runs in the model engine, one per browser tab, queued when the server is busy. "
    "It stops if this page is left for 30 seconds. Runs are saved with their best epoch's "
    "weights (highest validation accuracy), scored once on the held-out test images."
)
ui.train_and_stop(config, name)
ui.live_view(config)

st.subheader("Runs so far")
st.markdown(
    "Your saved runs and the bundled models: compare their validation curves, their "
    "settings and held-out accuracy, and see which digits a run gets wrong."
)
ui.compare_runs(ui.available_models())
