"""The exported Keras script: it compiles, holds the run's settings, builds the engine's network
layer for layer, trains for an epoch on a tiny file and says so when MNIST cannot be had."""

import ast
import io
import os
import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from cnnviz.datasets import Dataset, load_dataset
from cnnviz.network.config import ConvBlock, lecture_config, regularised_config
from cnnviz.network.layers import summary_rows
from cnnviz.training.config import STANDARD_AUGMENTATION, Augmentation, TrainingConfig
from cnnviz.training.keras_script import dataset_npz, keras_script, script_file_name

PYTHON = Path(sys.executable)
PLAIN = TrainingConfig(epochs=3, train_size=500, seed=7)
REGULARISED = TrainingConfig(
    model=replace(regularised_config(), l2=1e-4),
    optimizer="rmsprop",
    learning_rate=3e-3,
    learning_rate_schedule="cosine",
    batch_size=32,
)
AUGMENTED_SUBSET = TrainingConfig(
    model=replace(lecture_config(), num_classes=3),
    classes=(7, 1, 4),
    augmentation=STANDARD_AUGMENTATION,
    optimizer="sgd",
    learning_rate=0.05,
    validation_size=0.1,
    early_stopping_patience=2,
)
VARIED = TrainingConfig(
    model=lecture_config().__class__(
        conv_blocks=(
            ConvBlock(8, 5, padding="same", pooling="average"),
            ConvBlock(12, 3, strides=2, activation="tanh", pooling=None),
        ),
        dense_units=(24, 16),
    ),
    dataset="fashion-mnist",
    augmentation=Augmentation(translation=0.05),
)
CONFIGS = {
    "plain": PLAIN,
    "regularised": REGULARISED,
    "augmented-subset": AUGMENTED_SUBSET,
    "varied": VARIED,
}


def constants(source: str) -> dict:
    """The script's UPPER_CASE settings, read without running it."""
    found = {}
    for node in ast.parse(source).body:
        if isinstance(node, ast.Assign) and isinstance(node.targets[0], ast.Name):
            name = node.targets[0].id
            if name.isupper():
                try:
                    found[name] = ast.literal_eval(node.value)
                except ValueError:
                    found[name] = ast.unparse(node.value)
    return found


def layer_calls(source: str) -> list[tuple[str, str]]:
    """`(kind, name)` of each `layers.X(..., name=...)` call in `build_model`."""
    tree = ast.parse(source)
    build = next(n for n in tree.body if isinstance(n, ast.FunctionDef) and n.name == "build_model")
    calls = []
    for node in ast.walk(build):
        called = node.func if isinstance(node, ast.Call) else None
        if isinstance(called, ast.Attribute) and ast.unparse(called.value) == "layers":
            name = next(k.value.value for k in node.keywords if k.arg == "name")
            calls.append((called.attr, name))
    return calls


@pytest.mark.parametrize("label", list(CONFIGS))
def test_the_script_compiles_and_holds_the_runs_settings(label):
    config = CONFIGS[label]
    source = keras_script(config, label)
    compile(source, script_file_name(label), "exec")
    found = constants(source)
    assert found["SEED"] == config.seed
    assert found["EPOCHS"] == config.epochs
    assert found["BATCH_SIZE"] == config.batch_size
    assert found["LEARNING_RATE"] == config.learning_rate
    assert found["LEARNING_RATE_SCHEDULE"] == config.learning_rate_schedule
    assert found["CLASSES"] == config.classes
    assert found["VALIDATION_SIZE"] == config.validation_size
    assert found["TRAIN_SIZE"] == config.train_size
    assert found["EARLY_STOPPING_PATIENCE"] == config.early_stopping_patience
    assert found["INPUT_SHAPE"] == config.model.input_shape
    optimizer = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}[config.optimizer]
    assert f"keras.optimizers.{optimizer}(learning_rate=learning_rate)" in source
    rows = summary_rows(config.model)  # the plan the engine builds
    assert layer_calls(source) == [(row.kind, row.name) for row in rows]


def test_regularisation_and_augmentation_are_written_out():
    source = keras_script(REGULARISED)
    assert source.count("kernel_regularizer=keras.regularizers.L2(0.0001)") == 4  # 2 conv, 2 dense
    assert 'layers.SpatialDropout2D(rate=0.1, name="spatial_dropout2d_1")' in source
    assert 'layers.Dropout(rate=0.3, name="dropout")' in source
    assert "AUGMENTATION = None" in source
    augmented = keras_script(AUGMENTED_SUBSET)
    assert 'layers.RandomRotation(0.05, fill_mode="constant", seed=SEED)' in augmented
    assert 'layers.RandomTranslation(0.1, 0.1, fill_mode="constant", seed=SEED + 1)' in augmented
    assert 'layers.RandomZoom(0.1, fill_mode="constant", seed=SEED + 2)' in augmented
    shifts = keras_script(VARIED)
    assert "RandomRotation" not in shifts and "layers.RandomTranslation(0.05, 0.05" in shifts
    assert "keras.datasets.fashion_mnist.load_data()" in shifts


