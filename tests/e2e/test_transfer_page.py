"""Transfer learning in a real browser, on the learner's own photos: upload two classes, run two
methods, read the results table; with one class only, the page asks for a second."""

import time

import numpy as np
import pytest
from PIL import Image
from playwright.sync_api import expect

from cnnviz.transfer.own_classes import MIN_IMAGES_PER_CLASS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

IMAGES_PER_CLASS = MIN_IMAGES_PER_CLASS  # what the form asks for: it must be enough
RUN_SECONDS = 180
KEPT_METHODS = ("Features + SVM", "Frozen layers + new head")
DROPPED_METHODS = ("Fine-tuning in two phases", "From scratch (baseline)")


def bar_photos(folder, orientation: str, count: int, seed: int) -> list[str]:
    """`count` 64×64 PNGs of a bright bar (vertical or horizontal) on a noisy dark background,
    each a little longer or thicker and shifted; their paths."""
    rng = np.random.default_rng(seed)
    paths = []
    for index in range(count):
        pixels = rng.integers(0, 40, size=(64, 64), dtype=np.uint8)
        length, thickness = rng.integers(36, 44), rng.integers(6, 10)
        shift_down, shift_right = rng.integers(-8, 9, size=2)
        top, left = 32 - thickness // 2 + shift_down, 32 - length // 2 + shift_right
        pixels[top : top + thickness, left : left + length] = 230  # a horizontal bar
        if orientation == "vertical":
            pixels = pixels.T
        path = folder / f"{orientation}-{index}.png"
        Image.fromarray(np.ascontiguousarray(pixels)).save(path)
        paths.append(str(path))
    return paths


def open_own_classes(page, server_url) -> None:
    page.goto(f"{server_url}/transfer")
    page.get_by_role("button", name="Run", exact=True).wait_for(timeout=60_000)
    page.get_by_text("Your own classes (photos)", exact=True).click()
    page.locator(".st-key-transfer_own_class_1").wait_for()


def upload(page, class_id: int, paths: list[str]) -> None:
    box = page.locator(f".st-key-transfer_own_class_{class_id}")
    box.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(paths)
    box.get_by_text(f"{len(paths)} images", exact=True).wait_for()


def set_number(page, key: str, value: int) -> None:
    field = page.locator(f".st-key-{key} input")
    field.fill(str(value))
    field.press("Enter")
    expect(field).to_have_value(str(value))
    page.wait_for_timeout(400)


def results_rows(page) -> list[list[str]]:
    """The results table's rows (the grid's accessible table; its first row is the header)."""
    table = page.locator("[data-testid=stDataFrame]").filter(has_text="Test accuracy (%)")
    return table.first.evaluate(
        """grid => [...grid.querySelectorAll('table tr')].map(
            row => [...row.querySelectorAll('th, td')].map(cell => cell.textContent.trim()))"""
    )


def wait_for_results(page, seconds: float) -> None:
    """Until the Results heading shows; fails at once with the message of a failed run."""
    results = page.get_by_role("heading", name="Results", exact=True)
    errors = page.locator("[data-testid=stAlertContentError]")
    deadline = time.monotonic() + seconds
    while not results.is_visible():
        assert errors.count() == 0, f"the run failed: {errors.all_inner_texts()}"
        assert time.monotonic() < deadline, f"no results after {seconds} s"
        page.wait_for_timeout(500)


def no_exception(page) -> None:
    exceptions = page.locator("[data-testid=stException]")
    assert exceptions.count() == 0, exceptions.all_inner_texts()


def test_two_own_classes_train_and_each_method_gets_an_accuracy(page, server_url, tmp_path):
    open_own_classes(page, server_url)
    upload(page, 1, bar_photos(tmp_path, "vertical", IMAGES_PER_CLASS, seed=1))
    upload(page, 2, bar_photos(tmp_path, "horizontal", IMAGES_PER_CLASS, seed=2))
    page.get_by_text(f"2 classes, {2 * IMAGES_PER_CLASS} images").wait_for()

    methods = page.locator(".st-key-transfer_methods")
    for method in DROPPED_METHODS:
        remove = methods.get_by_role("button", name=f"Remove {method}", exact=True)
        # The tags row scrolls sideways (four methods do not fit) and a mouse click can land
        # while it is still scrolling: send the click to the button itself.
        remove.dispatch_event("click")
        expect(remove).to_have_count(0)  # rerun done before the next click
    assert methods.locator("[data-tag]").all_inner_texts() == list(KEPT_METHODS)
    page.get_by_text("Training settings", exact=True).click()
    set_number(page, "transfer_epochs", 2)
    set_number(page, "transfer_fine_tune_epochs", 1)
    no_exception(page)

    run = page.get_by_role("button", name="Run", exact=True)
    expect(run).to_be_enabled()
    run.click()
    wait_for_results(page, RUN_SECONDS)
    deadline = time.monotonic() + 30  # the grid draws its table a moment after the heading
    rows = results_rows(page)
    while len(rows) < 1 + len(KEPT_METHODS) and time.monotonic() < deadline:
        page.wait_for_timeout(250)
        rows = results_rows(page)

    header, *body = rows
    assert "Test accuracy (%)" in header
    accuracy = header.index("Test accuracy (%)")
    assert [row[header.index("Method")] for row in body] == list(KEPT_METHODS)
    for row in body:
        assert 0 <= float(row[accuracy]) <= 100, row
    no_exception(page)


def test_one_class_only_asks_for_a_second_and_run_stays_disabled(page, server_url, tmp_path):
    open_own_classes(page, server_url)
    upload(page, 1, bar_photos(tmp_path, "vertical", IMAGES_PER_CLASS, seed=3))

    error = page.locator("[data-testid=stAlert]").filter(has_text="Add a second class")
    expect(error).to_be_visible()
    expect(page.get_by_role("button", name="Run", exact=True)).to_be_disabled()
    no_exception(page)
