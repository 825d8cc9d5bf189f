"""How fast the browser-side explorers answer, in Chromium, and what a page sends per update.

Starts the app on a loopback port and opens it in Debian's Chromium (1400×1000). For each
explorer it moves the pointer over 40 cells and measures, inside the page, the time from the
pointer event to the next frame drawn with the answer (the event handler plus one
`requestAnimationFrame`), and counts the messages the browser sent the server meanwhile
(baseline: a click, which must send one). Then it changes the input image on each page and
adds up the bytes the server sent the browser for that update (target: 200 KB).

Run: `python bench/bench_explorers.py` (about a minute). Needs `/usr/bin/chromium`.
"""

from __future__ import annotations

import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS, streamlit_server  # noqa: E402

HOVER = """async ([selector, rows, cols]) => {
    const canvas = document.querySelector(selector)
        || [...document.querySelectorAll('*')].map(e => e.shadowRoot).filter(Boolean)
            .map(r => r.querySelector(selector)).find(Boolean);
    const box = canvas.getBoundingClientRect();
    const times = [];
    for (let i = 0; i < 40; i++) {
        const r = (i * 7) % rows, c = (i * 11) % cols;
        const x = box.left + (c + 0.5) * box.width / cols;
        const y = box.top + (r + 0.5) * box.height / rows;
        const start = performance.now();
        const move = {clientX: x, clientY: y, bubbles: true};
        canvas.dispatchEvent(new PointerEvent('pointermove', move));
        await new Promise(done => requestAnimationFrame(() => done()));
        times.push(performance.now() - start);
    }
    return times;
}"""

EXPLORERS = [
    (
        "Convolution explorer, output",
        "convolution",
        ".cx[data-ready=true]",
        "canvas.cx-output",
        26,
        26,
    ),
    ("Pooling explorer, output", "pooling", ".cx[data-ready=true]", "canvas.cx-output", 13, 13),
    (
        "Network overview, conv2d_1 map 0",
        "feature_maps",
        ".no[data-ready=true]",
        'canvas[data-layer="0"][data-map="0"]',
        26,
        26,
    ),
    ("Map gallery, first map", "convolution", ".mg[data-ready=true]", ".mg-grid canvas", 24, 24),
]


def hover_times(page, url: str, ready: str, selector: str, rows: int, cols: int):
    sent = []
    page.on("websocket", lambda socket: socket.on("framesent", lambda f: sent.append(f)))
    page.goto(url)
    page.locator(ready).first.wait_for(timeout=60_000)
    page.locator(ready).first.scroll_into_view_if_needed()
    page.wait_for_timeout(1000)
    before = len(sent)
    times = page.evaluate(HOVER, [selector, rows, cols])
    page.wait_for_timeout(500)
    return times, len(sent) - before


def update_bytes(page, url: str) -> int:
    """Bytes the server sends for one new input image (the picker's next example)."""
    received = []
    page.on("websocket", lambda socket: socket.on("framereceived", lambda f: received.append(f)))
    page.goto(url)
    page.get_by_label("Example (0–1999)").wait_for(timeout=60_000)
    page.wait_for_timeout(4000)
    received.clear()
    field = page.get_by_label("Example (0–1999)")
    field.fill("7")
    field.press("Enter")
    page.wait_for_timeout(4000)
    return sum(len(frame) if isinstance(frame, bytes | str) else 0 for frame in received)


def main() -> None:
    from playwright.sync_api import sync_playwright

    with streamlit_server() as url, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        context = browser.new_context(viewport={"width": 1400, "height": 1000})
        print("Pointer event to the next frame with the answer (40 cells; target 50 ms):")
        for label, path, ready, selector, rows, cols in EXPLORERS:
            page = context.new_page()
            times, messages = hover_times(page, f"{url}/{path}", ready, selector, rows, cols)
            print(
                f"  {label:34s} median {statistics.median(times):5.1f} ms, "
                f"max {max(times):5.1f} ms, ratio {max(times) / 50:.2f} of the target; "
                f"messages to the server: {messages}"
            )
            page.close()
        print("Bytes the server sends for a new input image (target 200 KB):")
        for path in ("convolution", "pooling", "feature_maps"):
            page = context.new_page()
            size = update_bytes(page, f"{url}/{path}")
            print(f"  {path:14s} {size / 1000:6.0f} KB, ratio {size / 200_000:.2f} of the target")
            page.close()
        browser.close()


if __name__ == "__main__":
    main()
