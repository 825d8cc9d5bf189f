"""Built-in teaching images: lines at four angles, a checkerboard, a circle and two photos.

The synthetic images are white shapes on black, so an edge-detecting kernel gives a clean,
easy-to-read response: a vertical-edge kernel lights up the vertical line and not the
horizontal one. The photos are scikit-learn's two sample images, bundled with the library
(no download).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from cnnviz.validation import check_whole

LINE_ANGLES = {
    "Horizontal line (0°)": 0,
    "Diagonal line (45°)": 45,
    "Vertical line (90°)": 90,
    "Diagonal line (135°)": 135,
}
CHECKERBOARD_SQUARES = 8
_PHOTO_NAMES = {
    "china.jpg": "China (scikit-learn sample)",
    "flower.jpg": "Flower (scikit-learn sample)",
}


def synthetic_images(size: int = 64) -> dict[str, np.ndarray]:
    """White shapes on black for seeing what a kernel responds to.

    The lines run through the centre from edge to edge, about `3 * size / 64` px thick (3 px
    at the default size). Angles are measured anticlockwise from the horizontal as a person
    sees the picture: 45° runs from the bottom-left corner to the top-right, 135° from the
    top-left to the bottom-right. The checkerboard has 8×8 squares and starts with black in
    the top-left corner; the circle is filled, with a radius of 35% of `size`.

    Args:
        size: Height and width in pixels, from 8 to 4096.

    Returns:
        A dict from name to an RGB `uint8 (size, size, 3)` array, in this order:
        `"Horizontal line (0°)"`, `"Diagonal line (45°)"`, `"Vertical line (90°)"`,
        `"Diagonal line (135°)"`, `"Checkerboard"`, `"Circle"`.

    Raises:
        ValueError: If `size` is not a whole number from 8 to 4096.
    """
    size = check_whole(size, "`size`", low=8, high=4096)
    rows, cols = np.mgrid[0:size, 0:size].astype(np.float64)
    thickness = max(1, round(3 * size / 64))
    # On a pixel centre for an odd thickness, between two pixels for an even one.
    centre = size // 2 - (0.5 if thickness % 2 == 0 else 0.0)
    masks = {}
    for name, degrees in LINE_ANGLES.items():
        angle = np.deg2rad(degrees)
        # Distance from the line through the centre; rows grow downwards, hence the signs.
        distance = np.abs((cols - centre) * np.sin(angle) + (rows - centre) * np.cos(angle))
        masks[name] = distance <= thickness / 2 + 1e-9
    square = (rows * CHECKERBOARD_SQUARES // size + cols * CHECKERBOARD_SQUARES // size) % 2
    masks["Checkerboard"] = square == 1
    radius = 0.35 * size
    masks["Circle"] = (rows - (size - 1) / 2) ** 2 + (cols - (size - 1) / 2) ** 2 <= radius**2
    return {name: _white_on_black(mask) for name, mask in masks.items()}


def _white_on_black(mask: np.ndarray) -> np.ndarray:
    gray = np.where(mask, 255, 0).astype(np.uint8)
    return np.repeat(gray[..., None], 3, axis=2)


def sample_photos() -> dict[str, np.ndarray]:
    """scikit-learn's two sample photos, a Chinese temple and a flower.

    They ship with scikit-learn (`sklearn.datasets.load_sample_images`), so nothing is
    downloaded; scikit-learn is imported only when this is called.

    Returns:
        `{"China (scikit-learn sample)": ..., "Flower (scikit-learn sample)": ...}`, each an
        RGB `uint8 (427, 640, 3)` array.
    """
    from sklearn.datasets import load_sample_images

    bunch = load_sample_images()
    photos = {
        _PHOTO_NAMES[Path(filename).name]: np.asarray(image, dtype=np.uint8)
        for filename, image in zip(bunch.filenames, bunch.images, strict=True)
    }
    return {name: photos[name] for name in _PHOTO_NAMES.values()}


def builtin_images() -> dict[str, np.ndarray]:
    """All built-in images: `synthetic_images()` at 64 px, then `sample_photos()`."""
    return {**synthetic_images(), **sample_photos()}
