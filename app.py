"""cnnviz: `streamlit run app.py` opens the lesson, one page per part of the lecture.

The pages are the scripts in `lessons/`, listed in the lecture's order in `cnnviz.ui.LESSON`
(their titles, icons and what each teaches); the sidebar lists them by what they teach. (Not
`pages/`: Streamlit would also serve a folder of that name by itself, without this navigation,
to the first visitor who opens a page's address directly.)
"""

import streamlit as st

from cnnviz import ui

st.set_page_config(page_title="cnnviz", page_icon="🔢", layout="wide")
ui.compact_top()
ui.language_switch()
pages = [st.Page(page.script, title=ui.t(page.title_key), icon=page.icon) for page in ui.LESSON]
guided = st.Page(ui.GUIDED.script, title=ui.t(ui.GUIDED.title_key), icon=ui.GUIDED.icon)
page = st.navigation({ui.t("navigation.section"): pages, ui.t("guided.section"): [guided]})
ui.presenter_controls(page.url_path)
page.run()
