"""Saved runs: save/load round trip, the manifest, saves that fail leave the previous run, listing,
and loading checks the file (its archive and SHA-256) before Keras opens it, in safe mode."""

import json
import os
import re
from pathlib import Path

import numpy as np
import pytest

from cnnviz.engine.keras_side import save as runs
from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.fit import train
from cnnviz.network.config import CNNConfig, ConvBlock
from cnnviz.training.config import TrainingConfig
from cnnviz.training.run_files import file_sha256
from cnnviz.training.run_owners import SavePolicy
from cnnviz.training.runs import ModelCatalog, models_in
from tests.training.test_model_archive import zip_bomb

pytestmark = pytest.mark.slow
TINY = CNNConfig(conv_blocks=(ConvBlock(4),))
CONFIG = TrainingConfig(model=TINY, train_size=256, validation_size=64, batch_size=32, epochs=1)
REPLACE = SavePolicy(replace="any")


def listed(directory):
    """The names of the runs a folder lists, newest first."""
    return [info.name for info in ModelCatalog(Path(directory) / "none", directory).saved_runs()]


@pytest.fixture(scope="module")
def result():
    return train(CONFIG)


@pytest.fixture
def images():
    return np.random.default_rng(0).random((16, 28, 28, 1), dtype=np.float32)


def files_in(directory):
    return sorted(path.name for path in Path(directory).iterdir())


def contents(directory):
    return {path.name: path.read_bytes() for path in Path(directory).iterdir()}


def test_save_then_load_predicts_the_same(result, images, tmp_path):
    saved = runs.save_run(result, {"note": "first"}, tmp_path, "tiny")
    assert saved.name == "tiny" and Path(saved.path).parent == tmp_path
    manifest = json.loads((tmp_path / "tiny.json").read_text())
    model_file, weights_file = (manifest["files"][kind]["file"] for kind in ("model", "weights"))
    assert files_in(tmp_path) == [".runs.lock", "tiny.json", model_file, weights_file]
    assert re.fullmatch(r"tiny\.v[0-9a-f]{16}\.keras", model_file)
    assert weights_file == model_file.replace(".keras", ".weights.h5")
    assert saved.path == str(tmp_path / model_file) and saved.weights == str(
        tmp_path / weights_file
    )
    model, manifest = runs.load_run(tmp_path, "tiny")
    expected = result.model.predict(images, verbose=0)
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, atol=1e-6)
    rebuilt = build_cnn(TINY)  # the lecture's way: build the model, then load_weights
    rebuilt.load_weights(saved.weights)
    np.testing.assert_allclose(rebuilt.predict(images, verbose=0), expected, atol=1e-6)
    assert manifest["note"] == "first" and manifest["name"] == "tiny"


def test_manifest_describes_the_run(result, tmp_path):
    saved = runs.save_run(result, None, tmp_path, "tiny")
    manifest = json.loads((tmp_path / "tiny.json").read_text())
    assert TrainingConfig.from_dict(manifest["config"]) == CONFIG
    assert (manifest["seed"], manifest["dataset"], manifest["train_size"]) == (
        0,
        "mnist-sample",
        256,
    )
    assert set(manifest["versions"]) == {"tensorflow", "keras", "numpy", "python"}
    assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ", manifest["date"])
    assert manifest["test_accuracy"] == result.test_accuracy
    assert manifest["test_loss"] == result.test_loss
    assert len(manifest["history"]) == 1 and "filters" not in manifest["history"][0]
    assert manifest["history"][0]["val_accuracy"] == result.history[0].val_accuracy
    assert np.sum(manifest["confusion_matrix"]) == 2000
    assert manifest["elapsed"] > 0 and manifest["parameters"] == result.model.count_params()
    model_file = manifest["files"]["model"]
    assert model_file["bytes"] == Path(saved.path).stat().st_size
    assert model_file["sha256"] == file_sha256(saved.path) == saved.sha256
    assert manifest["owner"] is None and manifest["format"] == 2


def test_a_plain_model_can_be_saved(tmp_path, images):
    model = build_cnn(TINY)
    runs.save_run(model, {"source": "untrained"}, tmp_path, "plain")
    loaded, manifest = runs.load_run(tmp_path, "plain")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0))
    assert manifest["source"] == "untrained" and "versions" in manifest


def test_the_owner_decides_whether_a_run_is_replaced(result, tmp_path):
    alice, bob = SavePolicy("alice"), SavePolicy("bob")
    assert runs.save_run(result, {"v": 1}, tmp_path, "mine", alice).name == "mine"
    assert runs.save_run(result, {"v": 2}, tmp_path, "mine", alice).name == "mine"
    assert runs.save_run(result, {"v": 3}, tmp_path, "mine", bob).name == "mine-2"
    assert runs.load_run(tmp_path, "mine")[1]["v"] == 2
    assert runs.load_run(tmp_path, "mine-2")[1]["v"] == 3


