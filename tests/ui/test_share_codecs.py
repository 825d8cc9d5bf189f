"""The link codecs: every setting survives a trip through its URL text, and a bad value is
refused with what the parameter accepts, in English and in Spanish."""

import urllib.parse

import cv2
import numpy as np
import pytest

from cnnviz import convolution, i18n
from cnnviz.ui.share_codecs import (
    DIGIT_SIDE,
    Choice,
    Digit,
    Flag,
    KernelCells,
    LinkError,
    Name,
    Number,
    Position,
    Several,
    Text,
    Whole,
    slug,
)
from cnnviz.ui.share_settings import PageShare, Setting


def test_choice_writes_stable_codes_not_labels():
    codec = Choice.named(["Sobel vertical edges", "Box blur"])
    assert codec.encode("Box blur") == "box-blur"
    assert codec.decode("sobel-vertical-edges") == "Sobel vertical edges"
    assert codec.encode("Not an option") is None
    with pytest.raises(LinkError) as refused:
        codec.decode("Box blur")
    assert refused.value.accepted == "Accepted: sobel-vertical-edges, box-blur."
    with pytest.raises(LinkError) as refused:
        codec.decode("nope", "es")
    assert refused.value.accepted == "Se acepta: sobel-vertical-edges, box-blur."


def test_every_gallery_kernel_has_its_own_code():
    codes = [slug(name) for name in convolution.KERNELS]
    assert len(set(codes)) == len(codes)
    assert all(urllib.parse.quote(code) == code for code in codes)


@pytest.mark.parametrize(
    ("codec", "value", "text"),
    [
        (Whole(1, 3), 2, "2"),
        (Whole(0, 2**32 - 1), 4_294_967_295, "4294967295"),
        (Number(0.0, 0.9), 0.05, "0.05"),
        (Number(0.0001, 1.0), 0.0005, "0.0005"),
        (Flag(), True, "1"),
        (Flag(), False, "0"),
        (Text(), "T-shirt/top", "T-shirt/top"),
        (Position(), (3, 12), "3,12"),
        (Several({"a": "A", "b": "B", "c": "C"}), ["A", "C"], "a,c"),
        (Choice({"3": 3, "5": 5}), 5, "5"),
    ],
)
def test_round_trip(codec, value, text):
    assert codec.encode(value) == text
    assert codec.decode(text) == value
    assert type(codec.decode(text)) is type(value)


@pytest.mark.parametrize(
    ("codec", "text", "accepted"),
    [
        (Whole(1, 3), "4", "Accepted: a whole number from 1 to 3."),
        (Whole(1, 3), "2.5", "Accepted: a whole number from 1 to 3."),
        (Whole(1, 3), "", "Accepted: a whole number from 1 to 3."),
        (Number(0.0, 0.9), "nan", "Accepted: a number from 0 to 0.9."),
        (Number(0.0, 0.9), "1", "Accepted: a number from 0 to 0.9."),
        (Number(0.0, 0.9), "lots", "Accepted: a number from 0 to 0.9."),
        (Flag(), "yes", "Accepted: 1 (on) or 0 (off)."),
        (
            Position(),
            "3;12",
            "Accepted: a row and a column, whole numbers separated by a comma (for example 3,12).",
        ),
        (Several({"a": 1, "b": 2}), "a,z", "Accepted: one or more of a, b, separated by commas."),
        (Several({"a": 1, "b": 2}), "", "Accepted: one or more of a, b, separated by commas."),
        (
            Text(),
            "<script>",
            "Accepted: a name of at most 80 letters, digits, spaces or - _ . / ( ).",
        ),
    ],
)
def test_bad_values_say_what_is_accepted(codec, text, accepted):
    with pytest.raises(LinkError) as refused:
        codec.decode(text)
    assert refused.value.accepted == accepted


def test_a_name_must_be_one_this_server_has():
    codec = Name(lambda: ["lecture", "regularised"])
    assert codec.decode("lecture") == "lecture"
    with pytest.raises(LinkError, match="Accepted: lecture, regularised."):
        codec.decode("someone-elses-run")


