"""The guided lesson's steps: the lecture's order, their pages and words, links, the score."""

from pathlib import Path

import pytest

from cnnviz import guide, i18n
from cnnviz.guide import STEPS, Question

REPO = Path(__file__).resolve().parents[2]
LECTURE_ORDER = (
    "pixels",  # how computers see
    "convolution",  # convolution and kernels
    "parameters",  # CNN structure and parameters
    "pooling",
    "mnist",  # the MNIST example
    "filters",  # learned filters
    "regularisation",  # batch normalisation and spatial dropout
    "design",  # design practice
    "transfer",  # transfer learning
)


def test_the_steps_follow_the_lecture_and_link_to_pages_that_exist():
    assert tuple(step.key for step in STEPS) == LECTURE_ORDER
    for step in STEPS:
        assert (REPO / step.page).is_file(), step.page


@pytest.mark.parametrize("language", ["en", "es"])
@pytest.mark.parametrize("part", ["title", "explanation", "experiment"])
def test_every_step_has_its_words_in_both_languages(language, part):
    texts = [step.text(part, language) for step in STEPS]
    assert all(text and not text.startswith("guided.") for text in texts)
    assert len(set(texts)) == len(STEPS)
    if language == "es" and part != "title":  # a title may be a borrowed word: "Pooling"
        english = [step.text(part, "en") for step in STEPS]
        assert all(a != b for a, b in zip(texts, english, strict=True))


def test_a_step_refuses_an_unknown_part_and_find_step_an_unknown_key():
    with pytest.raises(ValueError, match="Received 'summary'"):
        STEPS[0].text("summary")
    assert guide.find_step("pooling") is STEPS[3]
    with pytest.raises(ValueError, match="Received 'loss'"):
        guide.find_step("loss")


@pytest.mark.parametrize(("text", "number"), [(None, 1), ("", 1), ("1", 1), ("4", 4), (" 9 ", 9)])
def test_a_link_asks_for_a_step_by_number(text, number):
    assert guide.step_number(text) == number


@pytest.mark.parametrize("text", ["0", "10", "-1", "3.5", "three", "4abc"])
def test_a_step_the_lesson_does_not_have_is_refused_saying_what_was_received(text):
    with pytest.raises(ValueError, match=rf"from 1 to 9\. Received '{text}'"):
        guide.step_number(text)


def test_the_score_counts_answers_and_right_answers():
    questions = {
        "a": Question("?", ("x", "y"), 1, "because"),
        "b": Question("?", ("x", "y", "z"), 0, "because"),
        "c": Question("?", ("x", "y"), 0, "because"),
    }
    assert guide.score(questions, {}) == (0, 0)
    assert guide.score(questions, {"a": 1, "b": 2}) == (2, 1)
    assert guide.score(questions, {"a": 1, "b": 0, "c": 0, "elsewhere": 3}) == (3, 3)
    with pytest.raises(ValueError, match="Received 5"):
        guide.score(questions, {"a": 5})


def test_every_catalog_key_of_the_lesson_exists_in_both_languages_with_the_same_placeholders():
    english = {k: v for k, v in i18n.catalog("en").items() if k.startswith("guided.")}
    spanish = {k: v for k, v in i18n.catalog("es").items() if k.startswith("guided.")}
    assert english.keys() == spanish.keys()
    for key, text in english.items():
        assert i18n.placeholders(text) == i18n.placeholders(spanish[key]), key
