"""How computers see: an image is a grid of numbers from 0 to 255."""

import streamlit as st

from cnnviz import ui

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
    image, window = ui.what_we_see(picked) if picked else (None, None)
if window is not None:
    with numbers:
        st.subheader("What computers see")
        ui.what_computers_see(window, picked.is_digit)
    st.header("From pixels to tensors")
    ui.tensors(image, window)
st.header("The path through the app")
ui.lesson_path()
