"""The Transfer-learning page's choices: source network, target task, methods, cut, switches.

Widgets only; `cnnviz.transfer.TransferConfig` checks the choices and the engine's "transfer"
job runs them. Widget keys start with `transfer_`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz.datasets import Dataset
from cnnviz.network.config import CNNConfig
from cnnviz.training.runs import ModelInfo
from cnnviz.transfer.config import (
    METHODS,
    TARGET_CLASSES,
    TARGETS,
    TransferConfig,
    body_layers,
    layer_table,
    method_label,
    parameter_counts,
    resolve_cut,
    reused_layers,
    target_label,
    target_network,
)
from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS, target_task
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.loaders import available_datasets
from cnnviz.ui.model_engine import available_models

DEFAULT_SOURCE = "digits-0-4"
DEFAULTS = TransferConfig()


@dataclass(frozen=True)
class TransferChoice:
    """What the learner picked: the config (None while a choice is missing or refused), the
    source's network, the target's number of classes and the learner's own classes."""

    config: TransferConfig | None
    source_network: CNNConfig | None
    num_classes: int | None
    own: Dataset | None = None


def source_networks() -> dict[str, tuple[ModelInfo, CNNConfig]]:
    """Every bundled model and saved run that can be a source: a cnnviz CNN for 28×28 grey
    images (its manifest describes its network), by name."""
    sources = {}
    for info in available_models():
        try:
            network = CNNConfig.from_dict(info.manifest["config"]["model"])
        except (KeyError, TypeError, ValueError):
            continue
        if tuple(network.input_shape) == (28, 28, 1):
            sources[info.name] = (info, network)
    return sources


def pick_source() -> tuple[str, ModelInfo, CNNConfig] | None:
    """The source network selectbox, with what the chosen one was trained on."""
    sources = source_networks()
    if not sources:
        st.error(t("transfer.setup.no_source"))
        return None
    names = list(sources)
    default = names.index(DEFAULT_SOURCE) if DEFAULT_SOURCE in names else 0
    name = st.selectbox(
        t("transfer.setup.source"),
        names,
        index=default,
        key="transfer_source",
        help=t("transfer.setup.source_help"),
    )
    info, network = sources[name]
    classes = ", ".join(map(str, info.manifest.get("class_names", []))) or "?"
    dataset = info.manifest.get("config", {}).get("dataset", "?")
    st.caption(
        t(
            "transfer.setup.trained_on",
            dataset=dataset,
            classes=classes,
            outputs=network.num_classes,
        )
    )
    return name, info, network


def pick_target(source: ModelInfo) -> str:
    """The target task radio; Fashion-MNIST says how to get it when it is not here."""
    status = available_datasets()
    labels = {target: target_label(target, language=language()) for target in TARGETS}
    target = st.radio(
        t("transfer.setup.target"),
        list(TARGETS),
        format_func=labels.get,
        key="transfer_target",
    )
    if target == "fashion-mnist" and status.get("fashion-mnist"):
        st.error(status["fashion-mnist"])
    trained_on = _trained_on(source)
    if target == "digits-5-9" and trained_on == "mnist-sample" and _saw_upper_digits(source):
        st.warning(t("transfer.setup.knows_digits"))
    if target == "fashion-mnist" and trained_on == "fashion-mnist":
        st.warning(t("transfer.setup.knows_fashion"))
    return target


def _trained_on(info: ModelInfo) -> str | None:
    config = info.manifest.get("config")
    return config.get("dataset") if isinstance(config, dict) else None


def _saw_upper_digits(info: ModelInfo) -> bool:
    names = [str(name) for name in info.manifest.get("class_names", [])]
    return any(name in names for name in "56789")


def pick_methods() -> tuple[str, ...]:
    """Which methods to run side by side (all four by default)."""
    labels = {method: method_label(method, language=language()) for method in METHODS}
    chosen = st.multiselect(
        t("transfer.setup.methods"),
        list(METHODS),
        default=list(METHODS),
        format_func=labels.get,
        key="transfer_methods",
        help=t("transfer.setup.methods_help"),
    )
    return tuple(method for method in METHODS if method in chosen)


def pick_cut(network: CNNConfig) -> str:
    """The layer to cut at (features) and freeze up to (frozen layers, fine-tuning)."""
    rows = body_layers(network)
    names = [row.name for row in rows]
    kinds = {row.name: row.kind for row in rows}
    return st.selectbox(
        t("transfer.setup.cut"),
        names,
        index=names.index(resolve_cut(network, None)),
        format_func=lambda name: f"{name} ({kinds[name]})",
        key="transfer_cut",
        help=t("transfer.setup.cut_help"),
    )


