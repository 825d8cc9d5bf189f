"""Browser-side explorers: small `st.components.v2` components that answer hover, click, keys
and animation in the browser, so that looking at a number costs the server nothing.

Each component is a folder of plain files (one JS file with a header comment saying what it
draws, takes and sends back, and its CSS), read from the package: no build step, no CDN.
`common.js` is put in front of each component's JS. Arrays travel once per change, packed by
`payload`; what a learner picks comes back as the component's state, which the page keeps in
session state like any widget's value.

Each `mount_*` function mounts the component of the folder with its name:
- `mount_window_explorer`: a kernel or a pooling window sliding over an image (Convolution,
  Pooling).
- `mount_network_overview`: every layer's output for one input, numbered (Feature maps).
- `mount_map_gallery`: a few signed maps under one colour bar (Convolution, Pooling).
- `mount_number_grids`: small arrays as tables, operators between them (Feature maps).
- `mount_photo_window`: a photo whose window of numbers moves by a click (How computers see).
"""

from __future__ import annotations

from cnnviz.ui.components.map_gallery import mount_map_gallery
from cnnviz.ui.components.network_overview import mount_network_overview
from cnnviz.ui.components.number_grids import mount_number_grids
from cnnviz.ui.components.payload import colour_scale, encode_array, exact_dtype, version_of
from cnnviz.ui.components.photo_window import mount_photo_window
from cnnviz.ui.components.window_explorer import WindowView, mount_window_explorer

__all__ = [
    "WindowView",
    "colour_scale",
    "encode_array",
    "exact_dtype",
    "mount_map_gallery",
    "mount_network_overview",
    "mount_number_grids",
    "mount_photo_window",
    "version_of",
    "mount_window_explorer",
]
