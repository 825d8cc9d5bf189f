"""CSV exports: exact values back, the grid and long layouts, and clear errors."""

import csv
import io

import numpy as np
import pytest

from cnnviz import exports


def read_grid(text: str, dtype) -> np.ndarray:
    """Reference reader: NumPy's own CSV parser, then the exported dtype."""
    return np.loadtxt(io.StringIO(text), delimiter=",", dtype=np.float64, ndmin=2).astype(dtype)


def test_float32_values_read_back_exactly():
    rng = np.random.default_rng(0)
    values = (rng.normal(size=(26, 26)) * 10.0 ** rng.integers(-8, 8, (26, 26))).astype(np.float32)
    values[0, :4] = [np.float32(0.1), np.float32(1 / 3), np.finfo(np.float32).tiny, -0.0]
    back = read_grid(exports.array_csv(values), np.float32)
    np.testing.assert_array_equal(back.view(np.uint32), values.view(np.uint32))


def test_float32_uses_the_shortest_decimal():
    # 0.1 as float32 is 0.100000001490116...: its shortest float32 text is "0.1".
    assert exports.array_csv(np.array([[0.1, 2.5]], dtype=np.float32)) == "0.1,2.5\n"


def test_float64_values_read_back_exactly():
    values = np.random.default_rng(1).normal(size=(5, 7)) / 3
    back = read_grid(exports.array_csv(values), np.float64)
    np.testing.assert_array_equal(back, values)


def test_integers_stay_whole_and_nan_is_written():
    assert exports.array_csv(np.array([[0, 255], [7, 1]], dtype=np.uint8)) == "0,255\n7,1\n"
    text = exports.array_csv(np.array([[np.nan, np.inf, -np.inf]]))
    assert text == "nan,inf,-inf\n"
    assert np.isnan(read_grid(text, np.float64)[0, 0])


def test_a_grid_has_one_line_per_row_and_one_field_per_column():
    rows = list(csv.reader(io.StringIO(exports.array_csv(np.zeros((3, 5))))))
    assert [len(row) for row in rows] == [5, 5, 5]


def test_a_stack_of_maps_is_one_long_table_that_rebuilds_it():
    maps = np.random.default_rng(2).normal(size=(4, 3, 5)).astype(np.float32)
    rows = list(csv.DictReader(io.StringIO(exports.maps_csv(maps))))
    assert list(rows[0]) == ["map", "row", "col", "value"]
    assert len(rows) == maps.size
    rebuilt = np.full(maps.shape, np.nan, np.float32)
    for row in rows:
        rebuilt[int(row["row"]), int(row["col"]), int(row["map"])] = np.float32(row["value"])
    np.testing.assert_array_equal(rebuilt, maps)
    # Maps in order, each row by row: the first map's cells come first.
    assert [(r["map"], r["row"], r["col"]) for r in rows[:4]] == [
        ("0", "0", "0"),
        ("0", "0", "1"),
        ("0", "0", "2"),
        ("0", "1", "0"),
    ]


def test_named_maps_keep_their_names_quoted_as_csv_needs():
    text = exports.maps_csv({"Sobel x, then ReLU": np.array([[1.5]]), "b": np.array([[2]])})
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[1:] == [["Sobel x, then ReLU", "0", "0", "1.5"], ["b", "0", "0", "2"]]


def test_filters_are_exported_as_drawn_averaged_over_input_channels():
    kernel = np.random.default_rng(3).normal(size=(3, 3, 2, 4)).astype(np.float32)
    rows = list(csv.DictReader(io.StringIO(exports.filters_csv(kernel))))
    cell = next(r for r in rows if (r["map"], r["row"], r["col"]) == ("3", "2", "1"))
    assert np.float32(cell["value"]) == kernel[2, 1, :, 3].mean(dtype=np.float32)
    first_layer = kernel[:, :, :1, :]  # one input channel: the weights themselves
    rows = list(csv.DictReader(io.StringIO(exports.filters_csv(first_layer))))
    assert np.float32(rows[0]["value"]) == first_layer[0, 0, 0, 0]


@pytest.mark.parametrize(
    ("call", "values", "message"),
    [
        (exports.array_csv, np.zeros((2, 2, 2)), r"2-D array.*Received shape \(2, 2, 2\)"),
        (exports.array_csv, np.array([["a"]]), r"numbers.*Received an array of dtype <U1"),
        (exports.maps_csv, np.zeros((2, 2)), r"\(height, width, maps\).*Received shape \(2, 2\)"),
        (exports.filters_csv, np.zeros((3, 3, 4)), r"Received \(3, 3, 4\)"),
    ],
)
def test_bad_arrays_are_refused_with_what_was_received(call, values, message):
    with pytest.raises(ValueError, match=message):
        call(values)


@pytest.mark.parametrize(
    ("parts", "stem"),
    [
        (("Sobel x", "kernel"), "sobel-x-kernel"),
        (("conv2d_1", "feature maps"), "conv2d-1-feature-maps"),
        (("mapas de características", "conv2d_1"), "mapas-de-caracteristicas-conv2d-1"),
        (("ReLU(output)",), "relu-output"),
        (("¿?",), "array"),
    ],
)
def test_file_stems_say_what_a_file_holds_in_plain_ascii(parts, stem):
    assert exports.file_stem(*parts) == stem