def frozen_switches(network: CNNConfig, num_classes: int, cut: str) -> tuple[str, ...]:
    """The layer table of the frozen-layers method: a frozen/trainable switch per reused layer
    (all frozen at first), the new head listed after them, and the counts
    `model.summary(show_trainable=True)` prints."""
    reused = reused_layers(network, cut)
    target = target_network(network, num_classes)
    table = layer_table(target, reused, reused)
    column = {
        key: t(f"transfer.setup.table.{key}")
        for key in ("layer", "frozen", "type", "output_shape", "weights")
    }
    origin = {
        False: t("transfer.setup.table.from_source"),
        True: t("transfer.setup.table.new_random"),
    }
    frame = pd.DataFrame(
        {
            column["layer"]: [row.name for row in table],
            column["frozen"]: [not row.trainable for row in table],
            column["type"]: [row.kind for row in table],
            column["output_shape"]: [str(row.output_shape) for row in table],
            column["weights"]: [origin[row.new] for row in table],
        }
    )
    edited = st.data_editor(
        frame,
        # Fresh switches when the cut moves, or the language (the columns' names).
        key=f"transfer_frozen_{cut}_{language()}",
        hide_index=True,
        disabled=[column[key] for key in ("layer", "type", "output_shape", "weights")],
        column_config={
            column["frozen"]: st.column_config.CheckboxColumn(
                help=t("transfer.setup.table.frozen_help")
            )
        },
        width="stretch",
    )
    switched = dict(zip(edited[column["layer"]], edited[column["frozen"]], strict=True))
    frozen = tuple(name for name in reused if switched.get(name))
    if any(switched.get(row.name) for row in table if row.new):
        st.caption(t("transfer.setup.head_ignored"))
    counts = parameter_counts(layer_table(target, frozen, reused))
    columns = st.columns(3)
    columns[0].metric(t("transfer.setup.total_params"), f"{counts['total']:,}")
    columns[1].metric(t("transfer.setup.trainable_params"), f"{counts['trainable']:,}")
    columns[2].metric(t("transfer.setup.non_trainable_params"), f"{counts['non_trainable']:,}")
    return frozen


def pick_examples(target: str, own: Dataset | None) -> int:
    """Examples per class: the control where the benefit of transfer shows."""
    if target == "own":
        if own is None:
            return 1
        fewest = int(min(sum(own.y_train == label) for label in range(own.num_classes)))
        st.caption(t("transfer.setup.own_examples", fewest=fewest))
        return fewest
    return st.select_slider(
        t("transfer.setup.examples"),
        options=list(EXAMPLES_PER_CLASS),
        value=DEFAULTS.per_class,
        key="transfer_per_class",
        help=t("transfer.setup.examples_help"),
    )


def training_knobs() -> dict:
    """Epochs, fine-tuning's epochs, learning rate, batch size, seed and projection."""
    with st.expander(t("transfer.setup.settings")):
        columns = st.columns(3)
        values = {
            "epochs": columns[0].number_input(
                t("transfer.setup.epochs"), 1, 200, DEFAULTS.epochs, key="transfer_epochs"
            ),
            "fine_tune_epochs": columns[1].number_input(
                t("transfer.setup.fine_tune_epochs"),
                1,
                200,
                DEFAULTS.fine_tune_epochs,
                key="transfer_fine_tune_epochs",
            ),
            "learning_rate": columns[2].select_slider(
                t("transfer.setup.learning_rate"),
                options=[1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
                value=DEFAULTS.learning_rate,
                key="transfer_learning_rate",
            ),
        }
        columns = st.columns(4)
        values["batch_size"] = columns[0].select_slider(
            t("transfer.setup.batch_size"),
            options=[8, 16, 32, 64, 128],
            value=DEFAULTS.batch_size,
            key="transfer_batch_size",
        )
        values["seed"] = columns[1].number_input(
            t("transfer.setup.seed"), 0, 2**32 - 1, 0, key="transfer_seed"
        )
        values["unfreeze"] = columns[3].selectbox(
            t("transfer.setup.unfreeze"),
            [0, 1, 2, 3],
            format_func=_unfreezes().get,
            key="transfer_unfreeze",
            help=t("transfer.setup.unfreeze_help"),
        )
        values["projection"] = columns[2].radio(
            t("transfer.setup.projection"),
            ["pca", "tsne"],
            format_func={"pca": "PCA", "tsne": t("transfer.setup.tsne")}.get,
            key="transfer_projection_method",
            horizontal=True,
        )
        st.caption(t("transfer.setup.settings_caption"))
    whole = ("epochs", "fine_tune_epochs", "batch_size", "seed", "unfreeze")
    values = {key: int(value) if key in whole else value for key, value in values.items()}
    return values | {"unfreeze": values["unfreeze"] or None}


def _unfreezes() -> dict[int, str]:
    """What phase 2 unfreezes, said, by choice: every layer (0), or the last 1, 2 or 3."""
    said = {0: t("transfer.setup.unfreeze_all"), 1: t("transfer.setup.unfreeze_one")}
    return said | {count: t("transfer.setup.unfreeze_last", count=count) for count in (2, 3)}


def target_classes(target: str, own: Dataset | None) -> int | None:
    """How many classes the target has (None: the learner's classes are not ready yet, or
    Fashion-MNIST is not on this machine)."""
    if target == "fashion-mnist" and available_datasets().get("fashion-mnist"):
        return None
    if target == "own":
        return None if own is None else own.num_classes
    return TARGET_CLASSES[target]


def checked_transfer_config(**values) -> TransferConfig | None:
    """The `TransferConfig` of the page's choices, or None after showing why it is refused."""
    try:
        return TransferConfig(**values)
    except ValueError as error:
        st.error(message(error))
        return None


@st.cache_data(max_entries=4, show_spinner=False)
def _target_test_images(target: str, count: int) -> tuple[np.ndarray, np.ndarray]:
    data = target_task(target)
    return data.x_test[:count], data.y_test[:count]


def test_images(target: str, own: Dataset | None, count: int = 8) -> tuple[np.ndarray, np.ndarray]:
    """The first `count` test images of the target and their classes, to show a saved run
    predicting them."""
    if target == "own" and own is not None:
        return own.x_test[:count], own.y_test[:count]
    return _target_test_images(target, count)
