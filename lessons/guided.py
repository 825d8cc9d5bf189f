"""Guided lesson: the lecture in nine steps, each with an experiment and a question whose
answer shows only after a prediction."""

import streamlit as st

from cnnviz import guide
from cnnviz.ui import guided, guided_experiments
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t

st.title(t("guided.page_title"))
st.markdown(t("guided.intro"))

number = guided.guided_step()
step = guide.STEPS[number - 1]
try:
    questions = guided.lesson_questions(language())
except (ValueError, OSError) as error:
    st.error(t("guided.error", message=message(error)))
    st.stop()
guided.progress(number, questions)
guided.step_buttons(number)
st.caption(t("guided.keys"))

st.header(f"{number}. {step.text('title', language())}")
st.markdown(step.text("explanation", language()))

st.subheader(t("guided.experiment"))
st.markdown(step.text("experiment", language()))
guided_experiments.EXPERIMENTS[step.key]()
guided.full_page_link(step.page)

guided.ask(step.key, questions[step.key])
if number == len(guide.STEPS):
    st.success(t("guided.finished"))
