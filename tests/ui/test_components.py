"""What the browser components receive: arrays packed exactly, the geometry of a sliding
window, receptive fields, a gallery's titles and scales, a photo sent small."""

import base64
import dataclasses
import io

import numpy as np
import pytest
import scipy.signal
from PIL import Image

from cnnviz import convolution
from cnnviz.network import LayerActivation
from cnnviz.network.forward_pass import receptive_field
from cnnviz.ui.components import WindowView, colour_scale, encode_array, exact_dtype
from cnnviz.ui.components.map_gallery import gallery_data
from cnnviz.ui.components.network_overview import receptive_fields
from cnnviz.ui.components.number_grids import grids_data
from cnnviz.ui.components.photo_window import picture_url
from cnnviz.ui.components.window_explorer import explorer_data


def decode(packed):
    raw = base64.b64decode(packed["data"])
    return np.frombuffer(raw, dtype=packed["dtype"]).reshape(packed["shape"])


@pytest.mark.parametrize(
    ("values", "dtype"),
    [
        (np.arange(256).reshape(16, 16), "uint8"),
        (np.array([[0.5, -3.25], [1e6, 0.0]]), "float32"),
        (np.array([1 / 9, 2.0]), "float64"),
        (np.array([np.nan, 1.0]), "float32"),
        (np.array([-1, 256]), "float32"),
    ],
)
def test_arrays_travel_in_the_smallest_exact_dtype(values, dtype):
    packed = encode_array(values)
    assert packed["dtype"] == dtype == exact_dtype(values).name
    np.testing.assert_array_equal(decode(packed).astype(np.float64), values)


def test_a_kernel_window_knows_its_padding_and_the_kernel_as_applied():
    image = np.random.default_rng(0).integers(0, 256, (28, 28), dtype=np.uint8)
    kernel = convolution.KERNELS["Sobel vertical edges"].values
    output = convolution.convolve2d(image, kernel, strides=2, padding="same")
    view = WindowView(
        input=image,
        output=output,
        size=3,
        strides=2,
        padding="same",
        kernel=np.flip(kernel),
        method=None,
        titles=("Input", "Window × kernel", "Output"),
        scales=(colour_scale("RdBu_r", -1, 1), colour_scale("RdBu_r", -1, 1)),
    )
    data = explorer_data(view, (3, 4))
    # TensorFlow pads 28 by 1 for 3×3 windows every 2 pixels: 0 before, 1 after.
    assert data["pad"] == [0, 0] and data["strides"] == 2 and data["pick"] == [3, 4]
    np.testing.assert_array_equal(decode(data["input"]), image)
    assert data["input"]["dtype"] == "uint8"
    # What the browser computes for output (3, 4): the window times the kernel as applied.
    window = image[6:9, 8:11].astype(np.float64)
    products = window * np.asarray(data["kernel"])
    assert products.sum() == output[3, 4]
    reference = scipy.signal.convolve2d(image.astype(float), kernel, mode="full")[1:-1, 1:-1]
    assert output[3, 4] == reference[6 + 1, 8 + 1]


def test_the_version_changes_with_the_arrays_not_with_the_pick():
    image = np.zeros((5, 5), np.uint8)
    view = WindowView(
        image,
        np.zeros((3, 3)),
        3,
        1,
        "valid",
        np.ones((3, 3)),
        None,
        ("a", "b", "c"),
        (colour_scale("RdBu_r", -1, 1),) * 2,
    )
    moved = explorer_data(view, (1, 1))
    assert explorer_data(view, (0, 0))["version"] == moved["version"]
    brighter = dataclasses.replace(view, input=image + 1)
    assert explorer_data(brighter, (0, 0))["version"] != moved["version"]


def test_receptive_fields_per_row_and_column_match_the_cell_by_cell_walk():
    conv = LayerActivation(
        "c1",
        "Conv2D",
        np.zeros((26, 26, 4)),
        config={"kernel_size": (3, 3), "strides": (1, 1), "padding": "valid"},
    )
    pool = LayerActivation(
        "p1",
        "MaxPooling2D",
        np.zeros((13, 13, 4)),
        config={"pool_size": (2, 2), "strides": (2, 2), "padding": "valid"},
    )
    layers = [conv, pool]
    rows, cols = receptive_fields(layers, 1, (28, 28))
    for r in range(13):
        for c in range(0, 13, 4):
            top, left, height, width = receptive_field(layers, 1, r, c, (28, 28))
            assert rows[r] == [top, height] and cols[c] == [left, width]
    assert rows[0] == [0, 4] and rows[12] == [24, 4]


def test_a_gallery_titles_each_map_with_its_largest_value_and_a_flat_map_with_0():
    maps = {"Strong": np.array([[0.0, -2500.0], [3.0, 1.0]]), "Flat": np.zeros((2, 2))}
    data = gallery_data(maps, columns=5, shared_scale=False)
    assert [m["title"] for m in data["maps"]] == ["Strong", "Flat"]
    assert [m["subtitle"] for m in data["maps"]] == ["max |value| 2,500", "max |value| 0"]
    assert data["limit"] == 2500 and not data["shared"] and data["columns"] == 5
    np.testing.assert_array_equal(decode(data["maps"][0]["values"]), maps["Strong"])
    shared = gallery_data(maps, columns=2, shared_scale=True)
    assert shared["shared"] and all(m["subtitle"] is None for m in shared["maps"])
    assert shared["stops"][0][1] == "rgb(5,48,97)" and shared["stops"][-1][1] == "rgb(103,0,31)"


def test_a_large_photo_travels_as_a_small_jpeg():
    photo = np.random.default_rng(1).integers(0, 256, (3000, 4000, 3), dtype=np.uint8)
    url = picture_url(photo)
    assert url.startswith("data:image/jpeg;base64,")
    shown = Image.open(io.BytesIO(base64.b64decode(url.split(",", 1)[1])))
    assert shown.size == (640, 480)


def test_number_grids_keep_padding_as_nan_and_mark_the_winner():
    window = np.array([[1.5, np.nan], [7.0, 2.0]])
    data = grids_data([("max pooling window", window)], marked=(0, 1, 0))
    (grid,) = data["grids"]
    assert grid["marked"] == [1, 0] and grid["values"]["dtype"] == "float32"
    np.testing.assert_array_equal(decode(grid["values"]), window)
    assert (grid["scale"]["low"], grid["scale"]["high"]) == (-7.0, 7.0)
