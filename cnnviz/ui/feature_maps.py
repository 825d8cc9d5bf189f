"""The Feature-maps page's views: the network's input, every layer, one value by hand, the
learned filters and what drove the decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz import plots, training
from cnnviz.images import ImageError, to_grayscale, to_mnist
from cnnviz.images.digits import unlike_mnist
from cnnviz.network import (
    LayerActivation,
    probe_inputs,
    probe_table,
)
from cnnviz.ui.components import mount_network_overview
from cnnviz.ui.model_engine import (
    available_models,
    engine_call,
    evidence,
    layer_activations,
    maximised,
    predictions,
)
from cnnviz.ui.picker import DATASET, PickedImage
from cnnviz.ui.worked_example import (
    CHANNEL_KEY,
    COL_KEY,
    LAYER_KEY,
    ROW_KEY,
    explained_position,
    names_of,
)

UNSURE = 0.6  # below this probability for its answer, the network is called unsure


def network_input(picked: PickedImage) -> np.ndarray | None:
    """The 28×28 input in 0..1 a model is fed, with the MNIST preprocessing steps shown.

    A dataset digit is already an MNIST digit; a drawing, a photo or a built-in image goes
    through `to_mnist` (grayscale, light ink on dark, crop, 20 px, centre of mass).
    """
    if picked.is_digit and picked.source == DATASET:
        return to_grayscale(picked.image).astype(np.float32) / 255.0
    try:
        steps = to_mnist(picked.image)
    except ImageError as error:
        st.error(str(error))
        return None
    with st.expander("How your image became a 28×28 MNIST digit", expanded=False):
        columns = st.columns(len(steps.as_list()))
        for column, (caption, step) in zip(columns, steps.as_list(), strict=True):
            column.image(step, caption=caption, clamp=True, width="stretch")
        st.caption(
            "MNIST digits are light on dark, cropped to the ink, scaled so the longer side is "
            "20 px and centred by their centre of mass: a thin or off-centre drawing looks "
            "different to the network after these steps."
        )
    return steps.result


def output_class_names(info: training.ModelInfo, outputs: list[LayerActivation]) -> list[str]:
    """A name per output of the model: its manifest's class names, or "0", "1", ... with a
    warning naming the manifest when it gives a list that does not have one per output."""
    count = int(np.shape(outputs[-1].output)[-1])
    names = training.class_names(info.manifest, count)
    given = info.manifest.get("class_names")
    if isinstance(given, list) and given != names:
        manifest = training.run_paths(Path(info.path).parent, info.name)["manifest"]
        st.warning(
            f"{manifest} gives {len(given)} class names for the model's {count} outputs: the "
            "classes are numbered instead."
        )
    return names


def prediction(x: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> None:
    """What the network answers (the overview beside it shows what it sees), with a caveat
    when the answer says little (a picture unlike a digit, or an unsure network)."""
    said, answer = st.columns([1, 2])
    best = int(np.argmax(probabilities))
    said.metric(
        "Prediction", class_names[best], f"{probabilities[best]:.1%} sure", delta_color="off"
    )
    answer.plotly_chart(
        plots.probability_bars(probabilities, class_names), key="feature_maps_probabilities"
    )
    for caveat in caveats(x, probabilities, class_names):
        st.warning(caveat)


def comparison(model: str, names: list[str], x: np.ndarray, class_names: list[str]):
    """A second model to show beside `model`: `(its name, its layers for x)`, or `("—", None)`;
    its prediction is written under the choice."""
    second = st.selectbox(
        "Compare with, side by side",
        ["—", *[name for name in names if name != model]],
        key="feature_maps_compare",
    )
    other = engine_call(layer_activations, second, x) if second != "—" else None
    if other is None:
        return second, None
    names = _class_names_of(second, other, class_names)
    st.caption(f"{second} predicts {names[int(np.argmax(other[-1].output))]}.")
    figure = plots.probability_bars(other[-1].output, names)
    st.plotly_chart(figure, key="feature_maps_compare_probabilities")
    return second, other


def _class_names_of(model: str, outputs: list[LayerActivation], fallback: list[str]) -> list[str]:
    """A name per output of `model`, from its own manifest (a second model may know other
    classes: digits 0–4 only, or clothes); `fallback`, numbered to fit, if it is gone."""
    infos = {info.name: info for info in available_models()}
    manifest = infos[model].manifest if model in infos else {"class_names": fallback}
    return training.class_names(manifest, int(np.size(outputs[-1].output)))


def caveats(x: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> list[str]:
    """Why the prediction may mean little: the input is unlike MNIST, or the network is unsure."""
    found = []
    reason = unlike_mnist(x)
    if reason is not None:
        found.append(
            f"This does not look like an MNIST digit: {reason}. The network can only answer "
            "with one of the digits it learned, so its answer says little about this picture."
        )
    order = np.argsort(probabilities)[::-1]
    if probabilities[order[0]] < UNSURE:
        top = ", ".join(f"{class_names[i]} ({probabilities[i]:.0%})" for i in order[:3])
        found.append(f"The network is unsure: its likeliest answers are {top}.")
    return found


def show_layers(outputs, x, class_names, other=None, names=("", ""), per_map=False) -> None:
    """Every layer's output in one overview, the value being explained outlined (a click on
    another value explains that one); with `other` (a second model's layers for the same
    image), the two overviews side by side."""
    pick = explained_position(outputs)
    if pick is None:
        pick = (
            names_of(outputs).index(st.session_state[LAYER_KEY]),
            st.session_state[CHANNEL_KEY],
            None,
            None,
        )
    keys = (LAYER_KEY, CHANNEL_KEY, ROW_KEY, COL_KEY)
    if other is None:
        mount_network_overview(
            "feature_maps_overview", outputs, x, class_names, per_map, pick, keys
        )
        return
    labels = (class_names, _class_names_of(names[1], other, class_names))
    for column, layers, name, main, label in zip(
        st.columns(2), (outputs, other), names, (True, False), labels, strict=True
    ):
        with column:
            st.markdown(f"**{name}**")
            mount_network_overview(
                f"feature_maps_overview_{'main' if main else 'other'}",
                layers,
                x,
                label,
                per_map,
                pick if main else None,
                keys if main else None,
            )


def learned_filters(model: str, outputs: list[LayerActivation], class_names: list[str]) -> None:
    """Every conv layer's filters, and on request what each map or class responds to most."""
    convs = [o for o in outputs if o.kind == "Conv2D"]
    for output in convs:
        kernel = output.weights["kernel"]
        title = f"{output.name}: {kernel.shape[-1]} learned filters (averaged over input channels)"
        figure = plots.filter_grid(kernel, title=title)
        st.plotly_chart(figure, key=f"feature_maps_filters_{output.name}")
    target = st.selectbox(
        "What does each map respond to most?",
        [o.name for o in convs[1:]] + [outputs[-1].name],
        key="feature_maps_maximise",
    )
    if st.toggle("Compute it (gradient ascent on the input)", key="feature_maps_do_maximise"):
        found = engine_call(maximised, model, target)
        if found is not None:
            last = target == outputs[-1].name
            captions = class_names if last else [str(i) for i in range(len(found))]
            st.plotly_chart(plots.image_gallery(found, captions), key="feature_maps_maxima")


