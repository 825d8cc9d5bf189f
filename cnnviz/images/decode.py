"""Decode uploaded images safely: one predictable array, or a message a learner can act on.

`load_image` turns an upload into RGB uint8 `(height, width, 3)` or raises `ImageError`, whose
message says what was received and what to do instead.
"""

from __future__ import annotations

import io
import re
import warnings

import numpy as np
from PIL import Image, ImageOps, UnidentifiedImageError

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
        >>> from PIL import Image
        >>> upload = io.BytesIO()
        >>> Image.new("L", (640, 427), 128).save(upload, "PNG")
        >>> rgb = load_image(upload.getvalue())
        >>> rgb.shape, rgb.dtype, rgb[0, 0].tolist()
        ((427, 640, 3), dtype('uint8'), [128, 128, 128])
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
        except MemoryError as error:
            raise ImageError(
                f"The image is too large to decode on this server. Received {len(data):,} "
                "bytes; shrink it (4000×3000 is plenty) and upload it again."
            ) from error
        except Exception as error:
            # Pillow's decoders fail in many ways on a damaged or crafted file (OSError,
            # SyntaxError, struct.error, and TypeError for a TIFF tag of the wrong type):
            # whatever it was, the learner gets the same plain message.
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
