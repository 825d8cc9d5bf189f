"""probe_inputs and probe_table: the variants are what their labels say, checked with SciPy."""

import cv2
import numpy as np
import pytest
from scipy import ndimage

from cnnviz.network.robustness import ProbeRow, probe_inputs, probe_table

EXPECTED_LABELS = [
    "original",
    "shift right 2 px",
    "shift right 4 px",
    "shift left 2 px",
    "shift left 4 px",
    "shift down 2 px",
    "shift down 4 px",
    "shift up 2 px",
    "shift up 4 px",
    "rotate 15° anticlockwise",
    "rotate 15° clockwise",
    "rotate 30° anticlockwise",
    "rotate 30° clockwise",
    "scale ×0.8",
    "scale ×1.2",
    "Gaussian noise σ=0.1",
    "Gaussian noise σ=0.3",
]


@pytest.fixture
def digit():
    """A '7'-like stroke pair in the middle of a 28x28 float image, away from the edges."""
    image = np.zeros((28, 28), np.uint8)
    cv2.line(image, (9, 8), (19, 8), 255, 2)
    cv2.line(image, (19, 8), (12, 21), 255, 2)
    return image / 255.0


def variants_of(image, **kwargs):
    return dict(probe_inputs(image, **kwargs))


def test_variants_have_their_labels_shapes_and_range(digit):
    variants = probe_inputs(digit)
    assert [label for label, _ in variants] == EXPECTED_LABELS
    for label, image in variants:
        assert image.shape == (28, 28) and image.dtype == np.float32, label
        assert image.min() >= 0 and image.max() <= 1, label
    assert variants[0][0] == "original"
    np.testing.assert_array_equal(variants[0][1], digit.astype(np.float32))


def test_shifts_move_the_centre_of_mass(digit):
    variants = variants_of(digit)
    rows, cols = ndimage.center_of_mass(digit)
    for pixels in (2, 4):
        moves = {"right": (0, pixels), "left": (0, -pixels), "down": (pixels, 0)}
        moves["up"] = (-pixels, 0)
        for direction, (dy, dx) in moves.items():
            moved = ndimage.center_of_mass(variants[f"shift {direction} {pixels} px"])
            np.testing.assert_allclose(moved, (rows + dy, cols + dx), atol=1e-9)


def test_rotations_turn_the_digit_the_named_way(digit):
    """The stroke's principal axis turns by the angle: anticlockwise is positive on screen."""
    variants = variants_of(digit)

    def angle(image):  # orientation of the ink, y axis pointing up, in degrees
        ys, xs = np.nonzero(image > 0.5)
        covariance = np.cov(np.stack([xs, -ys]))
        values, vectors = np.linalg.eigh(covariance)
        x, y = vectors[:, np.argmax(values)]
        return np.degrees(np.arctan2(y, x))

    base = angle(digit)
    for degrees in (15, 30):
        for sense, sign in (("anticlockwise", 1), ("clockwise", -1)):
            turned = angle(variants[f"rotate {degrees}° {sense}"]) - base
            turned = (turned + 90) % 180 - 90
            assert turned == pytest.approx(sign * degrees, abs=4), (degrees, sense)


def test_scaling_resizes_about_the_centre(digit):
    variants = variants_of(digit)
    centre = np.array([13.5, 13.5])

    def spread(image):
        ys, xs = np.indices(image.shape)
        weights = image / image.sum()
        return np.sqrt((weights * ((ys - centre[0]) ** 2 + (xs - centre[1]) ** 2)).sum())

    for scale in (0.8, 1.2):
        assert spread(variants[f"scale ×{scale:g}"]) / spread(digit) == pytest.approx(scale, 0.05)


def test_noise_has_its_level_and_follows_the_seed(digit):
    variants = variants_of(digit, seed=3)
    grey = np.full((28, 28), 0.5)  # far from 0 and 1, so clipping barely touches the noise
    noisy = variants_of(grey, seed=3)
    for sigma in (0.1, 0.3):
        label = f"Gaussian noise σ={sigma:g}"
        assert (noisy[label] - grey).std() == pytest.approx(sigma, rel=0.15)
        np.testing.assert_array_equal(variants[label], variants_of(digit, seed=3)[label])
        assert not np.array_equal(variants[label], variants_of(digit, seed=4)[label])


def test_uint8_and_channel_images_are_accepted(digit):
    pixels = (digit * 255).round().astype(np.uint8)
    np.testing.assert_allclose(variants_of(pixels)["original"], digit, atol=1e-7)
    np.testing.assert_array_equal(
        variants_of(digit[..., np.newaxis])["scale ×1.2"], variants_of(digit)["scale ×1.2"]
    )


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((28, 28, 3)), r"one grey image \(28, 28\) or \(28, 28, 1\).*\(28, 28, 3\)"),
        (np.full((28, 28), 2.0), "floats in 0..1 or uint8. Received values from 2 to 2"),
        (np.full((28, 28), np.nan), "Received NaN or inf"),
    ],
)
def test_bad_images_are_explained(bad, message):
    with pytest.raises(ValueError, match=message):
        probe_inputs(bad)


def test_probe_table_marks_changed_predictions():
    labels = ["original", "shift right 2 px", "rotate 30° clockwise"]
    probabilities = np.array([[0.1, 0.7, 0.2], [0.2, 0.5, 0.3], [0.6, 0.3, 0.1]])
    rows = probe_table(labels, probabilities, ["zero", "one", "two"])
    assert rows == [
        ProbeRow("original", "one", 0.7, False, 0.7),
        ProbeRow("shift right 2 px", "one", 0.5, False, 0.5),
        ProbeRow("rotate 30° clockwise", "zero", 0.6, True, 0.3),
    ]
    assert all(isinstance(row.changed, bool) for row in rows)


@pytest.mark.parametrize(
    ("labels", "probabilities", "message"),
    [
        (["original"], np.ones((2, 3)) / 3, r"\(variants, classes\) = \(1, 3\).*shape \(2, 3\)"),
        (["a", "b"], np.ones((2, 3)) / 3, "One label must be 'original'. Received labels"),
        (["original"], np.full((1, 3), np.nan), "must be finite numbers"),
    ],
)
def test_probe_table_explains_bad_input(labels, probabilities, message):
    with pytest.raises(ValueError, match=message):
        probe_table(labels, probabilities, ["0", "1", "2"])
