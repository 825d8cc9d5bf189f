"""The shared image picker remembers the learner's choice from page to page."""

import hashlib

import numpy as np
import pytest

from cnnviz import convolution, datasets, images
from tests.app.conftest import component_data, page_test, png_bytes

pytestmark = pytest.mark.slow


def test_the_chosen_digit_follows_the_learner_to_the_convolution_page():
    at = page_test().run()
    at.selectbox(key="picker_class").set_value("7").run()
    at.number_input(key="picker_index").set_value(3).run()
    at.switch_page("lessons/convolution.py").run()
    assert not at.exception
    assert at.selectbox(key="picker_class").value == "7"
    assert at.number_input(key="picker_index").value == 3
    sample = datasets.load_dataset("mnist-sample")
    digit = sample.x_test[np.flatnonzero(sample.y_test == 7)[3]]
    expected = convolution.convolve2d(digit, convolution.KERNELS["Horizontal lines"].values)
    output = component_data(at, "window_explorer")["output"]["values"]
    np.testing.assert_allclose(output, expected, rtol=1e-6)


def test_the_source_and_builtin_choice_survive_a_round_trip():
    at = page_test().run()
    at.radio(key="picker_source").set_value("Built-in image").run()
    at.selectbox(key="picker_builtin").set_value("Circle").run()
    at.switch_page("lessons/pooling.py").run()
    at.switch_page("lessons/home.py").run()
    assert not at.exception
    assert at.radio(key="picker_source").value == "Built-in image"
    assert at.selectbox(key="picker_builtin").value == "Circle"


def width_shares(node, share=1.0, found=None):
    """Each keyed widget's share of the page's width: the product of its columns' weights."""
    found = {} if found is None else found
    if getattr(node, "type", None) == "column":
        share *= node.weight
    if getattr(node, "key", None):
        found[node.key] = share
    for child in getattr(node, "children", {}).values():
        width_shares(child, share, found)
    return found


def test_the_class_select_has_room_for_its_longest_choice():
    at = page_test().run()
    shares = width_shares(at.main)
    # The picker has two fifths of the page; three widgets in a row left "Class" 2/7 of it,
    # which cut "Any class" to "Any cl" at 1280 and 1400 pixels wide.
    assert shares["picker_dataset"] == pytest.approx(0.4)
    assert min(shares["picker_class"], shares["picker_index"]) >= 0.2 - 1e-9


def test_an_upload_is_decoded_once_and_its_reduction_is_said_on_every_page(monkeypatch):
    decoded_sizes = []
    decode_image = images.decode_image

    def counting(data):
        decoded_sizes.append(len(data))
        return decode_image(data)

    monkeypatch.setattr(images, "decode_image", counting)
    # Unique pixels, so that no other test's upload is in the server's cache already.
    photo = np.random.default_rng().integers(0, 256, (6, 4200, 3), dtype=np.uint8)
    data = png_bytes(photo)
    at = page_test().run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("strip.png", data, "image/png").run()
    at.run()
    at.switch_page("lessons/convolution.py").run()
    assert not at.exception
    assert decoded_sizes == [len(data)], "reruns and other pages reuse the decoded upload"
    saved = at.session_state["picker_saved_upload"]
    assert saved.digest == hashlib.sha256(data).hexdigest() and saved.name == "strip.png"
    captions = " ".join(caption.value for caption in at.caption)
    assert "Reduced on upload from 4200×6 to 2100×3 pixels (each 2×2 block averaged)" in captions