def test_kernel_cells_round_trip_to_the_same_kernel():
    cells = [["1/9"] * 3, ["1/9", "-0.5", "1/9"], ["1/9"] * 3]
    text = KernelCells().encode(cells)
    assert text == "1/9,1/9,1/9;1/9,-0.5,1/9;1/9,1/9,1/9"
    decoded = KernelCells().decode(text)
    assert decoded == cells
    expected = np.full((3, 3), 1 / 9)
    expected[1, 1] = -0.5
    np.testing.assert_allclose(convolution.validate_kernel(decoded), expected)


@pytest.mark.parametrize("text", ["1,0;0,1", "1,0,-1;2,0", "1,x,0;0,1,0;0,0,1", "1e9", "", ";"])
def test_kernels_the_editor_would_refuse_are_refused(text):
    with pytest.raises(LinkError) as refused:
        KernelCells().decode(text)
    assert "1,0,-1;2,0,-2;1,0,-1" in refused.value.accepted
    with pytest.raises(LinkError) as refused:
        KernelCells().decode(text, "es")
    assert refused.value.accepted.startswith("Se acepta: un kernel cuadrado")


def test_a_drawing_travels_as_its_28_by_28_digit_in_16_levels():
    rng = np.random.default_rng(0)
    digit = np.zeros((DIGIT_SIDE, DIGIT_SIDE), dtype=np.uint8)
    digit[6:22, 12:16] = 255
    digit[4:8, 8:20] = rng.integers(0, 256, (4, 12))
    drawing = np.kron(digit, np.ones((10, 10), dtype=np.uint8))
    rgba = np.dstack([drawing, drawing, drawing, np.full_like(drawing, 255)])
    text = Digit().encode(rgba)
    assert len(text) < 600 and urllib.parse.quote(text) == text
    decoded = Digit().decode(text)
    assert decoded.shape == (28, 28) and decoded.dtype == np.uint8
    # Reference: the 28×28 block means, each rounded to the nearest of 16 levels.
    means = cv2.resize(drawing, (28, 28), interpolation=cv2.INTER_AREA).astype(float)
    np.testing.assert_array_equal(decoded, np.rint(means * 15 / 255).astype(np.uint8) * 17)
    assert np.abs(decoded.astype(int) - digit.astype(int)).max() <= 255 / 30 + 1
    assert Digit().encode(np.dstack([decoded] * 3)) == text  # a second trip changes nothing


@pytest.mark.parametrize("text", ["!!!", "aGVsbG8", "eJwDAAAAAAE", "a" * 7])
def test_a_drawing_that_is_not_one_is_refused(text):
    with pytest.raises(LinkError, match="Copy link"):
        Digit().decode(text)


def test_a_setting_leaves_its_default_and_what_does_not_matter_out_of_the_link():
    strides = Setting("strides", "page_strides", Whole(1, 3), 1)
    assert strides.text({}) is None
    assert strides.text({"page_strides": 1}) is None
    assert strides.text({"page_strides": 2}) == "2"
    only_custom = Setting("size", "size", Whole(3, 7), 3, when=lambda state: state.get("custom"))
    assert only_custom.text({"size": 5}) is None
    assert only_custom.text({"size": 5, "custom": True}) == "5"


def test_a_linked_value_goes_into_every_key_it_lives_in():
    state = {}
    Setting("index", "saved_index", Whole(0, 9), 0, also=("index",)).apply(state, 4)
    assert state == {"saved_index": 4, "index": 4}
    page = PageShare((Setting("a", "a", Flag()), Setting("b", "b", Flag())))
    assert page.parameters == {"a", "b"} and page.notes({}) == []


def test_every_accepted_message_exists_in_both_languages():
    for key in ("choice", "several", "whole", "number", "flag", "text", "kernel", "digit"):
        english = i18n.catalog("en")[f"share.accepted.{key}"]
        spanish = i18n.catalog("es")[f"share.accepted.{key}"]
        assert i18n.placeholders(english) == i18n.placeholders(spanish)
