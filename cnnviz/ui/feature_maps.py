"""The Feature-maps page's views: the network's input, every layer, one value by hand, the
learned filters and what drove the decision."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.images import ImageError, to_grayscale, to_mnist
from cnnviz.network import (
    ActivationExplanation,
    DenseExplanation,
    LayerActivation,
    PoolingExplanation,
    explain_activation,
    explainable_layers,
    probe_inputs,
    probe_table,
)
from cnnviz.ui.model_engine import engine_call, evidence, maximised, predictions
from cnnviz.ui.picker import DATASET, PickedImage


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


def layer_title(output: LayerActivation) -> str:
    """`conv2d_1 (Conv2D) → (None, 26, 26, 16)`, as in the Architecture page's summary."""
    return f"{output.name} ({output.kind}) → {(None, *output.output.shape)}"


def show_layer(output: LayerActivation, key: str, per_map: bool, prefix: str = "") -> None:
    """One layer's output: a mosaic of its maps, or bars for a flat layer."""
    title = prefix + layer_title(output)
    if output.output.ndim == 3:
        figure = plots.feature_map_grid(output.output, title=title, per_map=per_map)
    else:
        figure = plots.unit_bars(output.output, title=title)
    st.plotly_chart(figure, key=key)


def show_explanation(explained) -> None:
    """Render a worked example from `cnnviz.network.worked_example.explain_activation`."""
    if isinstance(explained, PoolingExplanation):
        _show_pooling(explained)
    elif isinstance(explained, DenseExplanation):
        _show_dense(explained)
    else:
        _show_conv(explained)
    chain = pd.DataFrame(
        [
            {
                "layer": step.layer,
                "kind": step.kind,
                "computed here": step.value,
                "the model's value": step.model_value,
            }
            for step in getattr(explained, "steps", [])
        ]
    )
    if len(chain):
        st.dataframe(chain, hide_index=True, key="feature_maps_chain")
    st.success(
        f"Computed by hand: **{explained.value:.6g}**; the model's own value: "
        f"**{explained.model_value:.6g}**."
    )


def _show_conv(explained: ActivationExplanation) -> None:
    channels = explained.window.shape[2]
    st.markdown(
        f"`{explained.conv_layer}` reads a {explained.window.shape[0]}×"
        f"{explained.window.shape[1]} window of `{explained.input_layer}` at row "
        f"{explained.top}, column {explained.left}, in all {channels} input channel(s), "
        f"and multiplies it by the kernel of output channel {explained.channel}."
    )
    shown = 0
    if channels > 1:
        shown = st.slider("Input channel to show", 0, channels - 1, 0, key="feature_maps_in")
    grids = (("Window", explained.window), ("Kernel", explained.kernel))
    grids += (("Window × kernel", explained.products),)
    for column, (title, values), key in zip(
        st.columns(3), grids, ("window", "kernel", "products"), strict=True
    ):
        figure = plots.number_grid(values[:, :, shown], title=title, decimals=3)
        column.plotly_chart(figure, key=f"feature_maps_{key}")
    sums = " + ".join(f"{value:.4g}" for value in explained.per_channel_sums)
    lines = [
        f"Sum over channels: {sums} = **{explained.total:.6g}**",
        f"Plus the bias {explained.bias:.6g}: **{explained.pre_activation:.6g}**",
    ]
    norm = explained.batch_norm
    if norm:
        lines.append(
            f"Batch normalisation: {norm['gamma']:.4g} × ({norm['input']:.4g} − "
            f"{norm['moving_mean']:.4g}) / √({norm['moving_variance']:.4g} + "
            f"{norm['epsilon']:g}) + {norm['beta']:.4g} = **{norm['value']:.6g}**"
        )
    lines.append(f"Activation `{explained.activation}`: **{explained.value:.6g}**")
    st.markdown("  \n".join(lines))


def _show_pooling(explained: PoolingExplanation) -> None:
    figure = plots.number_grid(
        explained.window,
        title=f"{explained.method} pooling window",
        decimals=3,
        highlight=explained.argmax,
    )
    st.plotly_chart(figure, key="feature_maps_pool_window")


def _show_dense(explained: DenseExplanation) -> None:
    rows = [
        {
            "input": str(position),
            "value": float(explained.inputs[index]),
            "weight": float(explained.weights[index]),
            "product": float(explained.products[index]),
        }
        for index, position in zip(explained.top_indices, explained.top_positions, strict=True)
    ]
    st.markdown(
        f"Unit {explained.unit} of `{explained.dense_layer}` adds up "
        f"{len(explained.inputs)} products; the largest are listed, the other "
        f"{len(explained.inputs) - len(rows)} add up to {explained.other_sum:.4g}. Total "
        f"{explained.total:.6g}, plus the bias {explained.bias:.4g} = "
        f"{explained.pre_activation:.6g}, then `{explained.activation}`."
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="feature_maps_dense_terms")


def value_by_hand(outputs: list[LayerActivation], x: np.ndarray) -> None:
    """Pick a layer, a map and a position; see its value computed by hand beside the model's."""
    explainable = explainable_layers(outputs)
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
        show_explanation(explain_activation(outputs, x, layer, int(channel), row, col))
    except ValueError as error:
        st.error(str(error))


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
        st.dataframe(
            [row.__dict__ for row in table], hide_index=True, key="feature_maps_robustness"
        )
