"""The engine and the saved runs: it cleans up after interrupted saves when it starts, saves only
in its own models folder, and refuses hostile or damaged model files (a zip bomb, a Lambda layer,
a function as an activation, a pickle, a file that does not match its manifest) with a message,
staying up for the others."""

import json
import subprocess
import sys
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnviz.engine.server import EngineConfig, EngineServer
from cnnviz.network.config import CNNConfig, ConvBlock
from tests.conftest import seeded_cnn
from tests.training.test_model_archive import zip_bomb

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]
TINY = CNNConfig(conv_blocks=(ConvBlock(4),), dense_units=())


def dead_pid() -> int:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], check=True,
                          capture_output=True, text=True)  # fmt: skip
    return int(done.stdout)


def scaled(x):  # a function as an activation: code Keras would have to run to load it
    return x * 2


def hostile_models(saved: Path) -> dict[str, str]:
    """Hostile and damaged runs in `saved`, each with the words its refusal must contain."""
    inputs = keras.Input((28, 28, 1))
    lam = keras.Model(inputs, keras.layers.Lambda(lambda x: x * 2)(keras.layers.Flatten()(inputs)))
    lam.save(saved / "lambda.keras")
    dense = keras.layers.Dense(10, activation=scaled)(keras.layers.Flatten()(inputs))
    keras.Model(inputs, dense).save(saved / "function.keras")
    (saved / "pickled.keras").write_bytes(b"\x80\x04\x95\x10\x00cos\nsystem\n")
    zip_bomb(saved / "bomb.keras")
    seeded_cnn(TINY, 1).save(saved / "tampered.keras")
    for name in ("lambda", "function", "pickled", "bomb"):
        (saved / f"{name}.json").write_text("{}")
    size = (saved / "tampered.keras").stat().st_size
    tampered = {"model": {"file": "tampered.keras", "bytes": size, "sha256": "0" * 64}}
    (saved / "tampered.json").write_text(json.dumps({"files": tampered}))
    return {
        "lambda": "Could not load the model lambda.keras",
        "function": "Could not load the model function.keras",
        "pickled": "pickled.keras is not a Keras model (not a zip archive",
        "bomb": "bomb.keras's config.json would unpack to 1.1 GB",
        "tampered": "tampered.keras does not match its manifest (SHA-256)",
    }


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    root = tmp_path_factory.mktemp("engine-runs")
    bundled, saved = root / "bundled", root / "saved"
    bundled.mkdir(), saved.mkdir()
    seeded_cnn(TINY, 0).save(bundled / "tiny.keras")
    (bundled / "tiny.json").write_text("{}")
    pid = dead_pid()
    leftovers = [f".tiny.{pid}.0123456789abcdef.tmp.keras", "tiny.v0123456789abcdef.keras"]
    leftovers += [".run.0123456789abcdef.tmp.json.old"]
    for name in leftovers:
        (saved / name).write_bytes(b"left by a killed save")
    refusals = hostile_models(saved)
    return {"bundled": bundled, "saved": saved, "log": root / "engine.log", "leftovers": leftovers,
            "refusals": refusals}  # fmt: skip


def test_the_engine_removes_what_interrupted_saves_left_when_it_starts(engine, dirs):
    engine.ping()
    for name in dirs["leftovers"]:
        assert not (dirs["saved"] / name).exists(), name
    log = dirs["log"].read_text()
    for name in dirs["leftovers"]:
        assert f"removed {dirs['saved'] / name}, left by an interrupted save" in log


@pytest.mark.parametrize(
    "model", ["lambda", "function", "pickled", "bomb", "tampered"]
)  # fmt: skip
def test_hostile_or_damaged_model_files_are_refused_with_a_message(engine, dirs, model):
    images = np.zeros((1, 28, 28), np.float32)
    with pytest.raises(ValueError) as refused:
        engine.predict(model, images)
    assert dirs["refusals"][model] in str(refused.value)
    assert engine.predict("tiny", images).shape == (1, 10)  # the engine serves the others


def test_the_engine_saves_runs_only_in_its_models_folder(engine, dirs, tmp_path):
    params = {"config": {}, "run_name": "escape"}
    for save_dir in (tmp_path, dirs["saved"] / ".." / "bundled", "/", 3, None):
        with pytest.raises(ValueError) as refused:
            engine.submit_job("train", params | {"save_dir": save_dir}, session="confined")
        message = str(refused.value)
        assert f"The engine saves runs only in its models folder, {dirs['saved']}." in message
        assert f"Received save_dir {save_dir!r}" in message
    assert not list(tmp_path.iterdir()) and engine.jobs() == []


def test_a_training_job_gets_the_engines_folders_whatever_it_sent(tmp_path):
    server = EngineServer(EngineConfig(bundled_dir=tmp_path / "b", models_dir=tmp_path / "m"), b"k")
    sent = {"config": {}, "run_name": "r", "bundled_dir": "/elsewhere"}
    expected = {"save_dir": str(tmp_path / "m"), "bundled_dir": str(tmp_path / "b")}
    assert server.job_params("train", sent) == {**sent, **expected}
    same = str(tmp_path / "m" / ".." / "m")
    assert server.job_params("train", sent | {"save_dir": same}) == {**sent, **expected}
    assert server.job_params("sleep", {"steps": 1}) == {"steps": 1}
