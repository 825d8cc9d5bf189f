"""Decode uploaded images safely and prepare digits the way MNIST's were prepared.

`load_image` turns an upload into one predictable array (RGB, uint8, height × width × 3) or
raises `ImageError` with a message a learner can act on. `fit_for_display` shrinks large photos
for the screen, `to_grayscale` computes luma like Pillow, and `to_mnist` turns any picture of a
digit into the 28×28 input of an MNIST model, keeping every step so a page can show them.
The built-in teaching images live in `cnnviz.samples` and are re-exported here.
"""

from __future__ import annotations

import io
import re
import struct
import warnings
from dataclasses import dataclass

import cv2
import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

# Re-exported (the `as` marks it) so callers find every image helper in one place.
from cnnviz.samples import builtin_images as builtin_images
from cnnviz.samples import sample_photos as sample_photos
from cnnviz.samples import synthetic_images as synthetic_images

# Decompression-bomb limit: width × height read from the header, refused before decoding.
# 40 megapixels covers every phone photo; decoded it is 120 MB of RGB.
MAX_PIXELS = 40_000_000
MAX_UPLOAD_BYTES = 50 * 1024 * 1024
ACCEPTED_FORMATS = ("PNG", "JPEG", "BMP", "WebP", "TIFF", "GIF")
UPLOAD_EXTENSIONS = ("png", "jpg", "jpeg", "bmp", "webp", "tif", "tiff", "gif")

# Pillow's names for the accepted formats; phone cameras write JPEGs that Pillow calls MPO.
_PIL_FORMATS = frozenset({"PNG", "JPEG", "MPO", "BMP", "WEBP", "TIFF", "GIF"})
_FORMAT_LIST = ", ".join(ACCEPTED_FORMATS[:-1]) + " or " + ACCEPTED_FORMATS[-1]
_HIGH_BIT_DEPTH_MODES = frozenset({"I;16", "I;16L", "I;16B", "I;16N", "I", "F"})
_PNG_END = b"IEND\xaeB`\x82"  # the IEND chunk type and its fixed CRC


class ImageError(ValueError):
    """An image that cannot be used, with a message that says why and what to do instead."""


def load_image(data: bytes) -> np.ndarray:
    """Decode uploaded bytes into an RGB uint8 array of shape (height, width, 3).

    Accepts PNG, JPEG, BMP, WebP, TIFF and GIF (the first frame). Every colour mode becomes
    RGB: grayscale and 1-bit are repeated into three channels, transparency is composited on
    white, CMYK and palettes are converted, and 16-bit images are scaled (65535 -> 255). The
    EXIF orientation is applied, so phone photos stand upright. The size is checked from the
    file's header before any pixel is decoded, so a decompression bomb never allocates memory.
    A truncated PNG or JPEG is refused even when Pillow's `LOAD_TRUNCATED_IMAGES` is on.

    Args:
        data: The file's bytes, for example `uploaded_file.getvalue()`.

    Returns:
        A new `uint8` array of shape `(height, width, 3)`.

    Raises:
        TypeError: If `data` is not bytes.
        ImageError: If the file is empty, larger than `MAX_UPLOAD_BYTES`, not an image, in a
            format outside `ACCEPTED_FORMATS`, truncated or damaged, or has more than
            `MAX_PIXELS` pixels. The message says what was received.

    Example:
        >>> rgb = load_image(Path("cat.jpg").read_bytes())
        >>> rgb.shape, rgb.dtype
        ((427, 640, 3), dtype('uint8'))
    """
    data = _check_upload(data)
    with warnings.catch_warnings():
        # Pillow warns above its own, higher limit; ours is checked from the header below.
        warnings.simplefilter("ignore", Image.DecompressionBombWarning)
        try:
            with Image.open(io.BytesIO(data)) as img:
                _check_header(img, data)
                img.load()
                return _to_rgb(ImageOps.exif_transpose(img))
        except ImageError:
            raise
        except Image.DecompressionBombError as error:
            raise ImageError(_bomb_message(error)) from error
        except UnidentifiedImageError as error:
            raise ImageError(_describe_unreadable(data)) from error
        except (OSError, SyntaxError, ValueError, EOFError, struct.error) as error:
            raise ImageError(
                f"The image file is damaged and could not be decoded ({error}). "
                f"Received {len(data):,} bytes; save the image again as {_FORMAT_LIST}."
            ) from error


