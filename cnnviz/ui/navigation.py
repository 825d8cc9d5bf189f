"""The lesson's pages, in the lecture's order: listed once, declared by `app.py`."""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

from cnnviz import i18n
from cnnviz.ui.language import t


@dataclass(frozen=True)
class LessonPage:
    """One page of the lesson: its script, its title and icon in the navigation, its gist.

    The title and the gist are messages of the `navigation` catalog, `title_key` and
    `summary_key`, shown in the session's language (`title` is the English one).
    """

    script: str
    title_key: str
    icon: str
    summary_key: str

    @property
    def title(self) -> str:
        """The page's title in English."""
        return i18n.translate("en", self.title_key)


LESSON = (
    LessonPage(
        script="lessons/home.py",
        title_key="navigation.home.title",
        icon=":material/grid_on:",
        summary_key="navigation.home.summary",
    ),
    LessonPage(
        script="lessons/convolution.py",
        title_key="navigation.convolution.title",
        icon=":material/blur_on:",
        summary_key="navigation.convolution.summary",
    ),
    LessonPage(
        script="lessons/pooling.py",
        title_key="navigation.pooling.title",
        icon=":material/compress:",
        summary_key="navigation.pooling.summary",
    ),
    LessonPage(
        script="lessons/architecture.py",
        title_key="navigation.architecture.title",
        icon=":material/account_tree:",
        summary_key="navigation.architecture.summary",
    ),
    LessonPage(
        script="lessons/training.py",
        title_key="navigation.training.title",
        icon=":material/model_training:",
        summary_key="navigation.training.summary",
    ),
    LessonPage(
        script="lessons/feature_maps.py",
        title_key="navigation.feature_maps.title",
        icon=":material/layers:",
        summary_key="navigation.feature_maps.summary",
    ),
    LessonPage(
        script="lessons/transfer.py",
        title_key="navigation.transfer.title",
        icon=":material/move_up:",
        summary_key="navigation.transfer.summary",
    ),
)

# The guided lesson walks through the pages above in nine steps; it is not one of the lecture's.
GUIDED = LessonPage(
    script="lessons/guided.py",
    title_key="guided.page_title",
    icon=":material/school:",
    summary_key="guided.summary",
)


def lesson_path() -> None:
    """One line per page of the lesson after the home page, each a link to it."""
    for page in LESSON[1:]:
        label = f"**{t(page.title_key)}**: {t(page.summary_key)}"
        st.page_link(page.script, label=label, icon=page.icon)


# Streamlit leaves 6rem above a page's title; a projector's 720 pixels need them for the picture.
COMPACT_TOP = "<style>[data-testid='stMainBlockContainer'] { padding-top: 2.5rem; }</style>"


def compact_top() -> None:
    """Less empty space above every page's title, so that a page's main picture fits the
    first screen of a 1280×720 projector (called once, by `app.py`)."""
    st.html(COMPACT_TOP)
