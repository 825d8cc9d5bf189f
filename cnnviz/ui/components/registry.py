"""Registering a component from its folder of files, once per process."""

from __future__ import annotations

import functools
from pathlib import Path

import streamlit as st

HERE = Path(__file__).resolve().parent


@functools.cache
def component(folder: str):
    """The mount function of the component in `folder` (its `*.js` after `common.js`, its
    `*.css` after `common.css`).

    Streamlit registers it again on every runtime it meets (each AppTest has its own), from the
    strings captured here.
    """
    files = HERE / folder
    (script,) = files.glob("*.js")
    (style,) = files.glob("*.css")
    common_js = (HERE / "common.js").read_text(encoding="utf-8")
    common_css = (HERE / "common.css").read_text(encoding="utf-8")
    return st.components.v2.component(
        f"cnnviz.{folder}",
        js=common_js + "\n" + script.read_text(encoding="utf-8"),
        css=common_css + "\n" + style.read_text(encoding="utf-8"),
    )
