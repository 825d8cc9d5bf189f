"""The engine on Ray against the local engine, on one machine, in one run.

Baseline: the local engine (`python -m cnnviz.engine`, the laptop set-up). Prints, each with
its ratio Ray / local:
- start-up: the local engine listening, against a Ray head started (`ray start --head`) plus
  the app server joining it and the forward-pass deployment being ready;
- the predict round trip for one 28x28 image (median and p95 of 200, the lecture model), and
  for a batch of 256;
- ten sessions asking for predictions at once (requests per second);
- training throughput: a training job of the lecture network on 4,000 images for 2 epochs,
  batch 128, submitted as the Training page submits it (images per second over epoch 2, from
  the job's own events; and seconds from submit to finished);
- the memory of each backend's processes (RSS): the local engine and its worker against the
  Ray head's processes, its forward-pass replica and its job worker.

Run: `python bench/bench_ray.py` (about 3 minutes; needs `pip install -r requirements-ray.txt`).
"""

from __future__ import annotations

import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

SAMPLES, EPOCHS, BATCH = 4000, 2, 128


def digits() -> np.ndarray:
    from cnnviz.datasets import load_dataset

    return load_dataset("mnist-sample").x_test[:256].astype(np.float32) / 255.0


def round_trips(client, images, repeats=200) -> tuple[float, float, float]:
    """(median, p95) seconds of one-image predicts, and the median of a 256-image batch."""
    client.predict("lecture", images[:1])  # model loaded, paths warm
    single = []
    for index in range(repeats):
        start = time.perf_counter()
        client.predict("lecture", images[index % 256 : index % 256 + 1])
        single.append(time.perf_counter() - start)
    batch = []
    for _ in range(20):
        start = time.perf_counter()
        client.predict("lecture", images)
        batch.append(time.perf_counter() - start)
    single.sort()
    return statistics.median(single), single[int(0.95 * len(single))], statistics.median(batch)


def sessions_at_once(client, images, sessions=10, each=30) -> float:
    """Requests per second when `sessions` threads each ask `each` predictions in a row."""

    def session(offset):
        for index in range(each):
            client.predict("lecture", images[(offset + index) % 256 :][:1])

    threads = [threading.Thread(target=session, args=(i * 7,)) for i in range(sessions)]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return sessions * each / (time.perf_counter() - start)


def training(client, models_dir: str) -> tuple[float, float]:
    """(images per second in the last epoch, seconds from submit to finished)."""
    from cnnviz.training import EpochEvent, TrainingConfig

    config = TrainingConfig(train_size=SAMPLES, epochs=EPOCHS, batch_size=BATCH)
    params = {"config": config.to_dict(), "save_dir": models_dir, "run_name": "bench"}
    params["replace"] = "any"
    start = time.monotonic()
    job = client.submit_job("train", params, session=f"bench-{time.time()}")
    status = client.job_status(job)
    while status.active:
        time.sleep(0.2)
        status = client.job_status(job)
    seconds = time.monotonic() - start
    if status.state != "finished":
        raise RuntimeError(f"the training job {status.state}: {status.error}")
    epochs = [event for event in status.events if isinstance(event, EpochEvent)]
    return epochs[-1].samples_per_second, seconds


def rss_mb(pattern: str) -> float:
    """The summed RSS in MB of the processes whose command line matches `pattern`."""
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    total = 0
    for pid in found.split():
        try:
            for line in Path(f"/proc/{pid}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1])
        except FileNotFoundError:
            continue
    return total / 1024


def measure(client, images, models_dir) -> dict:
    median, p95, batch = round_trips(client, images)
    rate = sessions_at_once(client, images)
    speed, seconds = training(client, models_dir)
    return {
        "median": median,
        "p95": p95,
        "batch": batch,
        "rate": rate,
        "speed": speed,
        "seconds": seconds,
    }


def main() -> None:
    from cnnviz.engine import EngineClient
    from cnnviz.engine.backends import open_engine
    from cnnviz.engine.ray_side.head import LocalHead

    images = digits()
    results, memory, start_up = {}, {}, {}
    with tempfile.TemporaryDirectory() as models_dir:
        begin = time.monotonic()
        local = EngineClient.start(models_dir=models_dir)
        local.predict("lecture", images[:1])
        start_up["local"] = time.monotonic() - begin
        try:
            results["local"] = measure(local, images, models_dir)
            memory["local"] = rss_mb("cnnviz.engine") + rss_mb("cnnviz-worker")
        finally:
            local.close()
        time.sleep(2)
        begin = time.monotonic()
        with LocalHead(num_cpus=3) as address:
            ray_client = open_engine(address, models_dir=models_dir, timeout=300.0)
            ray_client.predict("lecture", images[:1])
            start_up["ray"] = time.monotonic() - begin
            results["ray"] = measure(ray_client, images, models_dir)
            memory["ray"] = rss_mb("ray::") + rss_mb("gcs_server") + rss_mb("raylet")
            memory["replica"] = rss_mb("ServeReplica")
            ray_client.close()
    local, ray = results["local"], results["ray"]

    def line(what, key, unit, scale=1.0, better="lower"):
        ratio = ray[key] / local[key]
        print(
            f"{what}: Ray {ray[key] * scale:,.1f} {unit}, local {local[key] * scale:,.1f} {unit}, "
            f"ratio Ray/local {ratio:.2f} ({better} is better)",
            flush=True,
        )

    print(
        f"start-up to the first prediction: Ray {start_up['ray']:.1f} s (head, join, deploy), "
        f"local {start_up['local']:.1f} s, ratio {start_up['ray'] / start_up['local']:.2f}"
    )
    line("predict round trip, 1 image, median of 200", "median", "ms", 1000)
    line("predict round trip, 1 image, p95 of 200", "p95", "ms", 1000)
    line("predict round trip, 256 images, median of 20", "batch", "ms", 1000)
    line("10 sessions at once, 1-image predicts", "rate", "requests/s", better="higher")
    line(
        f"training throughput ({SAMPLES:,} images, epoch {EPOCHS})",
        "speed",
        "img/s",
        better="higher",
    )
    line(f"training job, submit to finished ({EPOCHS} epochs)", "seconds", "s")
    print(
        f"memory: Ray's processes {memory['ray']:,.0f} MB (of which the forward-pass replica "
        f"{memory['replica']:,.0f} MB; its job worker stays, TensorFlow loaded), the local engine "
        f"{memory['local']:,.0f} MB (its job worker ended with the job)"
    )


if __name__ == "__main__":
    main()
