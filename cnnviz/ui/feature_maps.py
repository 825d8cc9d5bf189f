"""The Feature-maps page's views: the network's input, every layer, one value by hand, the
learned filters and what drove the decision."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import streamlit as st

from cnnviz import i18n, plots, training
from cnnviz.images import ImageError, to_grayscale, to_mnist
from cnnviz.images.digits import unlike_mnist
from cnnviz.network import (
    LayerActivation,
    probe_inputs,
    probe_table,
)
from cnnviz.plots import summaries, tables
from cnnviz.ui.charts import chart
from cnnviz.ui.components import mount_network_overview
from cnnviz.ui.errors import message
from cnnviz.ui.exports import filters_downloads, layer_downloads
from cnnviz.ui.language import language, t
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
TAB_KEY = "feature_maps_tab"
TABS = ("by_hand", "filters", "evidence")


def tab_labels() -> list[str]:
    """The page's tabs in this session's language; a tab opened in the other language (before
    a switch, or from a shared link) stays the open one."""
    labels = [t(f"feature_maps.tabs.{name}") for name in TABS]
    opened = st.session_state.get(TAB_KEY)
    for code in i18n.LANGUAGES:
        other = [i18n.translate(code, f"feature_maps.tabs.{name}") for name in TABS]
        if opened in other and opened not in labels:
            st.session_state[TAB_KEY] = labels[other.index(opened)]
    return labels


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
        st.error(message(error))
        return None
    with st.expander(t("feature_maps.input.expander"), expanded=False):
        shown = steps.as_list(language())
        columns = st.columns(len(shown))
        for column, (caption, step) in zip(columns, shown, strict=True):
            column.image(step, caption=caption, clamp=True, width="stretch")
        st.caption(t("feature_maps.input.caption"))
    return steps.result


def output_class_names(info: training.ModelInfo, outputs: list[LayerActivation]) -> list[str]:
    """A name per output of the model, as the learner reads it (Fashion-MNIST's in Spanish
    too): its manifest's class names, or "0", "1", ... with a warning naming the manifest
    when it gives a list that does not have one per output."""
    count = int(np.shape(outputs[-1].output)[-1])
    names = training.class_names(info.manifest, count)
    given = info.manifest.get("class_names")
    if isinstance(given, list) and given != names:
        manifest = training.run_paths(Path(info.path).parent, info.name)["manifest"]
        st.warning(
            t(
                "feature_maps.prediction.class_names_mismatch",
                manifest=manifest,
                given=len(given),
                count=count,
            )
        )
    return training.class_labels(names, language())


def prediction(x: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> None:
    """What the network answers (the overview beside it shows what it sees), with a caveat
    when the answer says little (a picture unlike a digit, or an unsure network)."""
    said, answer = st.columns([1, 2])
    best = int(np.argmax(probabilities))
    said.metric(
        t("feature_maps.prediction.label"),
        class_names[best],
        t("feature_maps.prediction.sure", probability=probabilities[best]),
        delta_color="off",
        delta_arrow="off",  # a confidence, not a change: no arrow (and room for the words)
    )
    chart(
        plots.probability_bars(probabilities, class_names, language=language()),
        table=tables.probability_table(probabilities, class_names, language=language()),
        summary=summaries.prediction_summary(probabilities, class_names, language=language()),
        key="feature_maps_probabilities",
        container=answer,
    )
    for caveat in caveats(x, probabilities, class_names):
        st.warning(caveat)


def comparison(model: str, names: list[str], x: np.ndarray, class_names: list[str]):
    """A second model to show beside `model`: `(its name, its layers for x)`, or `("—", None)`;
    its prediction is written under the choice."""
    second = st.selectbox(
        t("feature_maps.prediction.compare"),
        ["—", *[name for name in names if name != model]],
        key="feature_maps_compare",
    )
    other = engine_call(layer_activations, second, x) if second != "—" else None
    if other is None:
        return second, None
    names = _class_names_of(second, other, class_names)
    answer = names[int(np.argmax(other[-1].output))]
    st.caption(t("feature_maps.prediction.second_predicts", model=second, answer=answer))
    chart(
        plots.probability_bars(other[-1].output, names, language=language()),
        table=tables.probability_table(other[-1].output, names, language=language()),
        summary=summaries.prediction_summary(other[-1].output, names, language=language()),
        key="feature_maps_compare_probabilities",
    )
    return second, other


def _class_names_of(model: str, outputs: list[LayerActivation], fallback: list[str]) -> list[str]:
    """A name per output of `model`, from its own manifest (a second model may know other
    classes: digits 0–4 only, or clothes); `fallback`, numbered to fit, if it is gone."""
    infos = {info.name: info for info in available_models()}
    manifest = infos[model].manifest if model in infos else {"class_names": fallback}
    names = training.class_names(manifest, int(np.size(outputs[-1].output)))
    return training.class_labels(names, language())


def caveats(x: np.ndarray, probabilities: np.ndarray, class_names: list[str]) -> list[str]:
    """Why the prediction may mean little: the input is unlike MNIST, or the network is unsure."""
    found = []
    reason = unlike_mnist(x, language())
    if reason is not None:
        found.append(t("feature_maps.prediction.unlike_mnist", reason=reason))
    order = np.argsort(probabilities)[::-1]
    if probabilities[order[0]] < UNSURE:
        top = ", ".join(f"{class_names[i]} ({probabilities[i]:.0%})" for i in order[:3])
        found.append(t("feature_maps.prediction.unsure", top=top))
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
        layer_downloads(outputs, per_map, "feature_maps_export")
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
        title = t("feature_maps.filters.title", layer=output.name, count=kernel.shape[-1])
        chart(
            plots.filter_grid(kernel, title=title, language=language()),
            table=tables.filter_table(kernel, language=language()),
            summary=summaries.filter_summary(kernel, language=language()),
            key=f"feature_maps_filters_{output.name}",
        )
        filters_downloads(output.name, kernel, f"feature_maps_export_{output.name}")
    target = st.selectbox(
        t("feature_maps.filters.maximise"),
        [o.name for o in convs[1:]] + [outputs[-1].name],
        key="feature_maps_maximise",
    )
    if st.toggle(t("feature_maps.filters.compute"), key="feature_maps_do_maximise"):
        found = engine_call(maximised, model, target)
        if found is not None:
            last = target == outputs[-1].name
            captions = class_names if last else [str(i) for i in range(len(found))]
            chart(
                plots.image_gallery(found, captions),
                table=tables.caption_table(captions, language=language()),
                summary=summaries.gallery_summary(captions, language=language()),
                key="feature_maps_maxima",
            )


def decision_evidence(model: str, x: np.ndarray, class_names: list[str]) -> None:
    """Grad-CAM and saliency over the input, and the prediction under shifts, turns and noise."""
    smoothgrad = st.toggle(t("feature_maps.evidence.smoothgrad"), key="feature_maps_smooth")
    found = engine_call(evidence, model, x, 25 if smoothgrad else 0)
    if found is not None:
        cam, salient = found
        left, right = st.columns(2)
        for column, heat, title, name in (
            (left, cam, t("feature_maps.evidence.gradcam"), "gradcam"),
            (right, salient, t("feature_maps.evidence.saliency"), "saliency"),
        ):
            chart(
                plots.evidence_overlay(x, heat, title=title, language=language()),
                table=tables.grid_table(heat, language=language()),
                summary=summaries.evidence_summary(heat, title, language=language()),
                key=f"feature_maps_{name}",
                container=column,
                hide_index=False,
            )
    st.subheader(t("feature_maps.evidence.robustness"))
    variants = probe_inputs(x, language=language())
    predicted = engine_call(predictions, model, np.stack([v for _, v in variants]))
    if predicted is not None:
        labels = [label for label, _ in variants]
        table = probe_table(labels, predicted, class_names, language=language())
        column = {
            key: t(f"feature_maps.evidence.{key}")
            for key in ("variant", "predicted", "confidence", "changed", "belief")
        }
        rows = [
            {
                column["variant"]: row.variant,
                column["predicted"]: row.predicted_class,
                column["confidence"]: f"{row.confidence:.1%}",
                column["changed"]: t("feature_maps.evidence.yes") if row.changed else "",
                column["belief"]: f"{row.original_class_confidence:.1%}",
            }
            for row in table
        ]
        st.dataframe(rows, hide_index=True, key="feature_maps_robustness")
