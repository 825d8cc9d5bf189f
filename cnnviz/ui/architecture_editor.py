"""The network editor: every layer setting of a CNN as widgets, returning a `CNNConfig`.

The config is kept in session state (`session_keys.ARCHITECTURE_CONFIG`, as a plain dict) so
that the Training page can train the network a learner assembled here.
"""

from __future__ import annotations

import streamlit as st

from cnnviz.convolution import PADDINGS, POOL_METHODS
from cnnviz.network import CONV_ACTIVATIONS, CNNConfig, ConvBlock
from cnnviz.training import ModelInfo
from cnnviz.ui.session_keys import ARCHITECTURE_CONFIG

INPUTS = {
    "MNIST digit, 28×28×1": (28, 28, 1),
    "CIFAR-style photo, 32×32×3": (32, 32, 3),
    "Photo, 64×64×3": (64, 64, 3),
}
KERNEL_SIZES = (1, 2, 3, 4, 5, 6, 7)
DEFAULT_FILTERS = (16, 32, 64, 128)
NO_POOLING = "none"


def _reset(page: str) -> None:
    for key in [key for key in st.session_state if str(key).startswith(f"{page}_net_")]:
        del st.session_state[key]


def _seed_defaults(page: str) -> None:
    """Start every widget at the lecture's model unless the learner (or a load) set it.

    The widgets themselves take no default value: a widget given both a default and a
    session-state value makes Streamlit warn on the page.
    """
    prefix = f"{page}_net"
    defaults = {
        f"{prefix}_input": next(iter(INPUTS)),
        f"{prefix}_blocks": 2,
        f"{prefix}_classes": 10,
        f"{prefix}_units": 32,
        f"{prefix}_units2": 0,
        f"{prefix}_l2": 0.0,
        f"{prefix}_bn": False,
        f"{prefix}_spatial": 0.0,
        f"{prefix}_dropout": 0.0,
    }
    for number, filters in enumerate(DEFAULT_FILTERS):
        key = f"{prefix}_block{number}"
        defaults |= {
            f"{key}_filters": filters,
            f"{key}_kernel": 3,
            f"{key}_strides": 1,
            f"{key}_padding": PADDINGS[0],
            f"{key}_activation": CONV_ACTIVATIONS[0],
            f"{key}_pooling": POOL_METHODS[0],
            f"{key}_pool_size": 2,
        }
    for key, value in defaults.items():
        st.session_state.setdefault(key, value)


def load_config(page: str, config: CNNConfig) -> None:
    """Set the editor's widgets to `config` (a callback: it runs before the next rerun)."""
    _reset(page)
    prefix = f"{page}_net"
    shapes = {shape: name for name, shape in INPUTS.items()}
    state = st.session_state
    state[f"{prefix}_input"] = shapes.get(tuple(config.input_shape), next(iter(INPUTS)))
    state[f"{prefix}_blocks"] = len(config.conv_blocks)
    state[f"{prefix}_classes"] = config.num_classes
    for number, block in enumerate(config.conv_blocks):
        key = f"{prefix}_block{number}"
        state[f"{key}_filters"] = block.filters
        state[f"{key}_kernel"] = block.kernel_size
        state[f"{key}_strides"] = block.strides
        state[f"{key}_padding"] = block.padding
        state[f"{key}_activation"] = block.activation
        state[f"{key}_pooling"] = block.pooling or NO_POOLING
        state[f"{key}_pool_size"] = block.pool_size
    state[f"{prefix}_units"] = config.dense_units[0] if config.dense_units else 32
    state[f"{prefix}_units2"] = config.dense_units[1] if len(config.dense_units) > 1 else 0
    state[f"{prefix}_l2"] = config.l2
    state[f"{prefix}_bn"] = config.batch_norm
    state[f"{prefix}_spatial"] = config.spatial_dropout
    state[f"{prefix}_dropout"] = config.dropout


