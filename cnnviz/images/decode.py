"""Decode uploaded images safely: one predictable array, or a message a learner can act on.

`decode_image` turns an upload into RGB uint8 `(height, width, 3)`, at most `MAX_DECODED_SIDE`
pixels on a side, and says how it relates to the file (`DecodedImage`); `load_image` returns the
array alone. An upload that cannot be used raises `ImageError`, whose message says what was
received and what to do instead (in English as `str(error)`, in Spanish as `error.text("es")`).

Memory stays bounded at the size limits: a larger image is reduced while it is decoded (a JPEG
by its own decoder, the rest in tiles of about a megapixel, `cnnviz.images.reduction`), and the
decoded pixels are never copied as a whole. A 40-megapixel PNG or JPEG needs at most about
200 MB while it is decoded; a progressive JPEG, a float TIFF or a 16-megapixel WebP up to about
270 MB, and a progressive CMYK JPEG 350 MB (`bench/bench_uploads.py`, `tests/images`).
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from PIL import ExifTags, Image, UnidentifiedImageError

from cnnviz.images.reduction import reduced_rgb
from cnnviz.messages import Invalid, Phrase, either

# Decompression-bomb limits, read from the header and refused before decoding. 40 megapixels
# covers every phone photo. A side longer than 65,535 pixels (the most a JPEG or GIF can have)
# is refused too: Pillow keeps one 8-byte pointer per row, 320 MB for a 40,000,000 × 1 image.
MAX_PIXELS = 40_000_000
MAX_SIDE = 65_535
# Two of Pillow's decoders need more per pixel, so their files have lower limits: WebP holds
# about four copies of the image while decoding (600 MB at 40 megapixels), and run-length BMP
# is decoded in Python (seconds at 40 megapixels).
MAX_WEBP_PIXELS = 16_000_000
MAX_RLE_BMP_PIXELS = 4_000_000
# What the server keeps: a longer side is reduced on decode by a whole factor, each block of
# pixels averaged. 4096 × 4096 RGB is 48 MB; finer detail than this is never shown.
MAX_DECODED_SIDE = 4096
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_FORMATS = ("PNG", "JPEG", "BMP", "WebP", "TIFF", "GIF")
UPLOAD_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "gif")

# Pillow's names for the accepted formats; phone cameras write JPEGs that Pillow calls MPO.
_PIL_FORMATS = frozenset({"PNG", "JPEG", "MPO", "BMP", "WEBP", "TIFF", "GIF"})
_FORMAT_LIST = either(ACCEPTED_FORMATS)  # "PNG, JPEG, BMP, WebP, TIFF or GIF"
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk type and its fixed CRC


class ImageError(Invalid):
    """An image that cannot be used, with a message that says why and what to do instead."""


@dataclass(frozen=True)
class DecodedImage:
    """An upload decoded to RGB, and how it relates to the image in the file.

    Attributes:
        image: RGB uint8 array `(height, width, 3)`, upright, at most `MAX_DECODED_SIDE` pixels
            on a side.
        original_size: `(height, width)` of the image in the file, upright.
        factor: Each `factor × factor` block of the original became one pixel of `image`
            (smaller blocks at the right and bottom edges); 1 when it was not reduced.
    """

    image: np.ndarray
    original_size: tuple[int, int]
    factor: int

    @property
    def reduced(self) -> bool:
        """True when `image` has fewer pixels than the file."""
        return self.factor > 1


def decode_image(data: bytes) -> DecodedImage:
    """Decode uploaded bytes into RGB uint8, reduced if a side is over `MAX_DECODED_SIDE`.

    Accepts PNG, JPEG, BMP, WebP, TIFF and GIF (the first frame). Every colour mode becomes
    RGB: grayscale and 1-bit are repeated into three channels, transparency is composited on
    white, CMYK and palettes are converted, and 16-bit images are scaled (65535 -> 255). The
    EXIF orientation is applied, so phone photos stand upright. The size is checked from the
    file's header before any pixel is decoded, so a decompression bomb never allocates memory.
    A truncated PNG or JPEG is refused even when Pillow's `LOAD_TRUNCATED_IMAGES` is on.

    An image with a side longer than `MAX_DECODED_SIDE` is reduced by the smallest whole
    factor that brings both sides within it: each `factor × factor` block becomes the mean of
    its pixels (rounded; transparency and 16-bit values are averaged before they are
    composited or scaled). A JPEG is shrunk by its decoder where the factor allows (by 2, 4 or
    8, from its frequencies, close to the same mean). So an 8000×5000 photo becomes 4000×2500
    and a 65535×1 strip 4096×1.

    Args:
        data: The file's bytes, for example `uploaded_file.getvalue()`.

    Returns:
        A `DecodedImage`: the new array, the original `(height, width)` and the factor.

    Raises:
        TypeError: If `data` is not bytes.
        ImageError: If the file is empty, larger than `MAX_UPLOAD_BYTES`, not an image, in a
            format outside `ACCEPTED_FORMATS`, truncated or damaged, has more than
            `MAX_PIXELS` pixels (`MAX_WEBP_PIXELS` for WebP, `MAX_RLE_BMP_PIXELS` for a
            run-length compressed BMP) or a side longer than `MAX_SIDE`. The message says
            what was received.

    Example:
        >>> from PIL import Image
        >>> upload = io.BytesIO()
        >>> Image.new("L", (8000, 5000), 128).save(upload, "PNG")
        >>> decoded = decode_image(upload.getvalue())
        >>> decoded.image.shape, decoded.original_size, decoded.factor
        ((2500, 4000, 3), (5000, 8000), 2)
    """
    data = _check_upload(data)
    with warnings.catch_warnings():
        # Pillow warns above its own, higher limit; ours is checked from the header below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                _check_header(img, data)
                return _decode(img)
        except ImageError:
            raise
        except Image.DecompressionBombError as error:
            raise _bomb_error(error) from error
        except UnidentifiedImageError as error:
            raise _unreadable_error(data) from error
        except MemoryError as error:
            raise ImageError("errors.images.out_of_memory", size=len(data)) from error
        except Exception as error:
            # Pillow's decoders fail in many ways on a damaged or crafted file (OSError,
            # SyntaxError, struct.error, and TypeError for a TIFF tag of the wrong type):
            # whatever it was, the learner gets the same plain message (a decoder's own words
            # only when they describe the file, as an OSError's do).
            detail = f" ({error})" if isinstance(error, OSError) and str(error) else ""
            raise ImageError(
                "errors.images.damaged", detail=detail, size=len(data), formats=_FORMAT_LIST
            ) from error


def load_image(data: bytes) -> np.ndarray:
    """Decode uploaded bytes into an RGB uint8 array of shape (height, width, 3).

    `decode_image` without the facts: the array may be a reduced copy of the file's image (at
    most `MAX_DECODED_SIDE` pixels on a side); `decode_image` says by what factor.

    Args:
        data: The file's bytes, for example `uploaded_file.getvalue()`.

    Returns:
        A new `uint8` array of shape `(height, width, 3)`.

    Raises:
        TypeError: If `data` is not bytes.
        ImageError: As `decode_image`, with a message that says what was received.

    Example:
        >>> from PIL import Image
        >>> upload = io.BytesIO()
        >>> Image.new("L", (640, 427), 128).save(upload, "PNG")
        >>> rgb = load_image(upload.getvalue())
        >>> rgb.shape, rgb.dtype, rgb[0, 0].tolist()
        ((427, 640, 3), dtype('uint8'), [128, 128, 128])
    """
    return decode_image(data).image


def _check_upload(data: bytes) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(
            "load_image expects the uploaded file's bytes (uploaded_file.getvalue()). "
            f"Received {type(data).__name__}."
        )
    data = bytes(data)
    if not data:
        raise ImageError("errors.images.empty", formats=_FORMAT_LIST)
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            "errors.images.file_too_large",
            megabytes=len(data) / 2**20,
            limit=MAX_UPLOAD_BYTES // 2**20,
        )
    return data


def _check_header(img: Image.Image, data: bytes) -> None:
    if img.format not in _PIL_FORMATS:
        raise ImageError("errors.images.format", format=img.format, formats=_FORMAT_LIST)
    width, height = img.size
    limit, advice = _pixel_limit(img)
    if width * height > limit:
        raise ImageError(
            "errors.images.too_many_pixels",
            width=width,
            height=height,
            megapixels=_megapixels(width * height),
            advice=advice,
        )
    if max(width, height) > MAX_SIDE:
        raise ImageError("errors.images.too_long", width=width, height=height, limit=MAX_SIDE)
    if not _is_complete(img.format, data):
        raise ImageError("errors.images.incomplete", format=img.format, size=len(data))


def _pixel_limit(img: Image.Image) -> tuple[int, Phrase]:
    """The most pixels this file may have, and what the message says if it has more."""
    others = MAX_PIXELS / 1e6
    if img.format == "WEBP":
        return MAX_WEBP_PIXELS, Phrase(
            "errors.images.webp_limit", limit=MAX_WEBP_PIXELS / 1e6, others=others
        )
    if img.format == "BMP" and img.info.get("compression") in (1, 2):  # RLE8, RLE4
        return MAX_RLE_BMP_PIXELS, Phrase(
            "errors.images.rle_bmp_limit", limit=MAX_RLE_BMP_PIXELS / 1e6, others=others
        )
    return MAX_PIXELS, Phrase("errors.images.pixel_limit", limit=MAX_PIXELS / 1e6)


def _is_complete(image_format: str, data: bytes) -> bool:
    # Pillow's own truncation check can be switched off globally (LOAD_TRUNCATED_IMAGES),
    # which would turn a cut-off file into a half-grey picture; check the end markers instead.
    if image_format == "PNG":
        return _PNG_END in data
    if image_format in ("JPEG", "MPO"):
        last_scan = data.rfind(b"\xff\xda")
        return last_scan >= 0 and data.find(b"\xff\xd9", last_scan) >= 0
    return True


def _megapixels(pixels: int) -> Phrase:
    """ "49 megapixels", "40.5 megapixels", "10,000 megapixels"."""
    return Phrase("errors.images.megapixels", count=f"{pixels / 1e6:,.1f}".removesuffix(".0"))


def _bomb_error(error: Exception) -> ImageError:
    found = re.search(r"\((\d+) pixels\)", str(error))
    size = _megapixels(int(found.group(1))) if found else Phrase("errors.images.too_many")
    return ImageError("errors.images.bomb", size=size, limit=MAX_PIXELS / 1e6)


def _unreadable_error(data: bytes) -> ImageError:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head:
        kind = "svg"
    elif b"<html" in head or b"<!doctype html" in head:
        kind = "html"
    elif head.startswith(b"%pdf"):
        kind = "pdf"
    elif all(byte >= 32 or byte in b"\t\r\n" for byte in head):
        kind = "text"
    else:
        return ImageError("errors.images.unreadable", size=len(data), formats=_FORMAT_LIST)
    return ImageError(
        "errors.images.looks_like",
        kind=Phrase(f"errors.images.kinds.{kind}"),
        size=len(data),
        formats=_FORMAT_LIST,
    )


def _decode(img: Image.Image) -> DecodedImage:
    width, height = img.size
    factor = _reduction_factor(width, height)
    left_to_reduce = _draft(img, factor)
    img.load()
    rgb = reduced_rgb(img, left_to_reduce)
    orientation = img.getexif().get(ExifTags.Base.Orientation, 1)
    if orientation in (5, 6, 7, 8):  # a quarter turn: the upright image is `height` wide
        width, height = height, width
    return DecodedImage(_upright(rgb, orientation), (height, width), factor)


def _reduction_factor(width: int, height: int) -> int:
    # The smallest whole k with ceil(side / k) <= MAX_DECODED_SIDE for both sides.
    return max(1, -(-max(width, height) // MAX_DECODED_SIDE))


def _draft(img: Image.Image, factor: int) -> int:
    """Let a JPEG's decoder shrink it by 8, 4 or 2 if that divides `factor`; return the
    factor that is left to reduce by."""
    scale = next((s for s in (8, 4, 2) if factor % s == 0), 1)
    if img.format not in ("JPEG", "MPO") or scale == 1:
        return factor
    width, height = img.size
    drafted = img.draft(img.mode, (max(1, width // scale), max(1, height // scale)))
    if drafted is None:  # Pillow drafts only a JPEG it reads in one piece
        return factor
    return factor // round(width / drafted[1][2])


# EXIF orientation -> how the stored rows and columns stand upright (Pillow's exif_transpose).
_UPRIGHT: dict[int, Callable[[np.ndarray], np.ndarray]] = {
    2: lambda rgb: rgb[:, ::-1],
    3: lambda rgb: rgb[::-1, ::-1],
    4: lambda rgb: rgb[::-1],
    5: lambda rgb: rgb.transpose(1, 0, 2),
    6: lambda rgb: np.rot90(rgb, -1),
    7: lambda rgb: rgb[::-1, ::-1].transpose(1, 0, 2),
    8: lambda rgb: np.rot90(rgb),
}


def _upright(rgb: np.ndarray, orientation: int) -> np.ndarray:
    if orientation not in _UPRIGHT:
        return rgb
    return np.ascontiguousarray(_UPRIGHT[orientation](rgb))
