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


def network_summary(config: CNNConfig) -> None:
    """Keras's `model.summary()` for `config`, its totals, the shape diagram and the regularisers.

    Raises:
        ValueError: If the network cannot be built (the message names the layer).
    """
    rows = summary_rows(config)
    trainable, frozen = parameter_totals(config)
    # As tall as its rows: a summary that scrolls inside itself hides the dense layers.
    st.dataframe(
        pd.DataFrame(summary_table(rows)),
        hide_index=True,
        height="content",
        key="architecture_summary",
    )
    st.markdown(
        f"**Total params: {trainable + frozen:,}** ({(trainable + frozen) * 4 / 1024:.1f} KB)  \n"
        f"Trainable params: {trainable:,}  \nNon-trainable params: {frozen:,}"
    )
    st.plotly_chart(plots.shape_diagram(shape_series(config)), key="architecture_diagram")
    st.caption(
        "Above: the height × width of each layer's maps. Below: how many maps (channels) each "
        "layer outputs and, from Flatten on, how many single numbers (units). The lower axis "
        "is logarithmic, with ticks at powers of two, so that a block's few dozen channels "
        "stay visible beside Flatten's hundreds of units."
    )
    batch_norm = batch_norm_parameters(rows)
    st.markdown(
        "**Regularisers in the summary.** BatchNormalization adds 4 numbers per channel: γ and β "
        "are learned, the moving mean and variance are not (they are counted as non-trainable)"
        + (f"; here {batch_norm:,} in all. " if batch_norm else ". ")
        + "SpatialDropout2D and Dropout add no parameters, and are switched off at inference: "
        "they only act while the network trains."
    )


def parameter_comparison() -> None:
    """A Dense layer and a Conv2D layer on the learner's own numbers (the lecture's 262,400
    against 2,560)."""
    numbers = st.columns(4)
    side = numbers[0].number_input("Image side (pixels)", 1, 1024, 32, key="architecture_side")
    channels = numbers[1].number_input("Channels", 1, 64, 1, key="architecture_channels")
    units = numbers[2].number_input("Units / filters", 1, 4096, 256, key="architecture_units")
    kernel = numbers[3].number_input("Kernel size", 1, 11, 3, key="architecture_kernel")
    mlp = mlp_first_layer_parameters(side, side, units, channels)
    conv = conv_layer_parameters(kernel, channels, units)
    compare = st.columns(2)
    compare[0].metric(f"Dense layer: {side}·{side}·{channels}·{units} + {units}", f"{mlp:,}")
    compare[1].metric(
        f"Conv layer: {kernel}·{kernel}·{channels}·{units} + {units}",
        f"{conv:,}",
        delta=f"{mlp / conv:,.0f}× fewer",
        delta_color="off",
    )
    st.caption(
        "A dense unit has a weight for every pixel; a filter reuses one small kernel "
        "everywhere, whatever the image size."
    )


def memory_estimate(config: CNNConfig) -> None:
    """The memory one training step needs, by part, and what each of the lecture's remedies
    would save."""
    settings = st.columns(2)
    batch_size = settings[0].slider("Batch size", 1, 1024, 128, key="architecture_batch")
    optimizer = settings[1].selectbox("Optimizer", OPTIMIZERS, key="architecture_optimizer")
    memory = training_memory(config, batch_size, optimizer)
    st.metric("Estimated memory for one training step", f"{memory.total / 1e6:,.1f} MB")
    st.plotly_chart(plots.memory_bars(memory.parts(optimizer)), key="architecture_memory")
    remedies = memory_remedies(config, batch_size, optimizer)
    st.markdown("The lecture's remedies when memory runs out, and what each would save here:")
    table = {
        "Remedy": [remedy.description for remedy in remedies],
        "Saves": [f"{remedy.saves / 1e6:,.1f} MB" for remedy in remedies],
        "New total": [f"{(memory.total - remedy.saves) / 1e6:,.1f} MB" for remedy in remedies],
    }
    st.dataframe(pd.DataFrame(table), hide_index=True, key="architecture_remedies")
