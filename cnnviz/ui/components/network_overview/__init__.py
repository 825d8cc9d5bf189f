"""The network overview: every layer's output for one input, explored in the browser.

The page runs the forward pass once (in the engine); the overview receives every layer's
output once per input, with each cell's receptive field as one `(top, count)` pair per row
and per column (a window's rows do not depend on its column), and answers hovering itself.
A click on a value of a layer that can be explained comes back into the Feature-maps page's
`feature_maps_layer`/`_channel`/`_row`/`_col`, which choose the arithmetic shown below it.
"""

from __future__ import annotations

import functools

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.network import LayerActivation, explainable_layers
from cnnviz.network.forward_pass import never_negative, receptive_field
from cnnviz.ui.components.payload import colour_scale, encode_array, version_of
from cnnviz.ui.components.registry import component
from cnnviz.ui.language import t

TEXTS = ("point", "input", "map", "unit", "class", "only_reshapes")


def layer_title(output: LayerActivation) -> str:
    """`conv2d_1 (Conv2D) → (None, 26, 26, 16)`, as in the Architecture page's summary."""
    return f"{output.name} ({output.kind}) → {(None, *output.output.shape)}"


def receptive_fields(outputs: list[LayerActivation], index: int, image_shape) -> tuple[list, list]:
    """Per output row `[top, rows]` and per output column `[left, cols]` of the input pixels a
    cell of layer `index` depends on (`receptive_field`, which is separable in rows and columns)."""
    height, width = outputs[index].output.shape[:2]
    rows = [list(receptive_field(outputs, index, r, 0, image_shape)[::2]) for r in range(height)]
    cols = [list(receptive_field(outputs, index, 0, c, image_shape)[1::2]) for c in range(width)]
    return rows, cols


@st.cache_data(max_entries=32, show_spinner=False)
def all_receptive_fields(signature: tuple, image_shape: tuple, _outputs) -> list:
    """`receptive_fields` of every spatial layer (None for a flat one), worked out once per
    architecture: `signature` holds each layer's name, kind, output shape and settings, all
    that receptive fields depend on (`_outputs`, not hashed, are those layers)."""
    return [
        receptive_fields(_outputs, index, image_shape) if output.output.ndim == 3 else (None, None)
        for index, output in enumerate(_outputs)
    ]


def architecture_signature(outputs: list[LayerActivation]) -> tuple:
    """What the receptive fields of `outputs` depend on: names, kinds, shapes, settings."""
    return tuple((o.name, o.kind, o.output.shape, repr(sorted(o.config.items()))) for o in outputs)


def overview_data(outputs, x, class_names, per_map: bool, pick, pickable: bool) -> dict:
    """The component's data: the input, every layer packed once, scales and the pick."""
    explainable = {item.name for item in explainable_layers(outputs)}
    fields = all_receptive_fields(architecture_signature(outputs), tuple(x.shape), outputs)
    layers = []
    for index, output in enumerate(outputs):
        values = np.asarray(output.output, dtype=np.float32)
        rows, cols = fields[index]
        layers.append(
            {
                "name": output.name,
                "kind": output.kind,
                "title": layer_title(output),
                "values": encode_array(values, "float32"),
                "never_negative": bool(never_negative(outputs, index)),
                "explainable": output.name in explainable,
                "rows": rows,
                "cols": cols,
            }
        )
    data = {
        "input": encode_array(np.asarray(x, dtype=np.float32), "float32"),
        "scales": {
            "never_negative": colour_scale(plots.SEQUENTIAL, 0, 1)["stops"],
            "signed": colour_scale(plots.DIVERGING, -1, 1)["stops"],
        },
        "layers": layers,
        "per_map": bool(per_map),
        "pick": None if pick is None else [None if v is None else int(v) for v in pick],
        "class_names": [str(name) for name in class_names],
        "pickable": bool(pickable),
        "texts": {name: t(f"feature_maps.overview.{name}") for name in TEXTS},
    }
    data["version"] = version_of(
        x, *(o.output for o in outputs), per_map, data["pick"], sorted(data["texts"].items())
    )
    return data


def store_pick(key: str, outputs: list[LayerActivation], keys: tuple[str, str, str, str]) -> None:
    """Copy a picked `[layer, map, row, col]` into the page's layer, map, row and column keys."""
    state = st.session_state.get(key) or {}
    pick = state.get("pick") if hasattr(state, "get") else None
    if not isinstance(pick, list | tuple) or len(pick) != 4:
        return
    layer_key, channel_key, row_key, col_key = keys
    st.session_state[layer_key] = outputs[int(pick[0])].name
    st.session_state[channel_key] = int(pick[1])
    if pick[2] is not None:
        st.session_state[row_key], st.session_state[col_key] = int(pick[2]), int(pick[3])


def mount_network_overview(key: str, outputs, x, class_names, per_map: bool, pick=None, keys=None):
    """Mount the overview of `outputs` for input `x`, `pick` outlined; with `keys` (the page's
    layer, map, row and column keys), a click on a value sets them."""
    callbacks = {}
    if keys is not None:
        callbacks["on_pick_change"] = functools.partial(store_pick, key, outputs, keys)
    component("network_overview")(
        key=key,
        data=overview_data(outputs, x, class_names, per_map, pick, keys is not None),
        **callbacks,
    )
