"""The engine against Keras in the Streamlit process, in one run.

Prints:
- a page rerun's server time (AppTest, median) when the prediction comes from the engine,
  against the same page with Keras in the Streamlit process (target: under 50 ms);
- the engine's predict round trip for one 28x28 image against an in-process compiled
  forward pass of the same model (target: under 5 ms);
- the architecture page's rerun time (no engine, no TensorFlow).

Needs the bundled model assets/models/lecture.keras. Run: `python bench/bench_engine.py`
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere: `python bench/bench_engine.py`

RERUNS = """
import statistics, sys, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({page!r}, default_timeout=300).run()
assert not at.exception, at.exception
times = []
for index in range(1, 31):
    at.number_input(key="bench_index").set_value(index)
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""

ARCHITECTURE = """
import statistics, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
at.switch_page("lessons/architecture.py")
at.run()
times = []
for filters in range(8, 38):
    at.number_input(key="architecture_net_block0_filters").set_value(filters)
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def in_subprocess(code: str) -> float:
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def round_trips(repeats: int = 300) -> tuple[float, float]:
    """Median seconds: engine predict for one image, and the in-process compiled pass."""
    import numpy as np

    from cnnviz.engine import EngineClient
    from cnnviz.training.runs import default_catalog

    image = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32)
    client = EngineClient.start()
    try:
        client.predict("lecture", image)
        engine = []
        for _ in range(repeats):
            start = time.perf_counter()
            client.predict("lecture", image)
            engine.append(time.perf_counter() - start)
    finally:
        client.close()
    import keras
    import tensorflow as tf

    model = keras.saving.load_model(default_catalog().find("lecture"), safe_mode=True)
    forward = tf.function(lambda x: model(x, training=False))
    forward(image[..., None])
    local = []
    for _ in range(repeats):
        start = time.perf_counter()
        forward(image[..., None]).numpy()
        local.append(time.perf_counter() - start)
    return statistics.median(engine), statistics.median(local)


def main() -> None:
    pages = REPO / "bench" / "pages"
    with_engine = in_subprocess(RERUNS.format(page=str(pages / "predict_with_engine.py")))
    in_process = in_subprocess(RERUNS.format(page=str(pages / "predict_in_process.py")))
    print(
        f"page rerun with a prediction (AppTest, median of 30): engine {with_engine * 1000:.1f} "
        f"ms, Keras in the Streamlit process {in_process * 1000:.1f} ms, ratio "
        f"{with_engine / in_process:.2f} (target: engine under 50 ms)",
        flush=True,
    )
    engine, local = round_trips()
    print(
        f"predict round trip for one 28x28 image: engine {engine * 1000:.2f} ms, in-process "
        f"compiled forward pass {local * 1000:.2f} ms, ratio {engine / local:.2f} "
        "(target: engine under 5 ms)",
        flush=True,
    )
    architecture = in_subprocess(ARCHITECTURE.format(app=str(REPO / "app.py")))
    print(
        f"architecture page rerun after a widget change (AppTest, median of 30): "
        f"{architecture * 1000:.1f} ms, ratio {architecture / with_engine:.2f} to the engine page",
        flush=True,
    )


if __name__ == "__main__":
    main()
