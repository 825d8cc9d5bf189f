"""cnnviz.images.decode: uploads decoded safely, or refused with a message that says why.

Every file is built here with Pillow (or by hand, for the files Pillow refuses to write), so
the tests document exactly which bytes are accepted and which are refused.
"""

import io
import struct
import time
import warnings
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp
from PIL import Image, ImageFile, ImageOps

from cnnviz.images import decode as images
from cnnviz.images.decode import ImageError, load_image

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


# --- load_image: accepted files ------------------------------------------------------------


@pytest.mark.parametrize(
    ("image_format", "options", "tolerance"),
    [
        ("PNG", {}, 0),
        ("BMP", {}, 0),
        ("WEBP", {"lossless": True}, 0),
        ("TIFF", {}, 0),
        ("GIF", {}, 0),
        ("JPEG", {"quality": 95}, 8),
    ],
)
def test_load_image_decodes_every_accepted_format(image_format, options, tolerance):
    data = encode(Image.fromarray(blocks()), image_format, **options)
    rgb = load_image(data)
    assert rgb.shape == (24, 32, 3)
    assert rgb.dtype == np.uint8
    # Block interiors: JPEG blurs only the edges between blocks.
    difference = np.abs(rgb.astype(int) - blocks())[2:10, 2:14]
    assert difference.max() <= tolerance


def test_load_image_accepts_bytearray_and_memoryview():
    data = encode(Image.fromarray(blocks()), "PNG")
    np.testing.assert_array_equal(load_image(bytearray(data)), blocks())
    np.testing.assert_array_equal(load_image(memoryview(data)), blocks())


def test_load_image_takes_the_first_frame_of_an_animated_gif():
    frames = [Image.new("RGB", (8, 8), colour) for colour in ("red", "lime", "blue")]
    data = encode(frames[0], "GIF", save_all=True, append_images=frames[1:], duration=100)
    assert Image.open(io.BytesIO(data)).n_frames == 3
    rgb = load_image(data)
    assert rgb.shape == (8, 8, 3)
    np.testing.assert_array_equal(rgb[0, 0], (255, 0, 0))


def test_load_image_turns_grayscale_into_three_equal_channels():
    gray = RNG.integers(0, 256, (10, 12), dtype=np.uint8)
    rgb = load_image(encode(Image.fromarray(gray, "L"), "PNG"))
    assert rgb.shape == (10, 12, 3)
    for channel in range(3):
        np.testing.assert_array_equal(rgb[..., channel], gray)


def test_load_image_composites_rgba_on_white():
    rgba = np.zeros((1, 3, 4), dtype=np.uint8)
    rgba[0, 0] = (0, 0, 0, 0)  # fully transparent black
    rgba[0, 1] = (255, 0, 0, 128)  # half-transparent red
    rgba[0, 2] = (10, 20, 30, 255)  # opaque
    rgb = load_image(encode(Image.fromarray(rgba, "RGBA"), "PNG"))
    np.testing.assert_array_equal(rgb[0, 0], (255, 255, 255))
    np.testing.assert_allclose(rgb[0, 1], (255, 128, 128), atol=1)
    np.testing.assert_array_equal(rgb[0, 2], (10, 20, 30))


def test_load_image_composites_la_on_white():
    la = Image.merge("LA", [Image.new("L", (2, 1), 40), Image.frombytes("L", (2, 1), b"\x00\xff")])
    rgb = load_image(encode(la, "PNG"))
    np.testing.assert_array_equal(rgb[0], [(255, 255, 255), (40, 40, 40)])


def test_load_image_applies_palette_transparency():
    palette_image = Image.new("P", (2, 1))
    palette_image.putpalette([0, 0, 0, 200, 30, 40] + [0] * 762)
    palette_image.putpixel((1, 0), 1)
    rgb = load_image(encode(palette_image, "PNG", transparency=0))
    np.testing.assert_array_equal(rgb[0], [(255, 255, 255), (200, 30, 40)])


