"""A page with only the own-classes form, for `test_transfer_own.py` (not a lesson page): it
writes the task's shape and keeps the task in session state for the test to compare."""

import streamlit as st

from cnnviz import ui

dataset = ui.own_classes_form()
st.session_state["own_classes_script_dataset"] = dataset
if dataset is not None:
    st.markdown(
        f"Task: {list(dataset.class_names)}, train {dataset.x_train.shape}, "
        f"test {dataset.x_test.shape}"
    )