def _check_upload(data: bytes) -> bytes:
    if not isinstance(data, bytes | bytearray | memoryview):
        raise TypeError(
            "load_image expects the uploaded file's bytes (uploaded_file.getvalue()). "
            f"Received {type(data).__name__}."
        )
    data = bytes(data)
    if not data:
        raise ImageError(f"The file is empty. Received 0 bytes; upload a {_FORMAT_LIST} image.")
    if len(data) > MAX_UPLOAD_BYTES:
        raise ImageError(
            f"The file is too large. Received {len(data) / 2**20:.1f} MB; the largest accepted "
            f"upload is {MAX_UPLOAD_BYTES // 2**20} MB. Save a smaller version and try again."
        )
    return data


def _check_header(img: Image.Image, data: bytes) -> None:
    if img.format not in _PIL_FORMATS:
        raise ImageError(
            f"Received an image in {img.format} format, which this app does not read. "
            f"Accepted formats: {_FORMAT_LIST}. Save it in one of them and upload it again."
        )
    width, height = img.size
    if width * height > MAX_PIXELS:
        raise ImageError(
            f"The image is too large. Received a {width}×{height} image "
            f"({width * height / 1e6:.1f} megapixels); the limit is {MAX_PIXELS / 1e6:.0f} "
            "megapixels. Shrink it (4000×3000 is plenty) and upload it again."
        )
    if not _is_complete(img.format, data):
        raise ImageError(
            f"The {img.format} file is incomplete: it ends before the image does (was the "
            f"download or copy cut short?). Received {len(data):,} bytes; upload the whole file."
        )


def _is_complete(image_format: str, data: bytes) -> bool:
    # Pillow's own truncation check can be switched off globally (LOAD_TRUNCATED_IMAGES),
    # which would turn a cut-off file into a half-grey picture; check the end markers instead.
    if image_format == "PNG":
        return _PNG_END in data
    if image_format in ("JPEG", "MPO"):
        last_scan = data.rfind(b"\xff\xda")
        return last_scan >= 0 and data.find(b"\xff\xd9", last_scan) >= 0
    return True


def _bomb_message(error: Exception) -> str:
    found = re.search(r"\((\d+) pixels\)", str(error))
    size = f"{int(found.group(1)) / 1e6:.1f} megapixels" if found else "too many megapixels"
    return (
        f"The image is too large. Received an image of {size}; the limit is "
        f"{MAX_PIXELS / 1e6:.0f} megapixels. Shrink it (4000×3000 is plenty) and try again."
    )


def _describe_unreadable(data: bytes) -> str:
    head = data[:1024].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if b"<svg" in head:
        kind = "an SVG (vector) file"
    elif b"<html" in head or b"<!doctype html" in head:
        kind = "a web page (HTML)"
    elif head.startswith(b"%pdf"):
        kind = "a PDF document"
    elif all(byte >= 32 or byte in b"\t\r\n" for byte in head):
        kind = "a text file"
    else:
        return (
            f"This is not an image this app can read (it may be damaged or in another "
            f"format). Received {len(data):,} bytes; upload a {_FORMAT_LIST} image instead."
        )
    return (
        f"This looks like {kind}; upload a {_FORMAT_LIST} image instead. "
        f"Received {len(data):,} bytes."
    )


def _to_rgb(img: Image.Image) -> np.ndarray:
    if img.mode in _HIGH_BIT_DEPTH_MODES:
        return np.repeat(_high_bit_depth_to_uint8(img)[..., None], 3, axis=2)
    if img.has_transparency_data:
        return _composite_on_white(np.asarray(img.convert("RGBA")))
    return np.array(img.convert("RGB"))


def _high_bit_depth_to_uint8(img: Image.Image) -> np.ndarray:
    values = np.nan_to_num(np.asarray(img, dtype=np.float64))
    low, high = float(values.min()), float(values.max())
    if img.mode != "F" and low >= 0 and high <= 65535:
        scaled = values / 257  # 16-bit full scale: 65535 -> 255
    elif img.mode == "F" and low >= 0 and high <= 1:
        scaled = values * 255
    else:  # an unusual range (32-bit or negative values): stretch it to 0..255
        scaled = (values - low) * 255 / max(high - low, 1e-12)
    return np.rint(scaled).astype(np.uint8)