def test_load_image_converts_cmyk_jpeg():
    cyan_magenta_yellow_black = Image.new("CMYK", (16, 16), (0, 255, 255, 0))  # red
    data = encode(cyan_magenta_yellow_black, "JPEG", quality=95)
    assert Image.open(io.BytesIO(data)).mode == "CMYK"
    red, green, blue = load_image(data)[8, 8].astype(int)
    assert red > 230 and green < 25 and blue < 25


def test_load_image_scales_16_bit_png():
    values = np.array([[0, 257, 32768, 65535]], dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    assert Image.open(io.BytesIO(data)).mode.startswith("I")
    np.testing.assert_array_equal(load_image(data)[0, :, 0], [0, 1, 128, 255])


def test_load_image_scales_32_bit_integer_tiff_holding_16_bit_values():
    values = np.array([[0, 32768, 65535]], dtype=np.int32)
    data = encode(Image.fromarray(values, "I"), "TIFF")
    np.testing.assert_array_equal(load_image(data)[0, :, 0], [0, 128, 255])


def test_load_image_scales_float_tiff_in_0_to_1():
    values = np.array([[0.0, 0.5, 1.0]], dtype=np.float32)
    data = encode(Image.fromarray(values, "F"), "TIFF")
    np.testing.assert_array_equal(load_image(data)[0, :, 2], [0, 128, 255])


def test_load_image_stretches_an_unusual_range():
    values = np.array([[-1000, 0, 1000]], dtype=np.int32)
    data = encode(Image.fromarray(values, "I"), "TIFF")
    np.testing.assert_array_equal(load_image(data)[0, :, 0], [0, 128, 255])


def test_load_image_converts_1_bit():
    bits = Image.fromarray(np.array([[0, 255, 0]], dtype=np.uint8)).convert("1")
    np.testing.assert_array_equal(load_image(encode(bits, "PNG"))[0, :, 1], [0, 255, 0])


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
@pytest.mark.parametrize(
    ("orientation", "marked_corner"),
    [(6, (0, -1)), (8, (-1, 0))],  # 6: turn 90° clockwise, 8: 90° anticlockwise
)
def test_load_image_applies_exif_orientation(image_format, orientation, marked_corner):
    stored = np.zeros((20, 40, 3), dtype=np.uint8)
    stored[:6, :6] = (255, 0, 0)  # mark the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    rgb = load_image(encode(Image.fromarray(stored), image_format, exif=exif))
    assert rgb.shape == (40, 20, 3)
    row, col = marked_corner
    red, green, blue = rgb[row, col].astype(int)
    assert red > 200 and green < 60 and blue < 60


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.uint8, hnp.array_shapes(min_dims=3, max_dims=3, min_side=1, max_side=12)))
def test_load_image_round_trips_any_rgb_png(array):
    rgb = np.ascontiguousarray(np.broadcast_to(array[..., :1], (*array.shape[:2], 3)))
    rgb[..., 1] = array[..., -1]
    np.testing.assert_array_equal(load_image(encode(Image.fromarray(rgb), "PNG")), rgb)


# --- load_image: refused files ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "empty. Received 0 bytes"),
        (b"hello", "text file.*Received 5 bytes"),
        (b"<!DOCTYPE html><html><body>cat</body></html>", "web page"),
        (b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\n", "PDF"),
        (
            b'<?xml version="1.0"?>\n<svg xmlns="http://www.w3.org/2000/svg" width="8" '
            b'height="8"><rect width="8" height="8"/></svg>',
            "SVG \\(vector\\).*PNG, JPEG, BMP, WebP, TIFF or GIF",
        ),
        (bytes(range(256)) * 4, "not an image.*Received 1,024 bytes"),
    ],
    ids=["empty", "text", "html", "pdf", "svg", "binary"],
)
def test_load_image_refuses_non_images(data, message):
    with pytest.raises(ImageError, match=message):
        load_image(data)


