"""cnnviz.images.reduction: any colour mode to RGB, each block averaged, a tile at a time.

The reference is NumPy on the full-resolution array: the mean of each `factor × factor` block
(of the pixels present, at the right and bottom edges), rounded half up. Pillow's `reduce`
matches it exactly where a block has a power-of-two number of pixels (1, 2, 4, 16, …) and is at
most 1 below it otherwise (its fixed-point division by 9, 12, 25, … rounds a mean of exactly
`n - 4/9`, `n - 5/12`, … down to `n - 1`).
"""

import numpy as np
import pytest
from PIL import Image

from cnnviz.images import reduction
from cnnviz.images.reduction import reduced_rgb

RNG = np.random.default_rng(0)


def block_sums(values: np.ndarray, factor: int) -> tuple[np.ndarray, np.ndarray]:
    """Each block's sum (int64 or float64) and its number of pixels, edges included."""
    height, width = values.shape[:2]
    rows, cols = np.arange(0, height, factor), np.arange(0, width, factor)
    wide = np.int64 if values.dtype.kind in "iub" else np.float64
    sums = np.add.reduceat(np.add.reduceat(values.astype(wide), rows, axis=0), cols, axis=1)
    counts = np.outer(np.diff(np.append(rows, height)), np.diff(np.append(cols, width)))
    return sums, counts.reshape(counts.shape + (1,) * (values.ndim - 2))


