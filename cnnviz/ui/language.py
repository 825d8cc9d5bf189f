"""The page's language: English or Spanish, from the browser, the link or the sidebar's switch.

`t(key, **values)` is how every Streamlit-side module writes words: the message `key` of the
catalogs (`cnnviz.i18n`) in this session's language. The language is, in order: the one picked
with the sidebar's switch, the link's `lang` parameter, the browser's (`st.context.locale`).
"""

from __future__ import annotations

import streamlit as st

from cnnviz import i18n

LANGUAGE_KEY = "language"
LANGUAGE_PARAMETER = "lang"


def language() -> str:
    """This session's language code ("en" or "es")."""
    picked = st.session_state.get(LANGUAGE_KEY)
    if picked in i18n.LANGUAGES:
        return picked
    linked = st.query_params.get(LANGUAGE_PARAMETER)
    if linked in i18n.LANGUAGES:
        return linked
    return i18n.language_for_locale(st.context.locale)


def t(key: str, **values) -> str:
    """The message `key` in this session's language, with `values` filled in."""
    return i18n.translate(language(), key, **values)


def _keep_in_link(picked: str) -> None:
    """A language other than the browser's goes into the link (on every page: a change of
    page clears the link's parameters), so that the link opens in it; the browser's own
    language needs no parameter."""
    if picked != i18n.language_for_locale(st.context.locale):
        if st.query_params.get(LANGUAGE_PARAMETER) != picked:
            st.query_params[LANGUAGE_PARAMETER] = picked
    elif LANGUAGE_PARAMETER in st.query_params:
        del st.query_params[LANGUAGE_PARAMETER]


def language_switch() -> None:
    """The sidebar's language switch (English / Español), starting on `language()`."""
    if st.session_state.get(LANGUAGE_KEY) not in i18n.LANGUAGES:
        st.session_state[LANGUAGE_KEY] = language()
    st.sidebar.segmented_control(
        f"{i18n.translate('en', 'common.language')} / {i18n.translate('es', 'common.language')}",
        options=list(i18n.LANGUAGES),
        format_func=i18n.LANGUAGES.get,
        key=LANGUAGE_KEY,
        required=True,
    )
    _keep_in_link(st.session_state[LANGUAGE_KEY])
