"""How fast every layer's output for one image is, as ratios to one compiled forward pass.

Run from the repository root: `python bench/bench_feature_maps.py`. The lecture model is
`assets/models/lecture.keras` when it exists, else `build_cnn(lecture_config())` with seeded
random weights (the speed is the same). Each line gives the best of several interleaved runs
(time.perf_counter) and the ratio to a named baseline, for one 28x28 image:

- `feature_maps` through a `FeatureExtractor` (built once) against one compiled forward pass
  (the model called inside `tf.function`): the target is a ratio of at most 2.
- The same against `model.predict_on_batch`, Keras's own one-batch call.
- The tutorial approach, one sub-model `predict` per layer (sub-models built beforehand, so
  only the passes count), against `feature_maps`: the speed-up.
- `EngineClient.layer_activations`, the app's path (a request to the engine process and the
  pickled reply), against `feature_maps` in this process and against the forward pass.
- Activation maximisation of conv2d_2's 32 filters (64 steps): `maximise_all`'s one batch
  against one `activation_maximisation` per filter, and the engine's second, cached, answer
  against its first.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import keras  # noqa: E402
import numpy as np  # noqa: E402
import tensorflow as tf  # noqa: E402

from bench.timing import best_times  # noqa: E402
from cnnviz.engine import EngineClient  # noqa: E402
from cnnviz.engine.keras_side.attribute import activation_maximisation, maximise_all  # noqa: E402
from cnnviz.engine.keras_side.build import build_cnn  # noqa: E402
from cnnviz.engine.keras_side.extract import FeatureExtractor, feature_maps  # noqa: E402
from cnnviz.network import lecture_config  # noqa: E402

REPEATS = 200
LAYER = "conv2d_2"
TARGET = 2.0


def lecture_model() -> tuple[keras.Model, str]:
    path = ROOT / "assets" / "models" / "lecture.keras"
    if path.is_file():
        return keras.saving.load_model(path, compile=False), str(path.relative_to(ROOT))
    keras.utils.set_random_seed(0)
    return build_cnn(lecture_config()), "build_cnn(lecture_config()), random weights"


def ratio_line(label: str, seconds: float, baseline: str, baseline_seconds: float, target=None):
    ratio = seconds / baseline_seconds
    goal = f" (target <= {target:g})" if target is not None else ""
    return (
        f"{label}: {seconds * 1000:.3f} ms, {baseline} {baseline_seconds * 1000:.3f} ms, "
        f"ratio {ratio:.2f}{goal}"
    )


def main() -> None:
    model, source = lecture_model()
    image = np.random.default_rng(0).random((28, 28), dtype=np.float32)
    batch = image[np.newaxis, ..., np.newaxis]
    signature = [tf.TensorSpec((None, 28, 28, 1), tf.float32)]
    forward = tf.function(lambda x: model(x, training=False), input_signature=signature)
    extractor = FeatureExtractor(model)
    sub_models = [keras.Model(model.inputs[0], layer.output) for layer in model.layers]
    times = best_times(
        {
            "forward": lambda: forward(batch).numpy(),
            "predict_on_batch": lambda: model.predict_on_batch(batch),
            "feature_maps": lambda: feature_maps(extractor, image),
        },
        REPEATS,
    )
    tutorial = best_times(
        {"tutorial": lambda: [m.predict(batch, verbose=0) for m in sub_models]}, repeats=10
    )["tutorial"]
    print(f"lecture model: {source}; {len(model.layers)} layers; one 28x28 image", flush=True)
    print(
        ratio_line(
            "feature_maps", times["feature_maps"], "compiled forward pass", times["forward"], TARGET
        )
    )
    print(
        ratio_line(
            "feature_maps", times["feature_maps"], "predict_on_batch", times["predict_on_batch"]
        )
    )
    print(
        ratio_line(
            f"one sub-model predict per layer ({len(sub_models)})",
            tutorial,
            "feature_maps",
            times["feature_maps"],
        )
        + f" (feature_maps is {tutorial / times['feature_maps']:.0f}x faster)"
    )
    with tempfile.TemporaryDirectory() as directory:
        models, empty = Path(directory) / "models", Path(directory) / "bundled"
        models.mkdir(), empty.mkdir()
        model.save(models / "lecture.keras")
        (models / "lecture.json").write_text(json.dumps({"bench": True}))
        engine = EngineClient.start(models_dir=models, bundled_dir=empty)
        try:
            engine.layer_activations("lecture", image)  # load and trace once
            remote = best_times(
                {"engine": lambda: engine.layer_activations("lecture", image)}, REPEATS
            )
            first, cached = (
                timed(lambda: engine.activation_maximisation("lecture", LAYER)) for _ in range(2)
            )
        finally:
            engine.close()
    print(
        ratio_line(
            "EngineClient.layer_activations",
            remote["engine"],
            "feature_maps in-process",
            times["feature_maps"],
        )
    )
    print(
        ratio_line(
            "EngineClient.layer_activations",
            remote["engine"],
            "compiled forward pass",
            times["forward"],
        )
    )
    batched = timed(lambda: maximise_all(model, LAYER, steps=64))
    filters = model.get_layer(LAYER).filters
    one_by_one = timed(
        lambda: [activation_maximisation(model, LAYER, i, steps=64) for i in range(filters)]
    )
    print(
        ratio_line(
            f"maximise_all {LAYER} ({filters} filters, 64 steps)",
            batched,
            "one activation_maximisation per filter",
            one_by_one,
        )
    )
    print(
        ratio_line(
            "engine activation_maximisation, asked again (cached)", cached, "first request", first
        )
    )
    print(page_rerun(), flush=True)


PAGE_RERUN = """
import json, statistics, sys, time
import numpy as np
sys.path.insert(0, {root!r})
from streamlit.testing.v1 import AppTest
from tests.app.conftest import canvas_state
at = AppTest.from_file({app!r}, default_timeout=300)
at.switch_page("lessons/feature_maps.py")
at.run()
at.radio(key="picker_source").set_value("Draw a digit").run()
times, sizes = [], []
for step in range(12):
    canvas = np.zeros((280, 280, 4), np.uint8)
    canvas[:, :, 3] = 255
    canvas[40:240, 120 + step * 3 : 140 + step * 3, :3] = 255
    canvas[40 + step * 5 : 60 + step * 5, 80:200, :3] = 255
    at.session_state["picker_canvas_0"] = canvas_state(canvas)
    start = time.perf_counter()
    at.run()
    times.append(time.perf_counter() - start)
    assert not at.exception, at.exception
    kinds = ("plotly_chart", "arrow_data_frame", "bidi_component")
    sizes.append(sum(len(e.proto.SerializeToString()) for k in kinds for e in at.get(k)))
print(statistics.median(times[2:]), statistics.median(sizes))
"""


def page_rerun() -> str:
    """Server time of a full feature-map page rerun after a new drawing, and what it sends."""
    root = Path(__file__).resolve().parent.parent
    code = PAGE_RERUN.format(root=str(root), app=str(root / "app.py"))
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, check=True
    ).stdout.split()
    seconds, size = float(out[-2]), float(out[-1])
    return (
        f"feature-map page rerun after a new drawing (AppTest, charts and components included, "
        f"median): {seconds * 1000:.0f} ms, target 60 ms, ratio {seconds / 0.060:.2f} of the "
        f"target (Harley's visualisation: 36 ms per update); charts and component data sent "
        f"per update: {size / 1e3:.0f} KB, ratio {size / 200e3:.2f} of the 200 KB budget"
    )


def timed(function: Callable[[], object]) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


if __name__ == "__main__":
    main()
