"""Home page: how computers see. An image is a grid of numbers from 0 to 255."""

import numpy as np
import streamlit as st

from cnnviz import digits, images, pixels, plots, ui

st.set_page_config(page_title="cnnviz: how computers see", page_icon="🔢", layout="wide")
st.title("How computers see")
st.markdown(
    "To you, a picture is a scene. To a computer it is a grid of numbers: one number per "
    "pixel from **0 (black) to 255 (white)** for a grayscale image, and three per pixel "
    "(**red, green, blue**) for a colour one. A convolutional network sees nothing else. "
    "Pick, draw or upload an image and look at the numbers."
)

seen, numbers = st.columns([2, 3], gap="large")
with seen:
    st.subheader("What we see")
    picked = ui.image_picker()
if picked is None:
    st.stop()

numbers.subheader("What computers see")
normalised = numbers.toggle(
    "Show normalised values (x / 255)",
    key="home_normalise",
    help="Networks are fed pixels scaled to 0..1: every value divided by 255.",
)

if picked.is_digit:
    if picked.source == ui.SOURCES[0]:
        try:
            steps = digits.to_mnist(picked.image)
        except images.ImageError as error:
            st.error(str(error))
            st.stop()
        grid = np.rint(steps.result * 255).astype(np.uint8)
        seen.caption(
            f"Your {picked.image.shape[0]}×{picked.image.shape[1]} drawing, made into a 28×28 "
            "MNIST-style digit (cropped, scaled to 20 px, centred)."
        )
    else:
        grid = images.to_grayscale(picked.image)
    window = pixels.PixelWindow(grid, 0, 0)
    seen.plotly_chart(plots.image_figure(grid, title=picked.name, height=360), key="home_seen")
    channels = {"Gray": window.values}
else:
    display = images.fit_for_display(picked.image)
    height, width = picked.image.shape[:2]
    size = 16
    top = ui.position_slider(seen, "Window row", height - size, "home_window_top")
    left = ui.position_slider(seen, "Window column", width - size, "home_window_left")
    window = pixels.pixel_window(picked.image, top, left, size)
    box = tuple(
        round(v * display.scale)
        for v in (window.top, window.left, window.values.shape[0], window.values.shape[1])
    )
    seen.plotly_chart(
        plots.image_figure(display.image, title=picked.name, box=box), key="home_seen"
    )
    if display.downscaled:
        seen.caption(
            f"Shown at {display.image.shape[1]}×{display.image.shape[0]}; the original is "
            f"{width}×{height} pixels. The numbers on the right are the original pixels."
        )
    channels = {name: window.values[:, :, i] for i, name in enumerate(("Red", "Green", "Blue"))}

scale = {
    "Gray": plots.GRAY,
    "Red": plots.CHANNEL_SCALES["R"],
    "Green": plots.CHANNEL_SCALES["G"],
    "Blue": plots.CHANNEL_SCALES["B"],
}
tabs = numbers.tabs(list(channels)) if len(channels) > 1 else [numbers]
for tab, (name, values) in zip(tabs, channels.items(), strict=True):
    shown = pixels.normalise(values) if normalised else values
    tab.plotly_chart(
        plots.pixel_grid(
            shown,
            title=f"{name} values, rows {window.rows.start}–{window.rows.stop - 1}, "
            f"columns {window.cols.start}–{window.cols.stop - 1}",
            colorscale=scale[name],
            value_range=(0, 1) if normalised else (0, 255),
            rows=window.rows,
            cols=window.cols,
            decimals=2 if normalised else 0,
        ),
        key=f"home_grid_{name}",
    )

st.header("From pixels to tensors")
image = grid if picked.is_digit else picked.image
shape = pixels.tensor_shape(image)
low, high = int(window.values.min()), int(window.values.max())
st.markdown(
    f"**Normalisation.** The values shown range from {low} to {high}; divided by 255 they "
    f"range from {low / 255:.3f} to {high / 255:.3f}. Small inputs of similar scale keep "
    "the network's arithmetic stable while it learns.\n\n"
    f"**Tensors.** Networks take a batch of images as one tensor "
    f"`[images, height, width, channels]`. This image alone is `{list(shape)}`: "
    f"{pixels.format_bytes(pixels.tensor_bytes(shape, 'uint8'))} as 0–255 bytes, "
    f"{pixels.format_bytes(pixels.tensor_bytes(shape, 'float32'))} as normalised float32."
)
count = st.number_input(
    "The lecture's dataset: how many 300×450 colour photos?",
    min_value=1,
    max_value=10_000_000,
    value=pixels.LECTURE_TENSOR_SHAPE[0],
    step=1000,
    key="home_images",
)
lecture_shape = (int(count), *pixels.LECTURE_TENSOR_SHAPE[1:])
uint8_size, float_size = st.columns(2)
uint8_size.metric(
    f"Tensor {lecture_shape} as uint8",
    pixels.format_bytes(pixels.tensor_bytes(lecture_shape, "uint8")),
)
float_size.metric(
    "The same as float32 (after x / 255)",
    pixels.format_bytes(pixels.tensor_bytes(lecture_shape, "float32")),
)
st.caption("This is why datasets are streamed to the network in batches, not loaded at once.")

st.header("The path through the app")
ui.lesson_path()
