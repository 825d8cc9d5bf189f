"""How fast `convolve2d` is on a large photo, as a ratio to a plain `cv2.filter2D` call.

Run from the repository root: `python bench/bench_convolution.py`. Each line gives the best of
several runs (time.perf_counter) and the ratio to a named baseline on the same image:

- `cv2.filter2D` as most code calls it (uint8 in, uint8 out, values clipped to 0..255);
  the target is a ratio of at most 1.5.
- `cv2.filter2D` into float64, the same signed, unclipped output that `convolve2d` returns:
  this shows the cost of the wrapper itself.
- Allocating and filling a float64 array of the output's size: the least any float64 result
  costs, to read the first ratio against.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import cv2
import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.timing import best_times  # noqa: E402
from cnnviz.convolution import KERNELS, convolve2d  # noqa: E402

SHAPE = (4000, 3000, 3)
REPEATS = 7
TARGET = 1.5
BENCH_KERNELS = {"3x3": "Sobel vertical edges", "5x5": "Laplacian of Gaussian 5×5"}


def synthetic_photo(shape=SHAPE, seed: int = 0) -> np.ndarray:
    """A seeded stand-in for a photo: smooth colour gradients plus sensor-like noise."""
    height, width, _ = shape
    rows = np.linspace(0.0, 1.0, height)[:, np.newaxis]
    cols = np.linspace(0.0, 1.0, width)[np.newaxis, :]
    planes = [rows * 200 + 20, cols * 180 + 30, (rows + cols) * 90 + 10]
    gradients = np.stack(np.broadcast_arrays(*planes), axis=-1)
    noise = np.random.default_rng(seed).normal(0.0, 12.0, shape)
    return np.clip(gradients + noise, 0, 255).astype(np.uint8)


def ratio_line(label: str, seconds: float, baseline: str, baseline_seconds: float, target=None):
    ratio = seconds / baseline_seconds
    goal = f" (target <= {target})" if target is not None else ""
    return f"{label}: {seconds:.3f} s, {baseline} {baseline_seconds:.3f} s, ratio {ratio:.2f}{goal}"


def bench_convolve2d(image: np.ndarray) -> list[str]:
    """Ratio lines for `convolve2d` against `cv2.filter2D`, one kernel size at a time."""
    size = "x".join(str(n) for n in image.shape)
    border = cv2.BORDER_CONSTANT
    lines = []
    for label, name in BENCH_KERNELS.items():
        kernel = KERNELS[name].values
        times = best_times(
            {
                "ours": lambda k=kernel: convolve2d(image, k, padding="same", flip=False),
                "plain": lambda k=kernel: cv2.filter2D(image, -1, k, borderType=border),
                "float64": lambda k=kernel: cv2.filter2D(image, cv2.CV_64F, k, borderType=border),
                "output": lambda: np.empty(image.shape, np.float64).fill(0.0),
            },
            REPEATS,
        )
        title = f"convolve2d {label} on {size}"
        lines.append(ratio_line(title, times["ours"], "cv2.filter2D", times["plain"], TARGET))
        lines.append(ratio_line(title, times["ours"], "cv2.filter2D to float64", times["float64"]))
        lines.append(
            ratio_line(
                f"float64 output alone on {size}", times["output"], "cv2.filter2D", times["plain"]
            )
        )
    return lines


PAGE_RERUN = """
import statistics, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
at.switch_page({page!r})
at.run()
assert not at.exception, at.exception
times = []
for row in range(15):
    at.session_state["convolution_row"] = row  # what a click in the explorer does
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(statistics.median(times), "tensorflow" in sys.modules)
"""


def bench_page_rerun() -> str:
    """Median AppTest rerun of the convolution page (28x28 digit) after a click in the explorer."""
    root = Path(__file__).resolve().parent.parent
    code = PAGE_RERUN.format(app=str(root / "app.py"), page="lessons/convolution.py")
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    seconds, tensorflow = float(out[0]), out[1] == "True"
    return (
        f"convolution page rerun on a 28x28 digit (AppTest, median of 15): "
        f"{seconds * 1000:.0f} ms, target 300 ms, ratio {seconds / 0.3:.2f} of the target; "
        f"TensorFlow imported: {tensorflow}"
    )


def main() -> None:
    """Print one ratio per line."""
    image = synthetic_photo()
    for line in bench_convolve2d(image):
        print(line, flush=True)
    print(bench_page_rerun(), flush=True)


if __name__ == "__main__":
    main()
