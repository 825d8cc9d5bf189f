"""Arrays to plotly figures. Nothing here calls Streamlit or imports TensorFlow.

Every function takes NumPy arrays (or plain numbers) and returns a
`plotly.graph_objects.Figure`; pages only render what they get. Heatmaps put row 0 at the
top, like an image. Colour scales are defined once, in `cnnviz.plots.base`.
"""

from cnnviz.plots.base import (
    BOX_COLOUR,
    CHANNEL_SCALES,
    DIVERGING,
    GRAY,
    symmetric_range,
)
from cnnviz.plots.maps import map_gallery, number_grid, signed_map
from cnnviz.plots.network import memory_bars, shape_diagram
from cnnviz.plots.network_views import (
    evidence_overlay,
    feature_map_grid,
    probability_bars,
    unit_bars,
)
from cnnviz.plots.pixels import image_figure, pixel_grid
from cnnviz.plots.training import (
    confusion_matrix,
    filter_grid,
    image_gallery,
    run_overlay,
    smooth,
    training_curves,
)

__all__ = [
    "BOX_COLOUR",
    "CHANNEL_SCALES",
    "DIVERGING",
    "GRAY",
    "image_figure",
    "map_gallery",
    "memory_bars",
    "number_grid",
    "pixel_grid",
    "shape_diagram",
    "signed_map",
    "symmetric_range",
    "evidence_overlay",
    "feature_map_grid",
    "probability_bars",
    "unit_bars",
    "confusion_matrix",
    "filter_grid",
    "image_gallery",
    "run_overlay",
    "smooth",
    "training_curves",
]
