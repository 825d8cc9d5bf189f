"""Presenter mode: the page as a projector needs it, and links that hide chosen controls.

Presenter mode (the sidebar's switch, or `?presenter=1` in the link) draws larger text in high
contrast, hides the sidebar, Streamlit's toolbar and the advanced controls (`ADVANCED`), and
lets a presentation clicker step through what a page explains: PageDown / PageUp step the
explained pixel (`clicker_steps`) and the guided lesson's steps. A button at the top of the page
leaves presenter mode, since the sidebar is hidden.

`?hide=convolution_strides,convolution_operation` hides those controls (the keys of
`HIDEABLE`) in or out of presenter mode, so a teacher can hand out a simplified page; the
hidden controls keep the values the link gives them. The sidebar builds such a link.
"""

from __future__ import annotations

import re

import streamlit as st

from cnnviz.ui.language import t

PRESENTER_KEY = "presenter"
PRESENTER_PARAMETER = "presenter"
HIDE_PARAMETER = "hide"
HIDE_PICKER_KEY = "presenter_hide"
_TRUE = ("1", "true", "yes", "on")

# The controls a link may hide, per page (the widget's key: the label's catalog key).
HIDEABLE = {
    "convolution": (
        "convolution_preset",
        "convolution_size",
        "convolution_normalise",
        "convolution_relu",
        "convolution_strides",
        "convolution_padding",
        "convolution_operation",
        "convolution_channel",
    ),
    "pooling": (
        "pooling_source",
        "pooling_method",
        "pooling_size",
        "pooling_default_strides",
        "pooling_strides",
        "pooling_padding",
    ),
    "architecture": ("architecture_side", "architecture_batch", "architecture_remedies"),
    "training": (
        "training_dataset",
        "training_train_size",
        "training_epochs",
        "training_batch_size",
        "training_optimizer",
        "training_learning_rate",
        "training_schedule",
        "training_patience",
        "training_seed",
        "training_batch_norm",
        "training_spatial_dropout",
        "training_dropout",
        "training_run_name",
    ),
    "feature_maps": ("feature_maps_model", "feature_maps_compare", "feature_maps_smooth"),
    "transfer": (
        "transfer_source",
        "transfer_methods",
        "transfer_per_class",
        "transfer_cut",
        "transfer_epochs",
        "transfer_fine_tune_epochs",
        "transfer_learning_rate",
        "transfer_batch_size",
        "transfer_seed",
        "transfer_unfreeze",
        "transfer_projection_method",
    ),
}
# What presenter mode hides by itself: knobs that matter to someone tuning, not to a class
# watching the lesson's point.
ADVANCED = (
    "convolution_normalise",
    "pooling_default_strides",
    "architecture_batch",
    "training_train_size",
    "training_batch_size",
    "training_optimizer",
    "training_learning_rate",
    "training_schedule",
    "training_patience",
    "training_seed",
    "training_run_name",
    "feature_maps_smooth",
    "transfer_learning_rate",
    "transfer_batch_size",
    "transfer_seed",
    "transfer_unfreeze",
    "transfer_projection_method",
)
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")

# Larger text (Streamlit sizes in rem), black on white with heavy outlines, no sidebar or toolbar.
PRESENTER_CSS = """
html { font-size: 21px; }
[data-testid="stSidebar"], [data-testid="stSidebarCollapsedControl"],
[data-testid="stExpandSidebarButton"], [data-testid="stToolbar"],
[data-testid="stDecoration"], [data-testid="stHeader"] { display: none !important; }
[data-testid="stApp"], [data-testid="stMain"], [data-testid="stHeader"] { background: #ffffff; }
[data-testid="stMain"] p, [data-testid="stMain"] li, [data-testid="stMain"] label,
[data-testid="stMain"] span, [data-testid="stMain"] h1, [data-testid="stMain"] h2,
[data-testid="stMain"] h3, [data-testid="stCaptionContainer"],
[data-testid="stWidgetLabel"] p { color: #000000 !important; }
[data-testid="stMain"] a { color: #0033aa !important; text-decoration: underline; }
[data-testid="stMain"] button, [data-testid="stMain"] [data-baseweb="select"] > div,
[data-testid="stMain"] input, [data-testid="stExpander"] details {
  border: 2px solid #000000 !important; }
[data-testid="stMain"] :focus-visible {
  outline: 4px solid #ffb000 !important; outline-offset: 2px; }
[data-testid="stMainBlockContainer"] { max-width: 100%; padding-left: 2rem; padding-right: 2rem; }
"""


def presenting() -> bool:
    """Whether this session shows the app in presenter mode."""
    if PRESENTER_KEY in st.session_state:
        return bool(st.session_state[PRESENTER_KEY])
    return str(st.query_params.get(PRESENTER_PARAMETER, "")).lower() in _TRUE


def hidden_controls() -> tuple[str, ...]:
    """The controls the link hides (`?hide=a,b`), as widget keys; unknown names are ignored."""
    named = str(st.query_params.get(HIDE_PARAMETER, "")).split(",")
    known = {key for keys in HIDEABLE.values() for key in keys}
    return tuple(key for key in (name.strip() for name in named) if key in known)


