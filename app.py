"""Home page: how computers see. An image is a grid of numbers from 0 to 255.

`streamlit run app.py` opens this page; the other pages of the lesson are the files in
`pages/`, in the order of `cnnviz.ui.LESSON_PATH`.
"""

import numpy as np
import streamlit as st

from cnnviz import digits, images, pixels, plots, ui

WINDOW = 16
SCALES = {
    "Gray": plots.GRAY,
    "Red": plots.CHANNEL_SCALES["R"],
    "Green": plots.CHANNEL_SCALES["G"],
    "Blue": plots.CHANNEL_SCALES["B"],
}


def home() -> None:
    """How computers see: what we see beside the numbers a computer sees."""
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
        image, window = _what_we_see(picked) if picked else (None, None)
    if window is None:
        return
    with numbers:
        _what_computers_see(window, picked.is_digit)
    _tensors(image, window)
    st.header("The path through the app")
    ui.lesson_path()


def _what_we_see(picked: ui.PickedImage) -> tuple[np.ndarray, pixels.PixelWindow | None]:
    """Show the picture; return the image the numbers come from and the window shown."""
    if picked.is_digit:
        grid = images.to_grayscale(picked.image)
        if picked.source == ui.SOURCES[0]:
            try:
                grid = np.rint(digits.to_mnist(picked.image).result * 255).astype(np.uint8)
            except images.ImageError as error:
                st.error(str(error))
                return grid, None
            st.caption(
                f"Your {picked.image.shape[0]}×{picked.image.shape[1]} drawing, made into a "
                "28×28 MNIST-style digit (cropped, scaled to 20 px, centred)."
            )
        st.plotly_chart(plots.image_figure(grid, title=picked.name, height=360), key="home_seen")
        return grid, pixels.PixelWindow(grid, 0, 0)
    height, width = picked.image.shape[:2]
    top = ui.position_slider(st, "Window row", height - WINDOW, "home_window_top")
    left = ui.position_slider(st, "Window column", width - WINDOW, "home_window_left")
    window = pixels.pixel_window(picked.image, top, left, WINDOW)
    display = images.fit_for_display(picked.image)
    box = (window.top, window.left, window.values.shape[0], window.values.shape[1])
    box = tuple(round(value * display.scale) for value in box)
    figure = plots.image_figure(display.image, title=picked.name, box=box)
    st.plotly_chart(figure, key="home_seen")
    if display.downscaled:
        st.caption(
            f"Shown at {display.image.shape[1]}×{display.image.shape[0]}; the original is "
            f"{width}×{height} pixels. The numbers are the original pixels."
        )
    return picked.image, window


def _what_computers_see(window: pixels.PixelWindow, is_digit: bool) -> None:
    """The window's values as numbers, one grid per channel, raw or divided by 255."""
    st.subheader("What computers see")
    normalised = st.toggle(
        "Show normalised values (x / 255)",
        key="home_normalise",
        help="Networks are fed pixels scaled to 0..1: every value divided by 255.",
    )
    if is_digit:
        channels = {"Gray": window.values}
    else:
        channels = {name: window.values[:, :, i] for i, name in enumerate(list(SCALES)[1:])}
    tabs = st.tabs(list(channels)) if len(channels) > 1 else [st.container()]
    for tab, (name, values) in zip(tabs, channels.items(), strict=True):
        figure = plots.pixel_grid(
            pixels.normalise(values) if normalised else values,
            title=f"{name} values, rows {window.rows.start}–{window.rows.stop - 1}, "
            f"columns {window.cols.start}–{window.cols.stop - 1}",
            colorscale=SCALES[name],
            value_range=(0, 1) if normalised else (0, 255),
            rows=window.rows,
            cols=window.cols,
            decimals=2 if normalised else 0,
        )
        tab.plotly_chart(figure, key=f"home_grid_{name}")


def _tensors(image: np.ndarray, window: pixels.PixelWindow) -> None:
    """Normalisation and the tensor `[images, height, width, channels]`, with its memory."""
    st.header("From pixels to tensors")
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
    shape = (int(count), *pixels.LECTURE_TENSOR_SHAPE[1:])
    as_bytes, as_floats = st.columns(2)
    as_bytes.metric(
        f"Tensor {shape} as uint8", pixels.format_bytes(pixels.tensor_bytes(shape, "uint8"))
    )
    as_floats.metric(
        "The same as float32 (after x / 255)",
        pixels.format_bytes(pixels.tensor_bytes(shape, "float32")),
    )
    st.caption("This is why datasets are streamed to the network in batches, not loaded at once.")


ui.page_setup("how computers see")
home()
