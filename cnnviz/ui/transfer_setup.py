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
    METHOD_LABELS,
    METHODS,
    TARGET_CLASSES,
    TARGETS,
    TransferConfig,
    body_layers,
    layer_table,
    parameter_counts,
    resolve_cut,
    reused_layers,
    target_network,
)
from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS, target_task
from cnnviz.ui.loaders import available_datasets
from cnnviz.ui.model_engine import available_models

DEFAULT_SOURCE = "digits-0-4"
DEFAULTS = TransferConfig()
# Targets and the sources that already saw them (transfer would only be remembering).
SEEN_TARGETS = {"digits-5-9": "digits 5–9", "fashion-mnist": "Fashion-MNIST"}


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
        st.error("No source network found: the bundled models are missing from assets/models.")
        return None
    names = list(sources)
    default = names.index(DEFAULT_SOURCE) if DEFAULT_SOURCE in names else 0
    name = st.selectbox(
        "Source network (trained on the first task)",
        names,
        index=default,
        key="transfer_source",
        help="The bundled models, and every run saved on the Training page.",
    )
    info, network = sources[name]
    classes = ", ".join(map(str, info.manifest.get("class_names", []))) or "?"
    dataset = info.manifest.get("config", {}).get("dataset", "?")
    st.caption(f"Trained on {dataset}, classes {classes}; {network.num_classes} outputs.")
    return name, info, network


def pick_target(source: ModelInfo) -> str:
    """The target task radio; Fashion-MNIST says how to get it when it is not here."""
    status = available_datasets()
    target = st.radio(
        "Target task (the new one, with few images)",
        list(TARGETS),
        format_func=TARGETS.get,
        key="transfer_target",
    )
    if target == "fashion-mnist" and status.get("fashion-mnist"):
        st.error(status["fashion-mnist"])
    trained_on = _trained_on(source)
    if target == "digits-5-9" and trained_on == "mnist-sample" and _saw_upper_digits(source):
        st.warning(
            "This source was trained on all ten digits, digits 5–9 included: it already knows "
            "the target. Pick digits-0-4 to see what transfer learning really gives."
        )
    if target == "fashion-mnist" and trained_on == "fashion-mnist":
        st.warning("This source was trained on Fashion-MNIST itself: it already knows the target.")
    return target


def _trained_on(info: ModelInfo) -> str | None:
    config = info.manifest.get("config")
    return config.get("dataset") if isinstance(config, dict) else None


def _saw_upper_digits(info: ModelInfo) -> bool:
    names = [str(name) for name in info.manifest.get("class_names", [])]
    return any(name in names for name in "56789")


def pick_methods() -> tuple[str, ...]:
    """Which methods to run side by side (all four by default)."""
    chosen = st.multiselect(
        "Methods to compare",
        list(METHODS),
        default=list(METHODS),
        format_func=METHOD_LABELS.get,
        key="transfer_methods",
        help="Each runs on the same images; the baseline trains the same network from "
        "random weights.",
    )
    return tuple(method for method in METHODS if method in chosen)


def pick_cut(network: CNNConfig) -> str:
    """The layer to cut at (features) and freeze up to (frozen layers, fine-tuning)."""
    rows = body_layers(network)
    names = [row.name for row in rows]
    kinds = {row.name: row.kind for row in rows}
    return st.selectbox(
        "Cut the network after layer",
        names,
        index=names.index(resolve_cut(network, None)),
        format_func=lambda name: f"{name} ({kinds[name]})",
        key="transfer_cut",
        help="Features + SVM reads this layer's outputs. The other methods reuse the source's "
        "weights up to this layer and put a new head (the layers after it, with random "
        "weights) on top; frozen layers and fine-tuning's phase 1 train only the head, and "
        "fine-tuning's phase 2 unfreezes the layers before the cut too.",
    )