def test_the_script_is_clean_python_by_the_repositorys_own_lint():
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in this environment")
    for label, config in CONFIGS.items():
        result = subprocess.run(
            [ruff, "check", "--stdin-filename", f"{label}.py", "-"],
            input=keras_script(config, label),
            capture_output=True,
            text=True,
            check=False,
        )
        assert result.returncode == 0, result.stdout


def test_a_bad_config_is_refused():
    with pytest.raises(ValueError, match="Expected a TrainingConfig. Received dict"):
        keras_script({"epochs": 1})


def test_the_sample_file_holds_the_split_the_app_trains_on():
    data = load_dataset("mnist-sample")
    with np.load(io.BytesIO(dataset_npz(data))) as saved:
        assert sorted(saved.files) == ["x_test", "x_train", "y_test", "y_train"]
        for name in saved.files:
            np.testing.assert_array_equal(saved[name], getattr(data, name))
            assert saved[name].dtype == np.uint8


@pytest.fixture(scope="module")
def tiny_npz(tmp_path_factory) -> Path:
    """300 training and 100 test digits of the bundled sample."""
    data = load_dataset("mnist-sample")
    tiny = Dataset(
        "tiny",
        data.x_train[:300],
        data.y_train[:300],
        data.x_test[:100],
        data.y_test[:100],
        data.class_names,
        "test",
    )
    path = tmp_path_factory.mktemp("data") / "tiny.npz"
    path.write_bytes(dataset_npz(tiny))
    return path


def run_script(source: str, folder: Path, *arguments, env=None) -> subprocess.CompletedProcess:
    script = folder / "script.py"
    script.write_text(source)
    return subprocess.run(
        [PYTHON, script, *map(str, arguments)],
        capture_output=True,
        text=True,
        cwd=folder,
        timeout=300,
        env=env,
        check=False,
    )


@pytest.mark.slow
@pytest.mark.parametrize("label", ["plain", "regularised", "augmented-subset"])
def test_the_script_trains_one_epoch_and_builds_the_engines_network(label, tiny_npz, tmp_path):
    import keras

    from cnnviz.engine.keras_side.build import build_cnn

    config = CONFIGS[label]
    saved = tmp_path / "model.keras"
    arguments = ("--data", tiny_npz, "--epochs", 1, "--limit", 64, "--save", saved)
    result = run_script(keras_script(config, label), tmp_path, *arguments)
    assert result.returncode == 0, result.stderr[-3000:]
    accuracy = re.search(
        r"^Test accuracy: (\d\.\d{4}) .* on (\d+) test images$", result.stdout, re.M
    )
    assert accuracy is not None, result.stdout[-2000:]
    labels = load_test_labels(tiny_npz)
    tested = len(labels) if config.classes is None else np.isin(labels, config.classes).sum()
    assert 0.0 <= float(accuracy.group(1)) <= 1.0 and int(accuracy.group(2)) == tested
    trained = keras.models.load_model(saved)
    engine = build_cnn(config.model)
    assert [type(layer).__name__ for layer in trained.layers] == [
        type(layer).__name__ for layer in engine.layers
    ]
    assert [layer.name for layer in trained.layers] == [layer.name for layer in engine.layers]
    assert [tuple(layer.output.shape) for layer in trained.layers] == [
        tuple(layer.output.shape) for layer in engine.layers
    ]
    assert trained.count_params() == engine.count_params()


def load_test_labels(path: Path) -> np.ndarray:
    with np.load(path) as data:
        return data["y_test"]


@pytest.mark.slow
def test_a_failed_download_ends_with_a_message_not_a_traceback(tmp_path):
    home = tmp_path / "home"
    env = {
        **os.environ,
        "HOME": str(home),
        "KERAS_HOME": str(home / ".keras"),
        # Nothing listens on port 9: every download fails at once.
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    result = run_script(keras_script(PLAIN), tmp_path, "--epochs", 1, env=env)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    assert "MNIST could not be downloaded" in result.stderr
    assert "--data FILE.npz" in result.stderr and "mnist-sample.npz" in result.stderr
