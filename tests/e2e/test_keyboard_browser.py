"""The Convolution page from the keyboard alone: Tab, Shift+Tab, arrows, Enter and Space.

No click and no pointer: the kernel preset, the strides and the explained pixel are changed
with keys only, and the page's numbers are checked against the core computed here (the
explorer's kernel, the output's size and summary, the explained pixel's sum).
"""

import numpy as np
import pytest
from playwright.sync_api import expect

from cnnviz import convolution, datasets

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

# The element that has the keyboard focus, looking inside components' shadow roots.
FOCUSED = """(selector) => {
  let node = document.activeElement;
  while (node && node.shadowRoot && node.shadowRoot.activeElement) {
    node = node.shadowRoot.activeElement;
  }
  return !!node && !!node.closest && node.closest(selector) !== null;
}"""
MOST_TABS = 120


@pytest.fixture(scope="module")
def digit():
    return datasets.load_dataset("mnist-sample").x_test[0]


def focused(page, selector: str) -> bool:
    return page.evaluate(FOCUSED, selector)


def tab_to(page, selector: str, backwards: bool = False) -> None:
    """Press Tab (Shift+Tab `backwards`) until the focus is inside `selector`."""
    key = "Shift+Tab" if backwards else "Tab"
    for _ in range(MOST_TABS):
        if focused(page, selector):
            return
        page.keyboard.press(key)
    raise AssertionError(f"{MOST_TABS} presses of {key} never reached {selector}")


def kernel_cells(explorer) -> list[float]:
    """The numbers of the explorer's kernel (its second grid: window, kernel, products)."""
    texts = explorer.locator(".cx-grid").nth(1).locator("td").all_inner_texts()
    return [float(text.replace("−", "-")) for text in texts]


def summary_of(output: np.ndarray) -> str:
    """The text alternative the page must show, worked out here from the output."""
    high = np.unravel_index(np.argmax(output), output.shape)
    low = np.unravel_index(np.argmin(output), output.shape)

    def number(value):
        return f"{value:.4g}".replace("-", "−")

    return (
        f"The output is {output.shape[0]}×{output.shape[1]}; its largest value is "
        f"{number(output[high])} at row {high[0]}, column {high[1]}, its smallest "
        f"{number(output[low])} at row {low[0]}, column {low[1]}."
    )


def test_the_convolution_page_works_from_the_keyboard_alone(page, server_url, digit):
    page.set_default_timeout(90_000)  # a busy machine runs the page slowly
    page.goto(f"{server_url}/convolution")
    explorer = page.locator(".cx[data-ready=true]")
    explorer.wait_for(timeout=180_000)
    first = convolution.KERNELS["Horizontal lines"].values
    assert kernel_cells(explorer) == convolution.flip_kernel(first).ravel().tolist()

    # The strides: Tab to the slider, one step right: strides 2, a 13×13 output.
    tab_to(page, ".st-key-convolution_strides")
    page.keyboard.press("ArrowRight")
    output = convolution.convolve2d(digit, first, 2, "valid", True)
    assert output.shape == (13, 13)
    page.get_by_text(summary_of(output)).wait_for()

    # The kernel preset: back with Shift+Tab, the arrows open the list and go down, Enter.
    tab_to(page, ".st-key-convolution_preset", backwards=True)
    page.keyboard.press("ArrowDown")
    page.get_by_role("option").first.wait_for()
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    chosen = page.locator(".st-key-convolution_preset input").input_value()
    assert chosen != "Horizontal lines" and chosen in convolution.KERNELS
    second = convolution.KERNELS[chosen].values
    output = convolution.convolve2d(digit, second, 2, "valid", True)
    page.get_by_text(summary_of(output)).wait_for()
    applied = [f"{value + 0.0:g}" for value in convolution.flip_kernel(second).ravel()]
    expect(explorer.locator(".cx-grid").nth(1).locator("td")).to_have_text(applied, timeout=90_000)
    explorer.locator("figcaption", has_text="13×13").wait_for()
    # The output's numeric legend: its colour bar runs from −max to +max of the new output.
    if not convolution.is_blur(second):
        limit = float(np.abs(output).max())
        ticks = explorer.locator(".cx-legend").nth(1).locator(".cx-legend-ticks span")
        expect(ticks).to_have_text([f"{-limit:g}", "0", f"{limit:g}"])

    # The explorer: Tab on to it, the arrows move the window, Enter keeps it at once.
    tab_to(page, ".cx")
    heading = explorer.locator(".cx-heading")
    row, col = (int(v) for v in heading.inner_text().split("(")[1].rstrip(")").split(","))
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    row, col = max(row - 1, 0), max(col - 1, 0)
    page.keyboard.press("Enter")
    assert heading.inner_text().endswith(f"({row}, {col})")
    total = convolution.explain_pixel(digit, second, row, col, 2, "valid", True).total
    assert explorer.locator(".cx-sum").inner_text().replace("−", "-") == f"{total + 0.0:g}"
    page.locator("summary", has_text=f"({row}, {col})").wait_for()

    # Space plays the animation and, pressed again, stops it, the pick kept.
    tab_to(page, ".cx")
    page.keyboard.press("Space")
    assert explorer.get_attribute("data-playing") == "true"
    page.keyboard.press("Space")
    assert explorer.get_attribute("data-playing") == "false"
    assert heading.inner_text().endswith(f"({row}, {col})")