def _composite_on_white(rgba: np.ndarray) -> np.ndarray:
    rgb = rgba[..., :3].astype(np.uint32)
    alpha = rgba[..., 3:].astype(np.uint32)
    return ((rgb * alpha + 255 * (255 - alpha) + 127) // 255).astype(np.uint8)


@dataclass(frozen=True)
class DisplayImage:
    """An image made small enough to show, and how it relates to the original.

    Attributes:
        image: The image to show, downscaled if it was larger than asked (same dtype).
        original_size: `(height, width)` before downscaling.
        scale: Displayed size divided by original size; 1.0 when untouched. Multiply a
            position in the original by `scale` to find it in `image`.
    """

    image: np.ndarray
    original_size: tuple[int, int]
    scale: float

    @property
    def downscaled(self) -> bool:
        """True when `image` is smaller than the original."""
        return self.scale < 1.0


def fit_for_display(image: np.ndarray, max_side: int = 1024) -> DisplayImage:
    """Downscale an image so that its longer side is at most `max_side` pixels.

    Uses `cv2.INTER_AREA`, which averages the pixels it merges, so fine detail turns into
    smooth grey rather than flickering aliasing. An image that already fits is returned
    untouched (the same array, not a copy).

    Args:
        image: `uint8` array `(height, width)` or `(height, width, channels)` with 1, 3 or 4
            channels.
        max_side: Largest allowed height and width, at least 1.

    Returns:
        A `DisplayImage` with the shown image, the original `(height, width)` and the scale.

    Raises:
        ValueError: If `image` is not a non-empty uint8 image or `max_side` is below 1.
    """
    image = check_image(image, "fit_for_display", allow_float=False)
    if isinstance(max_side, bool) or not isinstance(max_side, int | np.integer) or max_side < 1:
        raise ValueError(f"max_side must be a whole number of at least 1. Received {max_side!r}.")
    height, width = image.shape[:2]
    if max(height, width) <= max_side:
        return DisplayImage(image, (height, width), 1.0)
    scale = max_side / max(height, width)
    size = (max(1, round(width * scale)), max(1, round(height * scale)))  # cv2 wants (w, h)
    shown = cv2.resize(image, size, interpolation=cv2.INTER_AREA)
    return DisplayImage(shown.reshape(size[1], size[0], *image.shape[2:]), (height, width), scale)


def to_grayscale(image: np.ndarray) -> np.ndarray:
    """Convert an image to one channel of luma, exactly as Pillow's `convert("L")` does.

    Luma follows ITU-R BT.601: `0.299 R + 0.587 G + 0.114 B`, computed in 16-bit fixed point
    and rounded like Pillow. An alpha channel is ignored (as Pillow does); composite first if
    transparency matters. Float images must hold values in 0..1 and are scaled to 0..255.

    Args:
        image: `(height, width)`, or `(height, width, channels)` with 1, 3 (RGB) or 4 (RGBA)
            channels; `uint8`, or float in 0..1.

    Returns:
        A new `uint8` array of shape `(height, width)`.

    Raises:
        ValueError: If the shape, dtype or value range is not one of those above.

    Example:
        >>> to_grayscale(np.array([[[255, 0, 0]]], dtype=np.uint8))
        array([[76]], dtype=uint8)
    """
    pixels = as_uint8(check_image(image, "to_grayscale", allow_float=True))
    if pixels.ndim == 2 or pixels.shape[2] == 1:
        return pixels.reshape(pixels.shape[:2]).copy()
    rgb = pixels[..., :3].astype(np.uint32)
    luma = (rgb[..., 0] * 19595 + rgb[..., 1] * 38470 + rgb[..., 2] * 7471 + 0x8000) >> 16
    return luma.astype(np.uint8)


def check_image(image: np.ndarray, caller: str, allow_float: bool) -> np.ndarray:
    """Check that `image` is a non-empty 2-D or 1/3/4-channel array of accepted dtype.

    Raises:
        ValueError: Naming `caller`, the received shape or dtype and what is accepted.
    """
    if not isinstance(image, np.ndarray):
        raise ValueError(f"{caller} expects a NumPy array. Received {type(image).__name__}.")
    channels_ok = image.ndim == 2 or (image.ndim == 3 and image.shape[2] in (1, 3, 4))
    if not channels_ok or image.size == 0:
        raise ValueError(
            f"{caller} expects a non-empty image of shape (height, width) or (height, width, "
            f"channels) with 1, 3 or 4 channels. Received shape {image.shape}."
        )
    dtype_ok = image.dtype == np.uint8 or (allow_float and np.issubdtype(image.dtype, np.floating))
    if not dtype_ok:
        accepted = "uint8 or float (0..1)" if allow_float else "uint8"
        raise ValueError(f"{caller} expects {accepted} pixels. Received dtype {image.dtype}.")
    return image


def as_uint8(image: np.ndarray) -> np.ndarray:
    """Return uint8 pixels unchanged, or 0..1 floats scaled to 0..255 and rounded."""
    if image.dtype == np.uint8:
        return image
    low, high = float(np.min(image)), float(np.max(image))
    # A tiny overshoot from arithmetic (1.0000001) is fine; 0..255 floats are a mistake.
    if not (low >= -1e-6 and high <= 1 + 1e-6):
        raise ValueError(
            f"Float images must hold values from 0 to 1. Received values from {low:g} to "
            f"{high:g}; divide by 255 or pass uint8."
        )
    return np.rint(np.clip(image, 0, 1) * 255).astype(np.uint8)
