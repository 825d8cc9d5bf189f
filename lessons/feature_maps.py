"""Inside a trained network: every layer's feature maps, its filters and its evidence, live."""

import streamlit as st

from cnnviz import training, ui

st.title("Inside the network")
st.markdown(
    "Draw a digit or pick one: the trained network's prediction and **every layer's output** "
    "follow at once. Point at any value to read it; click it to see the arithmetic behind it."
)

picked, controls = ui.picker_columns()
infos = {info.name: info for info in ui.available_models()}
if not infos:
    st.error("No trained model found in assets/models or models/.")
if picked is None or not infos:
    st.stop()
with controls:
    model = st.selectbox(
        "Model",
        list(infos),
        key="feature_maps_model",
        help="The two bundled models, and every run saved on the Training page.",
    )
    x = ui.network_input(picked)
if x is None:
    st.stop()
outputs = ui.engine_call(ui.layer_activations, model, x)
if outputs is None:
    st.stop()
ui.engine_notice()
class_names = training.class_names(infos[model].manifest)
with controls:
    ui.prediction(x, outputs[-1].output, class_names)

# Only the open tab is computed (a new drawing redraws what the learner is looking at).
maps_tab, filters_tab, evidence_tab = st.tabs(
    ["Feature maps", "Learned filters", "What drove the decision"],
    key="feature_maps_tab",
    on_change="rerun",
)
if maps_tab.open:
    with maps_tab:
        choices, scaling = st.columns(2)
        per_map = scaling.toggle("Scale each map on its own", key="feature_maps_per_map")
        with choices:
            second, other = ui.comparison(model, list(infos), x, class_names)
        st.caption(
            "Each small numbered map is one filter's response. Maps after a ReLU are never "
            "negative and go from white (0) to red; maps that can be negative (a convolution "
            "before its activation, batch normalisation) use blue for negative, white for 0, "
            "red for positive."
        )
        ui.show_layers(outputs, x, class_names, other, (model, second), per_map)
        st.subheader("One value, computed by hand")
        ui.value_by_hand(outputs, x)
if filters_tab.open:
    with filters_tab:
        ui.learned_filters(model, outputs, class_names)
if evidence_tab.open:
    with evidence_tab:
        ui.decision_evidence(model, x, class_names)
