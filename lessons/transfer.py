"""Transfer learning: reuse a network trained on one task on another with few images."""

import streamlit as st

from cnnviz import ui

st.title("Transfer learning")
st.markdown(
    "A network trained on one task has learned features that help on another: edges, strokes, "
    "shapes. **Transfer learning** reuses them when the new task has few images, in three "
    "ways: feed an intermediate layer's outputs to an **SVM**; **freeze** the first layers and "
    "train a new classifier on top; or **fine-tune**: train the new classifier first, then "
    "unfreeze the last layers and train again with the learning rate divided by 10. Each is "
    "measured against the same network trained **from scratch** on the same few images."
)

st.subheader("What to reuse, and on what")
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
    st.markdown(
        "**Your own classes.** Add at least two classes of at least five images each, "
        "uploaded or taken with the webcam. They stay in this browser session; nothing is "
        "written to disk unless you save a model."
    )
    own = ui.own_classes_form()
    if own is not None:
        ui.vgg16_photo_features()
with right:
    per_class = ui.pick_examples(target, own)
num_classes = ui.target_classes(target, own)
frozen = None
if "freeze" in methods and num_classes is not None:
    st.markdown(
        "**Frozen layers.** A frozen layer keeps the source's weights; the others train. The "
        "counts are those `model.summary(show_trainable=True)` prints."
    )
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

st.subheader("Run")
st.caption(
    "The methods run one after another in the model engine, on the same images; curves show "
    "accuracy on the target's test images, which no method trains on or chooses with."
)
ui.run_and_stop(config, own)
outcome = ui.live_results(config)
if outcome is not None:
    st.subheader("Results")
    chosen = ui.transfer_results(outcome)
    if chosen is not None:
        st.markdown(
            "**Save the weights** to reuse them for predictions without training again: the "
            "run lands beside the Training page's runs."
        )
        saved = ui.save_form(outcome, chosen)
        if saved is not None:
            images, labels = ui.test_images(outcome.target, own)
            ui.reuse(saved, images, labels, outcome.class_names)

st.subheader("VGG16: the lecture's big pretrained network")
ui.vgg16_section()
ui.imagenet_section()
