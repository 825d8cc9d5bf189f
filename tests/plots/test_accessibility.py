"""Figures readable without telling red from green, and every heatmap readable as numbers.

Colour blindness is simulated with Machado, Oliveira and Fernandes's matrices (2009, severity
1: protanopia, deuteranopia, tritanopia) on linear RGB, and colours compared in CIELAB: the
same method colour-vision simulators use. A scale that sets red against green (RdYlGn) fails
the same checks: they can fail.
"""

from __future__ import annotations

import ast
import itertools
from pathlib import Path

import numpy as np
import plotly.colors
import pytest

from cnnviz import plots
from cnnviz.network import lecture_config, shape_series
from cnnviz.plots import base, feature_maps, pixels, training, transfer, transfer_results
from cnnviz.plots.pixels import cell_colours
from cnnviz.training.events import EpochEvent
from cnnviz.transfer.config import METHODS
from cnnviz.transfer.results import LayerScore, TransferEpoch

MACHADO = {
    "protanopia": [
        [0.152286, 1.052583, -0.204868],
        [0.114503, 0.786281, 0.099216],
        [-0.003882, -0.048116, 1.051998],
    ],
    "deuteranopia": [
        [0.367322, 0.860646, -0.227968],
        [0.280085, 0.672501, 0.047413],
        [-0.011820, 0.042940, 0.968881],
    ],
    "tritanopia": [
        [1.255528, -0.076749, -0.178779],
        [-0.078411, 0.930809, 0.147602],
        [0.004733, 0.691367, 0.303900],
    ],
}
VISIONS = [None, *MACHADO]
# CIELAB distance below which two flat colours are hard to tell apart at a glance.
DISTINCT = 20.0


def seen(rgb, vision: str | None) -> np.ndarray:
    """CIELAB of sRGB colours (0..255, last axis) as a viewer with `vision` sees them."""
    srgb = np.asarray(rgb, dtype=np.float64) / 255.0
    linear = np.where(srgb <= 0.04045, srgb / 12.92, ((srgb + 0.055) / 1.055) ** 2.4)
    if vision is not None:
        linear = np.clip(linear @ np.array(MACHADO[vision]).T, 0.0, 1.0)
    to_xyz = np.array(
        [[0.4124, 0.3576, 0.1805], [0.2126, 0.7152, 0.0722], [0.0193, 0.1192, 0.9505]]
    )
    xyz = linear @ to_xyz.T / np.array([0.95047, 1.0, 1.08883])
    f = np.where(xyz > 0.008856, np.cbrt(xyz), 7.787 * xyz + 16 / 116)
    return np.stack(
        [116 * f[..., 1] - 16, 500 * (f[..., 0] - f[..., 1]), 200 * (f[..., 1] - f[..., 2])],
        axis=-1,
    )


def hex_rgb(colour: str) -> list[int]:
    return list(plotly.colors.hex_to_rgb(colour))


def along(scale, steps: int = 21) -> np.ndarray:
    """The scale's colours at evenly spaced values, interpolated as plotly paints them."""
    return cell_colours(np.linspace(0.0, 1.0, steps), scale, (0.0, 1.0))


def sequential_ok(scale) -> bool:
    """Lightness rises (or falls) steadily along the scale for every viewer, over a wide span."""
    for vision in VISIONS:
        lightness = seen(along(scale), vision)[:, 0]
        steps = np.diff(lightness)
        if not (np.all(steps > 0) or np.all(steps < 0)) or np.ptp(lightness) < 50:
            return False
    return True


def diverging_ok(scale) -> bool:
    """For every viewer, a negative and a positive value of the same size differ clearly."""
    colours = along(scale)
    for vision in VISIONS:
        lab = seen(colours, vision)
        # -x and +x for |x| from a third of the range up (values near 0 are near white).
        for low, high in zip(range(0, 7), range(20, 13, -1), strict=True):
            if np.linalg.norm(lab[low] - lab[high]) < DISTINCT:
                return False
    return True


