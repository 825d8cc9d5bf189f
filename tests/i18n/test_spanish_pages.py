"""Every page of the lesson, opened with `?lang=es`, shows Spanish only.

Each page of `app.py` is rendered as a learner first sees it (and the home page with each of
the picker's input sources), and every text of its element tree (see `visible_text`) is
searched for common English words outside code, LaTeX and proper names. A failure lists each
English text with the words found in it.
"""

from __future__ import annotations

import pytest

from cnnviz import ui
from cnnviz.ui.picker import SOURCES
from tests.app.conftest import HOME, page_test
from tests.i18n.visible_text import english_words, visible_texts

PAGES = [page.script for page in (*ui.LESSON, ui.GUIDED)]  # every page `app.py` declares


def spanish_page(script: str):
    at = page_test(script)
    at.query_params["lang"] = "es"
    return at.run()


def assert_spanish_only(at, where: str) -> None:
    """No exception on the page, and no English word in any text it shows (each one listed)."""
    assert not at.exception, [exception.message for exception in at.exception]
    english = {text: words for text in visible_texts(at) if (words := english_words(text))}
    listing = "\n".join(f"  {sorted(set(w))}: {text[:160]!r}" for text, w in english.items())
    assert not english, f"{where} shows English in Spanish ({len(english)} texts):\n{listing}"


def test_the_english_detector_finds_english_and_leaves_code_and_spanish_alone():
    assert english_words("Pick an image to see the output of each layer.") == [
        "Pick", "an", "image", "to", "see", "the", "output", "of", "each", "layer",
    ]  # fmt: skip
    spanish = 'Elige una imagen: el kernel de 3×3 se desliza con `padding="same"` y $y = x$.'
    assert english_words(spanish) == []
    code = "`the_layer`, ```\nmodel.fit(x, epochs=3)\n```, $\\text{the input}$ y /tmp/the/images"
    assert english_words(code) == []
    names = "output (Dense) → (None, 10)"  # a layer's name, as `model.summary()` prints it
    assert english_words(names) == [] and english_words("keras.datasets.mnist.load_data()") == []
    assert english_words("La red: the output is red") == ["the", "output", "is"]


@pytest.mark.slow
def test_visible_texts_reads_widgets_tables_and_charts():
    at = page_test("lessons/architecture.py").run()  # English: it has all three kinds
    texts = set(visible_texts(at))
    assert "Architecture" in texts  # the title
    assert {"Reset to the lecture's model", "Kernel size", "same"} <= texts  # widgets
    assert {"Layer (type)", "conv2d_1 (Conv2D)"} <= texts  # the summary's header and a cell
    assert "map height" in texts  # a chart's axis title


@pytest.mark.slow  # the seven pages take about a minute (the Training page starts the engine)
@pytest.mark.parametrize("script", PAGES)
def test_the_page_renders_in_spanish_with_no_english_left(script, models_dir):
    assert_spanish_only(spanish_page(script), script)


@pytest.mark.slow
@pytest.mark.parametrize("source", SOURCES)
def test_each_input_source_of_the_picker_is_in_spanish(source):
    at = spanish_page(HOME)
    at.radio(key="picker_source").set_value(source).run()
    assert_spanish_only(at, f"The home page with {source!r}")
