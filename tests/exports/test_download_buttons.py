"""The pages' download buttons: named for what they hold, and holding what the page shows.

The buttons hand Streamlit a function that makes the file on a click (a deferred download);
AppTest keeps neither those functions nor stored files after a run, so the fixture `downloads`
records each one as the page registers it, and `download` makes the file as a click would.
"""

import csv
import io
import json

import numpy as np
import pytest
from PIL import Image
from streamlit.runtime.media_file_manager import MediaFileManager
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from cnnviz import convolution, datasets, exports, plots, ui
from cnnviz.training import TrainingConfig
from cnnviz.training.keras_script import keras_script
from tests.app.conftest import REPO, chart, component_data, page_test, unpack_component

pytestmark = pytest.mark.slow


@pytest.fixture
def downloads(monkeypatch):
    """Every file a download button was given, by id: `(make the bytes, file name)`."""
    recorded = {}
    store, defer = MemoryMediaFileStorage.load_and_get_id, MediaFileManager.add_deferred

    def stored(self, path_or_data, mimetype, kind, filename=None):
        file_id = store(self, path_or_data, mimetype, kind, filename)
        recorded[file_id] = (lambda: bytes(path_or_data), filename)
        return file_id

    def deferred(self, data_callable, mimetype, coordinates, file_name=None, **options):
        file_id = defer(self, data_callable, mimetype, coordinates, file_name, **options)
        recorded[file_id] = (data_callable, file_name)
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", stored)
    monkeypatch.setattr(MediaFileManager, "add_deferred", deferred)
    return recorded


def download(at, recorded, key: str) -> tuple[str, bytes]:
    """`(file name, bytes)` of the download button with widget key `key`, as a click gets."""
    (button,) = [b for b in at.get("download_button") if b.proto.id.endswith(key)]
    file_id = button.proto.deferred_file_id or button.proto.url.rsplit("/", 1)[1].split(".")[0]
    make, name = recorded[file_id]
    data = make()
    return name, data.encode() if isinstance(data, str) else data


def grid(data: bytes) -> np.ndarray:
    return np.loadtxt(io.StringIO(data.decode()), delimiter=",", ndmin=2)


def long_table(data: bytes) -> list[dict]:
    return list(csv.DictReader(io.StringIO(data.decode())))


def picture(data: bytes) -> np.ndarray:
    return np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))


