"""The lesson's pages plus a title-only page, for `bench_classroom.py` (not for learners)."""

import streamlit as st

from cnnviz import ui

st.set_page_config(page_title="cnnviz bench", layout="wide")
pages = [st.Page(f"../../{page.script}", title=page.title) for page in ui.LESSON]
pages.append(st.Page("title_only.py", title="Title only", url_path="title_only"))
st.navigation(pages).run()