@pytest.mark.parametrize(
    ("name", "expected"),
    [("lecture", "lecture"), ("my run (v2)", "my_run_v2"), ("../../etc/passwd", "etc_passwd")],
)
def test_sanitise_name(name, expected):
    assert runs.sanitise_name(name) == expected
    assert len(runs.sanitise_name("x" * 100)) == 64


@pytest.mark.parametrize("name", ["", "   ", "...", "..", "/", "--", 3])
def test_unusable_names_are_refused(name):
    with pytest.raises(ValueError, match="Received"):
        runs.sanitise_name(name)


def test_crash_while_writing_leaves_the_previous_run(result, tmp_path, monkeypatch):
    runs.save_run(result, {"version": 1}, tmp_path, "run")
    before = contents(tmp_path)

    def fail(*args, **kwargs):
        raise OSError("disk full")

    monkeypatch.setattr(runs, "_inference_copy", lambda model: model)
    monkeypatch.setattr(result.model, "save_weights", fail)
    with pytest.raises(OSError, match="disk full"):
        runs.save_run(result, {"version": 2}, tmp_path, "run", REPLACE)
    assert contents(tmp_path) == before  # same files, same bytes, no temporaries


@pytest.mark.parametrize("failing", [2, 3])  # the weights' rename, the manifest's
def test_a_rename_that_fails_leaves_the_previous_run(result, tmp_path, monkeypatch, failing):
    runs.save_run(result, {"version": 1}, tmp_path, "run")
    before = contents(tmp_path)
    real_replace, calls = os.replace, []

    def replace_then_crash(source, target):
        calls.append(target)
        if len(calls) == failing:
            raise OSError("power cut")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_crash)
    with pytest.raises(OSError, match="power cut"):
        runs.save_run(result, {"version": 2}, tmp_path, "run", REPLACE)
    assert contents(tmp_path) == before
    assert runs.load_run(tmp_path, "run")[1]["version"] == 1


def test_crash_on_a_new_name_leaves_no_run(result, tmp_path, monkeypatch):
    real_replace = os.replace

    def crash_on_manifest(source, target):
        if str(target).endswith(".json"):
            raise OSError("power cut")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", crash_on_manifest)
    with pytest.raises(OSError):
        runs.save_run(result, None, tmp_path, "fresh")
    assert files_in(tmp_path) == [".runs.lock"] and listed(tmp_path) == []


def test_list_runs_newest_first_and_delete(result, tmp_path, monkeypatch):
    for name, date in [("old", "2024-01-01T00:00:00Z"), ("new", "2025-01-01T00:00:00Z")]:
        monkeypatch.setattr(runs, "_now", lambda date=date: date)
        runs.save_run(result, None, tmp_path, name)
    (tmp_path / "notes.json").write_text("{not json")
    (tmp_path / ".old.abc.tmp.json").write_text("{}")
    assert listed(tmp_path) == ["new", "old"]
    ModelCatalog(tmp_path / "none", tmp_path).delete_run("old", teacher=True)
    assert listed(tmp_path) == ["new"]
    assert not list(tmp_path.glob("old.*"))
    assert listed(tmp_path / "missing") == [] and models_in(tmp_path / "missing") == []


@pytest.mark.parametrize("name", ["nope", "../new", ""])
def test_load_and_delete_refuse_unknown_names(result, tmp_path, name):
    runs.save_run(result, None, tmp_path, "new")
    with pytest.raises(ValueError, match=f"Received {name!r}"):
        runs.load_run(tmp_path, name)
    with pytest.raises(ValueError, match=re.escape(repr(name))):
        ModelCatalog(tmp_path / "none", tmp_path).delete_run(name, teacher=True)


def test_damaged_model_file_is_reported(result, tmp_path):
    saved = runs.save_run(result, None, tmp_path, "run")
    good = Path(saved.path).read_bytes()
    Path(saved.path).write_bytes(b"not a model")
    with pytest.raises(ValueError, match="damaged.*has 11 bytes"):
        runs.load_run(tmp_path, "run")
    Path(saved.path).write_bytes(b"x" * len(good))  # the right size, but no zip
    with pytest.raises(ValueError, match="not a Keras model"):
        runs.load_run(tmp_path, "run")
    middle = len(good) // 2  # inside the weights: still a zip, other bytes
    Path(saved.path).write_bytes(good[:middle] + bytes([good[middle] ^ 1]) + good[middle + 1 :])
    with pytest.raises(ValueError, match="damaged: .* does not match its manifest"):
        runs.load_run(tmp_path, "run")


def test_a_zip_bomb_is_refused_before_keras_opens_it(tmp_path, monkeypatch):
    zip_bomb(tmp_path / "bomb.keras")
    (tmp_path / "bomb.json").write_text("{}")

    def never(*args, **kwargs):
        raise AssertionError("Keras opened the file")

    monkeypatch.setattr(runs.keras.saving, "load_model", never)
    with pytest.raises(ValueError, match=r"bomb\.keras's config\.json would unpack to 1\.1 GB"):
        runs.load_run(tmp_path, "bomb")
