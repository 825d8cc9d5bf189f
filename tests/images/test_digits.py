"""cnnviz.images.digits: MNIST-style preprocessing of drawings and photos of digits."""

import cv2
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from scipy import ndimage

from cnnviz.images import digits
from cnnviz.images.decode import ImageError
from cnnviz.images.digits import to_mnist

RNG = np.random.default_rng(0)

# --- to_mnist --------------------------------------------------------------------------------


def drawn_digit(text: str = "3", top_left: tuple[int, int] = (60, 40), size: int = 200):
    """White ink on black, like the app's drawing canvas: a digit drawn with OpenCV's font."""
    canvas = np.zeros((size, size), dtype=np.uint8)
    row, col = top_left
    cv2.putText(canvas, text, (col, row + 100), cv2.FONT_HERSHEY_SIMPLEX, 4, 255, 14)
    return canvas


def centre_of_mass(image: np.ndarray) -> np.ndarray:
    return np.array(ndimage.center_of_mass(image.astype(np.float64)))


def ink_box(image: np.ndarray) -> tuple[int, int]:
    rows, cols = np.nonzero(image)
    return rows.max() - rows.min() + 1, cols.max() - cols.min() + 1


def test_to_mnist_returns_a_28x28_float_input():
    steps = to_mnist(drawn_digit())
    assert steps.result.shape == (28, 28)
    assert steps.result.dtype == np.float32
    assert steps.result.min() >= 0.0 and steps.result.max() == 1.0
    np.testing.assert_array_equal(steps.result, steps.centred / np.float32(255))
    assert max(ink_box(steps.result)) <= 20
    assert max(steps.resized.shape) == 20
    assert not steps.inverted


def test_to_mnist_puts_the_centre_of_mass_at_the_centre():
    steps = to_mnist(drawn_digit())
    offset = centre_of_mass(steps.result) - digits.MNIST_CENTRE
    assert np.abs(offset).max() <= 0.5 + 1e-9


def test_to_mnist_centres_an_off_centre_digit():
    centred = to_mnist(drawn_digit("5", top_left=(70, 60), size=260))
    corner = to_mnist(drawn_digit("5", top_left=(0, 0), size=260))
    assert np.abs(centre_of_mass(corner.result) - digits.MNIST_CENTRE).max() <= 0.5 + 1e-9
    np.testing.assert_array_equal(corner.result, centred.result)


def test_to_mnist_inverts_dark_ink_on_a_light_background():
    dark_background = to_mnist(drawn_digit("2"))
    light_background = to_mnist(255 - drawn_digit("2"))
    assert light_background.inverted and not dark_background.inverted
    np.testing.assert_allclose(light_background.result, dark_background.result, atol=1 / 255)
    assert light_background.as_list()[1][0] == "Inverted"
    assert dark_background.as_list()[1][0] == "Ink"


def test_to_mnist_removes_a_grey_background():
    ink = drawn_digit("4")
    paper = np.rint(90 + ink * (110 / 255)).astype(np.uint8)  # grey ink on grey paper
    steps = to_mnist(np.repeat(paper[..., None], 3, axis=2))
    assert steps.ink.min() == 0 and steps.ink.max() == 255
    np.testing.assert_allclose(steps.result, to_mnist(ink).result, atol=4 / 255)


def test_to_mnist_keeps_the_aspect_ratio_of_a_one():
    one = np.zeros((240, 240), dtype=np.uint8)
    one[20:220, 117:123] = 255  # a thin vertical stroke, 6 px by 200 px
    steps = to_mnist(one)
    assert steps.cropped.shape == (200, 6)
    assert steps.resized.shape == (20, 1)
    height, width = ink_box(steps.result)
    assert height == 20 and width <= 2


def test_to_mnist_enlarges_a_tiny_digit():
    tiny = np.zeros((30, 30), dtype=np.uint8)
    tiny[10:15, 12:15] = 255  # 5 x 3 px of ink
    steps = to_mnist(tiny)
    assert steps.resized.shape == (20, 12)
    assert np.abs(centre_of_mass(steps.result) - digits.MNIST_CENTRE).max() <= 0.5 + 1e-9


def test_to_mnist_steps_are_listed_in_order():
    captions = [caption for caption, _ in to_mnist(drawn_digit()).as_list()]
    assert captions == [
        "Grayscale",
        "Ink",
        "Cropped to the ink",
        "Scaled to 20 px",
        "Centred in 28×28",
    ]


