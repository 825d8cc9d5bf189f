"""The lesson's pages, in the lecture's order: listed once, declared by `app.py`."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st


@dataclass(frozen=True)
class LessonPage:
    """One page of the lesson: its script, its title and icon in the navigation, its gist."""

    script: str
    title: str
    icon: str
    summary: str


LESSON = (
    LessonPage(
        script="lessons/home.py",
        title="How computers see",
        icon=":material/grid_on:",
        summary="an image is a grid of numbers from 0 to 255",
    ),
    LessonPage(
        script="lessons/convolution.py",
        title="Convolution",
        icon=":material/blur_on:",
        summary="a small kernel slides over the image",
    ),
    LessonPage(
        script="lessons/pooling.py",
        title="Pooling",
        icon=":material/compress:",
        summary="max and average pooling shrink a feature map",
    ),
    LessonPage(
        script="lessons/architecture.py",
        title="Architecture",
        icon=":material/account_tree:",
        summary="layers, shapes and parameter counts",
    ),
    LessonPage(
        script="lessons/training.py",
        title="Training",
        icon=":material/model_training:",
        summary="train live, with and without regularisation",
    ),
    LessonPage(
        script="lessons/feature_maps.py",
        title="Feature maps",
        icon=":material/layers:",
        summary="what every layer of a trained CNN sees",
    ),
    LessonPage(
        script="lessons/transfer.py",
        title="Transfer learning",
        icon=":material/move_up:",
        summary="reuse a trained network on a new task with few images",
    ),
)


def lesson_path() -> None:
    """One line per page of the lesson after the home page, each a link to it."""
    for page in LESSON[1:]:
        st.page_link(page.script, label=f"**{page.title}**: {page.summary}", icon=page.icon)


# Streamlit leaves 6rem above a page's title; a projector's 720 pixels need them for the picture.
COMPACT_TOP = "<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>"


def compact_top() -> None:
    """Less empty space above every page's title, so that a page's main picture fits the
    first screen of a 1280×720 projector (called once, by `app.py`)."""
    st.html(COMPACT_TOP)
