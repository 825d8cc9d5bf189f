"""Inside a trained network: every layer's feature maps, its filters and its evidence, live."""

import streamlit as st

from cnnviz import ui

st.title(ui.t("feature_maps.title"))
link = ui.shared_view("feature_maps")  # before the widgets: a shared link sets them
st.markdown(ui.t("feature_maps.intro"))

picked, side, overview = ui.picker_columns()
infos = {info.name: info for info in ui.available_models()}
ui.model_warnings()
if not infos:
    st.error(ui.t("feature_maps.no_model"))
if picked is None or not infos:
    st.stop()
with side:
    answer = st.container()  # the prediction, right under the picker
    model = st.selectbox(
        ui.t("feature_maps.model"),
        list(infos),
        index=list(infos).index("lecture") if "lecture" in infos else 0,
        key="feature_maps_model",
        help=ui.t("feature_maps.model_help"),
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
    per_map = st.toggle(ui.t("feature_maps.per_map"), key="feature_maps_per_map")
    st.caption(ui.t("feature_maps.maps_caption"))
# Every layer beside the picker; two models side by side need the page's whole width.
with overview if other is None else st.container():
    ui.show_layers(outputs, x, class_names, other, (model, second), per_map)

# Only the open tab is computed (a new drawing redraws what the learner is looking at).
by_hand_tab, filters_tab, evidence_tab = st.tabs(
    ui.tab_labels(),
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
link.done()
