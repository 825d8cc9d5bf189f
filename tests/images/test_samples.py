"""cnnviz.images.samples: the synthetic teaching images and the bundled sample photos."""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cnnviz.images as images
from cnnviz.images import samples
from cnnviz.images.samples import builtin_images, sample_photos, synthetic_images

SYNTHETIC_NAMES = [
    "Horizontal line (0°)",
    "Diagonal line (45°)",
    "Vertical line (90°)",
    "Diagonal line (135°)",
    "Checkerboard",
    "Circle",
]
PHOTO_NAMES = ["China (scikit-learn sample)", "Flower (scikit-learn sample)"]


@pytest.fixture(scope="module")
def synthetic():
    return {name: image[..., 0] > 0 for name, image in synthetic_images().items()}


def test_synthetic_images_are_six_white_on_black_rgb_images():
    gallery = synthetic_images()
    assert list(gallery) == SYNTHETIC_NAMES
    for image in gallery.values():
        assert image.shape == (64, 64, 3) and image.dtype == np.uint8
        assert set(np.unique(image)) == {0, 255}
        np.testing.assert_array_equal(image[..., 0], image[..., 2])


def test_horizontal_and_vertical_lines_are_three_pixels_thick(synthetic):
    horizontal, vertical = synthetic["Horizontal line (0°)"], synthetic["Vertical line (90°)"]
    assert horizontal[32].all() and not horizontal[:, 32].all()
    assert horizontal[:, 32].sum() == 3 and horizontal.sum() == 3 * 64
    np.testing.assert_array_equal(vertical, horizontal.T)


def test_diagonal_lines_run_between_the_named_corners(synthetic):
    rising, falling = synthetic["Diagonal line (45°)"], synthetic["Diagonal line (135°)"]
    assert rising[-1, 0] and rising[0, -1] and not rising[0, 0] and not rising[-1, -1]
    assert falling[0, 0] and falling[-1, -1] and not falling[-1, 0] and not falling[0, -1]
    # Each row crosses the line once, a few pixels wide, moving right as it goes up.
    first_white = [np.flatnonzero(row)[0] for row in rising[5:60]]
    assert np.all(np.diff(first_white) == -1)
    assert 3 <= rising[32].sum() <= 5


def test_checkerboard_has_eight_by_eight_squares(synthetic):
    board = synthetic["Checkerboard"]
    expected = (np.add.outer(np.arange(8), np.arange(8)) % 2).astype(bool)
    np.testing.assert_array_equal(board[::8, ::8], expected)
    np.testing.assert_array_equal(board, np.kron(expected, np.ones((8, 8), bool)))


def test_circle_is_a_filled_disc(synthetic):
    circle = synthetic["Circle"]
    assert circle[32, 32] and not circle[0, 0] and not circle[-1, -1]
    assert circle.sum() == pytest.approx(np.pi * (0.35 * 64) ** 2, rel=0.03)
    np.testing.assert_array_equal(circle, circle[::-1])
    np.testing.assert_array_equal(circle, circle.T)


def test_synthetic_images_scale_with_size():
    gallery = synthetic_images(128)
    assert all(image.shape == (128, 128, 3) for image in gallery.values())
    assert (gallery["Horizontal line (0°)"][:, 64, 0] > 0).sum() == 6


@pytest.mark.parametrize("size", [0, 7, 5000, 32.0, True, "64"])
def test_synthetic_images_refuse_bad_sizes(size):
    with pytest.raises(ValueError, match="Received"):
        synthetic_images(size)


def test_sample_photos_are_the_two_scikit_learn_images():
    photos = sample_photos()
    assert list(photos) == PHOTO_NAMES
    for photo in photos.values():
        assert photo.shape == (427, 640, 3) and photo.dtype == np.uint8
        assert photo.std() > 20  # real photos, not blank arrays
    assert not np.array_equal(*photos.values())


def test_builtin_images_are_synthetic_then_photos():
    gallery = builtin_images()
    assert list(gallery) == SYNTHETIC_NAMES + PHOTO_NAMES


def test_the_images_package_exports_the_samples():
    assert images.builtin_images is samples.builtin_images
    assert images.synthetic_images is samples.synthetic_images
    assert images.sample_photos is samples.sample_photos


def test_importing_images_does_not_import_scikit_learn():
    code = "import sys, cnnviz.images; print('sklearn' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).resolve().parents[2],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.stdout.strip() == "False", result.stderr