@pytest.mark.parametrize("scale", [plots.SEQUENTIAL, base.EVIDENCE])
def test_the_sequential_scales_read_by_lightness_for_every_viewer(scale):
    assert sequential_ok(scale)


def test_the_diverging_scale_tells_signs_apart_for_every_viewer():
    assert plots.DIVERGING == "RdBu_r"
    assert diverging_ok(plots.DIVERGING)


def test_a_red_green_scale_fails_the_same_checks():
    assert not diverging_ok("RdYlGn")
    assert not sequential_ok("Jet")


def min_distance(colours: list[str]) -> float:
    """The smallest CIELAB distance between two of `colours`, over every kind of vision."""
    return min(
        float(np.linalg.norm(seen(hex_rgb(a), vision) - seen(hex_rgb(b), vision)))
        for vision in VISIONS
        for a, b in itertools.combinations(colours, 2)
    )


def test_colours_that_name_kinds_differ_for_every_viewer():
    layers = [transfer.CONV_GREY, transfer.POOL_RED, transfer.DENSE_BLUE, transfer.SOFTMAX_BLACK]
    assert min_distance(layers) >= DISTINCT
    assert min_distance([training.TRAIN_COLOUR, training.VALIDATION_COLOUR]) >= DISTINCT
    bars = feature_maps.probability_bars([0.1, 0.9], ["a", "b"]).data[0].marker.color
    assert min_distance(list(bars)) >= DISTINCT
    # The lecture's original red and green: what a deuteranope cannot tell apart.
    assert min_distance(["#d62728", "#2ca02c"]) < DISTINCT


def test_the_predicted_class_is_marked_by_a_pattern_too():
    figure = feature_maps.probability_bars([0.1, 0.7, 0.2], ["a", "b", "c"])
    assert list(figure.data[0].marker.pattern.shape) == ["", "/", ""]


# ---------------------------------------------------------------------------------------------
# Every heatmap has a numeric legend (a colour bar with its values) or a number in every cell.

RNG = np.random.default_rng(0)
HEATMAP_FIGURES = {
    "pixel_grid": lambda: pixels.pixel_grid(RNG.integers(0, 256, (5, 6))),
    "number_grid": lambda: plots.number_grid(RNG.normal(size=(3, 3))),
    "image_gallery": lambda: pixels.image_gallery(RNG.random((3, 8, 8)), ["a", "b", "c"]),
    "evidence_overlay": lambda: feature_maps.evidence_overlay(
        RNG.random((8, 8)), RNG.random((8, 8))
    ),
    "input_figure": lambda: feature_maps.input_figure(RNG.random((28, 28))),
    "filter_grid": lambda: feature_maps.filter_grid(RNG.normal(size=(3, 3, 1, 4))),
    "confusion_matrix": lambda: training.confusion_matrix([[5, 1], [0, 4]], ["a", "b"]),
}
# Builders of figures from traces made elsewhere (their callers are listed above).
FROM_TRACES = {"heatmap", "tile_figure", "mosaic_figure"}


def heatmap_builders() -> set[str]:
    """Every public function of `cnnviz.plots` whose code draws a heatmap, found in the source."""
    found = set()
    for path in Path(plots.__file__).parent.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.FunctionDef) and not node.name.startswith("_"):
                code = ast.unparse(node)
                if any(word in code for word in ("Heatmap", "'heatmap'", "heatmap(", "_grid(")):
                    found.add(node.name)
    return found - FROM_TRACES


def test_every_heatmap_builder_is_checked_here():
    assert heatmap_builders() <= set(HEATMAP_FIGURES), "add the new heatmap to HEATMAP_FIGURES"


