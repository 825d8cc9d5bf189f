"""Page 3: architecture. Assemble a CNN and see every layer's shape and parameters at once."""

import pandas as pd
import streamlit as st

from cnnviz import design, models, plots, ui

ui.page_setup("architecture")
st.title("Architecture")
st.markdown(
    "A CNN stacks **convolution** layers (learned kernels), **pooling** layers (shrink the "
    "maps) and, after **flatten**, **dense** layers that decide the class. Change any layer "
    "below: the summary (Keras's `model.summary()`), the shapes and the memory a training "
    "step needs are computed at once, without building the network."
)

config = ui.network_editor("architecture")
try:
    rows = models.summary_rows(config)
except ValueError as error:
    st.error(str(error))
    st.stop()
trainable, frozen = models.parameter_totals(config)

st.subheader("Summary")
table = pd.DataFrame(
    {
        "Layer (type)": [f"{row.name} ({row.kind})" for row in rows],
        "Output shape": [str(row.output_shape) for row in rows],
        "Param #": [row.trainable + row.non_trainable for row in rows],
        "Receptive field": [
            f"{row.receptive_field}×{row.receptive_field}" if row.receptive_field else "—"
            for row in rows
        ],
    }
)
st.dataframe(table, hide_index=True, key="architecture_summary")
st.markdown(
    f"**Total params: {trainable + frozen:,}** ({(trainable + frozen) * 4 / 1024:.1f} KB)  \n"
    f"Trainable params: {trainable:,}  \nNon-trainable params: {frozen:,}"
)
flat = [row for row in rows if len(row.output_shape) == 2]
spatial = [row for row in rows if len(row.output_shape) == 4]
st.plotly_chart(
    plots.shape_diagram(
        ["input"] + [row.name for row in spatial + flat],
        [config.input_shape[0]] + [row.output_shape[1] for row in spatial] + [0] * len(flat),
        [config.input_shape[2]]
        + [row.output_shape[3] for row in spatial]
        + [row.output_shape[1] for row in flat],
    ),
    key="architecture_diagram",
)
batch_norm = sum(
    row.trainable + row.non_trainable for row in rows if row.kind == "BatchNormalization"
)
st.markdown(
    "**Regularisers in the summary.** BatchNormalization adds 4 numbers per channel: γ and β "
    "are learned, the moving mean and variance are not (they are counted as non-trainable)"
    + (f"; here {batch_norm:,} in all. " if batch_norm else ". ")
    + "SpatialDropout2D and Dropout add no parameters, and are switched off at inference: "
    "they only act while the network trains."
)

st.subheader("Why a CNN needs far fewer parameters than an MLP")
numbers = st.columns(4)
side = numbers[0].number_input("Image side (pixels)", 1, 1024, 32, key="architecture_side")
channels = numbers[1].number_input("Channels", 1, 64, 1, key="architecture_channels")
units = numbers[2].number_input("Units / filters", 1, 4096, 256, key="architecture_units")
kernel = numbers[3].number_input("Kernel size", 1, 11, 3, key="architecture_kernel")
mlp = models.mlp_first_layer_parameters(side, side, units, channels)
conv = models.conv_layer_parameters(kernel, channels, units)
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

st.subheader("Design practice: will a training step fit in memory?")
settings = st.columns(2)
batch_size = settings[0].slider("Batch size", 1, 1024, 128, key="architecture_batch")
optimizer = settings[1].selectbox(
    "Optimizer", ("adam", "sgd", "rmsprop"), key="architecture_optimizer"
)
memory = design.training_memory(config, batch_size, optimizer)
st.metric("Estimated memory for one training step", f"{memory.total / 1e6:,.1f} MB")
st.plotly_chart(
    plots.memory_bars(
        {
            "weights": memory.parameters,
            "gradients": memory.gradients,
            f"{optimizer} state": memory.optimizer_state,
        }
        | {f"activations: {name}": size for name, size in memory.activations}
    ),
    key="architecture_memory",
)
remedies = design.memory_remedies(config, batch_size, optimizer)
st.markdown("The lecture's remedies when memory runs out, and what each would save here:")
st.dataframe(
    pd.DataFrame(
        {
            "Remedy": [remedy.description for remedy in remedies],
            "Saves": [f"{remedy.saves / 1e6:,.1f} MB" for remedy in remedies],
            "New total": [f"{(memory.total - remedy.saves) / 1e6:,.1f} MB" for remedy in remedies],
        }
    ),
    hide_index=True,
    key="architecture_remedies",
)
for hint in design.design_hints(config):
    st.warning(hint)

st.subheader("Trained networks")
st.markdown(
    "These networks were trained on MNIST digits: the two that ship with the app, and the "
    "runs saved on the Training page. Load one to see its layers above."
)
ui.trained_models("architecture", ui.available_models())
