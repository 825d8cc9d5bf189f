"""Draw a digit in Chromium on the feature-map page and see the network's prediction appear."""

import pytest

from tests.e2e.test_home_browser import draw

pytestmark = [pytest.mark.e2e, pytest.mark.slow]


def test_drawing_a_one_shows_a_prediction_and_the_layers(page, server_url):
    page.goto(f"{server_url}/feature_maps")
    page.get_by_text("Draw a digit", exact=True).click()
    page.get_by_text("Draw a digit on the black square").wait_for()
    draw(page, [(140, 40), (142, 120), (140, 240)])
    prediction = page.locator("[data-testid=stMetric]").filter(has_text="Prediction")
    prediction.wait_for(timeout=90_000)
    value = prediction.locator("[data-testid=stMetricValue]").inner_text()
    assert value.strip() in [str(n) for n in range(10)]
    page.get_by_text("conv2d_1 (Conv2D) → (None, 26, 26, 16)").wait_for(timeout=30_000)
