"""One value of a trained network computed by hand: pick it, see its arithmetic, and the input
pixels it depends on (the Feature-maps page)."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.formatting import format_signed, format_term
from cnnviz.network import (
    ActivationExplanation,
    DenseExplanation,
    LayerActivation,
    PoolingExplanation,
    explain_activation,
    explainable_layers,
)
from cnnviz.network.forward_pass import receptive_field
from cnnviz.ui.components import mount_number_grids

LAYER_KEY, CHANNEL_KEY = "feature_maps_layer", "feature_maps_channel"
ROW_KEY, COL_KEY = "feature_maps_row", "feature_maps_col"


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
    grids = [("Window", explained.window), ("Kernel", explained.kernel)]
    grids.append(("Window × kernel", explained.products))
    shown_grids = [(title, values[:, :, shown]) for title, values in grids]
    mount_number_grids("feature_maps_arithmetic", shown_grids, operators=("×", "="))
    sums = " + ".join(f"{value:.4g}" for value in explained.per_channel_sums)
    lines = [
        f"Sum over channels: {sums} = **{explained.total:.6g}**",
        f"Plus the bias {explained.bias:.6g}: **{explained.pre_activation:.6g}**",
    ]
    norm = explained.batch_norm
    if norm:
        lines.append(
            f"Batch normalisation, γ × (x − mean) / √(variance + ε) + β: "
            f"{format_signed(norm['gamma'])} × ({format_signed(norm['input'])} "
            f"{format_term(norm['moving_mean'], subtract=True)}) / "
            f"√({format_signed(norm['moving_variance'])} + {norm['epsilon']:g}) "
            f"{format_term(norm['beta'])} = **{format_signed(norm['value'], '.6g')}**"
        )
    lines.append(f"Activation `{explained.activation}`: **{explained.value:.6g}**")
    st.markdown("  \n".join(lines))


def _show_pooling(explained: PoolingExplanation) -> None:
    marked = (0, *explained.argmax) if explained.argmax is not None else None
    title = f"{explained.method} pooling window"
    mount_number_grids("feature_maps_pool_window", [(title, explained.window)], marked=marked)


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
    """Pick a layer, a map and a position (the most active value of a layer to start with);
    see its value computed by hand beside the model's, and the input pixels it sees."""
    explainable = explainable_layers(outputs)
    names = [item.name for item in explainable]
    explained_position(outputs)  # the defaults, before the widgets are drawn
    picks = st.columns([3, 2, 2, 2])
    layer = picks[0].selectbox(
        "Layer", names, key=LAYER_KEY, on_change=_most_active, args=(outputs,)
    )
    chosen = explainable[names.index(layer)].output
    channel = picks[1].number_input("Map or unit", 0, chosen.shape[-1] - 1, key=CHANNEL_KEY)
    row = col = None
    if chosen.ndim == 3:
        row = picks[2].number_input("Row", 0, chosen.shape[0] - 1, key=ROW_KEY)
        col = picks[3].number_input("Column", 0, chosen.shape[1] - 1, key=COL_KEY)
    st.button("The most active value of this layer", on_click=_most_active, args=(outputs,))
    try:
        explained = explain_activation(outputs, x, layer, int(channel), row, col)
    except ValueError as error:
        st.error(str(error))
        return
    where, steps = st.columns([1, 3])
    index = names_of(outputs).index(layer)
    box = receptive_field(outputs, index, row or 0, col or 0, x.shape) if row is not None else None
    where.plotly_chart(plots.input_figure(x, box=box), key="feature_maps_receptive_field")
    if box is not None:
        where.caption(f"The {box[2]}×{box[3]} input pixels this value depends on.")
    with steps:
        show_explanation(explained)


def names_of(outputs: list[LayerActivation]) -> list[str]:
    """The layers' names, in order."""
    return [item.name for item in outputs]


def explained_position(outputs: list[LayerActivation]) -> tuple[int, int, int, int] | None:
    """`(layer index, map, row, col)` of the value being explained (the widgets' state, kept
    inside the layer), starting at the most active value of the first explainable layer.
    None for a flat layer's unit."""
    state = st.session_state
    if state.get(LAYER_KEY) not in [item.name for item in explainable_layers(outputs)]:
        state[LAYER_KEY] = explainable_layers(outputs)[0].name
        _most_active(outputs)
    index = names_of(outputs).index(state[LAYER_KEY])
    shape = outputs[index].output.shape
    keys = (CHANNEL_KEY, ROW_KEY, COL_KEY) if len(shape) == 3 else (CHANNEL_KEY,)
    limits = (shape[2], shape[0], shape[1]) if len(shape) == 3 else shape
    for key, limit in zip(keys, limits, strict=True):
        state[key] = min(max(int(state.get(key, 0)), 0), limit - 1)
    return (index, *(state[key] for key in keys)) if len(shape) == 3 else None


def _most_active(outputs: list[LayerActivation]) -> None:
    """Set the widgets to the chosen layer's largest value (a callback: before the rerun)."""
    state = st.session_state
    output = outputs[names_of(outputs).index(state[LAYER_KEY])].output
    place = np.unravel_index(int(np.argmax(output)), output.shape)
    if output.ndim == 3:
        state[ROW_KEY], state[COL_KEY], state[CHANNEL_KEY] = (int(i) for i in place)
    else:
        state[CHANNEL_KEY] = int(place[0])
