"""The kernel gallery and the checks on kernels typed into the editor."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from cnnviz.convolution import kernels
from cnnviz.convolution.kernels import KernelError, validate_kernel

LECTURE_VALUES = {
    "Horizontal lines": [[-1, -1, -1], [2, 2, 2], [-1, -1, -1]],
    "Vertical lines": [[-1, 2, -1], [-1, 2, -1], [-1, 2, -1]],
    "45° lines": [[-1, -1, 2], [-1, 2, -1], [2, -1, -1]],
    "135° lines": [[2, -1, -1], [-1, 2, -1], [-1, -1, 2]],
    "Sobel horizontal edges": [[-1, -2, -1], [0, 0, 0], [1, 2, 1]],
    "Sobel vertical edges": [[-1, 0, 1], [-2, 0, 2], [-1, 0, 1]],
    "Laplacian": [[0, -1, 0], [-1, 4, -1], [0, -1, 0]],
    "Laplacian with diagonals": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
    "Laplacian of Gaussian 5×5": [
        [0, 0, -1, 0, 0],
        [0, -1, -2, -1, 0],
        [-1, -2, 16, -2, -1],
        [0, -1, -2, -1, 0],
        [0, 0, -1, 0, 0],
    ],
}
GAUSSIAN_3 = [[1, 2, 1], [2, 4, 2], [1, 2, 1]]
GAUSSIAN_5 = np.outer([1, 4, 6, 4, 1], [1, 4, 6, 4, 1])
# Blurs are means: their whole-number weights over their sum.
EXTRA_VALUES = {
    "Identity": [[0, 0, 0], [0, 1, 0], [0, 0, 0]],
    "Box blur": [[1 / 9] * 3] * 3,
    "Gaussian blur 3×3": np.array(GAUSSIAN_3) / 16,
    "Gaussian blur 5×5": GAUSSIAN_5 / 256,
    "Sharpen": [[0, -1, 0], [-1, 5, -1], [0, -1, 0]],
    "Emboss": [[-2, -1, 0], [-1, 1, 1], [0, 1, 2]],
    "Outline": [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]],
}


# Basic: the gallery's shape, types and flags.


def test_gallery_holds_exactly_the_lecture_and_extra_kernels():
    assert set(kernels.KERNELS) == set(LECTURE_VALUES) | set(EXTRA_VALUES)
    lecture_order = kernels.LECTURE_KERNEL_NAMES
    assert lecture_order == tuple(LECTURE_VALUES)
    assert set(kernels.SOBEL_PAIR) <= set(kernels.LECTURE_KERNEL_NAMES)


@pytest.mark.parametrize("name", list(LECTURE_VALUES) + list(EXTRA_VALUES))
def test_every_gallery_kernel_has_its_exact_values(name):
    kernel = kernels.KERNELS[name]
    expected = {**LECTURE_VALUES, **EXTRA_VALUES}[name]
    assert kernel.name == name
    assert kernel.values.dtype == np.float64
    np.testing.assert_array_equal(kernel.values, expected)
    assert kernel.from_lecture == (name in LECTURE_VALUES)
    assert kernel.description and "\n" not in kernel.description


def test_blurs_are_means_as_their_captions_say():
    blurs = {name: kernel for name, kernel in kernels.KERNELS.items() if kernel.divisor > 1}
    assert set(blurs) == {"Box blur", "Gaussian blur 3×3", "Gaussian blur 5×5"}
    assert [kernel.divisor for kernel in blurs.values()] == [9, 16, 256]
    for name, kernel in blurs.items():
        assert kernel.values.sum() == pytest.approx(1.0, abs=1e-15), name
        assert kernels.is_blur(kernel.values) and "mean" in kernel.description
    assert np.all(kernels.KERNELS["Box blur"].values == 1 / 9)
    assert "1/9" in kernels.KERNELS["Box blur"].description
    assert "sixteenths (1 2 1 / 2 4 2 / 1 2 1)" in kernels.KERNELS["Gaussian blur 3×3"].description
    assert "256ths, weights 1 4 6 4 1" in kernels.KERNELS["Gaussian blur 5×5"].description


def test_the_editor_shows_blurs_as_fractions_and_every_kernel_reads_back_as_itself():
    assert kernels.KERNELS["Box blur"].cells() == [["1/9"] * 3] * 3
    assert kernels.KERNELS["Gaussian blur 3×3"].cells()[1] == ["2/16", "4/16", "2/16"]
    assert kernels.KERNELS["Laplacian"].cells()[1] == ["-1", "4", "-1"]
    for kernel in kernels.KERNELS.values():
        values, found, note = kernels.read_kernel(kernel.cells())
        np.testing.assert_array_equal(values, kernel.values)
        assert found == kernels.find_preset(kernel.values) and note is None


def test_is_blur_means_no_negative_weight():
    flagged = {name for name, kernel in kernels.KERNELS.items() if kernels.is_blur(kernel.values)}
    assert flagged == {"Identity", "Box blur", "Gaussian blur 3×3", "Gaussian blur 5×5"}
    assert not kernels.is_blur(np.zeros((3, 3)))


def test_gallery_cannot_be_changed():
    with pytest.raises(TypeError):
        kernels.KERNELS["Mine"] = kernels.KERNELS["Identity"]
    with pytest.raises(ValueError, match="read-only"):
        kernels.KERNELS["Laplacian"].values[1, 1] = 0


def test_outline_says_it_equals_the_laplacian_with_diagonals():
    assert "Laplacian with diagonals" in kernels.KERNELS["Outline"].description


# Correctness: validation, normalisation, flipping, presets.


def test_validate_kernel_parses_editor_strings_and_numbers():
    kernel = validate_kernel([["0", " -1.5 ", 0], [-1, 4, np.int64(-1)], [0.0, "-1", "2e0"]])
    assert kernel.dtype == np.float64
    np.testing.assert_array_equal(kernel, [[0, -1.5, 0], [-1, 4, -1], [0, -1, 2]])


def test_validate_kernel_returns_a_new_array():
    values = np.ones((3, 3))
    kernel = validate_kernel(values)
    kernel[0, 0] = 5
    assert values[0, 0] == 1


def test_validate_kernel_reads_a_data_editor_table():
    pd = pytest.importorskip("pandas")
    table = pd.DataFrame([["1", "2", "1"], [None, "4", "2"], ["1", "2", "1"]])
    with pytest.raises(KernelError, match="Row 2, column 1 is empty"):
        validate_kernel(table)
    numbers = pd.DataFrame([[1.0, 2.0, 1.0], [2.0, np.nan, 2.0], [1.0, 2.0, 1.0]])
    with pytest.raises(KernelError, match="Row 2, column 2 is empty"):
        validate_kernel(numbers)
    np.testing.assert_array_equal(validate_kernel(numbers.fillna(4.0)), GAUSSIAN_3)


def test_validate_kernel_reads_fractions():
    kernel = validate_kernel([["1/9", " 2 / 16 ", "-1/4"], ["0", "1e0/2", "3"], ["0", "0", "0"]])
    np.testing.assert_array_equal(kernel[0], [1 / 9, 2 / 16, -1 / 4])
    assert kernel[1, 1] == 0.5
    for text in ("1/0", "1/2/3", "a/9", "/9"):
        with pytest.raises(KernelError, match=f"holds '{text}', which is not a number"):
            validate_kernel([["0", "0", "0"], ["0", text, "0"], ["0", "0", "0"]])


def test_validate_kernel_reads_objects_with_values():
    class Table:
        values = np.array([[0, 1, 0], [1, 1, 1], [0, 1, 0]])

    np.testing.assert_array_equal(validate_kernel(Table()), Table.values)


@pytest.mark.parametrize(
    ("cell", "message"),
    [
        ("abc", r"^Row 2, column 3 holds 'abc', which is not a number\."),
        ("nan", r"^Row 2, column 3 holds 'nan', which is not a number\."),
        (None, r"^Row 2, column 3 is empty\."),
        ("  ", r"^Row 2, column 3 is empty\."),
        (float("nan"), r"^Row 2, column 3 is empty\."),
        ("inf", r"^Row 2, column 3 holds inf; kernel values must be finite numbers\."),
        (-np.inf, r"^Row 2, column 3 holds -inf; kernel values must be finite numbers\."),
        (2e6, r"^Row 2, column 3 holds 2e\+06; kernel values must lie between"),
        (True, r"^Row 2, column 3 holds True, which is not a number\."),
    ],
)
def test_validate_kernel_names_the_bad_cell(cell, message):
    grid = [[0, 0, 0], [0, 1, cell], [0, 0, 0]]
    with pytest.raises(KernelError, match=message):
        validate_kernel(grid)


def test_validate_kernel_names_the_first_bad_cell_of_a_numeric_array():
    grid = np.zeros((5, 5))
    grid[3, 1] = np.inf
    grid[4, 4] = np.nan
    with pytest.raises(KernelError, match=r"Row 4, column 2 holds inf"):
        validate_kernel(grid)


@pytest.mark.parametrize(
    ("values", "received"),
    [
        (np.ones((4, 4)), r"Received shape \(4, 4\)"),
        (np.ones((3, 5)), r"Received shape \(3, 5\)"),
        (np.ones((9, 9)), r"Received shape \(9, 9\)"),
        (np.ones((3, 3, 3)), r"Received shape \(3, 3, 3\)"),
        (np.ones(3), r"Received shape \(3,\)"),
        (7, r"Received shape \(\)"),
        ([], r"Received shape \(0,\)"),
        ([[1, 2, 3], [1, 2], [1, 2, 3]], r"Received rows of lengths \(3, 2, 3\)"),
    ],
)
def test_validate_kernel_refuses_shapes_and_says_what_it_received(values, received):
    with pytest.raises(KernelError, match=received):
        validate_kernel(values)


def test_odd_size_message_explains_why():
    with pytest.raises(ValueError, match=r"odd size \(1, 3, 5 or 7\), so that it has a centre"):
        validate_kernel(np.ones((4, 4)))


def test_any_square_size_is_accepted_when_asked():
    assert validate_kernel(np.ones((4, 4)), odd_size=False).shape == (4, 4)
    with pytest.raises(KernelError, match=r"square\. Received shape \(2, 4\)"):
        validate_kernel(np.ones((2, 4)), odd_size=False)


def test_normalise_by_sum_divides_blurs():
    kernel, note = kernels.normalise_by_sum(GAUSSIAN_3)
    assert note is None
    np.testing.assert_allclose(kernel, np.array(GAUSSIAN_3) / 16)
    assert kernel.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("name", ["Box blur", "Gaussian blur 3×3", "Gaussian blur 5×5", "Emboss"])
def test_normalise_by_sum_leaves_kernels_that_sum_to_1_as_they_are(name):
    kernel, note = kernels.normalise_by_sum(kernels.KERNELS[name].values)
    np.testing.assert_array_equal(kernel, kernels.KERNELS[name].values)
    assert note is None


def test_read_kernel_names_edits_and_keeps_a_preset_name_when_normalised(monkeypatch):
    box = kernels.KERNELS["Box blur"]
    assert kernels.read_kernel(box.cells(), normalise=True)[1] == "Box blur"
    values, name, _ = kernels.read_kernel([["1"] * 3] * 3, normalise=True)
    assert name == "Box blur" and np.all(values == 1 / 9)
    assert kernels.read_kernel([["1"] * 3] * 3)[1] == "custom"
    assert kernels.read_kernel([["1", "1", "1"], ["1", "2", "1"], ["1", "1", "1"]], True)[1] == (
        "custom"
    )
    values, name, note = kernels.read_kernel(kernels.KERNELS["Laplacian"].cells(), True)
    assert name == "Laplacian" and "sums to 0" in note
    # A whole-number preset that normalising changes keeps its name.
    whole = kernels.NamedKernel("Whole box", np.ones((3, 3)), "Sums to 9.")
    monkeypatch.setattr(kernels, "KERNELS", {"Whole box": whole})
    values, name, _ = kernels.read_kernel(np.ones((3, 3)), normalise=True)
    assert name == "Whole box, normalised"
    np.testing.assert_array_equal(values, np.full((3, 3), 1 / 9))


@pytest.mark.parametrize("name", LECTURE_VALUES)
def test_normalise_by_sum_leaves_zero_sum_kernels_with_a_note(name):
    kernel, note = kernels.normalise_by_sum(kernels.KERNELS[name].values)
    np.testing.assert_array_equal(kernel, LECTURE_VALUES[name])
    assert "sums to 0" in note


def test_flip_kernel_rotates_by_180_degrees():
    values = np.arange(9).reshape(3, 3)
    np.testing.assert_array_equal(kernels.flip_kernel(values), np.rot90(values, 2))
    sobel = kernels.KERNELS["Sobel vertical edges"].values
    np.testing.assert_array_equal(kernels.flip_kernel(sobel), -sobel)


def test_find_preset_recognises_gallery_values_and_custom_edits():
    for name in LECTURE_VALUES:
        assert kernels.find_preset(LECTURE_VALUES[name]) == name
    assert kernels.find_preset(EXTRA_VALUES["Outline"]) == "Laplacian with diagonals"
    edited = np.array(LECTURE_VALUES["Laplacian"], dtype=float)
    edited[0, 0] = 0.5
    assert kernels.find_preset(edited) is None
    assert kernels.find_preset([["0", "-1", "0"], ["-1", "4", "-1"], ["0", "-1", "0"]]) == (
        "Laplacian"
    )


@settings(max_examples=50, deadline=None)
@given(
    hnp.arrays(
        np.float64,
        st.sampled_from([(1, 1), (3, 3), (5, 5), (7, 7)]),
        elements=st.floats(-1e6, 1e6),
    )
)
def test_validate_kernel_keeps_every_valid_grid(values):
    np.testing.assert_array_equal(validate_kernel(values.tolist()), values)
    np.testing.assert_array_equal(kernels.flip_kernel(kernels.flip_kernel(values)), values)
