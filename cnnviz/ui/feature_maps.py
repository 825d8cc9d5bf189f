"""Widgets of the feature-map page: the network's input, cached engine calls, worked examples."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import digits, images, plots
from cnnviz.engine.protocol import EngineError, LayerOutput
from cnnviz.explain import ActivationExplanation, DenseExplanation, PoolingExplanation
from cnnviz.ui.engine import engine
from cnnviz.ui.picker import SOURCES, PickedImage


def network_input(picked: PickedImage) -> np.ndarray | None:
    """The 28×28 input in 0..1 a model is fed, with the MNIST preprocessing steps shown.

    A dataset digit is already an MNIST digit; a drawing, a photo or a built-in image goes
    through `digits.to_mnist` (grayscale, light ink on dark, crop, 20 px, centre of mass).
    """
    if picked.is_digit and picked.source == SOURCES[1]:
        return images.to_grayscale(picked.image).astype(np.float32) / 255.0
    try:
        steps = digits.to_mnist(picked.image)
    except images.ImageError as error:
        st.error(str(error))
        return None
    with st.expander("How your image became a 28×28 MNIST digit", expanded=False):
        columns = st.columns(len(steps.as_list()))
        for column, (caption, step) in zip(columns, steps.as_list(), strict=True):
            column.image(step, caption=caption, clamp=True, use_container_width=True)
        st.caption(
            "MNIST digits are light on dark, cropped to the ink, scaled so the longer side is "
            "20 px and centred by their centre of mass: a thin or off-centre drawing looks "
            "different to the network after these steps."
        )
    return steps.result


@st.cache_data(show_spinner="Running the network…", max_entries=64)
def layer_outputs(model: str, image: np.ndarray) -> list[LayerOutput]:
    """Every layer's output from the engine, cached by model and image."""
    return engine().layer_outputs(model, image)


@st.cache_data(show_spinner="Finding what each filter responds to most…", max_entries=32)
def maximised(model: str, layer: str, steps: int = 64) -> np.ndarray:
    """Activation-maximisation images of every map of `layer` (the engine caches them too)."""
    return engine().activation_maximisation(model, layer, steps=steps)


@st.cache_data(show_spinner=False, max_entries=64)
def evidence(model: str, image: np.ndarray, smoothgrad: int) -> tuple[np.ndarray, np.ndarray]:
    """Grad-CAM and saliency for the predicted class, cached by model and image."""
    return engine().grad_cam(model, image), engine().saliency(model, image, None, smoothgrad)


def engine_call(function, *args, **kwargs):
    """Call the engine; a refused request or an engine failure becomes an error on the page."""
    try:
        return function(*args, **kwargs)
    except (ValueError, EngineError) as error:
        st.error(str(error))
        return None


def layer_title(output: LayerOutput) -> str:
    """`conv2d_1 (Conv2D) → (None, 26, 26, 16)`, as in the Architecture page's summary."""
    return f"{output.name} ({output.kind}) → {(None, *output.output.shape)}"


def show_layer(output: LayerOutput, key: str, per_map: bool, prefix: str = "") -> None:
    """One layer's output: a mosaic of its maps, or bars for a flat layer."""
    title = prefix + layer_title(output)
    if output.output.ndim == 3:
        figure = plots.feature_map_grid(output.output, title=title, per_map=per_map)
    else:
        figure = plots.unit_bars(output.output, title=title)
    st.plotly_chart(figure, key=key)


def show_explanation(explained) -> None:
    """Render a worked example from `cnnviz.explain.explain_activation`."""
    if isinstance(explained, PoolingExplanation):
        _show_pooling(explained)
    elif isinstance(explained, DenseExplanation):
        _show_dense(explained)
    else:
        _show_conv(explained)
    chain = pd.DataFrame(
        [{"layer": s.layer, "kind": s.kind, "computed here": s.value,
          "the model's value": s.model_value} for s in getattr(explained, "steps", [])]
    )  # fmt: skip
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
    window, kernel, products = st.columns(3)
    window.plotly_chart(plots.number_grid(explained.window[:, :, shown], title="Window",
                                          decimals=3), key="feature_maps_window")  # fmt: skip
    kernel.plotly_chart(plots.number_grid(explained.kernel[:, :, shown], title="Kernel",
                                          decimals=3), key="feature_maps_kernel")  # fmt: skip
    products.plotly_chart(plots.number_grid(explained.products[:, :, shown],
                                            title="Window × kernel", decimals=3),
                          key="feature_maps_products")  # fmt: skip
    sums = " + ".join(f"{value:.4g}" for value in explained.per_channel_sums)
    lines = [
        f"Sum over channels: {sums} = **{explained.total:.6g}**",
        f"Plus the bias {explained.bias:.6g}: **{explained.pre_activation:.6g}**",
    ]
    norm = explained.batch_norm
    if norm:
        lines.append(
            f"Batch normalisation: {norm['gamma']:.4g} × ({norm['input']:.4g} − "
            f"{norm['moving_mean']:.4g}) / √({norm['moving_variance']:.4g} + "
            f"{norm['epsilon']:g}) + {norm['beta']:.4g} = **{norm['value']:.6g}**"
        )
    lines.append(f"Activation `{explained.activation}`: **{explained.value:.6g}**")
    st.markdown("  \n".join(lines))


def _show_pooling(explained: PoolingExplanation) -> None:
    st.plotly_chart(
        plots.number_grid(explained.window, title=f"{explained.method} pooling window",
                          decimals=3, highlight=explained.argmax),
        key="feature_maps_pool_window",
    )  # fmt: skip


def _show_dense(explained: DenseExplanation) -> None:
    rows = [
        {"input": str(position), "value": float(explained.inputs[index]),
         "weight": float(explained.weights[index]), "product": float(explained.products[index])}
        for index, position in zip(explained.top_indices, explained.top_positions, strict=True)
    ]  # fmt: skip
    st.markdown(
        f"Unit {explained.unit} of `{explained.dense_layer}` adds up "
        f"{len(explained.inputs)} products; the largest are listed, the other "
        f"{len(explained.inputs) - len(rows)} add up to {explained.other_sum:.4g}. Total "
        f"{explained.total:.6g}, plus the bias {explained.bias:.4g} = "
        f"{explained.pre_activation:.6g}, then `{explained.activation}`."
    )
    st.dataframe(pd.DataFrame(rows), hide_index=True, key="feature_maps_dense_terms")
