"""The questions on networks, each computed answer checked against arithmetic done by hand
(no Keras), a brute-force receptive field, and the bundled runs' confusion matrices."""

import json
from pathlib import Path

import numpy as np
import pytest
import scipy.signal

from cnnviz import guide

MODELS = Path(__file__).resolve().parents[2] / "assets" / "models"


def count(value: int) -> str:
    return f"{value:,}"


@pytest.mark.parametrize(
    ("filters", "kernel_size", "channels"), [(32, 3, 1), (16, 5, 3), (1, 1, 1), (64, 7, 3)]
)
def test_conv2d_parameters_are_a_weight_per_window_cell_and_channel_plus_a_bias(
    filters, kernel_size, channels
):
    question = guide.parameters_question(filters, kernel_size, channels)
    weights = kernel_size * kernel_size * channels * filters
    assert question.right_choice == count(weights + filters)
    assert count(28 * 28 * channels * filters + filters) in question.choices  # the Dense layer


def test_the_lectures_question_conv2d_32_3x3_on_one_channel_has_320():
    question = guide.parameters_question()
    assert question.right_choice == "320"
    assert question.choices == ("10", "288", "320", "25,120")
    assert "Conv2D(32, 3×3)" in question.prompt
    with pytest.raises(ValueError, match="Received 0"):
        guide.parameters_question(filters=0)


def test_flatten_hands_on_the_last_maps_values():
    side = 28
    for _ in range(2):  # Conv2D 3×3 "valid", then 2×2 max pooling
        side = (side - 3 + 1) // 2
    question = guide.flatten_question()
    assert question.right_choice == count(side * side * 32) == "800"
    assert count(28 * 28) in question.choices
    assert "30,762 parameters" in question.explanation


def brute_force_field(layers, size=28):
    """The side of the input square that output unit (0, 0) depends on, found by sending a
    single bright pixel through a linear stand-in of the layers (ones kernels, sum pooling)."""
    reached = []
    for row in range(size):
        for col in range(size):
            x = np.zeros((size, size))
            x[row, col] = 1.0
            for kind, k in layers:
                if kind == "conv":
                    x = scipy.signal.correlate2d(x, np.ones((k, k)), mode="valid")
                else:
                    side = x.shape[0] // k
                    x = x[: side * k, : side * k].reshape(side, k, side, k).sum(axis=(1, 3))
            if x[0, 0] != 0:
                reached.append((row, col))
    rows, cols = zip(*reached, strict=True)
    assert max(rows) - min(rows) == max(cols) - min(cols)
    return max(rows) - min(rows) + 1


def test_receptive_fields_match_a_brute_force_search():
    lecture = [("conv", 3), ("pool", 2), ("conv", 3), ("pool", 2)]
    fields = guide.receptive_fields()
    assert tuple(fields) == guide.RECEPTIVE_LAYERS
    for depth, layer in enumerate(guide.RECEPTIVE_LAYERS, start=1):
        assert fields[layer] == brute_force_field(lecture[:depth]), layer
    question = guide.receptive_field_question()
    side = brute_force_field(lecture[:3])
    assert question.right_choice == f"{side}×{side}" == "8×8"
    unpooled = brute_force_field([("conv", 3), ("conv", 3)])
    assert f"{unpooled}×{unpooled}" in question.choices
    with pytest.raises(ValueError, match="Received 'dense_1'"):
        guide.receptive_field_question("dense_1")


def manifest(name):
    return json.loads((MODELS / f"{name}.json").read_text())


def held_out_by_confusion(run):
    matrix = np.array(run["confusion_matrix"])
    return np.trace(matrix) / matrix.sum(), int(matrix.sum() - np.trace(matrix))


def test_the_better_generaliser_is_the_one_whose_confusion_matrix_says_so():
    lecture, regularised = manifest("lecture"), manifest("regularised")
    (lecture_accuracy, lecture_wrong) = held_out_by_confusion(lecture)
    (regularised_accuracy, regularised_wrong) = held_out_by_confusion(regularised)
    question = guide.generalisation_question(lecture, regularised)
    better = 1 if regularised_accuracy > lecture_accuracy else 0
    assert question.answer == better == 1
    assert f"{100 * lecture_accuracy:.2f} % ({lecture_wrong} wrong)" in question.explanation
    assert f"{100 * regularised_accuracy:.2f} % ({regularised_wrong} wrong)" in (
        question.explanation
    )
    assert f"the same {lecture['train_size']:,} digits" in question.prompt
    swapped = guide.generalisation_question(regularised, lecture)  # the answer follows the data
    assert swapped.answer == 0


def test_a_run_without_its_held_out_accuracy_is_refused_saying_what_it_gave():
    with pytest.raises(ValueError, match="Received test_accuracy=None, test_size=2000"):
        guide.generalisation_question({"test_size": 2000}, manifest("regularised"))
    with pytest.raises(ValueError, match="Received test_accuracy=1.5"):
        guide.generalisation_question(manifest("lecture"), {"test_accuracy": 1.5, "test_size": 9})


def test_the_first_dense_layer_holds_most_of_the_lectures_parameters():
    by_hand = {
        "conv2d_1": 3 * 3 * 1 * 16 + 16,
        "conv2d_2": 3 * 3 * 16 * 32 + 32,
        "dense_1": 5 * 5 * 32 * 32 + 32,
        "output": 32 * 10 + 10,
    }
    question = guide.design_question()
    assert question.choices == tuple(f"`{name}`" for name in by_hand)
    assert question.right_choice == f"`{max(by_hand, key=by_hand.get)}`"
    total = sum(by_hand.values())
    share = round(100 * by_hand["dense_1"] / total)
    assert f"{count(by_hand['dense_1'])} of the {count(total)} parameters ({share} %)" in (
        question.explanation
    )
    # A third block of 64 filters: 28 → 26 → 13 → 11 → 5 → 3 → 1, so Flatten hands on 64.
    deeper = total - by_hand["dense_1"] + (3 * 3 * 32 * 64 + 64) + (64 * 32 + 32)
    assert f"{count(64)} values and the whole network to {count(deeper)}" in (question.explanation)


def test_freezing_up_to_flatten_trains_the_new_head_only():
    frozen = (3 * 3 * 1 * 16 + 16) + (3 * 3 * 16 * 32 + 32)
    head = (800 * 32 + 32) + (32 * 5 + 5)
    question = guide.transfer_question()
    assert question.right_choice == count(head) == "25,797"
    assert set(question.choices) == {count(head), count(frozen + head), count(frozen), "165"}
    assert f"its {count(frozen)} parameters" in question.explanation
    assert guide.transfer_question(num_classes=10).right_choice == count(800 * 32 + 32 + 330)
    with pytest.raises(ValueError, match="Received 1"):
        guide.transfer_question(num_classes=1)


def test_every_question_has_its_words_in_spanish():
    spanish = [
        guide.parameters_question(language="es"),
        guide.flatten_question("es"),
        guide.receptive_field_question(language="es"),
        guide.generalisation_question(manifest("lecture"), manifest("regularised"), "es"),
        guide.design_question("es"),
        guide.transfer_question(language="es"),
    ]
    english = [
        guide.parameters_question(),
        guide.flatten_question(),
        guide.receptive_field_question(),
        guide.generalisation_question(manifest("lecture"), manifest("regularised")),
        guide.design_question(),
        guide.transfer_question(),
    ]
    for es, en in zip(spanish, english, strict=True):
        assert es.answer == en.answer
        assert es.prompt != en.prompt and es.explanation != en.explanation
        assert "guided." not in es.prompt + es.explanation
    assert spanish[-1].right_choice == "25.797"
