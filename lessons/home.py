"""How computers see: an image is a grid of numbers from 0 to 255."""

import streamlit as st

from cnnviz import ui

st.title(ui.t("navigation.home.title"))
link = ui.shared_view("home")  # before the widgets: a shared link sets them
st.markdown(ui.t("home.intro"))
seen, numbers = st.columns([2, 3], gap="large")
with seen:
    st.subheader(ui.t("home.what_we_see"))
    picked = ui.image_picker()
    image, window = ui.what_we_see(picked) if picked else (None, None)
if window is not None:
    with numbers:
        st.subheader(ui.t("home.what_computers_see"))
        ui.what_computers_see(window, picked.is_digit)
    st.header(ui.t("home.tensors_header"))
    ui.tensors(image, window)
st.header(ui.t("home.path_header"))
ui.lesson_path()
link.done()
