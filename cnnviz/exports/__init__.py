"""Exports: any kernel, feature map or filter grid the app shows, as CSV and as PNG.

No Streamlit here: arrays in, text or bytes out; `cnnviz.ui.exports` draws the buttons.

- `tables`: an array as CSV text with its exact values (a 2-D array as a grid; a stack of
  maps as one long table `map,row,col,value`, which a spreadsheet filters by map).
- `pictures`: an array as PNG bytes in the colours the page paints, each value a square of
  pixels; a stack of maps or a conv layer's filters as one mosaic, gaps between the tiles.
- `file_stem`: a file name that says what a download is (`sobel-x-kernel`).

Example:
    >>> import numpy as np
    >>> print(array_csv(np.array([[1, -1], [0.5, 2]], dtype=np.float32)), end="")
    1.0,-1.0
    0.5,2.0
    >>> file_stem("Sobel x", "kernel")
    'sobel-x-kernel'
"""

from cnnviz.exports.pictures import (
    PNG_SIDE,
    array_png,
    cell_pixels,
    colour_image,
    filters_png,
    maps_png,
    tile_mosaic,
)
from cnnviz.exports.tables import (
    LONG_COLUMNS,
    array_csv,
    file_stem,
    filters_csv,
    maps_csv,
    shown_filters,
)

__all__ = [
    "LONG_COLUMNS",
    "PNG_SIDE",
    "array_csv",
    "array_png",
    "cell_pixels",
    "colour_image",
    "file_stem",
    "filters_csv",
    "filters_png",
    "maps_csv",
    "maps_png",
    "shown_filters",
    "tile_mosaic",
]