def test_load_image_refuses_non_bytes():
    with pytest.raises(TypeError, match="Received str"):
        load_image("cat.png")


@pytest.mark.parametrize("image_format", ["ICO", "PCX", "TGA"])
def test_load_image_refuses_other_formats_and_lists_the_accepted_ones(image_format):
    data = encode(Image.new("RGB", (16, 16), "red"), image_format)
    with pytest.raises(ImageError, match=f"Received an image in {image_format} format.*WebP"):
        load_image(data)


def photo_like(image_format: str) -> bytes:
    noise = RNG.integers(0, 256, (64, 96, 3), dtype=np.uint8)
    return encode(Image.fromarray(noise), image_format)


@pytest.mark.parametrize("load_truncated_images", [False, True])
@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
@pytest.mark.parametrize("kept", [0.5, 0.95])
def test_load_image_refuses_truncated_files(monkeypatch, image_format, kept, load_truncated_images):
    # Another module may switch Pillow's global flag on; that must not let a cut file through.
    monkeypatch.setattr(ImageFile, "LOAD_TRUNCATED_IMAGES", load_truncated_images)
    data = photo_like(image_format)
    with pytest.raises(ImageError, match="incomplete|damaged"):
        load_image(data[: int(len(data) * kept)])


def test_load_image_refuses_a_png_missing_only_its_end_chunk():
    data = photo_like("PNG")
    with pytest.raises(ImageError, match="incomplete.*Received"):
        load_image(data[:-12])


def test_load_image_refuses_zero_sized_images():
    with pytest.raises(ImageError, match="Received"):
        load_image(png_declaring(0, 5))
    bmp_header = struct.pack("<2sIHHI", b"BM", 62, 0, 0, 54)
    dib_header = struct.pack("<IiiHHIIiiII", 40, 0, 0, 1, 24, 0, 8, 0, 0, 0, 0)
    with pytest.raises(ImageError, match="Received"):
        load_image(bmp_header + dib_header + b"\x00" * 8)


