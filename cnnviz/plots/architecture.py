"""A network's shapes and the memory one training step needs (the Architecture page)."""

from __future__ import annotations

import math

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz import i18n
from cnnviz.network.layers import ShapeSeries

MAP_COLOUR, CHANNEL_COLOUR, UNIT_COLOUR = "#72b7b2", "#4c78a8", "#f58518"


def shape_diagram(series: ShapeSeries, *, language: str = "en") -> go.Figure:
    """How a CNN's feature maps shrink while their channels grow, layer by layer.

    Two panels share the layers: above, the height of each layer's maps (bars labelled
    height×width); below, its channels, then the units of the flat layers from Flatten on, on
    a log axis whose ticks are powers of two (each grid line doubles), so that 1 → 16 → 32
    channels stay as visible as Flatten's hundreds of units. Channels and units are coloured
    apart: a unit is one number, a channel a whole map.

    Args:
        series: `cnnviz.network.layers.shape_series(config)`: names, map sides (None for
            flat layers) and channels or units, the input first.
        language: The labels' language ("en" or "es").

    Returns:
        A figure with two bar traces, the maps' heights then the channels and units.
    """

    def word(key: str, **values) -> str:
        return i18n.translate(language, f"architecture.plots.{key}", **values)

    # The input is no layer of Keras's: it is named in the learner's language.
    names = [word("input") if name == "input" else name for name in series.names]
    spatial = series.spatial

    figure = make_subplots(rows=2, cols=1, shared_xaxes=True, vertical_spacing=0.06)
    pairs = zip(series.sides, series.widths, strict=True)
    sizes = [f"{height}×{width}" if height is not None else "" for height, width in pairs]
    figure.add_trace(
        go.Bar(
            x=names, y=series.sides, name=word("map_height"), marker_color=MAP_COLOUR, text=sizes
        ),
        row=1,
        col=1,
    )
    kinds = [word("channels")] * spatial + [word("units")] * (len(names) - spatial)
    figure.add_trace(
        go.Bar(
            x=names,
            y=series.channels,
            name=word("channels_units"),
            marker_color=[CHANNEL_COLOUR] * spatial + [UNIT_COLOUR] * (len(names) - spatial),
            text=[f"{value:,}" for value in series.channels],
            textposition="outside",
            customdata=kinds,
            hovertemplate="%{x}: %{y:,} %{customdata}<extra></extra>",
        ),
        row=2,
        col=1,
    )
    ticks = power_of_two_ticks(max(series.channels))
    figure.update_yaxes(title_text=word("map_height_axis"), rangemode="tozero", row=1, col=1)
    figure.update_yaxes(
        title_text=word("channels_axis"),
        type="log",
        tickvals=ticks,
        ticktext=[f"{tick:,}" for tick in ticks],
        range=[math.log10(0.5), math.log10(ticks[-1] * 2.5)],
        row=2,
        col=1,
    )
    _mark_flatten(figure, series, word)
    figure.update_traces(textangle=0, cliponaxis=False)
    figure.update_yaxes(automargin=True, title_standoff=6)
    figure.update_xaxes(automargin=True)
    figure.update_layout(
        height=460,
        margin=dict(l=10, r=10, t=20, b=10),
        showlegend=False,
        bargap=0.25,
        # Labels that would not fit at a readable size are left to the hover.
        uniformtext={"minsize": 10, "mode": "hide"},
    )
    return figure


def power_of_two_ticks(top: int) -> list[int]:
    """Ticks 1, 2, 4, … up to the first power of two at or above `top`; every other one
    (1, 4, 16, …), or every third, when that would be more than 11 ticks.

    Example:
        >>> power_of_two_ticks(800)
        [1, 2, 4, 8, 16, 32, 64, 128, 256, 512, 1024]
        >>> power_of_two_ticks(1600)
        [1, 4, 16, 64, 256, 1024, 4096]
    """
    highest = max(1, math.ceil(math.log2(max(top, 1))))
    step = math.ceil(highest / 10)
    return [2**exponent for exponent in range(0, highest + step, step)]


def _mark_flatten(figure: go.Figure, series: ShapeSeries, word) -> None:
    """A dotted line where the maps end, the two kinds of bars named, and what Flatten does."""
    spatial, flat = series.spatial, len(series.names) - series.spatial
    if flat == 0:
        return
    figure.add_vline(x=spatial - 0.5, line={"dash": "dot", "color": "#888888", "width": 1})
    last = spatial - 1
    figure.add_annotation(
        x=spatial - 0.5 + flat / 2,
        y=0.5,
        xref="x",
        yref="y domain",
        text=word(
            "flatten",
            height=series.sides[last],
            width=series.widths[last],
            channels=series.channels[last],
            units=series.channels[spatial],
        ),
        showarrow=False,
        font={"color": UNIT_COLOUR},
    )
    for x, text, colour in (
        ((spatial - 1) / 2, word("channels"), CHANNEL_COLOUR),
        (spatial - 0.5 + flat / 2, word("units"), UNIT_COLOUR),
    ):
        figure.add_annotation(
            x=x,
            y=1.0,
            xref="x",
            yref="y2 domain",
            yanchor="top",
            text=text,
            showarrow=False,
            font={"color": colour},
        )


def memory_bars(parts: dict[str, int]) -> go.Figure:
    """Horizontal bars of memory in megabytes, one per part (weights, activations of a layer…)."""
    names = list(parts)
    megabytes = [parts[name] / 1e6 for name in names]
    figure = go.Figure(
        go.Bar(
            x=megabytes,
            y=names,
            orientation="h",
            text=[f"{value:.2f} MB" for value in megabytes],
            textposition="auto",
        )
    )
    figure.update_yaxes(autorange="reversed")
    figure.update_layout(
        height=max(200, 24 * len(names) + 60),
        margin=dict(l=10, r=10, t=20, b=30),
        xaxis_title="MB",
    )
    return figure
