"""Reduce a decoded Pillow image to RGB uint8 by a whole factor, a tile at a time.

`reduced_rgb` is the second half of `cnnviz.images.decode`: after the file's pixels are in
memory, it converts any colour mode to RGB and averages each `factor × factor` block, one tile
of about a megapixel at a time, so the decoded image is never copied or widened as a whole:
only the reduced result is (as float32 for 16-bit and float images, scaled at the end).
Transparency and 16-bit values are averaged before they are composited on white or scaled to
0..255, so the reduced image is what the full one would look like, smaller.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import numpy as np
from PIL import Image

_HIGH_BIT_DEPTH_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
# Pixels per tile: a few MB at a time, and few enough tiles that Python's overhead is nothing.
_TILE_PIXELS = 1 << 20


def reduced_rgb(img: Image.Image, factor: int) -> np.ndarray:
    """Convert a loaded Pillow image to RGB uint8, each `factor × factor` block averaged.

    Grayscale and 1-bit become three equal channels, palettes and CMYK are converted as
    Pillow converts them, transparency is averaged premultiplied and then composited on white,
    and 16-bit or float values are averaged and then scaled to 0..255 (65535 -> 255; floats
    in 0..1 times 255; any other range stretched). Blocks at the right and bottom edges are
    the pixels that are left; each mean is rounded (Pillow's `reduce`: exact for blocks of 2,
    4, 16, … pixels, otherwise at most 1 below).

    Args:
        img: A Pillow image whose pixels are loaded, in any mode Pillow decodes files to.
        factor: Whole reduction factor, at least 1 (1 converts without reducing).

    Returns:
        A new `uint8` array of shape `(ceil(height / factor), ceil(width / factor), 3)`.
    """
    width, height = img.size
    shape = (-(-height // factor), -(-width // factor))
    if img.mode in _HIGH_BIT_DEPTH_MODES:
        # Averaged as floats first (tile by tile), scaled to 0..255 on the reduced image.
        values = _reduce_in_tiles(img, factor, _float_tile, np.empty(shape, np.float32))
        return np.repeat(_high_bit_depth_to_uint8(values, img.mode)[..., None], 3, axis=2)
    if img.has_transparency_data:
        reduce_tile = _composited_tile
    elif img.mode in ("1", "L"):
        reduce_tile = _gray_tile
    else:
        reduce_tile = _rgb_tile
    return _reduce_in_tiles(img, factor, reduce_tile, np.empty((*shape, 3), np.uint8))


def _reduce_in_tiles(
    img: Image.Image,
    factor: int,
    reduce_tile: Callable[[Image.Image, int], np.ndarray],
    out: np.ndarray,
) -> np.ndarray:
    """Fill `out` tile by tile: each tile is whole blocks, reduced by `reduce_tile`."""
    for left, top, right, bottom in _tile_boxes(img.size, factor):
        reduced = reduce_tile(img.crop((left, top, right, bottom)), factor)
        rows = slice(top // factor, top // factor + reduced.shape[0])
        out[rows, left // factor : left // factor + reduced.shape[1]] = reduced
    return out


def _tile_boxes(size: tuple[int, int], factor: int) -> Iterator[tuple[int, int, int, int]]:
    """Boxes (left, top, right, bottom) of about `_TILE_PIXELS` pixels that cover the image,
    each side a multiple of `factor` (except at the right and bottom edges)."""
    width, height = size
    block_height = min(height, factor)
    tile_width = min(width, max(factor, _TILE_PIXELS // block_height // factor * factor))
    tile_height = min(height, max(factor, _TILE_PIXELS // tile_width // factor * factor))
    for top in range(0, height, tile_height):
        for left in range(0, width, tile_width):
            yield left, top, min(left + tile_width, width), min(top + tile_height, height)


def _reduce(tile: Image.Image, factor: int) -> np.ndarray:
    # Pillow's reduce: the rounded mean of each block (of the pixels present at the edges).
    reduced = tile.reduce(factor) if factor > 1 else tile
    return np.asarray(reduced).reshape(reduced.height, reduced.width, -1)


def _rgb_tile(tile: Image.Image, factor: int) -> np.ndarray:
    return _reduce(tile.convert("RGB"), factor)


def _gray_tile(tile: Image.Image, factor: int) -> np.ndarray:
    return _reduce(tile.convert("L"), factor)  # one channel, repeated into three by `out`


def _composited_tile(tile: Image.Image, factor: int) -> np.ndarray:
    rgba = tile if tile.mode == "RGBA" else tile.convert("RGBA")
    # Premultiplied, RGBa holds round(c·a/255) per colour, so blocks average what shows. Over
    # white, colour c of opacity a shows as c·a/255 + (255 − a): unreduced, exactly the
    # rounded (c·a + 255·(255 − a)) / 255, and never above 255 (c·a/255 <= a).
    premultiplied = _reduce(rgba.convert("RGBa"), factor)
    return premultiplied[..., :3] + (255 - premultiplied[..., 3:])


def _float_tile(tile: Image.Image, factor: int) -> np.ndarray:
    return _reduce(tile.convert("F"), factor)[..., 0]


def _high_bit_depth_to_uint8(values: np.ndarray, mode: str) -> np.ndarray:
    values = np.nan_to_num(values, copy=False)
    low, high = float(values.min()), float(values.max())
    if mode != "F" and low >= 0 and high <= 65535:
        values /= 257  # 16-bit full scale: 65535 -> 255
    elif mode == "F" and low >= 0 and high <= 1:
        values *= 255
    else:  # an unusual range (32-bit or negative values): stretch it to 0..255
        values -= low
        values *= 255 / max(high - low, 1e-12)
    return np.rint(values, out=values).astype(np.uint8)
