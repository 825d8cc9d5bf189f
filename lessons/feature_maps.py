"""Inside a trained network: every layer's feature maps, its filters and its evidence, live."""

import streamlit as st

from cnnviz import ui

st.title("Inside the network")
st.markdown(
    "Draw a digit or pick one: the trained network's prediction and **every layer's output** "
    "follow at once. Point at any value to read it; click it to see the arithmetic behind it."
)

picked, side, overview = ui.picker_columns()
infos = {info.name: info for info in ui.available_models()}
ui.model_warnings()
if not infos:
    st.error("No trained model found in assets/models or models/.")
if picked is None or not infos:
    st.stop()
with side:
    answer = st.container()  # the prediction, right under the picker
    model = st.selectbox(
        "Model",
        list(infos),
        index=list(infos).index("lecture") if "lecture" in infos else 0,
        key="feature_maps_model",
        help="The bundled models (the lecture's, the regularised one, and the two sources of "
        "transfer learning), and every run saved on the Training and Transfer pages.",
    )
    x = ui.network_input(picked)
if x is None:
    st.stop()
outputs = ui.engine_call(ui.layer_activations, model, x)
if outputs is None:
    st.stop()
ui.engine_notice()
class_names = ui.output_class_names(infos[model], outputs)
with answer:
    ui.prediction(x, outputs[-1].output, class_names)
with side:
    second, other = ui.comparison(model, list(infos), x, class_names)
    per_map = st.toggle("Scale each map on its own", key="feature_maps_per_map")
    st.caption(
        "Each small numbered map is one filter's response. Maps after a ReLU are never "
        "negative and go from white (0) to red; maps that can be negative (a convolution "
        "before its activation, batch normalisation) use blue for negative, white for 0, "
        "red for positive."
    )
# Every layer beside the picker; two models side by side need the page's whole width.
with overview if other is None else st.container():
    ui.show_layers(outputs, x, class_names, other, (model, second), per_map)

# Only the open tab is computed (a new drawing redraws what the learner is looking at).
by_hand_tab, filters_tab, evidence_tab = st.tabs(
    ["One value, computed by hand", "Learned filters", "What drove the decision"],
    key="feature_maps_tab",
    on_change="rerun",
)
if by_hand_tab.open:
    with by_hand_tab:
        ui.value_by_hand(outputs, x)
if filters_tab.open:
    with filters_tab:
        ui.learned_filters(model, outputs, class_names)
if evidence_tab.open:
    with evidence_tab:
        ui.decision_evidence(model, x, class_names)
