"""Page 5: inside a trained network. Every layer's feature maps, filters and evidence, live."""

import numpy as np
import streamlit as st

from cnnviz import explain, plots, robustness, ui
from cnnviz.ui import feature_maps as view

ui.page_setup("feature maps")
st.title("Inside the network")
st.markdown(
    "Draw a digit or pick one: the trained network's prediction and **every layer's output** "
    "follow at once. Each small map is one filter's response (blue negative, red positive). "
    "Pick any value to see the exact arithmetic that produced it, look at the learned "
    "filters, and see which pixels drove the decision."
)

source, controls = st.columns([2, 3], gap="large")
with source:
    picked = ui.image_picker()
infos = {info.name: info for info in ui.available_models()}
if picked is None or not infos:
    if not infos:
        st.error("No trained model found in assets/models or models/.")
    st.stop()
names = list(infos)
with controls:
    model = st.selectbox(
        "Model",
        names,
        key="feature_maps_model",
        help="The two bundled models, and every run saved on the Training page.",
    )
    x = view.network_input(picked)
if x is None:
    st.stop()
outputs = view.engine_call(view.layer_outputs, model, x)
if outputs is None:
    st.stop()
ui.engine_notice()
class_names = infos[model].manifest.get("class_names") or [str(n) for n in range(10)]
probabilities = outputs[-1].output
other = None
with controls:
    best = int(np.argmax(probabilities))
    st.metric("Prediction", class_names[best], f"{probabilities[best]:.1%} sure", delta_color="off")
    st.plotly_chart(
        plots.probability_bars(probabilities, class_names), key="feature_maps_probabilities"
    )
    second = st.selectbox(
        "Compare with, side by side",
        ["—", *[n for n in names if n != model]],
        key="feature_maps_compare",
    )
    if second != "—":
        other = view.engine_call(view.layer_outputs, second, x)
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
        view.show_layer(output, f"feature_maps_layer{index}", per_map)
    for index, output in enumerate(other or []):
        view.show_layer(output, f"feature_maps_other{index}", per_map, prefix=f"{second}: ")
    st.subheader("One value, computed by hand")
    explainable = [o for o in outputs if o.kind not in ("Flatten", "Dropout", "SpatialDropout2D")]
    layer = st.selectbox("Layer", [o.name for o in explainable], key="feature_maps_layer")
    chosen = next(o for o in explainable if o.name == layer).output
    picks = st.columns(3)
    channel = picks[0].number_input(
        "Map (channel) or unit", 0, chosen.shape[-1] - 1, 0, key="feature_maps_channel"
    )
    row = col = None
    if chosen.ndim == 3:
        row = picks[1].slider(
            "Row", 0, chosen.shape[0] - 1, chosen.shape[0] // 2, key="feature_maps_row"
        )
        col = picks[2].slider(
            "Column", 0, chosen.shape[1] - 1, chosen.shape[1] // 2, key="feature_maps_col"
        )
    try:
        view.show_explanation(explain.explain_activation(outputs, x, layer, int(channel), row, col))
    except ValueError as error:
        st.error(str(error))

with filters_tab:
    convs = [o for o in outputs if o.kind == "Conv2D"]
    for output in convs:
        st.plotly_chart(
            plots.filter_grid(
                output.weights["kernel"],
                title=f"{output.name}: "
                f"{output.weights['kernel'].shape[-1]} learned "
                "filters (averaged over input channels)",
            ),
            key=f"feature_maps_filters_{output.name}",
        )
    target = st.selectbox(
        "What does each map respond to most?",
        [o.name for o in convs[1:]] + [outputs[-1].name],
        key="feature_maps_maximise",
    )
    if st.toggle("Compute it (gradient ascent on the input)", key="feature_maps_do_maximise"):
        found = view.engine_call(view.maximised, model, target)
        if found is not None:
            captions = (
                class_names if target == outputs[-1].name else [str(i) for i in range(len(found))]
            )
            st.plotly_chart(plots.image_gallery(found, captions), key="feature_maps_maxima")

with evidence_tab:
    smoothgrad = st.toggle("SmoothGrad (average 25 noisy copies)", key="feature_maps_smooth")
    found = view.engine_call(view.evidence, model, x, 25 if smoothgrad else 0)
    cam, salient = found if found is not None else (None, None)
    left, right = st.columns(2)
    if cam is not None:
        left.plotly_chart(
            plots.evidence_overlay(x, cam, title="Grad-CAM (last conv layer)"),
            key="feature_maps_gradcam",
        )
    if salient is not None:
        right.plotly_chart(
            plots.evidence_overlay(x, salient, title="Saliency"), key="feature_maps_saliency"
        )
    st.subheader("Robustness: the same digit, moved, turned, scaled, noisy")
    variants = robustness.probe_inputs(x)
    predicted = view.engine_call(ui.predictions, model, np.stack([v for _, v in variants]))
    if predicted is not None:
        table = robustness.probe_table([label for label, _ in variants], predicted, class_names)
        st.dataframe(
            [row.__dict__ for row in table], hide_index=True, key="feature_maps_robustness"
        )
