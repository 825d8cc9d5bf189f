"""Benchmark page: only a title, and the picker's number to change (the cost of a rerun itself)."""

import streamlit as st

st.title("A title")
st.number_input("Example", 0, 1999, 0, key="picker_index")