def test_convolution_page_offers_the_kernel_and_the_output_it_shows(downloads):
    at = page_test("lessons/convolution.py").run()
    assert not at.exception
    kernel = convolution.KERNELS["Horizontal lines"].values
    name, data = download(at, downloads, "convolution_kernel_csv")
    assert name == "horizontal-lines-kernel.csv"
    np.testing.assert_array_equal(grid(data), kernel)
    name, data = download(at, downloads, "convolution_kernel_png")
    assert name == "horizontal-lines-kernel.png"
    image = picture(data)
    cell = image.shape[0] // 3
    assert image.shape == (3 * cell, 3 * cell, 3) and cell > 50
    explorer = component_data(at, "window_explorer")
    # The page draws its kernel (rotated: the same here) on a scale from -2 to 2: -1 is pale
    # blue, 2 the darkest red.
    scale = explorer["kernel_scale"]
    expected = plots.pixels.cell_colours(kernel, scale["stops"], (scale["low"], scale["high"]))
    np.testing.assert_allclose(image[cell // 2 :: cell, cell // 2 :: cell], expected, atol=1)
    np.testing.assert_array_equal(image[cell + 5, 5], [103, 0, 31])

    shown = explorer["output"]["values"].astype(np.float64)
    name, data = download(at, downloads, "convolution_output_csv")
    assert name == "horizontal-lines-output.csv"
    np.testing.assert_array_equal(grid(data), shown)
    name, data = download(at, downloads, "convolution_output_png")
    image = picture(data)
    cell = exports.cell_pixels(shown.shape)
    assert name == "horizontal-lines-output.png" and image.shape[:2] == (26 * cell, 26 * cell)
    scale = explorer["output"]["scale"]
    expected = plots.pixels.cell_colours(shown, scale["stops"], (scale["low"], scale["high"]))
    np.testing.assert_allclose(image[cell // 2 :: cell, cell // 2 :: cell], expected, atol=1)


def test_a_changed_kernel_changes_what_is_downloaded(downloads):
    at = page_test("lessons/convolution.py").run()
    at.selectbox(key="convolution_preset").set_value("Sobel vertical edges").run()
    name, data = download(at, downloads, "convolution_kernel_csv")
    assert name == "sobel-vertical-edges-kernel.csv"
    np.testing.assert_array_equal(grid(data), convolution.KERNELS["Sobel vertical edges"].values)


def test_the_filtering_gallery_downloads_every_map_it_shows(downloads):
    at = page_test("lessons/convolution.py").run()
    gallery = component_data(at, "map_gallery")
    name, data = download(at, downloads, "convolution_gallery_csv")
    assert name == "convolution-gallery-maps.csv"
    rows = long_table(data)
    for shown in gallery["maps"]:
        values = shown["values"]["values"]
        mine = [row for row in rows if row["map"] == shown["title"]]
        assert len(mine) == values.size
        table = np.zeros(values.shape)
        for row in mine:
            table[int(row["row"]), int(row["col"])] = float(row["value"])
        np.testing.assert_array_equal(table, values)
    name, data = download(at, downloads, "convolution_gallery_png")
    assert name == "convolution-gallery-maps.png" and picture(data).ndim == 3


def test_the_buttons_speak_spanish_and_name_the_files_in_it(downloads):
    at = page_test("lessons/convolution.py")
    at.query_params["lang"] = "es"
    at.run()
    assert not at.exception
    labels = [b.proto.label for b in at.get("download_button")]
    assert "Kernel (PNG)" in labels and "Salida (CSV)" in labels
    name, _ = download(at, downloads, "convolution_kernel_csv")
    assert name.startswith("kernel-") and name.endswith(".csv")


def test_pooling_page_offers_the_map_and_the_pooled_map(downloads):
    at = page_test("lessons/pooling.py").run()
    assert not at.exception
    explorer = component_data(at, "window_explorer")
    for key, part in (("pooling_input", "input"), ("pooling_pooled", "output")):
        name, data = download(at, downloads, f"{key}_csv")
        assert name.startswith(("max-", "average-")) and name.endswith(".csv")
        np.testing.assert_array_equal(grid(data), explorer[part]["values"].astype(np.float64))
        name, data = download(at, downloads, f"{key}_png")
        scale = explorer[part]["scale"]
        values = explorer[part]["values"].astype(np.float64)
        image = picture(data)
        cell = exports.cell_pixels(values.shape)
        expected = plots.pixels.cell_colours(values, scale["stops"], (scale["low"], scale["high"]))
        np.testing.assert_allclose(image[cell // 2 :: cell, cell // 2 :: cell], expected, atol=1)


@pytest.fixture(scope="module")
def engine():
    yield
    ui.engine_client().close()
    ui.engine_client.clear()


def test_feature_maps_page_offers_a_layers_maps_and_the_learned_filters(engine, downloads):
    at = page_test("lessons/feature_maps.py")
    at.session_state["feature_maps_model"] = "lecture"
    at.session_state["feature_maps_tab"] = "Learned filters"
    at.run()
    assert not at.exception
    overview = [
        e for e in at.get("bidi_component") if e.proto.component_name == "cnnviz.network_overview"
    ]
    layers = unpack_component(json.loads(overview[0].proto.json))["layers"]
    first = layers[0]["values"]["values"]  # conv2d_1's 26×26×16 maps, as the overview got them
    name, data = download(at, downloads, "feature_maps_export_csv")
    assert name == "conv2d-1-feature-maps.csv"
    rows = long_table(data)
    assert len(rows) == first.size
    rebuilt = np.zeros(first.shape, np.float32)
    for row in rows:
        rebuilt[int(row["row"]), int(row["col"]), int(row["map"])] = np.float32(row["value"])
    np.testing.assert_array_equal(rebuilt, first)
    name, data = download(at, downloads, "feature_maps_export_png")
    assert name == "conv2d-1-feature-maps.png"
    cell = exports.cell_pixels((26, 26), 112)
    image = picture(data)
    assert image.shape[:2] == ((2 * 27 - 1) * cell, (8 * 27 - 1) * cell)  # 2×8 tiles
    # The overview paints a ReLU layer white to red, from 0 to the layer's largest value.
    data_sent = unpack_component(json.loads(overview[0].proto.json))
    assert layers[0]["never_negative"]
    stops = data_sent["scales"]["never_negative"]
    ninth = first[:, :, 9]  # second row of tiles, second column
    expected = plots.pixels.cell_colours(ninth, stops, (0.0, float(np.abs(first).max())))
    top, left = 27 * cell, 27 * cell
    tile = image[top : top + 26 * cell, left : left + 26 * cell]
    np.testing.assert_allclose(tile[cell // 2 :: cell, cell // 2 :: cell], expected, atol=1)

    at.selectbox(key="feature_maps_export_layer").set_value("max_pooling2d_2").run()
    name, _ = download(at, downloads, "feature_maps_export_csv")
    assert name == "max-pooling2d-2-feature-maps.csv"

    figure = chart(at, "feature_maps_filters_conv2d_1")  # the page's 2×8 filter mosaic
    mosaic = np.asarray(figure["data"][0]["z"], dtype=np.float64)
    name, data = download(at, downloads, "feature_maps_export_conv2d_1_csv")
    assert name == "conv2d-1-filters.csv"
    rows = long_table(data)
    assert len(rows) == 16 * 9
    for row in rows:
        index, r, c = int(row["map"]), int(row["row"]), int(row["col"])
        top, left = (index // 8) * 4 + r, (index % 8) * 4 + c
        assert np.float32(row["value"]) == np.float32(mosaic[top, left])
    name, data = download(at, downloads, "feature_maps_export_conv2d_1_png")
    assert name == "conv2d-1-filters.png" and picture(data).shape[:2] == (7 * 37, 31 * 37)


def test_training_page_offers_a_runs_keras_script_and_the_sample(engine, downloads):
    at = page_test("lessons/training.py")
    at.session_state["training_inspect"] = "lecture"
    at.run()
    assert not at.exception
    manifest = json.loads((REPO / "assets/models/lecture.json").read_text())
    name, data = download(at, downloads, "training_export_script")
    assert name == "lecture-keras.py"
    assert data.decode() == keras_script(TrainingConfig.from_dict(manifest["config"]), "lecture")
    name, data = download(at, downloads, "training_export_sample")
    assert name == "mnist-sample.npz"
    sample = datasets.load_dataset("mnist-sample")
    with np.load(io.BytesIO(data)) as saved:
        np.testing.assert_array_equal(saved["x_test"], sample.x_test)
        np.testing.assert_array_equal(saved["y_train"], sample.y_train)
