"""A chart with its text and table alternatives: what every page draws its figures with.

`chart(figure, table=..., summary=..., key=...)` draws the figure, then under it its one-sentence
summary as a caption (what a screen reader reads, and what a learner who cannot see the colours
reads: it follows the chart in reading order, as its description), then a collapsed "As a
table" expander with the same numbers. In presenter mode the figure's text is drawn larger
(on a copy: a cached figure stays as it is).

The sentence and the table come from the core (`cnnviz.plots.summaries`, `cnnviz.plots.tables`),
computed from the numbers the figure draws.
"""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from cnnviz.ui.language import t
from cnnviz.ui.presenter import presenting

# Plotly's default text is 12 px; on a projector it needs half as much again.
PRESENTER_FONT_SIZE = 18


def presented(figure: go.Figure) -> go.Figure:
    """`figure` as presenter mode draws it: a copy with larger text (the figure otherwise)."""
    if not presenting():
        return figure
    larger = go.Figure(figure)
    larger.update_layout(font_size=PRESENTER_FONT_SIZE)
    return larger


def alternatives(
    summary: str, table: pd.DataFrame | None, key: str, *, hide_index: bool = True
) -> None:
    """The text alternative (a caption) and, collapsed, the table alternative of a figure or
    a component drawn just above; the table is keyed `{key}_table`."""
    st.caption(summary)
    if table is not None:
        with st.expander(t("a11y.as_table"), expanded=False):
            st.dataframe(table, hide_index=hide_index, key=f"{key}_table")


def chart(
    figure: go.Figure,
    *,
    table: pd.DataFrame | None,
    summary: str,
    key: str,
    container=None,
    hide_index: bool = True,
) -> None:
    """Draw `figure` (keyed `key`) with its summary under it and its table in an expander.

    Args:
        figure: The plotly figure.
        table: The figure's numbers (`cnnviz.plots.tables`), or None for a figure whose
            summary says all there is.
        summary: One sentence computed from the figure's numbers (`cnnviz.plots.summaries`).
        key: The chart's widget key, as `st.plotly_chart` takes it.
        container: Where to draw (a column); the current place by default.
        hide_index: Hide the table's index (show it for a grid, whose index is the row).
    """
    with container if container is not None else st.container():
        st.plotly_chart(presented(figure), key=key)
        alternatives(summary, table, key, hide_index=hide_index)
