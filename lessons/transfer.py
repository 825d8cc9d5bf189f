"""Transfer learning: reuse a network trained on one task on another with few images."""

import streamlit as st

from cnnviz import ui

st.title(ui.t("transfer.title"))
link = ui.shared_view("transfer")  # before the widgets: a shared link sets them
st.markdown(ui.t("transfer.intro"))

st.subheader(ui.t("transfer.choose"))
left, right = st.columns(2)
with left:
    source = ui.pick_source()
if source is None:
    st.stop()
name, info, network = source
with left:
    target = ui.pick_target(info)
with right:
    methods = ui.pick_methods()
    cut = ui.pick_cut(network)
own = None
if target == "own":
    st.markdown(ui.t("transfer.own_intro"))
    own = ui.own_classes_form()
    if own is not None:
        ui.vgg16_photo_features()
with right:
    per_class = ui.pick_examples(target, own)
num_classes = ui.target_classes(target, own)
frozen = None
if "freeze" in methods and num_classes is not None:
    st.markdown(ui.t("transfer.frozen_intro"))
    frozen = ui.frozen_switches(network, num_classes, cut)
knobs = ui.training_knobs()
config = None
if num_classes is not None and methods:
    config = ui.checked_transfer_config(
        source=name,
        target=target,
        methods=methods,
        cut_layer=cut,
        frozen=frozen,
        per_class=per_class,
        **knobs,
    )

st.subheader(ui.t("transfer.run"))
st.caption(ui.t("transfer.run_caption"))
ui.run_and_stop(config, own)
outcome = ui.live_results(config)
if outcome is not None:
    st.subheader(ui.t("transfer.results"))
    chosen = ui.transfer_results(outcome)
    if chosen is not None:
        st.markdown(ui.t("transfer.save_intro"))
        saved = ui.save_form(outcome, chosen)
        if saved is not None:
            images, labels = ui.test_images(outcome.target, own)
            ui.reuse(saved, images, labels, outcome.class_names)

st.subheader(ui.t("transfer.vgg16_heading"))
ui.vgg16_section()
ui.imagenet_section()
link.done()