@pytest.mark.parametrize("name", sorted(HEATMAP_FIGURES))
def test_every_heatmap_has_a_colour_bar_with_values_or_a_number_in_every_cell(name):
    figure = HEATMAP_FIGURES[name]()
    heatmaps = [trace for trace in figure.data if trace.type == "heatmap"]
    assert heatmaps
    numbered = all(trace.texttemplate for trace in heatmaps)
    legends = [trace for trace in heatmaps if trace.showscale is not False]
    if numbered:
        first = heatmaps[0]
        z = np.asarray(first.z, dtype=np.float64)
        assert np.isfinite(z).any() and "%{z" in first.texttemplate, "every cell's value written"
        return
    assert legends, f"{name}: a heatmap with neither numbers nor a colour bar"
    for trace in legends:
        assert trace.colorbar.showticklabels is not False, f"{name}: a colour bar without values"
    scales = {str(trace.colorscale) for trace in heatmaps}
    assert len(legends) >= len(scales), f"{name}: a colour scale without a legend"


def test_the_gallery_shares_one_legend_for_all_its_tiles():
    figure = pixels.image_gallery(RNG.integers(0, 256, (4, 8, 8), dtype=np.uint8), list("abcd"))
    shown = [trace.showscale for trace in figure.data]
    assert shown == [True, False, False, False]
    assert {(trace.zmin, trace.zmax) for trace in figure.data} == {(0, 255)}


# ---------------------------------------------------------------------------------------------
# Compared runs are told apart by dash and marker, not by hue alone.


def test_run_styles_differ_in_dash_and_marker_for_the_first_forty_two_runs():
    styles = [base.run_style(number) for number in range(42)]
    pairs = {(style["line"]["dash"], style["marker"]["symbol"]) for style in styles}
    assert len(pairs) == 42
    for one, other in itertools.pairwise(styles):
        assert one["line"]["dash"] != other["line"]["dash"]
        assert one["marker"]["symbol"] != other["marker"]["symbol"]


def epoch_event(epoch: int, value: float) -> EpochEvent:
    return EpochEvent(epoch, 3, 1.0, value, 1.0, value, epoch, 1.0, 1.0, 1e-3)


def line_styles(figure) -> list[tuple[str, str]]:
    return [(trace.line.dash, trace.marker.symbol) for trace in figure.data]


def test_compared_training_runs_differ_in_dash_and_marker_and_are_named():
    histories = {f"run-{n}": [epoch_event(e, 0.5 + n / 20) for e in (1, 2)] for n in range(5)}
    figure = training.run_overlay(histories)
    styles = line_styles(figure)
    assert len(set(styles)) == 5 and len({dash for dash, _ in styles}) == 5
    assert [trace.name for trace in figure.data] == list(histories)
    assert figure.layout.showlegend is not False


def test_transfer_methods_differ_in_dash_and_marker():
    events = [
        TransferEpoch(method, 1, epoch, 2, 1.0, 0.5, 1.0, 0.5, 1e-3, 0.1)
        for method in METHODS
        for epoch in (1, 2)
    ]
    styles = line_styles(transfer_results.method_curves(events))
    assert len(styles) == len(METHODS) and len(set(styles)) == len(METHODS)
    scores = [LayerScore("block1_pool", "MaxPooling2D", 10, 0.5, 0.6, 1.0)]
    assert len(set(line_styles(transfer_results.layer_accuracy(scores)))) == 2


def test_training_and_validation_curves_differ_in_dash_and_marker():
    figure = training.training_curves([], [epoch_event(1, 0.5)])
    per_epoch = [trace for trace in figure.data if "per epoch" in (trace.name or "")]
    styles = {(trace.line.dash, trace.marker.symbol) for trace in per_epoch}
    assert len(per_epoch) == 4 and len(styles) == 2


def test_the_shape_diagram_names_channels_and_units_in_words_too():
    figure = plots.shape_diagram(shape_series(lecture_config()))
    words = {annotation.text for annotation in figure.layout.annotations}
    assert {"channels", "units"} <= words