def test_to_mnist_accepts_rgb_rgba_and_float_alike():
    gray = drawn_digit("8")
    expected = to_mnist(gray).result
    rgb = np.repeat(gray[..., None], 3, axis=2)
    np.testing.assert_array_equal(to_mnist(rgb).result, expected)
    np.testing.assert_array_equal(to_mnist(rgb / 255.0).result, expected)
    # A canvas with a transparent background: white RGB everywhere, alpha marks the ink.
    canvas = np.dstack([np.full_like(gray, 255)] * 3 + [gray])
    np.testing.assert_array_equal(to_mnist(canvas).result, expected)


@pytest.mark.parametrize(
    "image",
    [
        np.zeros((28, 28), np.uint8),
        np.full((50, 40, 3), 255, np.uint8),
        np.full((10, 10), 0.5),
        np.zeros((0, 0), np.uint8),
        np.zeros((0, 5, 3), np.uint8),
        np.array([[7]], np.uint8),
        (128 + RNG.integers(-3, 4, (40, 40))).astype(np.uint8),  # faint noise only
    ],
    ids=["black", "white", "grey-float", "empty", "empty-rgb", "one-pixel", "noise"],
)
def test_to_mnist_refuses_blank_images(image):
    with pytest.raises(ImageError, match="The image is blank: draw or upload a digit"):
        to_mnist(image)


def test_to_mnist_refuses_ink_too_sparse_to_survive_shrinking():
    sparse = np.zeros((2000, 2000), dtype=np.uint8)
    sparse[0, 0] = sparse[-1, -1] = 255
    with pytest.raises(ImageError, match="Received ink spread over 2000×2000 pixels"):
        to_mnist(sparse)


@pytest.mark.parametrize(
    ("image", "error", "message"),
    [
        (np.zeros(5, np.uint8), ValueError, "Received shape \\(5,\\)"),
        (np.zeros((4, 4, 2), np.uint8), ValueError, "Received shape \\(4, 4, 2\\)"),
        (np.zeros((4, 4), np.int64), ValueError, "Received dtype int64"),
        ([[0, 255]], ValueError, "Received list"),
    ],
)
def test_to_mnist_refuses_bad_input(image, error, message):
    with pytest.raises(error, match=message):
        to_mnist(image)


@st.composite
def non_blank_images(draw):
    height, width = draw(st.integers(3, 60)), draw(st.integers(3, 60))
    pixels = draw(hnp.arrays(np.uint8, (height, width)))
    background = draw(st.integers(0, 255))
    pixels[[0, -1], :] = background
    pixels[:, [0, -1]] = background
    row, col = draw(st.integers(0, height - 1)), draw(st.integers(0, width - 1))
    pixels[row, col] = background + 64 if background <= 127 else background - 64
    return pixels


@settings(max_examples=150, deadline=None)
@given(non_blank_images())
def test_to_mnist_property_any_non_blank_image_gives_a_valid_input(pixels):
    steps = to_mnist(pixels)
    assert steps.result.shape == (28, 28) and steps.result.dtype == np.float32
    assert steps.result.min() >= 0.0 and steps.result.max() == 1.0
    assert max(steps.resized.shape) == 20
    assert max(ink_box(steps.result)) <= 20
    assert steps.result.sum() * 255 == pytest.approx(float(steps.resized.sum()), rel=1e-5)


def test_real_mnist_digits_look_like_mnist():
    from cnnviz.datasets import load_dataset

    sample = load_dataset("mnist-sample")
    digits_ = np.concatenate([sample.x_train, sample.x_test]) / 255.0
    alike = np.mean([digits.unlike_mnist(digit) is None for digit in digits_])
    assert alike >= 0.995  # the ranges were measured to hold 99.8 % of them


@pytest.mark.parametrize(
    ("name", "reason"),
    [
        ("Checkerboard", "of its pixels are ink, where MNIST digits have 3% to 30%"),
        ("China (scikit-learn sample)", "it is mostly shades of grey"),
        ("Flower (scikit-learn sample)", "it is mostly shades of grey"),
    ],
)
def test_pictures_that_are_not_digits_are_told_apart(name, reason):
    from cnnviz.images.samples import builtin_images

    made = to_mnist(builtin_images()[name]).result
    assert reason in digits.unlike_mnist(made)


def test_ink_and_grey_are_counted_by_brightness():
    image = np.zeros((28, 28), np.float32)
    image[0, :4] = 1.0  # 4 full-ink pixels
    image[1, :8] = 0.6  # 8 grey pixels, counted as ink too (above half brightness)
    assert digits.ink_share(image) == pytest.approx(12 / 784)
    assert digits.grey_per_ink(image) == 2.0
    assert digits.grey_per_ink(np.zeros((28, 28))) == 0.0