def _hiding_css(keys) -> str:
    """CSS that hides the elements of these widget keys (Streamlit marks them `st-key-…`)."""
    selectors = [f".st-key-{key}" for key in keys if _KEY.match(key)]
    return f"{', '.join(selectors)} {{ display: none !important; }}" if selectors else ""


def presenter_css(presenting_now: bool, hidden: tuple[str, ...]) -> str:
    """The page's extra CSS: presenter mode's look and the hidden controls (may be empty)."""
    parts = [PRESENTER_CSS, _hiding_css(ADVANCED)] if presenting_now else []
    parts.append(_hiding_css(hidden))
    return "\n".join(part for part in parts if part)


def _keep_in_link() -> None:
    if st.session_state[PRESENTER_KEY]:
        st.query_params[PRESENTER_PARAMETER] = "1"
    else:
        del st.query_params[PRESENTER_PARAMETER]


def _leave() -> None:
    st.session_state[PRESENTER_KEY] = False
    _keep_in_link()


def presenter_controls(page: str) -> None:
    """The sidebar's presenter switch and the controls `page` (its URL path) may hide, the
    page's presenter CSS, and in presenter mode a button at the top that leaves it (the
    sidebar is hidden then). Called once, by `app.py`."""
    if PRESENTER_KEY not in st.session_state:
        st.session_state[PRESENTER_KEY] = presenting()
    st.sidebar.toggle(
        t("presenter.switch"),
        key=PRESENTER_KEY,
        on_change=_keep_in_link,
        help=t("presenter.switch_help"),
    )
    # A change of page clears the link's parameters: keep this one.
    if presenting() and st.query_params.get(PRESENTER_PARAMETER) != "1":
        st.query_params[PRESENTER_PARAMETER] = "1"
    hide_picker(page)
    css = presenter_css(presenting(), hidden_controls())
    if css:
        st.html(f"<style>{css}</style>")
    if presenting():
        st.button(t("presenter.leave"), key="presenter_leave", on_click=_leave)


def hide_picker(page: str) -> None:
    """In the sidebar, for `page` (its URL path, "convolution"): pick controls to hide; the
    link's `hide` parameter follows (the page's share link then hands out the simplified page)."""
    keys = HIDEABLE.get(page)
    if not keys:
        return
    current = [key for key in hidden_controls() if key in keys]
    with st.sidebar.expander(t("presenter.hide_title")):
        chosen = st.multiselect(
            t("presenter.hide_label"),
            keys,
            default=current,
            format_func=lambda key: t(f"presenter.controls.{key}"),
            key=f"{HIDE_PICKER_KEY}_{page}",
            help=t("presenter.hide_help"),
        )
    if chosen:
        if st.query_params.get(HIDE_PARAMETER) != ",".join(chosen):
            st.query_params[HIDE_PARAMETER] = ",".join(chosen)
    elif HIDE_PARAMETER in st.query_params:
        del st.query_params[HIDE_PARAMETER]


def _step(page: str, shape: tuple[int, int], direction: int) -> None:
    """Move the explained position one output pixel on, row by row, wrapping at the ends."""
    rows, cols = shape
    row = int(st.session_state.get(f"{page}_row", 0))
    col = int(st.session_state.get(f"{page}_col", 0))
    index = (min(max(row, 0), rows - 1) * cols + min(max(col, 0), cols - 1) + direction) % (
        rows * cols
    )
    st.session_state[f"{page}_row"], st.session_state[f"{page}_col"] = divmod(index, cols)


def _arrow_buttons(page: str, shape: tuple[int, int]) -> None:
    """In presenter mode the arrow keys step too (some clickers send them): two buttons the
    CSS hides, since a button has one shortcut. Streamlit ignores shortcuts typed into a text
    field or a radio button, and the explorer keeps its own arrow keys to itself."""
    for direction, shortcut in ((-1, "Left"), (1, "Right")):
        st.button(
            t("presenter.previous_pixel" if direction < 0 else "presenter.next_pixel"),
            key=f"{page}_arrow_{shortcut.lower()}",
            on_click=_step,
            args=(page, shape, direction),
            shortcut=shortcut,
        )


def clicker_steps(page: str, shape: tuple[int, int]) -> None:
    """Previous / Next output pixel buttons, driven by a presentation clicker's PageUp and
    PageDown (and in presenter mode the arrow keys): the explained pixel moves along the rows."""
    if presenting():
        st.html(f"<style>{_hiding_css((f'{page}_arrow_left', f'{page}_arrow_right'))}</style>")
        _arrow_buttons(page, shape)
    previous, following, _ = st.columns([1, 1, 4])
    previous.button(
        t("presenter.previous_pixel"),
        key=f"{page}_previous_pixel",
        on_click=_step,
        args=(page, shape, -1),
        shortcut="PageUp",
        help=t("presenter.clicker_help"),
    )
    following.button(
        t("presenter.next_pixel"),
        key=f"{page}_next_pixel",
        on_click=_step,
        args=(page, shape, 1),
        shortcut="PageDown",
        help=t("presenter.clicker_help"),
    )
