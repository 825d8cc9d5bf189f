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
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t

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
    column = {
        key: t(f"feature_maps.by_hand.chain_{key}")
        for key in ("layer", "kind", "computed", "model")
    }
    chain = pd.DataFrame(
        [
            {
                column["layer"]: step.layer,
                column["kind"]: step.kind,
                column["computed"]: step.value,
                column["model"]: step.model_value,
            }
            for step in getattr(explained, "steps", [])
        ]
    )
    if len(chain):
        st.dataframe(chain, hide_index=True, key="feature_maps_chain")
    st.success(
        t(
            "feature_maps.by_hand.checked",
            value=explained.value,
            model_value=explained.model_value,
        )
    )


def _show_conv(explained: ActivationExplanation) -> None:
    channels = explained.window.shape[2]
    st.markdown(
        t(
            "feature_maps.by_hand.conv",
            conv=explained.conv_layer,
            rows=explained.window.shape[0],
            cols=explained.window.shape[1],
            source=explained.input_layer,
            top=explained.top,
            left=explained.left,
            channels=channels,
            channel=explained.channel,
        )
    )
    shown = 0
    if channels > 1:
        label = t("feature_maps.by_hand.input_channel")
        shown = st.slider(label, 0, channels - 1, 0, key="feature_maps_in")
    grids = [(t("feature_maps.by_hand.window"), explained.window)]
    grids.append((t("feature_maps.by_hand.kernel"), explained.kernel))
    grids.append((t("feature_maps.by_hand.products"), explained.products))
    shown_grids = [(title, values[:, :, shown]) for title, values in grids]
    mount_number_grids("feature_maps_arithmetic", shown_grids, operators=("×", "="))
    sums = " + ".join(f"{value:.4g}" for value in explained.per_channel_sums)
    lines = [
        t("feature_maps.by_hand.sum", sums=sums, total=explained.total),
        t("feature_maps.by_hand.bias", bias=explained.bias, value=explained.pre_activation),
    ]
    norm = explained.batch_norm
    if norm:
        formula = (
            f"{format_signed(norm['gamma'])} × ({format_signed(norm['input'])} "
            f"{format_term(norm['moving_mean'], subtract=True)}) / "
            f"√({format_signed(norm['moving_variance'])} + {norm['epsilon']:g}) "
            f"{format_term(norm['beta'])} = **{format_signed(norm['value'], '.6g')}**"
        )
        lines.append(t("feature_maps.by_hand.batch_norm", formula=formula))
    activation = explained.activation
    lines.append(t("feature_maps.by_hand.activation", activation=activation, value=explained.value))
    st.markdown("  \n".join(lines))


def _show_pooling(explained: PoolingExplanation) -> None:
    marked = (0, *explained.argmax) if explained.argmax is not None else None
    method = t(f"architecture.editor.poolings.{explained.method}")
    title = t("feature_maps.by_hand.pooling_window", method=method)
    mount_number_grids("feature_maps_pool_window", [(title, explained.window)], marked=marked)


def _show_dense(explained: DenseExplanation) -> None:
    column = {
        key: t(f"feature_maps.by_hand.dense_{key}")
        for key in ("input", "value", "weight", "product")
    }
    rows = [
        {
            column["input"]: str(position),
            column["value"]: float(explained.inputs[index]),
            column["weight"]: float(explained.weights[index]),
            column["product"]: float(explained.products[index]),
        }
        for index, position in zip(explained.top_indices, explained.top_positions, strict=True)
    ]
    st.markdown(
        t(
            "feature_maps.by_hand.dense",
            unit=explained.unit,
            layer=explained.dense_layer,
            count=len(explained.inputs),
            others=len(explained.inputs) - len(rows),
            other_sum=explained.other_sum,
            total=explained.total,
            bias=explained.bias,
            value=explained.pre_activation,
            activation=explained.activation,
        )
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
        t("feature_maps.by_hand.layer"),
        names,
        key=LAYER_KEY,
        on_change=_most_active,
        args=(outputs,),
    )
    chosen = explainable[names.index(layer)].output
    channel = picks[1].number_input(
        t("feature_maps.by_hand.map_or_unit"), 0, chosen.shape[-1] - 1, key=CHANNEL_KEY
    )
    row = col = None
    if chosen.ndim == 3:
        row = picks[2].number_input(
            t("feature_maps.by_hand.row"), 0, chosen.shape[0] - 1, key=ROW_KEY
        )
        col = picks[3].number_input(
            t("feature_maps.by_hand.column"), 0, chosen.shape[1] - 1, key=COL_KEY
        )
    st.button(t("feature_maps.by_hand.most_active"), on_click=_most_active, args=(outputs,))
    try:
        explained = explain_activation(outputs, x, layer, int(channel), row, col)
    except ValueError as error:
        st.error(message(error))
        return
    where, steps = st.columns([1, 3])
    index = names_of(outputs).index(layer)
    box = receptive_field(outputs, index, row or 0, col or 0, x.shape) if row is not None else None
    figure = plots.input_figure(x, box=box, language=language())
    where.plotly_chart(figure, key="feature_maps_receptive_field")
    if box is not None:
        where.caption(t("feature_maps.by_hand.receptive_field", rows=box[2], cols=box[3]))
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
