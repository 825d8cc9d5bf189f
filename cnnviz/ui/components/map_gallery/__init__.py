"""The map gallery: a few signed maps side by side under one colour bar, read by hovering.

Used by the Convolution page (every lecture kernel on the image) and the Pooling page (maps
before and after a shift). The maps travel once, exactly (`payload.encode_array`); the browser
draws them and answers hovering.
"""

from __future__ import annotations

import numpy as np

from cnnviz import plots
from cnnviz.formatting import format_amount
from cnnviz.ui.components.payload import colour_scale, encode_array, version_of
from cnnviz.ui.components.registry import component
from cnnviz.ui.language import t

TEXTS = ("point", "max", "blue", "white", "red", "row", "column")


def gallery_data(maps: dict[str, np.ndarray], columns: int, shared_scale: bool) -> dict:
    """The component's data: each map with its title (and, on relative scales, its largest
    |value|), the diverging colour scale, and the shared scale's limit."""
    arrays = {name: np.asarray(values, dtype=np.float64) for name, values in maps.items()}
    limit = plots.symmetric_range(np.concatenate([a.ravel() for a in arrays.values()]))[1]
    packed = []
    for name, values in arrays.items():
        peak = float(np.nanmax(np.abs(values), initial=0.0))  # 0 for a flat map
        amount = format_amount(peak)
        subtitle = None if shared_scale else t("feature_maps.gallery.max_value", value=amount)
        packed.append({"title": name, "subtitle": subtitle, "values": encode_array(values)})
    title = t("feature_maps.gallery.scale" if shared_scale else "feature_maps.gallery.scale_each")
    data = {
        "maps": packed,
        "stops": colour_scale(plots.DIVERGING, -1, 1)["stops"],
        "shared": bool(shared_scale),
        "limit": float(limit),
        "columns": int(columns),
        "scale_title": title,
        "texts": {name: t(f"feature_maps.gallery.{name}") for name in TEXTS},
    }
    data["version"] = version_of(*arrays.values(), list(arrays), columns, shared_scale, title)
    return data


def mount_map_gallery(
    key: str, maps: dict[str, np.ndarray], columns: int, shared_scale=False
) -> None:
    """Mount a gallery of `maps` (title -> 2-D array, in order), `columns` to a row."""
    component("map_gallery")(key=key, data=gallery_data(maps, columns, shared_scale))
