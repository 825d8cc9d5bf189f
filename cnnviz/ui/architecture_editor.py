"""The network editor: every layer setting of a CNN as widgets, returning a `CNNConfig`.

The config is kept in session state (`session_keys.ARCHITECTURE_CONFIG`, as a plain dict) so
that the Training page can train the network a learner assembled here.
"""

from __future__ import annotations

import streamlit as st

from cnnviz.convolution import PADDINGS, POOL_METHODS
from cnnviz.network import CONV_ACTIVATIONS, CNNConfig, ConvBlock
from cnnviz.training import ModelInfo
from cnnviz.ui.language import t
from cnnviz.ui.session_keys import ARCHITECTURE_CONFIG

INPUTS = {  # the options' values (kept in links and session state), shown translated
    "MNIST digit, 28×28×1": (28, 28, 1),
    "CIFAR-style photo, 32×32×3": (32, 32, 3),
    "Photo, 64×64×3": (64, 64, 3),
}
INPUT_WORDS = dict(zip(INPUTS, ("mnist", "cifar", "photo"), strict=True))
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
    for key, value in editor_defaults(page).items():
        st.session_state.setdefault(key, value)


def editor_defaults(page: str) -> dict:
    """Every widget's value for the lecture's model, by key (a shared link leaves them out)."""
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
    return defaults


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
    st.markdown(t("architecture.editor.block", number=number + 1))
    filters = st.number_input(
        t("architecture.editor.filters"), 1, 512, step=8, key=f"{key}_filters"
    )
    kernel_size = st.selectbox(
        t("architecture.editor.kernel_size"), KERNEL_SIZES, key=f"{key}_kernel"
    )
    strides = st.selectbox(t("architecture.editor.strides"), (1, 2, 3), key=f"{key}_strides")
    padding = st.selectbox(t("architecture.editor.padding"), PADDINGS, key=f"{key}_padding")
    activation = st.selectbox(
        t("architecture.editor.activation"), CONV_ACTIVATIONS, key=f"{key}_activation"
    )
    # Options' words worked out now, in this run's language (a format function is called later).
    poolings = {method: t(f"architecture.editor.poolings.{method}") for method in POOL_METHODS}
    poolings[NO_POOLING] = t(f"architecture.editor.poolings.{NO_POOLING}")
    pooling = st.selectbox(
        t("architecture.editor.pooling"),
        list(poolings),
        key=f"{key}_pooling",
        format_func=poolings.get,
    )
    pool_size = st.selectbox(t("architecture.editor.pool_size"), (2, 3), key=f"{key}_pool_size")
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
    st.button(t("architecture.editor.reset"), key=f"{page}_reset", on_click=_reset, args=(page,))
    _seed_defaults(page)
    top = st.columns(3)
    inputs = {name: t(f"architecture.editor.inputs.{word}") for name, word in INPUT_WORDS.items()}
    input_name = top[0].selectbox(
        t("architecture.editor.input"),
        list(inputs),
        key=f"{page}_net_input",
        format_func=inputs.get,
    )
    count = top[1].slider(t("architecture.editor.conv_blocks"), 1, 4, key=f"{page}_net_blocks")
    classes = top[2].number_input(
        t("architecture.editor.classes"), 2, 1000, key=f"{page}_net_classes"
    )
    columns = st.columns(4)
    blocks = []
    for number in range(count):
        with columns[number]:
            blocks.append(_block(page, number))
    head = st.columns(3)
    units = head[0].number_input(
        t("architecture.editor.dense_units"), 1, 4096, key=f"{page}_net_units"
    )
    second = head[1].number_input(
        t("architecture.editor.second_dense"), 0, 4096, key=f"{page}_net_units2"
    )
    l2 = head[2].number_input(
        t("architecture.editor.l2"), 0.0, 1.0, step=1e-4, format="%.4f", key=f"{page}_net_l2"
    )
    regularisers = st.columns(3)
    batch_norm = regularisers[0].toggle(t("architecture.editor.batch_norm"), key=f"{page}_net_bn")
    spatial = regularisers[1].slider(
        t("architecture.editor.spatial_dropout"), 0.0, 0.5, step=0.05, key=f"{page}_net_spatial"
    )
    dropout = regularisers[2].slider(
        t("architecture.editor.dropout"), 0.0, 0.8, step=0.05, key=f"{page}_net_dropout"
    )
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
        st.info(t("architecture.trained_view.none_yet"))
        return
    rows = []
    word = {key: t(f"architecture.trained_view.{key}") for key in ("bundled", "yours")}
    column = {
        key: t(f"architecture.trained_view.{key}")
        for key in ("model", "source", "accuracy", "parameters", "dataset", "epochs")
    }
    for info in infos:
        accuracy = info.manifest.get("test_accuracy")
        rows.append(
            {
                column["model"]: info.name,
                column["source"]: word["bundled" if info.source == "bundled" else "yours"],
                column["accuracy"]: f"{accuracy:.2%}" if isinstance(accuracy, float) else "—",
                column["parameters"]: info.manifest.get("parameters", "—"),
                column["dataset"]: info.manifest.get("dataset", "—"),
                column["epochs"]: info.manifest.get("epochs_completed", "—"),
            }
        )
    st.dataframe(rows, hide_index=True, key=f"{page}_trained_table")
    readable = {info.name: config for info in infos if (config := _model_config(info.manifest))}
    if readable:
        left, right = st.columns([2, 1])
        name = left.selectbox(column["model"], list(readable), key=f"{page}_trained_model")
        right.button(
            t("architecture.trained_view.load"),
            key=f"{page}_trained_load",
            on_click=load_config,
            args=(page, readable[name]),
        )