def frozen_switches(network: CNNConfig, num_classes: int, cut: str) -> tuple[str, ...]:
    """The layer table of the frozen-layers method: a frozen/trainable switch per reused layer
    (all frozen at first), the new head listed after them, and the counts
    `model.summary(show_trainable=True)` prints."""
    reused = reused_layers(network, cut)
    target = target_network(network, num_classes)
    table = layer_table(target, reused, reused)
    frame = pd.DataFrame(
        {
            "Layer": [row.name for row in table],
            "Frozen": [not row.trainable for row in table],
            "Type": [row.kind for row in table],
            "Output shape": [str(row.output_shape) for row in table],
            "Weights": ["from the source" if not row.new else "new (random)" for row in table],
        }
    )
    edited = st.data_editor(
        frame,
        key=f"transfer_frozen_{cut}",  # fresh switches when the cut moves
        hide_index=True,
        disabled=["Layer", "Type", "Output shape", "Weights"],
        column_config={"Frozen": st.column_config.CheckboxColumn(help="Untick to train it")},
        width="stretch",
    )
    switched = dict(zip(edited["Layer"], edited["Frozen"], strict=True))
    frozen = tuple(name for name in reused if switched.get(name))
    if any(switched.get(row.name) for row in table if row.new):
        st.caption("The new head trains in any case: its switches are ignored.")
    counts = parameter_counts(layer_table(target, frozen, reused))
    columns = st.columns(3)
    columns[0].metric("Total params", f"{counts['total']:,}")
    columns[1].metric("Trainable params", f"{counts['trainable']:,}")
    columns[2].metric("Non-trainable params", f"{counts['non_trainable']:,}")
    return frozen


def pick_examples(target: str, own: Dataset | None) -> int:
    """Examples per class: the control where the benefit of transfer shows."""
    if target == "own":
        if own is None:
            return 1
        fewest = int(min(sum(own.y_train == label) for label in range(own.num_classes)))
        st.caption(f"Each class trains on {fewest} images (as many as the smallest class has).")
        return fewest
    return st.select_slider(
        "Examples per class",
        options=list(EXAMPLES_PER_CLASS),
        value=DEFAULTS.per_class,
        key="transfer_per_class",
        help="Training images of each new class. Transfer helps most when there are few.",
    )


def training_knobs() -> dict:
    """Epochs, fine-tuning's epochs, learning rate, batch size, seed and projection."""
    with st.expander("Training settings"):
        columns = st.columns(3)
        values = {
            "epochs": columns[0].number_input(
                "Epochs (new head; phase 1)", 1, 200, DEFAULTS.epochs, key="transfer_epochs"
            ),
            "fine_tune_epochs": columns[1].number_input(
                "Epochs of phase 2",
                1,
                200,
                DEFAULTS.fine_tune_epochs,
                key="transfer_fine_tune_epochs",
            ),
            "learning_rate": columns[2].select_slider(
                "Learning rate (Adam)",
                options=[1e-4, 3e-4, 1e-3, 3e-3, 1e-2],
                value=DEFAULTS.learning_rate,
                key="transfer_learning_rate",
            ),
        }
        columns = st.columns(4)
        values["batch_size"] = columns[0].select_slider(
            "Batch size",
            options=[8, 16, 32, 64, 128],
            value=DEFAULTS.batch_size,
            key="transfer_batch_size",
        )
        values["seed"] = columns[1].number_input("Seed", 0, 2**32 - 1, 0, key="transfer_seed")
        values["unfreeze"] = columns[3].selectbox(
            "Phase 2 unfreezes",
            [0, 1, 2, 3],
            format_func=lambda n: "every layer" if n == 0 else f"the last {n} layer(s)",
            key="transfer_unfreeze",
            help="Which layers with weights before the cut fine-tuning's phase 2 unfreezes, "
            "counting back from the cut.",
        )
        values["projection"] = columns[2].radio(
            "Features in 2-D by",
            ["pca", "tsne"],
            format_func={"pca": "PCA", "tsne": "t-SNE (slower)"}.get,
            key="transfer_projection_method",
            horizontal=True,
        )
        st.caption(
            "The baseline from scratch trains for both phases' epochs; phase 2 uses the "
            "learning rate divided by 10."
        )
    whole = ("epochs", "fine_tune_epochs", "batch_size", "seed", "unfreeze")
    values = {key: int(value) if key in whole else value for key, value in values.items()}
    return values | {"unfreeze": values["unfreeze"] or None}


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
        st.error(str(error))
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
