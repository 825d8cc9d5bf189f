"""A shared link reproduces a view: on the Convolution page, change the kernel, the strides and
the sample like a learner, read the address bar, open it in a fresh browser context (a
student's browser) and find the same kernel, input window and output numbers on the page."""

import re

import numpy as np
import pytest

from cnnviz import convolution, datasets

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

SOBEL = "Sobel vertical edges"
INDEX = 7


def explorer(page, timeout: float = 30_000):
    found = page.locator(".cx[data-ready=true]")
    found.wait_for(timeout=timeout)
    return found


def shown_numbers(page) -> dict:
    """What the explorer shows: the explained pixel, its window of inputs, the kernel and the
    output value (the numbers as the page prints them)."""
    view = explorer(page)
    grids = view.locator(".cx-grid")
    return {
        "title": view.locator("figcaption").last.inner_text(),
        "heading": view.locator(".cx-heading").inner_text(),
        "window": grids.nth(0).locator("td").all_inner_texts(),
        "kernel": grids.nth(1).locator("td").all_inner_texts(),
        "sum": view.locator(".cx-sum").inner_text(),
    }


def widget(page, test_id: str, label: str):
    return page.get_by_test_id(test_id).filter(has_text=label).first


def change_the_view(page) -> None:
    """Pick the Sobel kernel, strides 2 and example 7, as a learner does."""
    kernel = widget(page, "stSelectbox", "Kernel")
    kernel.click()
    page.get_by_role("option", name=SOBEL, exact=True).click()
    page.wait_for_url(re.compile("kernel=sobel-vertical-edges"))
    thumb = widget(page, "stSlider", "Strides").get_by_role("slider")
    thumb.focus()
    page.keyboard.press("ArrowRight")
    page.wait_for_url(re.compile("strides=2"))
    example = widget(page, "stNumberInput", "Example").locator("input")
    example.fill(str(INDEX))
    example.press("Enter")
    page.wait_for_url(re.compile(f"index={INDEX}"))
    page.locator(".cx figcaption", has_text="13×13").wait_for()


def test_a_shared_link_opens_the_same_kernel_input_and_output(browser, server_url):
    teacher = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = teacher.new_page()
    page.set_default_timeout(60_000)
    page.goto(f"{server_url}/convolution")
    explorer(page, timeout=90_000)  # a first page load compiles and caches
    change_the_view(page)
    page.wait_for_timeout(500)  # the last rerun's messages
    link = page.url
    assert "kernel=sobel-vertical-edges" in link and "strides=2" in link
    sent = shown_numbers(page)
    teacher.close()

    student = browser.new_context(viewport={"width": 1400, "height": 1000})
    opened = student.new_page()
    opened.set_default_timeout(60_000)
    opened.goto(link)
    opened.locator(".cx figcaption", has_text="13×13").wait_for()
    received = shown_numbers(opened)
    assert received["title"] == f"Output 13×13, {SOBEL} kernel"
    student.close()
    assert received == sent

    # The numbers are the core's: convolution of example 7 with the Sobel kernel, strides 2.
    digit = datasets.load_dataset("mnist-sample").x_test[INDEX]
    kernel = convolution.KERNELS[SOBEL].values
    output = convolution.convolve2d(digit, kernel, strides=2)
    row, col = (int(n) for n in re.findall(r"\d+", received["heading"]))
    assert float(received["sum"]) == pytest.approx(output[row, col], abs=1e-6)
    rotated = np.flip(kernel).reshape(-1)
    assert [float(text) for text in received["kernel"]] == pytest.approx(rotated.tolist())
    window = digit[2 * row : 2 * row + 3, 2 * col : 2 * col + 3].reshape(-1)
    assert [float(text) for text in received["window"]] == window.tolist()
