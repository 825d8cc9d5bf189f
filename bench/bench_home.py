"""Home page load time, against a one-line Streamlit page as the baseline.

Prints, in one run:
- the first run of the home page in a fresh process (imports, dataset load, charts), and
  the same for a page that only writes a title, with their ratio;
- the median server-side rerun of the home page against the title-only page.

Run: `python bench/bench_home.py`
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BASELINE = 'import streamlit as st\nst.title("Hello")\n'

COLD = """
import sys, time
start = time.perf_counter()
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({path!r}, default_timeout=120).run()
assert not at.exception, at.exception
print(time.perf_counter() - start, 'tensorflow' in sys.modules)
"""


def cold_start(path: Path) -> tuple[float, bool]:
    """Seconds for a fresh Python process to import Streamlit and run the page once."""
    out = subprocess.run(
        [sys.executable, "-c", COLD.format(path=str(path))],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.split()
    return float(out[0]), out[1] == "True"


def warm_reruns(path: Path, repeats: int = 15) -> float:
    """Median seconds of a rerun of an already loaded page (what each click costs)."""
    from streamlit.testing.v1 import AppTest

    at = AppTest.from_file(str(path), default_timeout=120).run()
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        at.run()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> None:
    home = REPO / "app.py"
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / "hello.py"
        baseline.write_text(BASELINE)
        home_cold, tf_loaded = cold_start(home)
        base_cold, _ = cold_start(baseline)
        home_warm = warm_reruns(home)
        base_warm = warm_reruns(baseline)
    print(
        f"home page first load (fresh process): {home_cold:.2f} s, title-only page "
        f"{base_cold:.2f} s, ratio {home_cold / base_cold:.2f}; TensorFlow imported: {tf_loaded}"
    )
    print(
        f"home page rerun (median): {home_warm * 1000:.0f} ms, title-only page "
        f"{base_warm * 1000:.0f} ms, ratio {home_warm / base_warm:.1f}"
    )


if __name__ == "__main__":
    main()
