"""The Architecture page's shape diagram: readable ticks, channels and units told apart."""

import math

import numpy as np
import pytest

from cnnviz import plots
from cnnviz.network import lecture_config, regularised_wide_config, shape_series
from cnnviz.plots.architecture import CHANNEL_COLOUR, UNIT_COLOUR, power_of_two_ticks


def axis_share(axis, value):
    """Where `value` sits on a log axis, from 0 (bottom) to 1 (top)."""
    low, high = axis.range
    return (math.log10(value) - low) / (high - low)


@pytest.mark.parametrize("config", [lecture_config(), regularised_wide_config()])
def test_channels_and_units_have_readable_power_of_two_ticks(config):
    series = shape_series(config)
    axis = plots.shape_diagram(series).layout.yaxis2
    assert axis.type == "log"
    ticks = list(axis.tickvals)
    assert ticks[0] == 1 and ticks[-1] >= max(series.channels)
    assert all(math.log2(tick).is_integer() for tick in ticks)
    assert list(axis.ticktext) == [f"{tick:,}" for tick in ticks]
    assert len(ticks) <= 11


def test_the_conv_blocks_growth_is_visible_beside_flattens_units():
    figure = plots.shape_diagram(shape_series(lecture_config()))
    axis = figure.layout.yaxis2
    one, sixteen, thirty_two, eight_hundred = (axis_share(axis, v) for v in (1, 16, 32, 800))
    # On the old linear axis 1, 16 and 32 sat within 4 % of each other under 800.
    assert sixteen - one > 0.25 and thirty_two - sixteen > 0.05
    assert one > 0 and eight_hundred < 1, "every bar ends inside the panel"


def test_spatial_and_flat_layers_are_told_apart():
    series = shape_series(lecture_config())
    figure = plots.shape_diagram(series)
    sides, channels = figure.data
    assert list(channels.marker.color) == [CHANNEL_COLOUR] * 5 + [UNIT_COLOUR] * 3
    assert list(channels.text) == ["1", "16", "16", "32", "32", "800", "32", "10"]
    assert list(sides.text)[:5] == ["28×28", "26×26", "13×13", "11×11", "5×5"]
    notes = " ".join(note.text for note in figure.layout.annotations)
    assert "5×5×32<br>= 800 units" in notes
    assert {shape.x0 for shape in figure.layout.shapes} == {4.5}, "a line where the maps end"


def test_a_network_without_flat_layers_needs_no_flatten_note():
    series = shape_series(lecture_config())
    spatial = series.spatial
    only_maps = type(series)(
        names=series.names[:spatial],
        sides=series.sides[:spatial],
        channels=series.channels[:spatial],
        widths=series.widths[:spatial],
    )
    figure = plots.shape_diagram(only_maps)
    assert not figure.layout.annotations and not figure.layout.shapes


@pytest.mark.parametrize(
    ("top", "ticks"),
    [
        (1, [1, 2]),
        (10, [1, 2, 4, 8, 16]),
        (1024, [2**n for n in range(11)]),
        (1600, [1, 4, 16, 64, 256, 1024, 4096]),
    ],
)
def test_power_of_two_ticks(top, ticks):
    assert power_of_two_ticks(top) == ticks


def test_power_of_two_ticks_always_reach_the_top():
    for top in np.unique(np.logspace(0, 7, 200).astype(int)):
        ticks = power_of_two_ticks(int(top))
        assert ticks[-1] >= top and len(ticks) <= 11
