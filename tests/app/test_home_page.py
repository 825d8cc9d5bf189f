import numpy as np
import pytest

from cnnviz import datasets, images
from cnnviz.datasets import download as downloads
from cnnviz.datasets import offline as data
from cnnviz.formatting import format_bytes
from tests.app.conftest import canvas_state, chart, page_test, png_bytes

pytestmark = pytest.mark.slow

HOME = "lessons/home.py"


def grid_values(at, name="Gray"):
    return np.asarray(chart(at, f"home_grid_{name}")["data"][0]["z"])


def test_home_shows_the_numbers_of_a_dataset_digit():
    at = page_test(HOME).run()
    assert not at.exception
    assert at.title[0].value == "How computers see"
    sample = datasets.load_dataset("mnist-sample")
    np.testing.assert_array_equal(grid_values(at), sample.x_test[0])
    assert "[1, 28, 28, 1]" in " ".join(m.value for m in at.markdown)


def test_choosing_a_class_and_example_changes_the_grid():
    at = page_test(HOME).run()
    at.selectbox(key="picker_class").set_value("7").run()
    at.number_input(key="picker_index").set_value(3).run()
    sample = datasets.load_dataset("mnist-sample")
    index = np.flatnonzero(sample.y_test == 7)[3]
    np.testing.assert_array_equal(grid_values(at), sample.x_test[index])
    assert f"#{index}, label 7" in chart(at, "home_seen")["layout"]["title"]["text"]


def test_random_example_picks_a_digit_of_the_chosen_class():
    at = page_test(HOME).run()
    at.selectbox(key="picker_class").set_value("3").run()
    at.button(key="picker_random").click().run()
    assert not at.exception
    assert "label 3" in chart(at, "home_seen")["layout"]["title"]["text"]


def test_normalise_toggle_divides_the_values_by_255():
    at = page_test(HOME).run()
    raw = grid_values(at)
    at.toggle(key="home_normalise").set_value(True).run()
    np.testing.assert_allclose(grid_values(at), raw / 255, atol=1e-6)


def test_upload_shows_each_channel_of_a_window_that_moves():
    rng = np.random.default_rng(0)
    photo = rng.integers(0, 256, size=(40, 50, 3), dtype=np.uint8)
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("photo.png", png_bytes(photo), "image/png").run()
    assert not at.exception
    np.testing.assert_array_equal(grid_values(at, "Red"), photo[:16, :16, 0])
    np.testing.assert_array_equal(grid_values(at, "Blue"), photo[:16, :16, 2])
    at.slider(key="home_window_top").set_value(20).run()
    at.slider(key="home_window_left").set_value(30).run()
    np.testing.assert_array_equal(grid_values(at, "Green"), photo[20:36, 30:46, 1])
    assert "[1, 40, 50, 3]" in " ".join(m.value for m in at.markdown)


def test_refused_upload_shows_an_error_not_a_traceback():
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("notes.png", b"hello there", "image/png").run()
    assert not at.exception
    assert at.error, "a refused upload must show an error element"
    assert "notes.png" in at.error[0].value


def test_drawing_becomes_a_centred_28x28_digit(drawn_seven):
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Draw a digit").run()
    assert at.info, "an empty canvas asks for a drawing"
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    assert not at.exception
    expected = np.rint(images.to_mnist(drawn_seven[:, :, :3]).result * 255)
    np.testing.assert_array_equal(grid_values(at), expected)


def test_choice_is_remembered_when_the_canvas_is_cleared(drawn_seven):
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Draw a digit").run()
    at.session_state["picker_canvas_0"] = canvas_state(drawn_seven)
    at.run()
    at.button(key="picker_clear").click().run()
    assert not at.exception
    assert at.info and "Draw a digit" in at.info[0].value
    assert at.radio(key="picker_source").value == "Draw a digit"


def test_builtin_checkerboard_shows_its_numbers():
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Built-in image").run()
    at.selectbox(key="picker_builtin").set_value("Checkerboard").run()
    board = images.synthetic_images()["Checkerboard"]
    np.testing.assert_array_equal(grid_values(at, "Red"), board[:16, :16, 0])
    assert set(np.unique(grid_values(at, "Red"))) <= {0, 255}


def test_lecture_tensor_memory_follows_the_number_of_images():
    at = page_test(HOME).run()
    values = [m.value for m in at.metric]
    assert values == ["10.1 GB", "40.5 GB"]
    at.number_input(key="home_images").set_value(1000).run()
    expected = format_bytes(images.tensor_bytes((1000, 300, 450, 3), "float32"))
    assert at.metric[1].value == expected == "1.6 GB"


def test_download_offline_says_so_and_keeps_the_sample(monkeypatch, tmp_path):
    # No network here: the download button must end in a message, never a traceback.
    monkeypatch.setenv("KERAS_HOME", str(tmp_path))
    monkeypatch.setattr(data, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    monkeypatch.setattr(data, "DEBIAN_FASHION_DIR", tmp_path / "no-debian")
    monkeypatch.setattr(downloads, "KERAS_ORIGIN", "http://127.0.0.1:9/")
    at = page_test(HOME).run()
    at.button(key="picker_download_mnist").click().run()
    assert not at.exception
    assert any("probably offline" in e.value and "mnist-sample" in e.value for e in at.error)
    assert not list(tmp_path.rglob("*.part")), "a failed download leaves no partial file"
    assert at.selectbox(key="picker_dataset").value == "mnist-sample"
