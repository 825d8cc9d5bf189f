"""Download the kernel from the Convolution page as a real browser does, and read it back."""

from pathlib import Path

import numpy as np
import pytest

from cnnviz.convolution import KERNELS

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_the_kernel_csv_download_holds_the_kernel_shown(browser, server_url, tmp_path):
    context = browser.new_context(viewport={"width": 1400, "height": 1000}, accept_downloads=True)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        page.goto(f"{server_url}/convolution")
        button = page.get_by_role("button", name="Kernel (CSV)")
        button.wait_for(timeout=90_000)  # the first run of a page imports the app's modules
        button.scroll_into_view_if_needed()
        with page.expect_download() as caught:
            button.click()
        download = caught.value
        assert download.suggested_filename == "horizontal-lines-kernel.csv"
        saved = Path(tmp_path) / download.suggested_filename
        download.save_as(saved)
        values = np.loadtxt(saved, delimiter=",", ndmin=2)
        np.testing.assert_array_equal(values, KERNELS["Horizontal lines"].values)
    finally:
        context.close()