def decision_evidence(model: str, x: np.ndarray, class_names: list[str]) -> None:
    """Grad-CAM and saliency over the input, and the prediction under shifts, turns and noise."""
    smoothgrad = st.toggle("SmoothGrad (average 25 noisy copies)", key="feature_maps_smooth")
    found = engine_call(evidence, model, x, 25 if smoothgrad else 0)
    if found is not None:
        cam, salient = found
        left, right = st.columns(2)
        left.plotly_chart(
            plots.evidence_overlay(x, cam, title="Grad-CAM (last conv layer)"),
            key="feature_maps_gradcam",
        )
        right.plotly_chart(
            plots.evidence_overlay(x, salient, title="Saliency"), key="feature_maps_saliency"
        )
    st.subheader("Robustness: the same digit, moved, turned, scaled, noisy")
    variants = probe_inputs(x)
    predicted = engine_call(predictions, model, np.stack([v for _, v in variants]))
    if predicted is not None:
        table = probe_table([label for label, _ in variants], predicted, class_names)
        rows = [
            {
                "Variant": row.variant,
                "Predicted": row.predicted_class,
                "Confidence": f"{row.confidence:.1%}",
                "Answer changed": "yes" if row.changed else "",
                "Belief in the first answer": f"{row.original_class_confidence:.1%}",
            }
            for row in table
        ]
        st.dataframe(rows, hide_index=True, key="feature_maps_robustness")
