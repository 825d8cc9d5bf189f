"""Shareable views: the settings that define a page's view live in its link.

A teacher sends a link and the students open exactly the same input, kernel and model. Each
page declares its shareable settings (`cnnviz.ui.share_pages`): a `Setting`
(`share_settings`) names the session-state key the value lives in, a short URL parameter and
a codec (`share_codecs`). A page calls `shared_view(page)` before its widgets and
`SharedView.done()` after them:

- On a session's first run (a link opened, or the app's first load), the link's parameters
  are decoded into `st.session_state` before any widget exists, so the widgets start on
  them; a parameter that cannot be used is ignored, with a warning naming it, what was
  received and what it accepts.
- After every run, the settings that differ from their defaults are written back with
  `st.query_params` (defaults removed), so that the address bar always holds the view.
  Only the parameters of the shared settings are touched: `lang`, `presenter`, `hide` and
  the guided lesson's `step` belong to others.
- A "Copy link" popover in the sidebar shows the full link, ready to copy.

Options are written as stable codes, never as their labels (which are translated): a link
made in English opens in Spanish. Uploads and webcam photos cannot travel in a link; the
popover says so when the view uses one.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping, MutableMapping
from urllib.parse import urlencode

import streamlit as st

from cnnviz.ui.language import language, t
from cnnviz.ui.share_codecs import LinkError
from cnnviz.ui.share_pages import PAGES
from cnnviz.ui.share_settings import PageShare, Setting

SEEDED_KEY = "share_seeded"  # set once the session's first run read its link


def seed_state(
    settings: tuple[Setting, ...], link: Mapping[str, str], state: MutableMapping, lang: str
) -> list[str]:
    """Put the link's values into `state`; return a warning for each value that cannot be used.

    Parameters missing from the link leave their settings as they are.
    """
    problems = []
    for setting in settings:
        text = link.get(setting.parameter)
        if text is None:
            continue
        try:
            value = setting.codec.decode(text, lang)
        except LinkError as error:
            problems.append(
                t("share.invalid", parameter=setting.parameter, received=text)
                + " "
                + error.accepted
            )
            continue
        setting.apply(state, value)
    return problems


def link_parameters(settings: tuple[Setting, ...], state: Mapping) -> dict[str, str]:
    """The parameters that describe the view in `state`: the settings off their defaults."""
    texts = {setting.parameter: setting.text(state) for setting in settings}
    return {parameter: text for parameter, text in texts.items() if text is not None}


def write_link(share: PageShare, others: set[str], state: Mapping) -> None:
    """Write the view into `st.query_params`: set what changed, remove defaults and the
    parameters of other pages' views (`others`); leave every other parameter alone."""
    wanted = link_parameters(share.settings, state)
    # One read of the link, then only the changes: every access to `st.query_params` costs.
    current = st.query_params.to_dict()
    for parameter in sorted((share.parameters | others) - wanted.keys()):
        if parameter in current:
            del st.query_params[parameter]
    for parameter, text in wanted.items():
        if current.get(parameter) != text:
            st.query_params[parameter] = text


def full_link(path: str) -> str:
    """The address of this view: the page's URL (`st.context.url`; `path` when the browser
    did not say) with the current query string."""
    query = urlencode(st.query_params.to_dict(), safe=",;/")  # kernels stay readable
    base = st.context.url or path
    return f"{base}?{query}" if query else base


class SharedView:
    """A page's link kept up to date, and the "Copy link" popover in the sidebar."""

    def __init__(self, page: str, share: PageShare, others: set[str]) -> None:
        self.page, self.share, self.others = page, share, others
        self.slot = st.sidebar.empty()
        self.shown: tuple | None = None  # the link and notes the popover shows
        self.done()

    def done(self) -> None:
        """Write the view's settings into the link and show the link (again, after the
        widgets: what they changed in this run is then in it)."""
        state = st.session_state
        write_link(self.share, self.others, state)
        shown = (full_link(self.page), tuple(self.share.notes(state)))
        if shown == self.shown:
            return  # the widgets changed nothing in the link: the popover stays as drawn
        self.shown = shown
        link, notes = shown
        popover = self.slot.container().popover(
            t("share.copy_link"), icon=":material/link:", width="stretch"
        )
        with popover:
            st.code(link, language=None, wrap_lines=True)
            st.caption(t("share.how"))
            for note in notes:
                st.info(note)


def shared_view(page: str) -> SharedView:
    """Start a page's shareable view: read the link on the session's first run (before the
    page's widgets), write the view into the link and show the "Copy link" popover.

    Args:
        page: The page's name in `share_pages.PAGES` ("convolution").

    Returns:
        The `SharedView`: call its `done()` after the page's widgets.
    """
    share = PAGES[page]()
    if not st.session_state.get(SEEDED_KEY):
        st.session_state[SEEDED_KEY] = True
        link = {name: st.query_params.get(name) for name in share.parameters}
        link = {name: text for name, text in link.items() if text is not None}
        for problem in seed_state(share.settings, link, st.session_state, language()):
            st.warning(problem)
    return SharedView(page, share, _other_parameters(page) - share.parameters)


@functools.cache
def _other_parameters(page: str) -> frozenset[str]:
    """The link parameters of every other page's view (names only: the same in every session
    and language), built once per server rather than on every rerun."""
    return frozenset().union(*(build().parameters for name, build in PAGES.items() if name != page))