@pytest.mark.parametrize(
    ("width", "height", "message"),
    [
        (7000, 7000, "Received a 7000×7000 image \\(49 megapixels\\)"),  # below Pillow's limit
        (10000, 10000, "Received a 10000×10000 image \\(100 megapixels\\)"),  # Pillow warns
        (20000, 20000, "Received an image of 400 megapixels"),  # Pillow raises
    ],
)
def test_load_image_refuses_huge_images_from_the_header(monkeypatch, width, height, message):
    def never(self):
        raise AssertionError("the pixels of an oversized image must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    start = time.perf_counter()
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no DecompressionBombWarning may leak
        with pytest.raises(ImageError, match=message) as raised:
            load_image(png_declaring(width, height))
    assert time.perf_counter() - start < 1.0
    assert "megapixels" in str(raised.value)


def test_load_image_refuses_files_over_the_upload_limit(monkeypatch):
    assert images.MAX_UPLOAD_BYTES == 50 * 1024 * 1024
    monkeypatch.setattr(images, "MAX_UPLOAD_BYTES", 1024)
    with pytest.raises(ImageError, match="too large. Received 0.0 MB"):
        load_image(photo_like("PNG"))


def test_upload_extensions_cover_accepted_formats():
    assert images.ACCEPTED_FORMATS == ("PNG", "JPEG", "BMP", "WebP", "TIFF", "GIF")
    assert {"png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "gif"} == set(
        images.UPLOAD_EXTENSIONS
    )
    assert images.MAX_PIXELS == 40_000_000


def tiff_with_strip_offsets_of_type_rational() -> bytes:
    """An 8×8 TIFF whose StripOffsets tag (273) claims type RATIONAL: Pillow raised TypeError."""
    buffer = io.BytesIO()
    Image.new("L", (8, 8), 100).save(buffer, "TIFF")
    data = bytearray(buffer.getvalue())
    first_directory = struct.unpack_from("<I", data, 4)[0]
    for index in range(struct.unpack_from("<H", data, first_directory)[0]):
        entry = first_directory + 2 + 12 * index
        if struct.unpack_from("<H", data, entry)[0] == 273:
            struct.pack_into("<H", data, entry + 2, 5)  # 5: RATIONAL
    return bytes(data)


def test_a_crafted_tiff_is_refused_with_a_message_not_a_type_error():
    with pytest.raises(ImageError, match=r"damaged and could not be decoded.*Received \d+ bytes"):
        load_image(tiff_with_strip_offsets_of_type_rational())


def small_files() -> dict[str, bytes]:
    """A small picture in each accepted format, to mutate."""
    rng = np.random.default_rng(0)
    picture = Image.fromarray(rng.integers(0, 256, (12, 10, 3), dtype=np.uint8))
    files = {}
    for name, options in (
        ("PNG", {}),
        ("JPEG", {"quality": 80}),
        ("BMP", {}),
        ("WEBP", {}),
        ("TIFF", {"compression": "tiff_lzw"}),
        ("GIF", {}),
    ):
        buffer = io.BytesIO()
        picture.save(buffer, name, **options)
        files[name] = buffer.getvalue()
    return files


def mutations(data: bytes, rng: np.random.Generator):
    """Seeded damage: flipped bytes, overwritten runs, cuts and inserted garbage."""
    data = bytearray(data)
    kind = rng.integers(4)
    if kind == 0:
        for at in rng.integers(0, len(data), rng.integers(1, 8)):
            data[at] ^= 1 << int(rng.integers(8))
    elif kind == 1:
        at = int(rng.integers(len(data)))
        data[at : at + 4] = rng.integers(0, 256, 4, dtype=np.uint8).tobytes()
    elif kind == 2:
        data = data[: int(rng.integers(1, len(data)))]
    else:
        at = int(rng.integers(len(data)))
        data[at:at] = rng.integers(0, 256, int(rng.integers(1, 16)), dtype=np.uint8).tobytes()
    return bytes(data)


@pytest.mark.filterwarnings("ignore::UserWarning")  # Pillow's notes on skipped TIFF tags
@pytest.mark.parametrize("name", ["PNG", "JPEG", "BMP", "WEBP", "TIFF", "GIF"])
def test_mutated_files_decode_or_raise_image_error_and_nothing_else(name):
    rng = np.random.default_rng(list(small_files()).index(name))
    original = small_files()[name]
    deadline = time.monotonic() + 4.0  # bounded: about 300 mutations per format
    tried = 0
    while tried < 300 and time.monotonic() < deadline:
        damaged = mutations(original, rng)
        try:
            rgb = load_image(damaged)
        except ImageError as error:
            assert "Received" in str(error)
        else:
            assert rgb.dtype == np.uint8 and rgb.ndim == 3 and rgb.shape[2] == 3
        tried += 1
    assert tried >= 50


# --- decode_image: large images are reduced on decode, and it says so -------------------------


def block_mean(values: np.ndarray, factor: int) -> np.ndarray:
    """Each factor × factor block's mean, rounded half up (the sides divide by `factor`)."""
    height, width, channels = values.shape
    blocks = values.reshape(height // factor, factor, width // factor, factor, channels)
    sums = blocks.sum(axis=(1, 3), dtype=np.int64)
    return ((2 * sums + factor**2) // (2 * factor**2)).astype(np.uint8)


def gradient(height: int, width: int) -> np.ndarray:
    """A smooth RGB picture whose every block is different (survives JPEG well)."""
    rows = np.linspace(0, 255, height)[:, None]
    cols = np.linspace(0, 255, width)[None, :]
    planes = np.broadcast_arrays(rows + 0 * cols, cols + 0 * rows, (rows + cols) / 2)
    return np.rint(np.dstack(planes)).astype(np.uint8)


def test_decode_image_gives_the_facts_and_load_image_the_same_array():
    data = encode(Image.fromarray(blocks()), "PNG")
    decoded = images.decode_image(data)
    assert decoded.original_size == (24, 32) and decoded.factor == 1 and not decoded.reduced
    np.testing.assert_array_equal(decoded.image, blocks())
    np.testing.assert_array_equal(load_image(data), decoded.image)


@pytest.mark.parametrize(
    ("width", "height", "factor", "shape"),
    [
        (4096, 3, 1, (3, 4096, 3)),  # exactly the largest side kept
        (4097, 3, 2, (2, 2049, 3)),  # one pixel more: halved, the odd ones averaged alone
        (3, 8193, 3, (2731, 1, 3)),
        (65535, 1, 16, (1, 4096, 3)),  # the longest side accepted, one pixel high
        (1, 65535, 16, (4096, 1, 3)),
    ],
)
def test_a_side_over_4096_is_reduced_by_the_smallest_whole_factor(width, height, factor, shape):
    data = encode(Image.new("L", (width, height), 77), "PNG")
    decoded = images.decode_image(data)
    assert decoded.factor == factor and decoded.image.shape == shape
    assert decoded.original_size == (height, width) and decoded.reduced == (factor > 1)
    assert (decoded.image == 77).all()
    assert max(decoded.image.shape) <= images.MAX_DECODED_SIDE


def test_a_reduced_png_is_the_block_mean_of_its_pixels():
    rgb = RNG.integers(0, 256, (20, 8192, 3), dtype=np.uint8)  # factor 2
    decoded = images.decode_image(encode(Image.fromarray(rgb), "PNG"))
    assert decoded.factor == 2
    np.testing.assert_array_equal(decoded.image, block_mean(rgb, 2))


def test_a_reduced_rgba_png_is_the_block_mean_of_what_shows_on_white():
    rgba = RNG.integers(0, 256, (8, 8192, 4), dtype=np.uint8)
    rgb, alpha = rgba[..., :3].astype(np.uint32), rgba[..., 3:].astype(np.uint32)
    on_white = ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)
    reduced = images.decode_image(encode(Image.fromarray(rgba, "RGBA"), "PNG")).image
    # Averaged premultiplied, then composited: rounded at another step, within 1.
    assert np.abs(reduced.astype(int) - block_mean(on_white, 2)).max() <= 1


def test_a_reduced_16_bit_png_is_averaged_then_scaled_65535_to_255():
    values = RNG.integers(0, 65536, (4, 8192), dtype=np.uint16)
    data = encode(Image.fromarray(values), "PNG")
    means = values.reshape(2, 2, 4096, 2).mean(axis=(1, 3))
    expected = np.rint(means / 257).astype(np.uint8)
    reduced = images.decode_image(data).image
    assert np.abs(reduced[..., 0].astype(int) - expected).max() <= 1
    assert (reduced[..., 0] == reduced[..., 1]).all()
    top = encode(Image.fromarray(np.full((2, 8192), 65535, np.uint16)), "PNG")
    assert (images.decode_image(top).image == 255).all()


@pytest.mark.parametrize(("width", "factor", "drafted"), [(16384, 4, 4), (24576, 6, 2)])
def test_a_large_jpeg_is_shrunk_by_its_decoder_close_to_the_block_mean(width, factor, drafted):
    rgb = gradient(48, width)
    data = encode(Image.fromarray(rgb), "JPEG", quality=95)
    with Image.open(io.BytesIO(data)) as img:
        img.draft("RGB", (width // drafted, 48 // drafted))
        assert img.size == (width // drafted, 48 // drafted)  # the decoder's own reduction
    decoded = images.decode_image(data)
    assert decoded.factor == factor and decoded.image.shape == (48 // factor, 4096, 3)
    full = np.asarray(Image.open(io.BytesIO(data)).convert("RGB"))
    difference = np.abs(decoded.image.astype(int) - block_mean(full, factor))
    assert difference.mean() < 1.0 and difference.max() <= 4


def test_mpo_and_animated_gif_are_reduced_from_their_first_frame():
    frames = [Image.new("RGB", (8192, 4), colour) for colour in ("red", "blue")]
    gif = encode(frames[0], "GIF", save_all=True, append_images=frames[1:])
    mpo = encode(frames[0], "MPO", save_all=True, append_images=frames[1:])
    assert Image.open(io.BytesIO(mpo)).format == "MPO"
    for data in (gif, mpo):
        decoded = images.decode_image(data)
        assert decoded.image.shape == (2, 4096, 3)
        red, green, blue = decoded.image[1, 2000].astype(int)
        assert red > 240 and green < 15 and blue < 15


@pytest.mark.parametrize("orientation", range(1, 9))
@pytest.mark.parametrize("image_format", ["PNG", "JPEG"])
def test_exif_orientation_is_applied_to_the_reduced_image(orientation, image_format):
    stored = gradient(40, 8192)
    stored[:10, :10] = (255, 0, 0)  # mark the stored top-left corner
    exif = Image.Exif()
    exif[0x0112] = orientation
    data = encode(Image.fromarray(stored), image_format, exif=exif, quality=95)
    with Image.open(io.BytesIO(data)) as img:
        upright = np.asarray(ImageOps.exif_transpose(img).convert("RGB"))
    decoded = images.decode_image(data)
    assert decoded.original_size == upright.shape[:2] and decoded.factor == 2
    expected = block_mean(upright, 2)
    assert decoded.image.shape == expected.shape
    difference = np.abs(decoded.image.astype(int) - expected)
    # JPEG: the decoder's reduction differs from a block mean at sharp edges (the mark) only.
    assert difference.max() == 0 if image_format == "PNG" else difference.mean() < 1.0


@pytest.mark.parametrize(("width", "height"), [(40_000_000, 1), (1, 40_000_000), (65536, 2)])
def test_a_side_over_65535_is_refused_from_the_header(monkeypatch, width, height):
    def never(self):
        raise AssertionError("the pixels of a refused image must not be decoded")

    monkeypatch.setattr(ImageFile.ImageFile, "load", never)
    with pytest.raises(ImageError, match=f"too long and thin. Received a {width}×{height} image"):
        load_image(png_declaring(width, height))


def test_webp_over_16_megapixels_is_refused_from_the_header():
    flat = Image.new("RGB", (4001, 4000), "teal")
    data = encode(flat, "WEBP", lossless=True, quality=0, method=0)
    with pytest.raises(ImageError, match=r"16 megapixels\); the limit for WebP is 16 mega"):
        load_image(data)
    accepted = encode(flat.crop((0, 0, 4000, 4000)), "WEBP", lossless=True, quality=0, method=0)
    assert load_image(accepted).shape == (4000, 4000, 3)


def rle8_bmp(width: int, height: int, colour_index: int = 1) -> bytes:
    """An 8-bit run-length compressed BMP, every pixel `colour_index` (Pillow cannot write one)."""
    row = b""
    for start in range(0, width, 255):
        row += bytes([min(255, width - start), colour_index])
    pixels = (row + b"\x00\x00") * height + b"\x00\x01"  # end of each line, end of bitmap
    palette = bytes([0, 0, 0, 0, 40, 30, 200, 0]) + bytes(4 * 254)  # BGRX: 1 is (200, 30, 40)
    offset = 14 + 40 + len(palette)
    dib = struct.pack("<IiiHHIIiiII", 40, width, height, 1, 8, 1, len(pixels), 0, 0, 256, 0)
    return b"BM" + struct.pack("<IHHI", offset + len(pixels), 0, 0, offset) + dib + palette + pixels


def test_run_length_bmp_is_decoded_up_to_4_megapixels():
    rgb = load_image(rle8_bmp(300, 2))
    assert rgb.shape == (2, 300, 3) and (rgb == (200, 30, 40)).all()
    with pytest.raises(ImageError, match="limit for a run-length compressed BMP is 4 megapixels"):
        load_image(rle8_bmp(2001, 2000))
