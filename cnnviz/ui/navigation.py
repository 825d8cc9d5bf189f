"""Page set-up and the lesson's navigation."""

from __future__ import annotations

from pathlib import Path

import streamlit as st

REPO_ROOT = Path(__file__).resolve().parents[2]

# The lesson's path through the app: (page file, title, what it shows).
LESSON_PATH = (
    ("app.py", "How computers see", "an image is a grid of numbers from 0 to 255"),
    ("pages/1_Convolution.py", "Convolution", "a small kernel slides over the image"),
    ("pages/2_Pooling.py", "Pooling", "max and average pooling shrink a feature map"),
    ("pages/3_Architecture.py", "Architecture", "layers, shapes and parameter counts"),
    ("pages/4_Training.py", "Training", "train live, with and without regularisation"),
    ("pages/5_Feature_maps.py", "Feature maps", "what every layer of a trained CNN sees"),
    ("pages/6_Transfer_learning.py", "Transfer learning", "reuse a trained network"),
)


def page_setup(title: str) -> None:
    """Configure the page and draw the lesson's navigation in the sidebar.

    Streamlit names the home page after its file ("app"); this navigation names every page
    by what it teaches, in the lesson's order.
    """
    st.set_page_config(page_title=f"cnnviz: {title}", page_icon="🔢", layout="wide")
    with st.sidebar:
        st.markdown("**cnnviz**: how computers see, and how CNNs work")
        for number, (page, name, _) in enumerate(LESSON_PATH):
            if (REPO_ROOT / page).exists():
                st.page_link(page, label=f"{number}. {name}" if number else name)


def lesson_path() -> None:
    """One line per page of the lesson that exists, each a link to it."""
    for page, title, summary in LESSON_PATH[1:]:
        if (REPO_ROOT / page).exists():
            st.page_link(page, label=f"**{title}**: {summary}")