def _block(page: str, number: int) -> ConvBlock:
    """The controls of one conv block, in one column."""
    key = f"{page}_net_block{number}"
    st.markdown(f"**Block {number + 1}**")
    filters = st.number_input("Filters", 1, 512, step=8, key=f"{key}_filters")
    kernel_size = st.selectbox("Kernel size", KERNEL_SIZES, key=f"{key}_kernel")
    strides = st.selectbox("Strides", (1, 2, 3), key=f"{key}_strides")
    padding = st.selectbox("Padding", PADDINGS, key=f"{key}_padding")
    activation = st.selectbox("Activation", CONV_ACTIVATIONS, key=f"{key}_activation")
    pooling = st.selectbox("Pooling", (*POOL_METHODS, NO_POOLING), key=f"{key}_pooling")
    pool_size = st.selectbox("Pool size", (2, 3), key=f"{key}_pool_size")
    return ConvBlock(
        filters=int(filters),
        kernel_size=int(kernel_size),
        strides=int(strides),
        padding=padding,
        activation=activation,
        pooling=None if pooling == NO_POOLING else pooling,
        pool_size=int(pool_size),
    )


def network_editor(page: str) -> CNNConfig:
    """Assemble a CNN with widgets; the lecture's model is what a learner starts from.

    Returns:
        The `CNNConfig` the widgets describe (not yet validated: `network.summary_rows`
        raises a `ValueError` naming the layer when it cannot be built).
    """
    st.button("Reset to the lecture's model", key=f"{page}_reset", on_click=_reset, args=(page,))
    _seed_defaults(page)
    top = st.columns(3)
    input_name = top[0].selectbox("Input", list(INPUTS), key=f"{page}_net_input")
    count = top[1].slider("Conv blocks", 1, 4, key=f"{page}_net_blocks")
    classes = top[2].number_input("Classes", 2, 1000, key=f"{page}_net_classes")
    columns = st.columns(4)
    blocks = []
    for number in range(count):
        with columns[number]:
            blocks.append(_block(page, number))
    head = st.columns(3)
    units = head[0].number_input("Dense units", 1, 4096, key=f"{page}_net_units")
    second = head[1].number_input(
        "Second dense layer (0 = none)", 0, 4096, key=f"{page}_net_units2"
    )
    l2 = head[2].number_input(
        "L2 weight decay", 0.0, 1.0, step=1e-4, format="%.4f", key=f"{page}_net_l2"
    )
    regularisers = st.columns(3)
    batch_norm = regularisers[0].toggle("Batch normalisation", key=f"{page}_net_bn")
    spatial = regularisers[1].slider(
        "SpatialDropout2D rate", 0.0, 0.5, step=0.05, key=f"{page}_net_spatial"
    )
    dropout = regularisers[2].slider("Dropout rate", 0.0, 0.8, step=0.05, key=f"{page}_net_dropout")
    config = CNNConfig(
        input_shape=INPUTS[input_name],
        conv_blocks=tuple(blocks),
        batch_norm=batch_norm,
        spatial_dropout=float(spatial),
        dense_units=(int(units),) + ((int(second),) if second else ()),
        dropout=float(dropout),
        l2=float(l2),
        num_classes=int(classes),
    )
    st.session_state[ARCHITECTURE_CONFIG] = config.to_dict()
    return config


def _model_config(manifest: dict) -> CNNConfig | None:
    """The architecture a manifest describes, or None if it does not describe one we can read."""
    try:
        return CNNConfig.from_dict(manifest["config"]["model"])
    except (KeyError, TypeError, ValueError):
        return None


def trained_models(page: str, infos: list[ModelInfo]) -> None:
    """The bundled and saved models, with a button to load one's architecture into the editor."""
    if not infos:
        st.info("No trained model yet: train one on the Training page.")
        return
    rows = []
    for info in infos:
        accuracy = info.manifest.get("test_accuracy")
        rows.append(
            {
                "Model": info.name,
                "From": "bundled with the app" if info.source == "bundled" else "your runs",
                "Held-out accuracy": f"{accuracy:.2%}" if isinstance(accuracy, float) else "—",
                "Parameters": info.manifest.get("parameters", "—"),
                "Dataset": info.manifest.get("dataset", "—"),
                "Epochs": info.manifest.get("epochs_completed", "—"),
            }
        )
    st.dataframe(rows, hide_index=True, key=f"{page}_trained_table")
    readable = {info.name: config for info in infos if (config := _model_config(info.manifest))}
    if readable:
        left, right = st.columns([2, 1])
        name = left.selectbox("Model", list(readable), key=f"{page}_trained_model")
        right.button(
            "Load its architecture above",
            key=f"{page}_trained_load",
            on_click=load_config,
            args=(page, readable[name]),
        )
