"""Inside a trained network: every layer's feature maps, its filters and its evidence, live."""

import numpy as np
import streamlit as st

from cnnviz import plots, training, ui

st.title("Inside the network")
st.markdown(
    "Draw a digit or pick one: the trained network's prediction and **every layer's output** "
    "follow at once. Each small map is one filter's response (blue negative, red positive). "
    "Pick any value to see the exact arithmetic that produced it, look at the learned "
    "filters, and see which pixels drove the decision."
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
probabilities = outputs[-1].output
best = int(np.argmax(probabilities))
with controls:
    st.metric("Prediction", class_names[best], f"{probabilities[best]:.1%} sure", delta_color="off")
    st.plotly_chart(
        plots.probability_bars(probabilities, class_names), key="feature_maps_probabilities"
    )
    second = st.selectbox(
        "Compare with, side by side",
        ["—", *[name for name in infos if name != model]],
        key="feature_maps_compare",
    )
    other = ui.engine_call(ui.layer_activations, second, x) if second != "—" else None
    if other is not None:
        st.plotly_chart(
            plots.probability_bars(other[-1].output, class_names),
            key="feature_maps_compare_probabilities",
        )
        st.caption(f"{second} predicts {class_names[int(np.argmax(other[-1].output))]}.")

maps_tab, filters_tab, evidence_tab = st.tabs(
    ["Feature maps", "Learned filters", "What drove the decision"]
)
with maps_tab:
    per_map = st.toggle("Scale each map on its own", key="feature_maps_per_map")
    for index, output in enumerate(outputs):
        ui.show_layer(output, f"feature_maps_layer{index}", per_map)
    for index, output in enumerate(other or []):
        ui.show_layer(output, f"feature_maps_other{index}", per_map, prefix=f"{second}: ")
    st.subheader("One value, computed by hand")
    ui.value_by_hand(outputs, x)
with filters_tab:
    ui.learned_filters(model, outputs, class_names)
with evidence_tab:
    ui.decision_evidence(model, x, class_names)
