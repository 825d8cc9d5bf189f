"""The Architecture page's views: the summary, the shape diagram, parameters and memory."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.network import (
    OPTIMIZERS,
    CNNConfig,
    batch_norm_parameters,
    conv_layer_parameters,
    memory_remedies,
    mlp_first_layer_parameters,
    parameter_totals,
    shape_series,
    summary_rows,
    summary_table,
    training_memory,
)
from cnnviz.plots import summaries, tables
from cnnviz.ui.charts import chart
from cnnviz.ui.language import language, t


def network_summary(config: CNNConfig) -> None:
    """Keras's `model.summary()` for `config`, its totals, the shape diagram and the regularisers.

    Raises:
        ValueError: If the network cannot be built (the message names the layer).
    """
    rows = summary_rows(config)
    trainable, frozen = parameter_totals(config)
    # As tall as its rows: a summary that scrolls inside itself hides the dense layers.
    st.dataframe(
        pd.DataFrame(summary_table(rows, language=language())),
        hide_index=True,
        height="content",
        key="architecture_summary",
    )
    total = trainable + frozen
    st.markdown(
        t(
            "architecture.summary_view.totals",
            total=total,
            kilobytes=total * 4 / 1024,
            trainable=trainable,
            frozen=frozen,
        )
    )
    series = shape_series(config)
    chart(
        plots.shape_diagram(series, language=language()),
        table=tables.shape_table(series, language=language()),
        summary=summaries.shape_summary(series, language=language()),
        key="architecture_diagram",
    )
    st.caption(t("architecture.summary_view.diagram_caption"))
    batch_norm = batch_norm_parameters(rows)
    count = t("architecture.summary_view.batch_norm_count", count=batch_norm)
    st.markdown(
        t("architecture.summary_view.regularisers")
        + (count if batch_norm else ". ")
        + t("architecture.summary_view.no_parameters")
    )


def parameter_comparison() -> None:
    """A Dense layer and a Conv2D layer on the learner's own numbers (the lecture's 262,400
    against 2,560)."""
    numbers = st.columns(4)
    words = {key: t(f"architecture.comparison_view.{key}") for key in ("side", "channels")}
    words |= {key: t(f"architecture.comparison_view.{key}") for key in ("units", "kernel")}
    side = numbers[0].number_input(words["side"], 1, 1024, 32, key="architecture_side")
    channels = numbers[1].number_input(words["channels"], 1, 64, 1, key="architecture_channels")
    units = numbers[2].number_input(words["units"], 1, 4096, 256, key="architecture_units")
    kernel = numbers[3].number_input(words["kernel"], 1, 11, 3, key="architecture_kernel")
    mlp = mlp_first_layer_parameters(side, side, units, channels)
    conv = conv_layer_parameters(kernel, channels, units)
    compare = st.columns(2)
    dense = f"{side}·{side}·{channels}·{units} + {units}"
    compare[0].metric(t("architecture.comparison_view.dense", formula=dense), f"{mlp:,}")
    compare[1].metric(
        t(
            "architecture.comparison_view.conv",
            formula=f"{kernel}·{kernel}·{channels}·{units} + {units}",
        ),
        f"{conv:,}",
        delta=t("architecture.comparison_view.fewer", ratio=mlp / conv),
        delta_color="off",
    )
    st.caption(t("architecture.comparison_view.caption"))


def memory_estimate(config: CNNConfig) -> None:
    """The memory one training step needs, by part, and what each of the lecture's remedies
    would save."""
    settings = st.columns(2)
    batch_size = settings[0].slider(
        t("architecture.memory_view.batch_size"), 1, 1024, 128, key="architecture_batch"
    )
    optimizer = settings[1].selectbox(
        t("architecture.memory_view.optimizer"), OPTIMIZERS, key="architecture_optimizer"
    )
    memory = training_memory(config, batch_size, optimizer)
    st.metric(t("architecture.memory_view.estimate"), f"{memory.total / 1e6:,.1f} MB")
    parts = memory.parts(optimizer, language=language())
    chart(
        plots.memory_bars(parts),
        table=tables.memory_table(parts, language=language()),
        summary=summaries.memory_summary(parts, language=language()),
        key="architecture_memory",
    )
    remedies = memory_remedies(config, batch_size, optimizer, language=language())
    st.markdown(t("architecture.memory_view.remedies"))
    column = {key: t(f"architecture.memory_view.{key}") for key in ("remedy", "saves", "new_total")}
    table = {
        column["remedy"]: [remedy.description for remedy in remedies],
        column["saves"]: [f"{remedy.saves / 1e6:,.1f} MB" for remedy in remedies],
        column["new_total"]: [
            f"{(memory.total - remedy.saves) / 1e6:,.1f} MB" for remedy in remedies
        ],
    }
    st.dataframe(pd.DataFrame(table), hide_index=True, key="architecture_remedies")
