"""The guided lesson page, driven like a learner (and a teacher with a link) drives it."""

import json

import numpy as np
import pytest
import scipy.signal

from cnnviz import datasets, guide, i18n
from cnnviz.convolution import KERNELS
from tests.app.conftest import REPO, chart, page_test
from tests.i18n.visible_text import english_words, visible_texts

pytestmark = pytest.mark.slow

PAGE = "lessons/guided.py"
# Spanish words that the English detector also lists ("red" is a network, "has" you have).
SPANISH_TOO = {"red", "has"}


def guided(step: str | None = None, lang: str | None = None):
    at = page_test(PAGE)
    if step is not None:
        at.query_params["step"] = step
    if lang is not None:
        at.query_params["lang"] = lang
    return at.run()


def heading(at) -> str:
    return at.header[0].value


def shown_step(at) -> int:
    number = int(heading(at).split(".")[0])
    assert at.query_params["step"] in (str(number), [str(number)])  # the link names the step
    return number


def texts(at, kind) -> list[str]:
    return [element.value for element in at.get(kind)]


def title(number: int, language: str = "en") -> str:
    return f"{number}. {guide.STEPS[number - 1].text('title', language)}"


def test_next_goes_from_the_first_step_to_the_last_in_the_lectures_order():
    at = guided()
    assert not at.exception
    assert heading(at) == title(1) == "1. How computers see"
    assert at.button(key="guided_previous").disabled
    for number in range(2, len(guide.STEPS) + 1):
        at.button(key="guided_next").click().run()
        assert not at.exception, number
        assert heading(at) == title(number)
        assert shown_step(at) == number
        assert f"Step {number} of 9" in at.get("progress")[0].proto.text
    assert heading(at) == "9. Transfer learning"
    assert at.button(key="guided_next").disabled
    at.button(key="guided_previous").click().run()
    assert shown_step(at) == 8


def test_the_arrow_keys_hidden_buttons_step_too():
    at = guided()
    at.button(key="guided_next_arrow").click().run()
    assert shown_step(at) == 2
    at.button(key="guided_previous_arrow").click().run()
    assert shown_step(at) == 1
    assert at.button(key="guided_previous_arrow").disabled


def test_the_answer_is_hidden_until_a_choice_and_then_computed_and_explained():
    at = guided(step="3")
    question = guide.parameters_question()
    assert question.prompt in "\n".join(texts(at, "markdown"))
    assert not at.success and not at.error and not at.info  # nothing revealed yet
    radio = at.radio(key="guided_answer_parameters")
    assert radio.value is None
    radio.set_value(question.choices.index("320")).run()  # 3·3·1·32 + 32, by hand
    assert at.success[0].value == "Right: 320."
    assert at.info[0].value == question.explanation
    assert "Answered 1 of 9, 1 right." in "\n".join(texts(at, "markdown"))


def test_a_wrong_prediction_is_told_with_the_right_answer():
    at = guided(step="4")
    question = guide.pooling_question()
    wrong = question.choices.index("13×13×16")
    at.radio(key="guided_answer_pooling").set_value(wrong).run()
    assert at.error[0].value == "Not quite: you chose 13×13×16; the answer is 13×13×32."
    assert "Answered 1 of 9, 0 right." in "\n".join(texts(at, "markdown"))
    at.button(key="guided_again_pooling").click().run()
    assert not at.error and at.radio(key="guided_answer_pooling").value is None


def test_answers_are_kept_when_going_back():
    at = guided()
    digit = datasets.load_dataset("mnist-sample").x_test[0]
    question = guide.pixels_question(digit)
    at.radio(key="guided_answer_pixels").set_value(question.answer).run()
    at.button(key="guided_next").click().run()
    at.button(key="guided_next").click().run()
    assert shown_step(at) == 3 and not at.success
    at.button(key="guided_previous").click().run()
    at.button(key="guided_previous").click().run()
    assert shown_step(at) == 1
    assert at.success[0].value == f"Right: {28 * 28}."
    assert at.radio(key="guided_answered_pixels").value == question.answer
    assert at.radio(key="guided_answered_pixels").disabled


def test_a_link_opens_a_step_and_a_step_it_cannot_have_is_said():
    at = guided(step="4")
    assert heading(at) == "4. Pooling" and shown_step(at) == 4
    at = guided(step="12")
    assert "The link asks for step '12'" in at.warning[0].value
    assert shown_step(at) == 1


def test_picking_a_kernel_shows_its_feature_map_on_the_seven():
    at = guided(step="2")
    seven = datasets.load_dataset("mnist-sample").x_test[guide.SEVEN_INDEX].astype(np.float64)
    at.selectbox(key="guided_convolution_kernel").set_value("Sobel vertical edges").run()
    shown = np.asarray(chart(at, "guided_convolution_map")["data"][0]["z"], dtype=np.float64)
    kernel = KERNELS["Sobel vertical edges"].values
    expected = scipy.signal.correlate2d(seven, kernel, mode="same")
    np.testing.assert_allclose(shown, expected)


def test_changing_a_conv_layer_changes_its_parameter_count():
    at = guided(step="3")
    assert at.metric[0].value == "320"
    at.selectbox(key="guided_parameters_channels").set_value(3).run()
    at.selectbox(key="guided_parameters_size").set_value(5).run()
    assert at.metric[0].value == f"{5 * 5 * 3 * 32 + 32:,}"
    assert at.metric[1].value == f"{28 * 28 * 3 * 32 + 32:,}"


def test_the_regularisation_question_reads_the_bundled_runs():
    at = guided(step="7")
    at.radio(key="guided_answer_regularisation").set_value(1).run()
    run = json.loads((REPO / "assets" / "models" / "regularised.json").read_text())
    matrix = np.array(run["confusion_matrix"])
    assert f"{100 * np.trace(matrix) / matrix.sum():.2f} %" in at.info[0].value
    assert at.success  # the regularised network generalises better


def test_the_lesson_in_spanish_has_no_english_left_in_any_step_or_answer():
    at = guided(lang="es")
    assert heading(at) == title(1, "es") == "1. Cómo ven los ordenadores"
    assert at.button(key="guided_next").label == i18n.translate("es", "guided.next")
    for number, step in enumerate(guide.STEPS, start=1):
        at.radio(key=f"guided_answer_{step.key}").set_value(0).run()
        assert not at.exception, number
        layer_names = {"output", "flatten", "dropout"}  # Keras's layer names, in the tables
        english = {
            text: words
            for text in visible_texts(at)
            if text not in layer_names
            and (words := [w for w in english_words(text) if w.lower() not in SPANISH_TOO])
        }
        assert not english, (number, english)
        if number < len(guide.STEPS):
            at.button(key="guided_next").click().run()
    assert heading(at) == title(9, "es")


def test_presenter_mode_shows_the_same_lesson_without_the_sidebar():
    at = page_test(PAGE)
    at.query_params["presenter"] = "1"
    at.query_params["step"] = "5"
    at.run()
    assert not at.exception
    assert heading(at) == "5. The MNIST example"
    at.button(key="guided_next").click().run()
    assert shown_step(at) == 6
    lesson_keys = [w.key for w in at.sidebar.get("button") + at.sidebar.get("radio")]
    assert not [key for key in lesson_keys if key and key.startswith("guided_")]