def block_mean(values: np.ndarray, factor: int) -> np.ndarray:
    """uint8 block means, rounded half up."""
    sums, counts = block_sums(values, factor)
    return ((2 * sums + counts) // (2 * counts)).astype(np.uint8)


def composite_on_white(rgba: np.ndarray) -> np.ndarray:
    """The previous decoder's exact integer formula, at full resolution."""
    rgb, alpha = rgba[..., :3].astype(np.uint32), rgba[..., 3:].astype(np.uint32)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


def assert_block_means(actual: np.ndarray, full: np.ndarray, factor: int) -> None:
    """`actual` is `full`'s block means: equal where a block's pixel count is a power of two,
    else equal or 1 below (see the module's docstring)."""
    sums, counts = block_sums(full, factor)
    expected = (2 * sums + counts) // (2 * counts)
    assert actual.shape == expected.shape and actual.dtype == np.uint8
    difference = actual.astype(int) - expected
    exact = np.broadcast_to((counts & (counts - 1)) == 0, difference.shape)
    assert (difference[exact] == 0).all()
    assert difference.min() >= -1 and difference.max() <= 0


@pytest.fixture(params=[64, 1 << 20], ids=["tiny-tiles", "default-tiles"])
def tile_pixels(request, monkeypatch):
    """Run each test with tiles of 64 pixels (many tiles, many edges) and the default."""
    monkeypatch.setattr(reduction, "_TILE_PIXELS", request.param)
    return request.param


# --- basic: shapes and types -----------------------------------------------------------------


@pytest.mark.parametrize(
    "mode", ["1", "L", "P", "RGB", "RGBA", "LA", "PA", "CMYK", "YCbCr", "I;16", "I", "F"]
)
@pytest.mark.parametrize("factor", [1, 2, 3])
def test_every_mode_becomes_rgb_uint8_of_the_reduced_size(mode, factor, tile_pixels):
    img = Image.new(mode, (37, 23))
    rgb = reduced_rgb(img, factor)
    assert rgb.shape == (-(-23 // factor), -(-37 // factor), 3)
    assert rgb.dtype == np.uint8 and rgb.flags.c_contiguous


def test_extreme_aspect_ratios_reduce_to_one_pixel_across(tile_pixels):
    assert reduced_rgb(Image.new("RGB", (65535, 1), "red"), 16).shape == (1, 4096, 3)
    assert reduced_rgb(Image.new("L", (1, 65535), 9), 16).shape == (4096, 1, 3)


# --- correctness against NumPy ---------------------------------------------------------------


@pytest.mark.parametrize("factor", [1, 2, 3, 4, 5])
def test_rgb_blocks_are_averaged(factor, tile_pixels):
    rgb = RNG.integers(0, 256, (23, 37, 3), dtype=np.uint8)
    assert_block_means(reduced_rgb(Image.fromarray(rgb), factor), rgb, factor)


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_grayscale_and_1_bit_are_averaged_into_three_equal_channels(factor, tile_pixels):
    gray = RNG.integers(0, 256, (19, 30), dtype=np.uint8)
    rgb = reduced_rgb(Image.fromarray(gray), factor)
    assert_block_means(rgb, np.repeat(gray[..., None], 3, axis=2), factor)
    bits = (gray >= 128).astype(np.uint8) * 255
    rgb = reduced_rgb(Image.fromarray(bits).convert("1"), factor)
    assert_block_means(rgb, np.repeat(bits[..., None], 3, axis=2), factor)


@pytest.mark.parametrize("factor", [1, 2, 3, 4])
def test_transparency_is_averaged_then_composited_on_white(factor, tile_pixels):
    rgba = RNG.integers(0, 256, (21, 34, 4), dtype=np.uint8)
    rgba[:4, :4, 3] = 0  # a fully transparent block: white
    rgba[-4:, -4:, 3] = 255  # an opaque block: its colours
    # Compositing is linear, so the mean of the composited pixels is the reference (the two
    # are rounded at different steps: within 1).
    expected = block_mean(composite_on_white(rgba), factor)
    rgb = reduced_rgb(Image.fromarray(rgba, "RGBA"), factor)
    assert np.abs(rgb.astype(int) - expected).max() <= 1
    assert (rgb[: 4 // factor, : 4 // factor] == 255).all()
    if factor == 1:  # unreduced: exactly the previous decoder's formula
        np.testing.assert_array_equal(rgb, composite_on_white(rgba))


def test_a_transparent_black_pixel_does_not_darken_its_block():
    # Red and white side by side: (255, 127.5, 127.5). Averaged without premultiplying, the
    # invisible black would show: red 128 at opacity 128, 191 on white.
    rgba = np.array([[[255, 0, 0, 255], [0, 0, 0, 0]]], dtype=np.uint8)
    red, green, blue = reduced_rgb(Image.fromarray(rgba, "RGBA"), 2)[0, 0]
    assert red == 255 and green == blue and green in (127, 128)


def test_palette_transparency_and_la_match_their_rgba(tile_pixels):
    indices = RNG.integers(0, 4, (17, 26), dtype=np.uint8)
    palette_image = Image.fromarray(indices, "P")
    palette_image.putpalette([0, 0, 0, 200, 30, 40, 10, 250, 90, 255, 255, 0] + [0] * 756)
    palette_image.info["transparency"] = 0
    rgba = np.asarray(palette_image.convert("RGBA"))
    np.testing.assert_array_equal(
        reduced_rgb(palette_image, 2), reduced_rgb(Image.fromarray(rgba, "RGBA"), 2)
    )
    assert (
        np.abs(
            reduced_rgb(palette_image, 2).astype(int) - block_mean(composite_on_white(rgba), 2)
        ).max()
        <= 1
    )
    la = RNG.integers(0, 256, (17, 26, 2), dtype=np.uint8)
    as_rgba = np.concatenate([np.repeat(la[..., :1], 3, axis=2), la[..., 1:]], axis=2)
    np.testing.assert_array_equal(
        reduced_rgb(Image.fromarray(la, "LA"), 3), reduced_rgb(Image.fromarray(as_rgba), 3)
    )


@pytest.mark.parametrize("factor", [1, 2, 3])
def test_16_bit_is_averaged_then_scaled_65535_to_255(factor, tile_pixels):
    values = RNG.integers(0, 65536, (15, 22), dtype=np.uint16)
    values[0, 0] = 65535
    sums, counts = block_sums(values, factor)
    expected = np.rint(sums / counts / 257).astype(np.uint8)
    rgb = reduced_rgb(Image.fromarray(values), factor)
    assert Image.fromarray(values).mode == "I;16"
    assert np.abs(rgb[..., 0].astype(int) - expected).max() <= 1
    assert (rgb[..., 0] == rgb[..., 2]).all()
    if factor == 1:
        np.testing.assert_array_equal(rgb[..., 0], np.rint(values / 257).astype(np.uint8))


def test_float_and_32_bit_images_keep_their_scaling_after_reduction():
    floats = np.linspace(0, 1, 4 * 6, dtype=np.float32).reshape(4, 6)
    sums, counts = block_sums(floats, 2)
    expected = np.rint(sums / counts * 255).astype(np.uint8)
    np.testing.assert_array_equal(reduced_rgb(Image.fromarray(floats, "F"), 2)[..., 1], expected)
    pairs = np.array([[-1000, -1000, 1000, 1000]], dtype=np.int32)
    stretched = reduced_rgb(Image.fromarray(pairs, "I"), 2)
    np.testing.assert_array_equal(stretched[0, :, 0], [0, 255])


def test_cmyk_is_converted_as_pillow_converts_it_then_averaged(tile_pixels):
    cmyk = RNG.integers(0, 256, (12, 18, 4), dtype=np.uint8)
    converted = np.asarray(Image.fromarray(cmyk, "CMYK").convert("RGB"))
    np.testing.assert_array_equal(
        reduced_rgb(Image.fromarray(cmyk, "CMYK"), 2), block_mean(converted, 2)
    )


def test_tiles_change_nothing(monkeypatch):
    rgba = RNG.integers(0, 256, (45, 61, 4), dtype=np.uint8)
    whole = reduced_rgb(Image.fromarray(rgba, "RGBA"), 3)
    for tile_pixels in (9, 50, 200, 1000):
        monkeypatch.setattr(reduction, "_TILE_PIXELS", tile_pixels)
        np.testing.assert_array_equal(reduced_rgb(Image.fromarray(rgba, "RGBA"), 3), whole)


@pytest.mark.parametrize(("width", "height", "factor"), [(37, 23, 3), (65535, 1, 16), (1, 9000, 3)])
def test_tiles_cover_the_image_once_in_whole_blocks(width, height, factor):
    covered = 0
    for left, top, right, bottom in reduction._tile_boxes((width, height), factor):
        assert left % factor == 0 and top % factor == 0
        assert right == width or (right - left) % factor == 0
        assert bottom == height or (bottom - top) % factor == 0
        covered += (right - left) * (bottom - top)
    assert covered == width * height
