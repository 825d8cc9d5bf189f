"""Arrays as PNG images in the colours the page paints them.

Each value becomes a square of pixels (nearest-neighbour upscaling: a 3×3 kernel is a 336×336
picture of nine flat squares, not a 3-pixel image), coloured by the same colour scale and range
as on the page (`cnnviz.plots.pixels.cell_colours`, the colour plotly and the components give a
value, rounded to whole 0..255 levels). A stack of maps, or a conv layer's filters, becomes one
mosaic laid out as the page lays it out (`cnnviz.plots.feature_maps.mosaic`): tiles in rows, one
cell of white between neighbours.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import cv2
import numpy as np

from cnnviz.exports.tables import shown_filters
from cnnviz.plots.base import DIVERGING, symmetric_range
from cnnviz.plots.pixels import cell_colours

# Longest side, in pixels, of a single array's picture and of one tile of a mosaic.
PNG_SIDE = 336
TILE_SIDE = 112
# Gaps between tiles are white, as the page's mosaics are; a value that is not a number
# (padding, say) light grey, as the components draw it.
GAP_COLOUR = (255, 255, 255)
MISSING_COLOUR = (200, 200, 200)


def cell_pixels(shape: tuple[int, ...], side: int = PNG_SIDE) -> int:
    """Pixels per value so that an array of `shape` is about `side` pixels on its longer side
    (at least 1).

    Example:
        >>> cell_pixels((3, 3)), cell_pixels((28, 28)), cell_pixels((500, 400))
        (112, 12, 1)
    """
    return max(1, round(side / max(shape[:2])))


def colour_image(values, colorscale, value_range: tuple[float, float]) -> np.ndarray:
    """The colours a page paints a 2-D array with, one RGB pixel per value.

    Args:
        values: 2-D array of numbers.
        colorscale: A plotly colour scale (a name such as `plots.DIVERGING`, or a list of
            `[position, colour]` stops, as a component's `colour_scale` holds them).
        value_range: `(low, high)`, the values at the two ends of the scale.

    Returns:
        uint8 array `values.shape + (3,)`; values that are not numbers are light grey.

    Raises:
        ValueError: If `values` is not 2-D.
    """
    values = np.asarray(values, dtype=np.float64)
    if values.ndim != 2:
        raise ValueError(f"A picture needs a 2-D array. Received shape {values.shape}.")
    rgb = np.rint(cell_colours(values, colorscale, value_range)).astype(np.uint8)
    rgb[~np.isfinite(values)] = MISSING_COLOUR
    return rgb


def _encode(rgb: np.ndarray) -> bytes:
    ok, encoded = cv2.imencode(".png", np.ascontiguousarray(rgb[:, :, ::-1]))  # OpenCV: BGR
    if not ok:
        raise ValueError(f"The picture could not be encoded as PNG. Received shape {rgb.shape}.")
    return encoded.tobytes()


def _upscale(rgb: np.ndarray, cell: int) -> np.ndarray:
    return np.repeat(np.repeat(rgb, cell, axis=0), cell, axis=1)


def array_png(values, colorscale, value_range: tuple[float, float], *, cell=None) -> bytes:
    """A 2-D array as a PNG, each value a `cell`×`cell` square in the page's colour.

    Args:
        values: 2-D array of numbers (a kernel, a feature map).
        colorscale: The page's colour scale (see `colour_image`).
        value_range: `(low, high)` of the scale, as on the page.
        cell: Pixels per value; by default `cell_pixels(values.shape)` (about 336 px across).

    Returns:
        The PNG file's bytes.

    Raises:
        ValueError: If `values` is not 2-D.
    """
    rgb = colour_image(values, colorscale, value_range)
    return _encode(_upscale(rgb, cell or cell_pixels(rgb.shape)))


def _named_maps(maps) -> list[np.ndarray]:
    if isinstance(maps, Mapping):
        return [np.asarray(values, dtype=np.float64) for values in maps.values()]
    stack = np.asarray(maps, dtype=np.float64)
    if stack.ndim != 3:
        raise ValueError(
            "A mosaic needs maps of shape (height, width, maps), or a mapping of name to "
            f"2-D map. Received shape {stack.shape}."
        )
    return [stack[:, :, index] for index in range(stack.shape[2])]


def maps_png(maps, colorscale, value_range, *, columns: int = 8, cell=None) -> bytes:
    """A stack of maps as one mosaic PNG: `columns` tiles to a row, white gaps between.

    Args:
        maps: `(height, width, maps)` array (maps last, as Keras), or a mapping of name to
            2-D map (of one shape or not: a map and its pooled map side by side).
        colorscale: The page's colour scale (see `colour_image`).
        value_range: `(low, high)` shared by every map, or a sequence of one `(low, high)` per
            map when each map has its own scale on the page.
        columns: Tiles per row (fewer when there are fewer maps).
        cell: Pixels per value; by default each tile is about 112 px across, so that maps of
            different sizes are drawn the same size, as the page draws them.

    Returns:
        The PNG file's bytes. Maps of one shape are laid out as `plots.feature_maps.mosaic`
        lays them out, each gap one value's cell wide.

    Raises:
        ValueError: If a map is not 2-D, or the ranges are not one per map.
    """
    planes = _named_maps(maps)
    if not planes or any(plane.ndim != 2 or not plane.size for plane in planes):
        shapes = [plane.shape for plane in planes]
        raise ValueError(f"A mosaic needs non-empty 2-D maps. Received shapes {shapes}.")
    ranges = _ranges(value_range, len(planes))
    tiles = [
        _upscale(
            colour_image(plane, colorscale, limits), cell or cell_pixels(plane.shape, TILE_SIDE)
        )
        for plane, limits in zip(planes, ranges, strict=True)
    ]
    gap = cell or cell_pixels(planes[0].shape, TILE_SIDE)
    return _encode(tile_mosaic(tiles, columns, gap))


def _ranges(value_range, count: int) -> list[tuple[float, float]]:
    pair = isinstance(value_range, Sequence) and len(value_range) == 2
    if pair and all(np.isscalar(end) for end in value_range):
        return [(float(value_range[0]), float(value_range[1]))] * count
    ranges = [tuple(map(float, limits)) for limits in value_range]
    if len(ranges) != count or any(len(limits) != 2 for limits in ranges):
        raise ValueError(
            f"Give one (low, high) for all {count} maps, or one per map. "
            f"Received {len(ranges)} ranges."
        )
    return ranges


def tile_mosaic(tiles: list[np.ndarray], columns: int, gap: int = 1) -> np.ndarray:
    """RGB tiles in rows of `columns`, `gap` white pixels between neighbours and none round
    the edge, each tile at the top left of its slot (as wide as its column's widest tile, as
    tall as its row's tallest). Tiles of one shape with `gap` 1 are laid out as
    `cnnviz.plots.feature_maps.mosaic` lays out maps."""
    columns = max(1, min(columns, len(tiles)))
    rows = -(-len(tiles) // columns)
    widths = [max(tile.shape[1] for tile in tiles[c::columns]) for c in range(columns)]
    heights = [max(t.shape[0] for t in tiles[r * columns : (r + 1) * columns]) for r in range(rows)]
    lefts = np.cumsum([0, *widths])[:-1] + gap * np.arange(columns)
    tops = np.cumsum([0, *heights])[:-1] + gap * np.arange(rows)
    height, width = sum(heights) + gap * (rows - 1), sum(widths) + gap * (columns - 1)
    canvas = np.empty((height, width, 3), np.uint8)
    canvas[:] = GAP_COLOUR
    for index, tile in enumerate(tiles):
        top, left = tops[index // columns], lefts[index % columns]
        canvas[top : top + tile.shape[0], left : left + tile.shape[1]] = tile
    return canvas


def filters_png(kernel, *, columns: int = 8, cell=None) -> bytes:
    """A conv layer's filters as the page's mosaic (the lecture's 2×8 grid for 16 filters):
    each averaged over its input channels (`shown_filters`), all on one blue–white–red scale
    from −m to m, m the largest |weight|."""
    filters = shown_filters(kernel)
    return maps_png(filters, DIVERGING, symmetric_range(filters), columns=columns, cell=cell)
