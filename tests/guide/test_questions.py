"""The questions on images, each computed answer checked against an independent reference
(SciPy's correlation, a loop, NumPy's reshape), and the checks on what they are given."""

import numpy as np
import pytest
import scipy.signal

from cnnviz import datasets, guide
from cnnviz.convolution import KERNELS
from cnnviz.guide import Question
from cnnviz.guide.questions import format_decimal, numeric_choices


@pytest.fixture(scope="module")
def sample():
    return datasets.load_dataset("mnist-sample")


@pytest.fixture(scope="module")
def seven(sample):
    return sample.x_test[guide.SEVEN_INDEX]


def test_the_question_is_about_a_seven(sample):
    assert sample.class_names[sample.y_test[guide.SEVEN_INDEX]] == "7"


def test_a_question_checks_its_choices_and_answers():
    question = Question("Which?", ("a", "b", "c"), 2, "Because.")
    assert question.right_choice == "c"
    assert [question.is_right(i) for i in range(3)] == [False, False, True]
    with pytest.raises(ValueError, match="Received 3"):
        question.is_right(3)
    with pytest.raises(ValueError, match="Received True"):
        question.is_right(True)
    with pytest.raises(ValueError, match=r"different choices\. Received \('a', 'a'\)"):
        Question("Which?", ("a", "a"), 0, "")
    with pytest.raises(ValueError, match="Received 2"):
        Question("Which?", ("a", "b"), 2, "")


def test_numbers_are_written_as_each_language_writes_them():
    assert guide.format_count(25797) == "25,797"
    assert guide.format_count(25797, "es") == "25.797"
    assert guide.format_count(2352, "es") == "2352"  # four digits: no separator in Spanish
    assert format_decimal(95.6, 2) == "95.60"
    assert format_decimal(95.6, 2, "es") == "95,60"
    assert numeric_choices(5, [9, 1, 5]) == ([1, 5, 9], 1)


def test_the_pixels_question_counts_one_number_per_pixel(sample):
    digit = sample.x_test[0]
    question = guide.pixels_question(digit)
    assert question.right_choice == f"{28 * 28:,}"
    assert "2,352" in question.choices  # a colour image's count is a choice, not the answer
    assert "28×28" in question.prompt
    with pytest.raises(ValueError, match=r"Received shape \(28, 28, 3\)"):
        guide.pixels_question(np.zeros((28, 28, 3), np.uint8))


def left_edge_by_loop(image):
    edge = []
    for row in range(image.shape[0]):
        for col in range(image.shape[1]):
            if image[row, col] >= 128:
                edge.append((row, col))
                break
    return edge


def test_the_left_edge_is_the_first_ink_pixel_of_each_row(seven):
    assert [tuple(p) for p in guide.left_edge(seven)] == left_edge_by_loop(seven)
    with pytest.raises(ValueError, match="no ink.*Received an image whose brightest pixel is 90"):
        guide.left_edge(np.full((5, 5), 90, np.uint8))


def scipy_responses(image, names):
    """Each kernel's mean cross-correlation on the left edge, by SciPy (zero padding, same)."""
    edge = left_edge_by_loop(image)
    responses = {}
    for name in names:
        output = scipy.signal.correlate2d(
            image.astype(np.float64), KERNELS[name].values, mode="same"
        )
        responses[name] = np.mean([output[row, col] for row, col in edge])
    return responses


def test_each_kernels_response_on_the_left_edge_matches_scipy(seven):
    expected = scipy_responses(seven, guide.EDGE_KERNELS)
    found = guide.left_edge_responses(seven)
    assert list(found) == list(guide.EDGE_KERNELS)
    for name in guide.EDGE_KERNELS:
        assert found[name] == pytest.approx(expected[name], rel=1e-12)


def test_the_kernel_that_lights_up_on_the_left_edge_is_the_one_scipy_finds(seven):
    expected = scipy_responses(seven, guide.EDGE_KERNELS)
    winner = max(expected, key=expected.get)
    question = guide.kernel_question(seven)
    assert question.right_choice == winner == "Sobel vertical edges"
    assert question.choices == guide.EDGE_KERNELS
    assert f"{winner}: {expected[winner]:,.0f}" in question.explanation
    spanish = guide.kernel_question(seven, language="es")
    assert spanish.answer == question.answer
    assert spanish.right_choice == "Bordes verticales (Sobel)"
    assert "borde izquierdo" in spanish.prompt


def test_a_blank_image_has_no_left_edge_to_ask_about():
    with pytest.raises(ValueError, match="no ink"):
        guide.kernel_question(np.zeros((28, 28), np.uint8))


def test_the_pooling_shape_matches_numpy_pooling_of_a_26x26x32_map():
    rng = np.random.default_rng(0)
    feature_map = rng.normal(size=(26, 26, 32))
    pooled = feature_map.reshape(13, 2, 13, 2, 32).max(axis=(1, 3))  # 2×2 windows, strides 2
    question = guide.pooling_question()
    assert question.right_choice == "×".join(map(str, pooled.shape)) == "13×13×32"
    assert "26×26×32" in question.prompt
    assert "floor((26 + 2·0 − 2) / 2) + 1 = 13" in question.explanation
    odd = guide.pooling_question((7, 9, 4), pool_size=3)
    assert odd.right_choice == "2×3×4"  # floor((7 − 3) / 3) + 1, floor((9 − 3) / 3) + 1


def test_a_window_larger_than_the_map_is_refused():
    with pytest.raises(ValueError, match="Received a window of size 4 for an input of size 3"):
        guide.pooling_question((3, 3, 1), pool_size=4)
