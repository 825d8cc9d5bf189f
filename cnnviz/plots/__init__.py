"""Arrays to plotly figures, one module per page. Nothing here calls Streamlit or TensorFlow.

- `base`: the colour scales (defined once, safe for colour-blind viewers), the style of the
  n-th compared run (`run_style`: colour, dash and marker) and shared helpers.
- `pixels`: pixel grids with every value written in, images with a window box, galleries.
- `convolution`: signed feature maps, small numbered arrays (kernels, windows), map tiles and
  their colour scale.
- `architecture`: the shape diagram and the memory of a training step.
- `training`: live training curves, run comparisons, confusion matrices.
- `feature_maps`: a layer's maps as one mosaic, learned filters, probabilities, evidence.
- `tables`, `summaries`: each chart's alternatives, its numbers as a `pandas.DataFrame` and
  its one-sentence description, from what the chart's builder is fed.

Every figure function takes NumPy arrays (or the core's dataclasses) and returns a
`plotly.graph_objects.Figure`; heatmaps put row 0 at the top, like an image, and have a colour
bar with values or a number in every cell.
"""

from cnnviz.plots.architecture import memory_bars, shape_diagram
from cnnviz.plots.base import (
    BOX_COLOUR,
    CHANNEL_SCALES,
    DIVERGING,
    GRAY,
    SEQUENTIAL,
    symmetric_range,
)
from cnnviz.plots.convolution import number_grid
from cnnviz.plots.feature_maps import (
    evidence_overlay,
    filter_grid,
    input_figure,
    probability_bars,
    unit_bars,
)
from cnnviz.plots.pixels import image_figure, image_gallery, pixel_grid
from cnnviz.plots.training import confusion_matrix, run_overlay, smooth, training_curves

__all__ = [
    "BOX_COLOUR",
    "CHANNEL_SCALES",
    "DIVERGING",
    "GRAY",
    "SEQUENTIAL",
    "confusion_matrix",
    "evidence_overlay",
    "filter_grid",
    "image_figure",
    "image_gallery",
    "input_figure",
    "memory_bars",
    "number_grid",
    "pixel_grid",
    "probability_bars",
    "run_overlay",
    "shape_diagram",
    "smooth",
    "symmetric_range",
    "training_curves",
    "unit_bars",
]
