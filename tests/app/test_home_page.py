import base64
import io

import numpy as np
import pytest
from PIL import Image

from cnnviz import datasets, images
from cnnviz.datasets import download as downloads
from cnnviz.datasets import offline as data
from cnnviz.formatting import format_bytes
from cnnviz.ui.components.photo_window import store_window
from tests.app.conftest import canvas_state, chart, component_data, page_test, png_bytes
from tests.images.test_decode import tiff_with_strip_offsets_of_type_rational

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
    # One window at a time, the last flush with the edge: rows 0, 16, 24; columns 0 … 34.
    assert at.select_slider(key="home_window_top").options == ["0", "16", "24"]
    assert at.select_slider(key="home_window_left").options == ["0", "16", "32", "34"]
    at.select_slider(key="home_window_top").set_value(24).run()
    at.select_slider(key="home_window_left").set_value(34).run()
    np.testing.assert_array_equal(grid_values(at, "Green"), photo[24:40, 34:50, 1])
    assert "[1, 40, 50, 3]" in " ".join(m.value for m in at.markdown)


def large_photo(height=4000, width=5000):
    """A photo-sized RGB image whose every pixel is different enough to check (gradients)."""
    rows = np.arange(height, dtype=np.uint32)[:, None]
    cols = np.arange(width, dtype=np.uint32)[None, :]
    red = (cols % 256) * np.ones_like(rows)
    green = (rows % 256) * np.ones_like(cols)
    blue = (rows + cols) % 251
    return np.dstack([red, green, blue]).astype(np.uint8)


def test_a_photo_4096_pixels_wide_shows_its_own_pixels_and_where_the_window_is():
    photo = large_photo(3200, 4096)  # the widest the server keeps as it is
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("big.png", png_bytes(photo), "image/png").run()
    assert not at.exception
    columns = at.select_slider(key="home_window_left").options
    assert len(columns) == 256 and columns[:3] == ["0", "16", "32"] and columns[-1] == "4080"
    at.select_slider(key="home_window_top").set_value(2000).run()
    at.select_slider(key="home_window_left").set_value(4080).run()
    np.testing.assert_array_equal(grid_values(at, "Red"), photo[2000:2016, 4080:4096, 0])
    np.testing.assert_array_equal(grid_values(at, "Blue"), photo[2000:2016, 4080:4096, 2])
    seen = component_data(at, "photo_window")
    assert seen["size"] == [3200, 4096] and seen["window"] == [2000, 4080] and seen["side"] == 16
    assert seen["positions"]["cols"][-1] == 4080 and len(seen["positions"]["rows"]) == 200
    picture = base64.b64decode(seen["picture"].split(",", 1)[1])
    shown = np.asarray(Image.open(io.BytesIO(picture)))
    assert shown.shape == (500, 640, 3), "the photo itself is sent shrunk, as a JPEG"
    assert len(picture) < 200_000
    captions = " ".join(caption.value for caption in at.caption)
    assert "red ring" in captions and "The numbers are the original pixels." in captions
    assert "Reduced on upload" not in captions


def block_means(image: np.ndarray, factor: int) -> np.ndarray:
    """Each factor × factor block's mean, rounded half up (the sides divide by `factor`)."""
    height, width, channels = image.shape
    blocks = image.reshape(height // factor, factor, width // factor, factor, channels)
    sums = blocks.sum(axis=(1, 3), dtype=np.int64)
    return ((sums + factor * factor // 2) // (factor * factor)).astype(np.uint8)


def test_a_photo_over_4096_pixels_is_reduced_on_upload_and_the_page_says_so():
    photo = large_photo(3000, 5000)
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("wide.png", png_bytes(photo), "image/png").run()
    assert not at.exception
    captions = " ".join(caption.value for caption in at.caption)
    assert (
        "Reduced on upload from 5000×3000 to 2500×1500 pixels (each 2×2 block averaged): "
        "the server keeps images at most 4,096 pixels on a side." in captions
    )
    assert "The numbers are those of the reduced 2500×1500 image, not the 5000×3000" in captions
    assert "original pixels" not in captions
    assert component_data(at, "photo_window")["size"] == [1500, 2500]
    at.select_slider(key="home_window_top").set_value(992).run()
    at.select_slider(key="home_window_left").set_value(2480).run()
    reduced = block_means(photo, 2)
    np.testing.assert_array_equal(grid_values(at, "Red"), reduced[992:1008, 2480:2496, 0])
    np.testing.assert_array_equal(grid_values(at, "Blue"), reduced[992:1008, 2480:2496, 2])
    assert "[1, 1500, 2500, 3]" in " ".join(m.value for m in at.markdown)


def test_a_click_on_the_photo_moves_the_window(monkeypatch):
    photo = large_photo(400, 500)
    at = page_test(HOME).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    at.file_uploader(key="picker_upload").upload("big.png", png_bytes(photo), "image/png").run()
    # What the component's click does: its state, then its callback before the next run.
    state = {"home_photo": {"window": [112, 480]}}
    monkeypatch.setattr("streamlit.session_state", state)
    store_window("home_photo", ("home_window_top", "home_window_left"))
    monkeypatch.undo()
    at.session_state["home_window_top"] = state["home_window_top"]
    at.session_state["home_window_left"] = state["home_window_left"]
    at.run()
    assert not at.exception
    assert component_data(at, "photo_window")["window"] == [112, 480]
    np.testing.assert_array_equal(grid_values(at, "Red"), photo[112:128, 480:496, 0])


@pytest.mark.parametrize("page", [HOME, "lessons/convolution.py", "lessons/feature_maps.py"])
def test_a_crafted_tiff_shows_a_message_on_every_image_page_and_after_a_switch(page):
    at = page_test(page).run()
    at.radio(key="picker_source").set_value("Upload a photo").run()
    crafted = tiff_with_strip_offsets_of_type_rational()
    at.file_uploader(key="picker_upload").upload("crafted.tiff", crafted, "image/tiff").run()
    assert not at.exception
    assert any("damaged and could not be decoded" in e.value for e in at.error)
    at.switch_page("lessons/pooling.py").run()  # the remembered bytes, on another page
    assert not at.exception
    assert any("damaged and could not be decoded" in e.value for e in at.error)


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


def test_numbers_are_written_white_on_dark_cells_and_black_on_light_ones():
    at = page_test(HOME).run()
    every, dark = chart(at, "home_grid_Gray")["data"]
    values = np.asarray(every["z"])
    written_white = ~np.isnan(np.asarray(dark["z"], dtype=float))
    assert (every["textfont"]["color"], dark["textfont"]["color"]) == ("#000000", "#ffffff")
    assert written_white[values <= 100].all() and not written_white[values >= 140].any()
    np.testing.assert_array_equal(
        np.asarray(dark["z"], dtype=float)[written_white], values[written_white]
    )
