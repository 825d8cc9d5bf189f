"""Train in a real browser: the live loss curve grows while the job runs, and Stop ends it."""

import re
import time
import uuid

import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import REPO

pytestmark = [pytest.mark.e2e, pytest.mark.slow]

BATCH_LOSS_POINTS = """() => {
    for (const plot of document.querySelectorAll('.js-plotly-plot')) {
        const trace = (plot.data || []).find(t => t.name === 'loss, batches');
        if (trace) return trace.y.length;
    }
    return 0;
}"""


def set_number(page, label: str, value) -> None:
    field = page.get_by_label(label, exact=True)
    field.fill(str(value))
    field.press("Enter")
    page.wait_for_timeout(400)


def wait_for_points(page, more_than: int, seconds: float = 120) -> int:
    deadline = time.monotonic() + seconds
    points = page.evaluate(BATCH_LOSS_POINTS)
    while points <= more_than:
        assert time.monotonic() < deadline, f"the loss curve stayed at {points} points"
        page.wait_for_timeout(250)
        points = page.evaluate(BATCH_LOSS_POINTS)
    return points


def test_the_loss_curve_grows_live_and_stop_ends_the_job(page, server_url):
    name = f"e2e-{uuid.uuid4().hex[:8]}"
    try:
        page.goto(f"{server_url}/training")
        page.get_by_role("button", name="Train", exact=True).wait_for()
        # 64 batches an epoch, 50 epochs: still running when Stop is pressed after epoch 1,
        # and epoch 1 (needed for a saved run) comes 7 times sooner than on all 7,000 images
        set_number(page, "Training images (0: all)", 1024)
        set_number(page, "Epochs", 50)
        set_number(page, "Batch size", 16)
        run = page.get_by_label("Run name", exact=True)
        run.fill(name)
        run.press("Enter")
        page.wait_for_timeout(400)
        page.get_by_role("button", name="Train", exact=True).click()
        first = wait_for_points(page, 0)
        wait_for_points(page, first)  # redrawn with more batches: the view is live
        # One epoch done, so the run has something to save (the page polls once a second:
        # it may show epoch 3 without ever showing epoch 2).
        later = re.compile(r"Epoch (?:[2-9]|[1-4]\d)/50")
        progress = page.locator("[data-testid=stProgress]").filter(has_text=later)
        progress.wait_for(timeout=120_000)
        page.get_by_role("button", name="Stop", exact=True).click()
        message = page.locator("[data-testid=stAlert]").filter(has_text="Stopped").first
        message.wait_for(timeout=60_000)
        # the fragment shows the outcome, then reruns the page once to enable Train again;
        # a run saved under this name is replaced only once the learner says so
        assert "saved as run" in message.inner_text()
        train = page.get_by_role("button", name="Train", exact=True)
        expect(train).to_be_disabled(timeout=30_000)
        page.get_by_text("Replace it", exact=False).first.click()
        expect(train).to_be_enabled(timeout=30_000)
    finally:
        time.sleep(1)  # a stopped run may still be saving
        for path in (REPO / "models").glob(f"{name}.*"):
            path.unlink()
