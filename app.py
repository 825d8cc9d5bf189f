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
pages = [st.Page(page.script, title=page.title, icon=page.icon) for page in ui.LESSON]
st.navigation({"The lesson": pages}).run()
