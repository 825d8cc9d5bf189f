"""Pages give each key figure a text alternative (a caption) and a table of its numbers.

The expected sentences are worked out here from the core's arrays (NumPy's argmax and argmin),
not from `cnnviz.plots.summaries`.
"""

import numpy as np
import pytest

from cnnviz import convolution, datasets
from cnnviz.network import lecture_config, shape_series
from tests.app.conftest import chart, page_test

pytestmark = pytest.mark.slow

CONVOLUTION = "lessons/convolution.py"
ARCHITECTURE = "lessons/architecture.py"


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def places(output: np.ndarray):
    high = np.unravel_index(np.argmax(output), output.shape)
    low = np.unravel_index(np.argmin(output), output.shape)
    return high, low


def number(value: float, comma: bool = False) -> str:
    text = f"{value:.4g}".replace("-", "−")
    return text.replace(".", ",") if comma else text


def english(output: np.ndarray) -> str:
    (hr, hc), (lr, lc) = places(output)
    return (
        f"The output is {output.shape[0]}×{output.shape[1]}; its largest value is "
        f"{number(output[hr, hc])} at row {hr}, column {hc}, its smallest "
        f"{number(output[lr, lc])} at row {lr}, column {lc}."
    )


def spanish(output: np.ndarray) -> str:
    (hr, hc), (lr, lc) = places(output)
    return (
        f"La salida es de {output.shape[0]}×{output.shape[1]}; su valor más alto es "
        f"{number(output[hr, hc], True)}, en la fila {hr}, columna {hc}, y el más bajo "
        f"{number(output[lr, lc], True)}, en la fila {lr}, columna {lc}."
    )


def captions(at) -> list[str]:
    return [caption.value for caption in at.caption]


def grid_tables(at, shape) -> list[np.ndarray]:
    """The tables of grids (rows numbered, columns 0, 1, …) of the given shape."""
    return [
        frame.value.to_numpy()
        for frame in at.dataframe
        if frame.value.shape == shape and list(frame.value.columns)[:2] == ["0", "1"]
    ]


def test_the_convolution_output_is_described_in_words_and_tabulated(digit):
    at = page_test(CONVOLUTION).run()
    assert not at.exception
    kernel = convolution.KERNELS["Horizontal lines"].values
    output = convolution.convolve2d(digit, kernel, 1, "valid", True)
    assert english(output) in captions(at)
    assert any(np.array_equal(table, output) for table in grid_tables(at, output.shape))

    at.slider(key="convolution_strides").set_value(2).run()
    strided = convolution.convolve2d(digit, kernel, 2, "valid", True)
    assert strided.shape == (13, 13)
    assert english(strided) in captions(at)
    assert english(output) not in captions(at)
    assert any(np.array_equal(table, strided) for table in grid_tables(at, strided.shape))


def test_the_kernels_compared_are_described_and_tabulated():
    at = page_test(CONVOLUTION).run()
    described = [text for text in captions(at) if "kernel is 3×3, with weights from" in text]
    assert len(described) == 2, captions(at)


def test_the_caption_speaks_spanish(digit):
    at = page_test(CONVOLUTION)
    at.query_params["lang"] = "es"
    at.run()
    assert not at.exception
    kernel = convolution.KERNELS["Horizontal lines"].values
    output = convolution.convolve2d(digit, kernel, 1, "valid", True)
    assert spanish(output) in captions(at)


def test_the_architecture_diagram_is_described_and_tabulated():
    at = page_test(ARCHITECTURE).run()
    assert not at.exception
    series = shape_series(lecture_config())
    first, last = 0, series.spatial - 1
    expected = (
        f"The maps shrink from {series.sides[first]}×{series.widths[first]} to "
        f"{series.sides[last]}×{series.widths[last]} while the channels grow from "
        f"{series.channels[first]} to {series.channels[last]}; the output has "
        f"{series.channels[-1]} units."
    )
    assert expected in captions(at)
    table = next(f.value for f in at.dataframe if "Channels or units" in f.value.columns)
    assert table["Channels or units"].tolist() == series.channels
    assert table["Layer"].tolist() == series.names


def test_presenter_mode_draws_the_charts_text_larger():
    at = page_test(ARCHITECTURE).run()
    usual = chart(at, "architecture_diagram")["layout"].get("font", {}).get("size")
    at = page_test(ARCHITECTURE)
    at.query_params["presenter"] = "1"
    at.run()
    assert not at.exception
    larger = chart(at, "architecture_diagram")["layout"]["font"]["size"]
    assert usual is None or usual < larger
    assert larger == 18
