"""A network's shapes and the memory one training step needs (the Architecture page)."""

from __future__ import annotations

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from cnnviz.network.layers import ShapeSeries


def shape_diagram(series: ShapeSeries) -> go.Figure:
    """How a CNN's feature maps shrink while their channels grow, layer by layer.

    Args:
        series: `cnnviz.network.layers.shape_series(config)`: names, map sides (None for
            flat layers) and channels or units, the input first.
    """
    names = series.names
    figure = make_subplots(specs=[[{"secondary_y": True}]])
    figure.add_trace(
        go.Bar(x=names, y=series.sides, name="height of the map (pixels)", opacity=0.7)
    )
    figure.add_trace(
        go.Scatter(x=names, y=series.channels, name="channels / units", mode="lines+markers"),
        secondary_y=True,
    )
    figure.update_yaxes(title_text="height (pixels)", secondary_y=False)
    figure.update_yaxes(title_text="channels / units", rangemode="tozero", secondary_y=True)
    figure.update_layout(
        height=360, margin=dict(l=40, r=40, t=30, b=80), legend={"orientation": "h", "y": 1.12}
    )
    return figure


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
