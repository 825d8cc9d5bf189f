"""Benchmark page: a digit, and the lecture model's prediction from the engine process."""

import streamlit as st

from cnnviz import ui

index = st.number_input("Digit", 0, 1999, 0, key="bench_index")
digit = ui.cached_dataset("mnist-sample").x_test[int(index)] / 255.0
probabilities = ui.engine_client().predict("lecture", digit[None].astype("float32"))[0]
st.bar_chart(probabilities)
