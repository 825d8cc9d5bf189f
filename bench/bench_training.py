"""Training: what live reporting costs, and how the app responds while a job trains.

Prints one line per measurement, each with its ratio against a named baseline:
- training throughput (images per second over two epochs of 4,000 images, batch 128) of
  `keras_side.fit.train` with a report callback, as the engine runs it, against a plain
  `model.fit` of the same model and data (target: ratio at least 0.9);
- the engine's predict round trip for one image while a training job runs, against the same
  when the engine is idle (target: under 20 ms);
- an AppTest rerun of the convolution page (median of 10, in a TensorFlow-free process) while a
  job trains, against the same when idle (target: under 2x);
- the time from submitting a training job to its first batch event, with a worker the engine
  started ahead of time (`prepare_job`, what the Training page does) against a worker started
  with the job (target: under 3 s).

Run: `python bench/bench_training.py` (about 20 seconds on a recent CPU).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

SAMPLES, EPOCHS, BATCH = 4000, 2, 128
RERUNS = """
import statistics, time
from streamlit.testing.v1 import AppTest
at = AppTest.from_file({app!r}, default_timeout=120)
at.switch_page("lessons/convolution.py")
at.run()
assert not at.exception, at.exception
times = []
for _ in range(10):
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
print(statistics.median(times))
"""


def fit_timer(keras):
    """A callback adding up the seconds spent on training batches, as `train` counts them."""

    class FitTimer(keras.callbacks.Callback):
        busy = 0.0

        def on_epoch_begin(self, epoch, logs=None):
            self.start = self.end = time.monotonic()

        def on_train_batch_end(self, batch, logs=None):
            self.end = time.monotonic()

        def on_epoch_end(self, epoch, logs=None):
            self.busy += self.end - self.start  # validation excluded

    return FitTimer()


def throughput() -> tuple[float, float]:
    """Images per second while fitting: `train` with reporting, then plain `model.fit`."""
    import keras

    from cnnviz.datasets import load_dataset
    from cnnviz.engine.keras_side import fit
    from cnnviz.engine.keras_side.build import build_cnn
    from cnnviz.training import TrainingConfig

    config = TrainingConfig(train_size=SAMPLES, epochs=EPOCHS, batch_size=BATCH)
    events = []
    result = fit.train(config, report=events.append)
    live = result.samples_per_second

    (x, y), (x_val, y_val) = fit._split(load_dataset(config.dataset), config)
    keras.utils.set_random_seed(config.seed)
    model = build_cnn(config.model)
    model.compile(optimizer="adam", loss="sparse_categorical_crossentropy", metrics=["accuracy"])
    timer = fit_timer(keras)
    model.fit(
        x,
        y,
        batch_size=BATCH,
        epochs=EPOCHS,
        validation_data=(x_val, y_val),
        callbacks=[timer],
        verbose=0,
    )
    return live, SAMPLES * EPOCHS / timer.busy


def predict_median(client, image, repeats: int = 100) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        client.predict("lecture", image)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def page_rerun() -> float:
    code = RERUNS.format(app=str(REPO / "app.py"))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    return float(out.stdout.split()[-1])


def responsiveness() -> tuple[float, float, float, float]:
    """(predict idle, predict training, rerun idle, rerun training), in seconds."""
    import numpy as np

    from cnnviz.engine import EngineClient
    from cnnviz.training import TrainingConfig

    image = np.random.default_rng(0).random((1, 28, 28), dtype=np.float32)
    with tempfile.TemporaryDirectory() as models_dir:
        client = EngineClient.start(models_dir=models_dir)
        try:
            client.predict("lecture", image)
            idle_predict, idle_rerun = predict_median(client, image), page_rerun()
            config = TrainingConfig(epochs=50, batch_size=64)
            params = {"config": config.to_dict(), "save_dir": models_dir, "run_name": "bench"}
            job = client.submit_job("train", params, session="bench")
            while not client.job_status(job).events:  # until batches are flowing
                time.sleep(0.2)
            busy_predict = predict_median(client, image)
            client.job_status(job)  # renew the session's lease
            busy_rerun = page_rerun()
            assert client.job_status(job).state == "running", "the job ended too soon"
            client.stop_job(job)
        finally:
            client.close()
    return idle_predict, busy_predict, idle_rerun, busy_rerun


def first_batch_seconds(client, warm: bool, models_dir: str) -> float:
    """Seconds from submitting a small training job to its first batch event."""
    from cnnviz.training import BatchEvent, TrainingConfig

    if warm:
        client.prepare_job("train")
        time.sleep(20)  # the spare imports TensorFlow and warms up meanwhile (a page view)
    config = TrainingConfig(train_size=2000, epochs=1)
    params = {"config": config.to_dict(), "save_dir": models_dir, "run_name": "first-batch"}
    start = time.monotonic()
    job = client.submit_job("train", params, session=f"first-{warm}")
    while not any(isinstance(e, BatchEvent) for e in client.job_status(job).events):
        time.sleep(0.02)
    seconds = time.monotonic() - start
    client.stop_job(job)
    while client.job_status(job).active:
        time.sleep(0.1)
    return seconds


def start_up() -> tuple[float, float]:
    """(cold, warm): seconds to the first batch without and with a worker waiting."""
    from cnnviz.engine import EngineClient

    with tempfile.TemporaryDirectory() as models_dir:
        times = []
        for warm in (False, True):
            client = EngineClient.start(models_dir=models_dir)  # a fresh engine each time
            try:
                times.append(first_batch_seconds(client, warm, models_dir))
            finally:
                client.close()
    return times[0], times[1]


def main() -> None:
    cold, warm = start_up()
    print(
        f"first batch after pressing Train: {warm:.2f} s with a worker waiting, {cold:.2f} s "
        f"with a worker started with the job, ratio {warm / cold:.2f} (target: under 3 s)",
        flush=True,
    )
    live, plain = throughput()
    print(
        f"training throughput ({SAMPLES:,} images, {EPOCHS} epochs, batch {BATCH}): "
        f"keras_side.fit.train with live reports {live:,.0f} img/s, plain model.fit "
        f"{plain:,.0f} img/s, ratio {live / plain:.2f} (target: at least 0.9)",
        flush=True,
    )
    idle_predict, busy_predict, idle_rerun, busy_rerun = responsiveness()
    print(
        f"predict round trip while a job trains (median of 100): {busy_predict * 1000:.2f} ms, "
        f"idle engine {idle_predict * 1000:.2f} ms, ratio {busy_predict / idle_predict:.2f} "
        "(target: under 20 ms)",
        flush=True,
    )
    print(
        f"convolution page rerun while a job trains (AppTest, median of 10): "
        f"{busy_rerun * 1000:.1f} ms, idle {idle_rerun * 1000:.1f} ms, ratio "
        f"{busy_rerun / idle_rerun:.2f} (target: under 2)",
        flush=True,
    )


if __name__ == "__main__":
    main()
