"""The own-classes form, driven like a learner: upload photos or take snapshots, name the
classes, and get a task, or a message that says what is missing.

`AppTest`'s `file_uploader(...).set_value([(name, bytes, mime), ...])` stages several files at
once, as the browser's multiple-file uploader sends them; `camera_input(...).set_value(...)`
stages one snapshot. Each class's uploader gets a new key after each addition (so it starts
empty), hence `uploader(at, class_id)`.
"""

import io

import numpy as np
import pytest
from PIL import Image
from streamlit.testing.v1 import AppTest

from cnnviz import images
from cnnviz.images import load_image
from cnnviz.transfer.own_classes import own_dataset, own_photo
from cnnviz.ui.session_keys import OWN_CLASSES
from tests.app.conftest import TIMEOUT

pytestmark = pytest.mark.slow

SCRIPT = "own_classes_script.py"


def photo_bytes(seed: int, fmt: str = "PNG") -> bytes:
    """A photo of a bright bar on a dark, noisy background; a different file for each seed."""
    rng = np.random.default_rng(seed)
    image = rng.integers(0, 30, (48, 64, 3), dtype=np.uint8)
    top, left = 4 + seed % 5 * 4, 4 + seed % 11 * 4
    image[top : top + 20, left : left + 6] = 230
    buffer = io.BytesIO()
    Image.fromarray(image).save(buffer, fmt)
    return buffer.getvalue()


def files(first_seed: int, count: int = 5) -> list[tuple[str, bytes, str]]:
    seeds = range(first_seed, first_seed + count)
    return [(f"photo{seed}.png", photo_bytes(seed), "image/png") for seed in seeds]


def uploader(at: AppTest, class_id: int):
    """The uploader of class `class_id` (its key changes after each addition)."""
    prefix = f"transfer_own_upload_{class_id}_"
    return next(widget for widget in at.file_uploader if widget.key.startswith(prefix))


def form_test() -> AppTest:
    return AppTest.from_file(SCRIPT, default_timeout=TIMEOUT).run()


def texts(elements) -> list[str]:
    return [element.value for element in elements]


def test_the_form_starts_with_two_empty_classes_and_asks_for_images():
    at = form_test()
    assert not at.exception and not at.error
    assert at.text_input(key="transfer_own_name_1").value == "class 1"
    assert at.text_input(key="transfer_own_name_2").value == "class 2"
    assert "Add at least 5 images to each of at least 2 classes" in at.info[0].value
    assert at.session_state["own_classes_script_dataset"] is None


def test_one_class_only_shows_an_error():
    at = form_test()
    uploader(at, 1).set_value(files(0)).run()
    assert not at.exception
    assert texts(at.error) == [
        "Add a second class: transfer learning needs at least two classes. You have one: "
        "'class 1' with 5 images; 'class 2' has none yet."
    ]
    assert at.session_state["own_classes_script_dataset"] is None


def test_five_images_in_each_of_two_classes_make_the_task_of_their_photos():
    at = form_test()
    at.text_input(key="transfer_own_name_1").input("cats").run()
    at.text_input(key="transfer_own_name_2").input("dogs").run()
    uploader(at, 1).set_value(files(10)).run()
    uploader(at, 2).set_value(files(20)).run()
    assert not at.exception and not at.error
    assert "**5 images**" in texts(at.markdown)
    assert "Task: ['cats', 'dogs'], train (8, 28, 28), test (2, 28, 28)" in texts(at.markdown)
    shown = at.session_state["own_classes_script_dataset"]
    photos = {
        name: [load_image(data) for _, data, _ in files(seed)]
        for name, seed in (("cats", 10), ("dogs", 20))
    }
    expected = own_dataset(photos)
    for part in ("x_train", "y_train", "x_test", "y_test"):
        np.testing.assert_array_equal(getattr(shown, part), getattr(expected, part))
    kept = at.session_state[OWN_CLASSES].classes[1].images[0].photo
    np.testing.assert_array_equal(kept, own_photo(photos["cats"][0]))


def test_an_unreadable_file_is_named_and_the_others_are_kept():
    at = form_test()
    blank = ("grey.png", _png(np.full((30, 30, 3), 128, np.uint8)), "image/png")
    unreadable = ("notes.png", b"shopping list: milk", "image/png")
    uploader(at, 1).set_value([*files(30, 3), unreadable, *files(33, 2), blank]).run()
    assert not at.exception
    errors = texts(at.error)
    assert any(
        e.startswith("Could not use 'notes.png': This looks like a text file") for e in errors
    )
    assert any(e.startswith("Could not use 'grey.png': it looks blank") for e in errors)
    assert "**5 images**" in texts(at.markdown)
    assert len(at.session_state[OWN_CLASSES].classes[1].images) == 5


def test_a_repeated_image_is_added_once():
    at = form_test()
    uploader(at, 1).set_value(files(40)).run()
    uploader(at, 2).set_value([files(40, 1)[0], *files(45)]).run()
    assert texts(at.warning) == [
        "'photo40.png' is already in class 'class 1': each image is kept once."
    ]
    assert texts(at.markdown)[:2] == ["**5 images**", "**5 images**"]


def test_each_webcam_snapshot_adds_one_image_to_the_chosen_class():
    at = form_test()
    uploader(at, 1).set_value(files(50)).run()
    at.toggle(key="transfer_own_webcam").set_value(True).run()
    assert "localhost" in " ".join(texts(at.caption))
    at.selectbox(key="transfer_own_camera_class").set_value(2).run()
    for seed in range(60, 65):
        at.camera_input[0].set_value(("image.jpg", photo_bytes(seed, "JPEG"), "image/jpeg")).run()
    assert not at.exception and not at.error
    assert texts(at.markdown)[:2] == ["**5 images**", "**5 images**"]
    assert at.session_state["own_classes_script_dataset"].num_classes == 2


def test_classes_are_added_removed_cleared_and_named_apart():
    at = form_test()
    uploader(at, 1).set_value(files(70)).run()
    uploader(at, 2).set_value(files(75)).run()
    at.button(key="transfer_own_add").click().run()
    assert texts(at.error) == [
        "Class 'class 3' has no images; add at least 5 (each class needs at least that many), "
        "or remove the class."
    ]
    at.button(key="transfer_own_remove_3").click().run()
    assert not at.error and at.session_state["own_classes_script_dataset"] is not None
    at.text_input(key="transfer_own_name_2").input("Class 1").run()
    assert texts(at.error) == [
        "Two classes are called 'class 1': give each class its own name. Received 'class 1' "
        "and 'Class 1'."
    ]
    at.text_input(key="transfer_own_name_2").input("dogs").run()
    at.button(key="transfer_own_clear_1").click().run()
    assert "You have one: 'dogs' with 5 images; 'class 1' has none yet." in at.error[0].value


def test_each_file_is_decoded_once_however_often_the_page_runs(monkeypatch):
    decoded = []
    decode_image = images.decode_image

    def counting(data):
        decoded.append(len(data))
        return decode_image(data)

    monkeypatch.setattr(images, "decode_image", counting)
    seed = int(np.random.default_rng().integers(10**6, 10**9))  # not in the server's cache yet
    at = form_test()
    uploader(at, 1).set_value(files(seed)).run()
    uploader(at, 2).set_value(files(seed + 5)).run()
    for _ in range(3):
        at.run()
    at.text_input(key="transfer_own_name_1").input("renamed").run()
    assert not at.exception and len(decoded) == 10
    assert at.session_state["own_classes_script_dataset"].class_names == ("renamed", "class 2")


def _png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG")
    return buffer.getvalue()
