"""The guided lesson's views: which step is shown, moving between steps, progress, questions.

The step lives in the session (`guided_step`) and in the link (`?step=3`, the only query
parameter this page touches), so a teacher can send a link to a step. Previous and Next take a
presentation clicker's PageUp and PageDown; a second, hidden button per direction takes the
arrow keys (a button has one shortcut). Answers are kept in the session by step key
(`guided_answers`), so going back shows what was answered. Nothing here uses the sidebar, so
the page works the same in presenter mode.
"""

from __future__ import annotations

import json

import streamlit as st

from cnnviz import guide
from cnnviz.datasets import load_dataset
from cnnviz.guide import STEPS, Question
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.ui.language import t
from cnnviz.ui.navigation import LESSON

STEP_KEY = "guided_step"
ANSWERS_KEY = "guided_answers"
STEP_PARAMETER = "step"
DIGIT_INDEX = 0  # the sample digit the first question counts the numbers of
# The arrow-key buttons do what Previous and Next do, out of sight and out of the Tab order
# (`visibility: hidden`, out of the flow). Not `display: none`: Streamlit does not draw what
# has no width, and a button that is not drawn has no shortcut.
HIDDEN_KEYS_CSS = (
    "<style>.st-key-guided_arrow_keys, :has(> .st-key-guided_arrow_keys) { visibility: hidden; "
    "position: absolute; width: 12rem; height: 1px; overflow: hidden; }</style>"
)


def guided_step() -> int:
    """The step shown (1 first): the session's, or the link's `?step=` on the session's first
    run (a step the link cannot have is said, and step 1 shown); written back into the link."""
    if STEP_KEY not in st.session_state:
        asked = st.query_params.get(STEP_PARAMETER)
        try:
            st.session_state[STEP_KEY] = guide.step_number(asked)
        except ValueError:
            st.session_state[STEP_KEY] = 1
            st.warning(t("guided.bad_step", received=repr(asked), count=len(STEPS)))
    number = st.session_state[STEP_KEY]
    if st.query_params.get(STEP_PARAMETER) != str(number):
        st.query_params[STEP_PARAMETER] = str(number)
    return number


def _move(change: int) -> None:
    number = st.session_state.get(STEP_KEY, 1) + change
    st.session_state[STEP_KEY] = min(max(number, 1), len(STEPS))


def step_buttons(number: int) -> None:
    """Previous (PageUp) and Next (PageDown), and their hidden twins for ← and →."""
    first, last = number == 1, number == len(STEPS)
    back, forward = st.columns(2)
    back.button(
        t("guided.previous"),
        key="guided_previous",
        icon=":material/arrow_back:",
        shortcut="PageUp",
        disabled=first,
        on_click=_move,
        args=(-1,),
        width="stretch",
    )
    forward.button(
        t("guided.next"),
        key="guided_next",
        icon=":material/arrow_forward:",
        shortcut="PageDown",
        disabled=last,
        on_click=_move,
        args=(1,),
        type="primary",
        width="stretch",
    )
    st.html(HIDDEN_KEYS_CSS)
    with st.container(key="guided_arrow_keys"):
        for name, shortcut, change, disabled in (
            ("guided_previous_arrow", "Left", -1, first),
            ("guided_next_arrow", "Right", 1, last),
        ):
            label = t("guided.previous" if change < 0 else "guided.next")
            st.button(
                label,
                key=name,
                shortcut=shortcut,
                disabled=disabled,
                on_click=_move,
                args=(change,),
            )


@st.cache_data(show_spinner=False, max_entries=4)
def lesson_questions(language: str) -> dict[str, Question]:
    """Every step's question in `language`, by step key, computed by the core once."""
    sample = load_dataset("mnist-sample")
    manifests = {}
    for name in ("lecture", "regularised"):
        with (BUNDLED_MODELS_DIR / f"{name}.json").open(encoding="utf-8") as file:
            manifests[name] = json.load(file)
    return {
        "pixels": guide.pixels_question(sample.x_test[DIGIT_INDEX], language=language),
        "convolution": guide.kernel_question(sample.x_test[guide.SEVEN_INDEX], language),
        "parameters": guide.parameters_question(language=language),
        "pooling": guide.pooling_question(language=language),
        "mnist": guide.flatten_question(language),
        "filters": guide.receptive_field_question(language=language),
        "regularisation": guide.generalisation_question(
            manifests["lecture"], manifests["regularised"], language
        ),
        "design": guide.design_question(language),
        "transfer": guide.transfer_question(language=language),
    }


def answers() -> dict[str, int]:
    """The choices given so far, by step key (kept in the session)."""
    return st.session_state.setdefault(ANSWERS_KEY, {})


def progress(number: int, questions: dict[str, Question]) -> None:
    """ "Step 3 of 9" as a bar, how many questions were answered right, and a mark per step."""
    st.progress(number / len(STEPS), text=t("guided.progress", step=number, count=len(STEPS)))
    answered, right = guide.score(questions, answers())
    marks = []
    for place, step in enumerate(STEPS, start=1):
        choice = answers().get(step.key)
        if choice is None:
            mark, word = "○", t("guided.mark_open")
        elif questions[step.key].is_right(choice):
            mark, word = "✓", t("guided.mark_right")
        else:
            mark, word = "✗", t("guided.mark_wrong")
        marks.append(f"{place} {mark}" if place != number else f"**{place} {mark}**")
        marks[-1] = f'<span title="{word}">{marks[-1]}</span>'
    st.markdown(
        f"{t('guided.score', answered=answered, count=len(STEPS), right=right)} "
        f"{t('guided.marks_title')}: " + " · ".join(marks),
        unsafe_allow_html=True,
    )


def _record(key: str) -> None:
    choice = st.session_state.get(f"guided_answer_{key}")
    if choice is not None:
        answers()[key] = choice


def _ask_again(key: str) -> None:
    answers().pop(key, None)
    st.session_state.pop(f"guided_answer_{key}", None)


def ask(key: str, question: Question) -> None:
    """The question; once a choice is made, whether it is right, the answer and why."""
    st.subheader(t("guided.question"))
    st.markdown(f"**{question.prompt}**")
    choice = answers().get(key)
    options = list(range(len(question.choices)))
    if choice is None:
        st.radio(
            t("guided.pick"),
            options,
            index=None,
            format_func=question.choices.__getitem__,
            key=f"guided_answer_{key}",
            on_change=_record,
            args=(key,),
        )
        st.caption(t("guided.hidden"))
        return
    st.radio(
        t("guided.pick"),
        options,
        index=choice,
        format_func=question.choices.__getitem__,
        key=f"guided_answered_{key}",
        disabled=True,
    )
    if question.is_right(choice):
        st.success(t("guided.right", answer=question.right_choice), icon=":material/check:")
    else:
        chosen = question.choices[choice]
        st.error(
            t("guided.wrong", chosen=chosen, answer=question.right_choice), icon=":material/close:"
        )
    st.info(question.explanation)
    st.button(t("guided.ask_again"), key=f"guided_again_{key}", on_click=_ask_again, args=(key,))


def full_page_link(script: str) -> None:
    """A link to the page that treats the step's topic in full."""
    page = next(page for page in LESSON if page.script == script)
    st.page_link(script, label=t("guided.full_page", title=t(page.title_key)), icon=page.icon)
