"""cnnviz.images.convert: display copies, luma exactly as Pillow computes it, working images."""

import io
import struct
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from PIL import Image

from cnnviz.images.convert import fit_for_display, to_grayscale, working_image

RNG = np.random.default_rng(0)


def encode(img: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, image_format, **options)
    return buffer.getvalue()


def blocks() -> np.ndarray:
    """A 24x32 RGB image of four flat colour blocks (survives every format, even GIF)."""
    rgb = np.zeros((24, 32, 3), dtype=np.uint8)
    rgb[:12, :16] = (255, 0, 0)
    rgb[:12, 16:] = (0, 255, 0)
    rgb[12:, :16] = (0, 0, 255)
    rgb[12:, 16:] = (255, 255, 255)
    return rgb


def png_chunk(kind: bytes, payload: bytes) -> bytes:
    return (
        struct.pack(">I", len(payload))
        + kind
        + payload
        + struct.pack(">I", zlib.crc32(kind + payload))
    )


def png_declaring(width: int, height: int) -> bytes:
    """A well-formed PNG whose header declares `width` x `height`, with a tiny IDAT."""
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + png_chunk(b"IHDR", header)
        + png_chunk(b"IDAT", zlib.compress(b"\x00" * 16))
        + png_chunk(b"IEND", b"")
    )


# --- fit_for_display -------------------------------------------------------------------------


def test_fit_for_display_shrinks_the_longer_side():
    photo = np.zeros((3000, 4000, 3), dtype=np.uint8)
    shown = fit_for_display(photo)
    assert shown.image.shape == (768, 1024, 3)
    assert shown.original_size == (3000, 4000)
    assert shown.scale == pytest.approx(1024 / 4000)
    assert shown.downscaled


def test_fit_for_display_leaves_small_images_untouched():
    small = RNG.integers(0, 256, (300, 200, 3), dtype=np.uint8)
    shown = fit_for_display(small, max_side=300)
    assert shown.image is small
    assert (shown.original_size, shown.scale, shown.downscaled) == ((300, 200), 1.0, False)


def test_fit_for_display_averages_like_a_block_mean():
    image = RNG.integers(0, 256, (64, 48), dtype=np.uint8)
    shown = fit_for_display(image, max_side=32)
    block_mean = image.reshape(32, 2, 24, 2).mean(axis=(1, 3))
    assert shown.image.shape == (32, 24)
    assert np.abs(shown.image - block_mean).max() <= 0.5 + 1e-9


def test_fit_for_display_keeps_a_single_channel_axis():
    assert fit_for_display(np.zeros((50, 10, 1), np.uint8), max_side=25).image.shape == (25, 5, 1)


@pytest.mark.parametrize("max_side", [0, -5, 2.5, True, "big"])
def test_fit_for_display_refuses_bad_max_side(max_side):
    with pytest.raises(ValueError, match="Received"):
        fit_for_display(np.zeros((4, 4, 3), np.uint8), max_side=max_side)


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.zeros((4, 4, 3), np.float32), "Received dtype float32"),
        (np.zeros((4, 4, 2), np.uint8), "Received shape \\(4, 4, 2\\)"),
        (np.zeros((0, 4, 3), np.uint8), "Received shape \\(0, 4, 3\\)"),
        ([[1, 2]], "Received list"),
    ],
)
def test_fit_for_display_refuses_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        fit_for_display(image)


# --- to_grayscale ----------------------------------------------------------------------------


@pytest.mark.parametrize("mode", ["RGB", "RGBA"])
def test_to_grayscale_matches_pillow(mode):
    pixels = RNG.integers(0, 256, (40, 50, len(mode)), dtype=np.uint8)
    expected = np.asarray(Image.fromarray(pixels, mode).convert("L"))
    gray = to_grayscale(pixels)
    assert gray.dtype == np.uint8 and gray.shape == (40, 50)
    assert np.abs(gray.astype(int) - expected).max() <= 1


@settings(max_examples=50, deadline=None)
@given(hnp.arrays(np.uint8, st.tuples(st.integers(1, 8), st.integers(1, 8), st.just(3))))
def test_to_grayscale_matches_pillow_on_any_rgb(pixels):
    expected = np.asarray(Image.fromarray(pixels, "RGB").convert("L"))
    assert np.abs(to_grayscale(pixels).astype(int) - expected).max() <= 1


def test_to_grayscale_accepts_gray_and_float():
    gray = RNG.integers(0, 256, (5, 6), dtype=np.uint8)
    np.testing.assert_array_equal(to_grayscale(gray), gray)
    np.testing.assert_array_equal(to_grayscale(gray[..., None]), gray)
    rgb = RNG.integers(0, 256, (5, 6, 3), dtype=np.uint8)
    np.testing.assert_array_equal(to_grayscale(rgb / 255.0), to_grayscale(rgb))
    assert to_grayscale(np.array([[[255, 0, 0]]], np.uint8))[0, 0] == 76


@pytest.mark.parametrize(
    ("image", "message"),
    [
        (np.full((2, 2, 3), 255.0), "Received values from 255 to 255"),
        (np.full((2, 2), np.nan), "Received values from nan"),
        (np.zeros((2, 2), np.int16), "Received dtype int16"),
        (np.zeros((2, 2, 5), np.uint8), "Received shape \\(2, 2, 5\\)"),
        (np.zeros(4, np.uint8), "Received shape \\(4,\\)"),
    ],
)
def test_to_grayscale_refuses_bad_images(image, message):
    with pytest.raises(ValueError, match=message):
        to_grayscale(image)


# --- working_image ---------------------------------------------------------------------------


def test_working_image_picks_a_channel_or_the_luma():
    rgb = RNG.integers(0, 256, (20, 30, 3), dtype=np.uint8)
    for number, channel in enumerate(("Red", "Green", "Blue")):
        work = working_image(rgb, channel)
        np.testing.assert_array_equal(work.values, rgb[:, :, number])
        assert work.channel == channel and not work.resized
    np.testing.assert_array_equal(working_image(rgb).values, to_grayscale(rgb))


def test_working_image_shrinks_by_block_means():
    gray = RNG.integers(0, 256, (320, 200), dtype=np.uint8)
    work = working_image(gray, max_side=160)
    blocks = gray.reshape(160, 2, 100, 2).astype(np.float64).mean(axis=(1, 3))
    assert work.values.shape == (160, 100) and work.original_size == (320, 200) and work.resized
    assert np.abs(work.values - blocks).max() <= 0.5


@pytest.mark.parametrize(
    ("image", "channel", "max_side", "message"),
    [
        (
            np.zeros((8, 8, 3), np.uint8),
            "Purple",
            160,
            "`channel` must be one of.*Received 'Purple'",
        ),
        (np.zeros((8, 8), np.uint8), "Red", 160, "grayscale image has no red channel"),
        (np.zeros((8, 8), np.uint8), "Gray", 4, "`max_side` must be a whole number.*Received 4"),
    ],
)
def test_working_image_refuses_what_it_cannot_make(image, channel, max_side, message):
    with pytest.raises(ValueError, match=message):
        working_image(image, channel, max_side)
