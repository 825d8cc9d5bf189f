"""Saved runs: save/load round trip, atomic saves, listing, the engine's job and the CLI."""

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

import cnnviz.data
from cnnviz import runs
from cnnviz.models import CNNConfig, ConvBlock, build_cnn
from cnnviz.train import main
from cnnviz.training import TrainingConfig, train

REPO = Path(__file__).resolve().parents[1]
TINY = CNNConfig(conv_blocks=(ConvBlock(4),))
CONFIG = TrainingConfig(model=TINY, train_size=256, validation_size=64, batch_size=32, epochs=1)


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
    path = runs.save_run(result, {"note": "first"}, tmp_path, "tiny")
    assert path == tmp_path / "tiny.keras"
    assert files_in(tmp_path) == ["tiny.json", "tiny.keras", "tiny.weights.h5"]
    model, manifest = runs.load_run(tmp_path, "tiny")
    expected = result.model.predict(images, verbose=0)
    np.testing.assert_allclose(model.predict(images, verbose=0), expected, atol=1e-6)
    rebuilt = build_cnn(TINY)  # the lecture's way: build the model, then load_weights
    rebuilt.load_weights(tmp_path / "tiny.weights.h5")
    np.testing.assert_allclose(rebuilt.predict(images, verbose=0), expected, atol=1e-6)
    assert manifest["note"] == "first" and manifest["name"] == "tiny"


def test_manifest_describes_the_run(result, tmp_path):
    runs.save_run(result, None, tmp_path, "tiny")
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
    assert manifest["history"][0]["val_accuracy"] == result.history[0]["val_accuracy"]
    assert np.sum(manifest["confusion_matrix"]) == 2000
    assert manifest["elapsed"] > 0 and manifest["parameters"] == result.model.count_params()
    model_file = manifest["files"]["model"]
    assert model_file["bytes"] == (tmp_path / "tiny.keras").stat().st_size
    assert model_file["sha256"] == runs._sha256(tmp_path / "tiny.keras")


def test_a_plain_model_can_be_saved(tmp_path, images):
    model = build_cnn(TINY)
    runs.save_run(model, {"source": "untrained"}, tmp_path, "plain")
    loaded, manifest = runs.load_run(tmp_path, "plain")
    np.testing.assert_allclose(loaded.predict(images, verbose=0), model.predict(images, verbose=0))
    assert manifest["source"] == "untrained" and "versions" in manifest


@pytest.mark.parametrize(
    ("name", "expected"),
    [("lecture", "lecture"), ("my run (v2)", "my_run_v2"), ("../../etc/passwd", "etc_passwd")],
)
def test_sanitise_name(name, expected):
    assert runs.sanitise_name(name) == expected
    assert len(runs.sanitise_name("x" * 100)) == runs.MAX_NAME_LENGTH


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
        runs.save_run(result, {"version": 2}, tmp_path, "run")
    assert contents(tmp_path) == before  # same files, same bytes, no temporaries


def test_crash_while_renaming_rolls_back(result, tmp_path, monkeypatch):
    runs.save_run(result, {"version": 1}, tmp_path, "run")
    before = contents(tmp_path)
    real_replace, calls = os.replace, []

    def replace_then_crash(source, target):
        calls.append(target)
        if len(calls) == 2:  # the new .keras is in place, the weights are not
            raise OSError("power cut")
        real_replace(source, target)

    monkeypatch.setattr(os, "replace", replace_then_crash)
    with pytest.raises(OSError, match="power cut"):
        runs.save_run(result, {"version": 2}, tmp_path, "run")
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
    assert files_in(tmp_path) == [] and runs.list_runs(tmp_path) == []


def test_list_runs_newest_first_and_delete(result, tmp_path, monkeypatch):
    for name, date in [("old", "2024-01-01T00:00:00Z"), ("new", "2025-01-01T00:00:00Z")]:
        monkeypatch.setattr(runs, "_now", lambda date=date: date)
        runs.save_run(result, None, tmp_path, name)
    (tmp_path / "notes.json").write_text("{not json")
    (tmp_path / ".old.abc.tmp.json").write_text("{}")
    assert [m["name"] for m in runs.list_runs(tmp_path)] == ["new", "old"]
    runs.delete_run(tmp_path, "old")
    assert [m["name"] for m in runs.list_runs(tmp_path)] == ["new"]
    assert not list(tmp_path.glob("old.*"))
    assert runs.list_runs(tmp_path / "missing") == []


@pytest.mark.parametrize("name", ["nope", "../new", ""])
def test_load_and_delete_refuse_unknown_names(result, tmp_path, name):
    runs.save_run(result, None, tmp_path, "new")
    with pytest.raises(ValueError, match="Received"):
        runs.load_run(tmp_path, name)
    with pytest.raises(ValueError, match="Received"):
        runs.delete_run(tmp_path, name)


def test_damaged_model_file_is_reported(result, tmp_path):
    runs.save_run(result, None, tmp_path, "run")
    (tmp_path / "run.keras").write_bytes(b"not a model")
    with pytest.raises(ValueError, match="damaged"):
        runs.load_run(tmp_path, "run")


def test_run_job_trains_saves_and_summarises(tmp_path):
    events = []
    params = {"config": CONFIG.to_dict(), "save_dir": str(tmp_path), "run_name": "job 1"}
    summary = runs.run_job(params, events.append, lambda: False)
    json.dumps(summary)
    assert summary["run_name"] == "job_1" and summary["saved"] and not summary["stopped"]
    assert summary["epochs_completed"] == summary["best_epoch"] == 1
    assert all(Path(path).is_file() for path in summary["paths"].values())
    assert len(summary["confusion_matrix"]) == 10 and len(summary["misclassified"]) <= 64
    assert {e["type"] for e in events} == {"batch", "epoch"}


def test_run_job_saves_the_best_epoch_when_stopped(tmp_path):
    config = TrainingConfig.from_dict({**CONFIG.to_dict(), "epochs": 3})
    calls = []
    params = {"config": config.to_dict(), "save_dir": str(tmp_path), "run_name": "stopped"}
    summary = runs.run_job(params, lambda event: None, lambda: calls.append(1) or len(calls) > 9)
    assert summary["stopped"] and summary["stopped_by"] == "user" and summary["saved"]
    assert summary["epochs_completed"] == 1
    assert runs.load_run(tmp_path, "stopped")[1]["stopped_by"] == "user"


def test_run_job_stopped_in_the_first_epoch_saves_nothing(tmp_path):
    params = {"config": CONFIG.to_dict(), "save_dir": str(tmp_path), "run_name": "early"}
    summary = runs.run_job(params, lambda event: None, lambda: True)
    assert summary["stopped"] and not summary["saved"] and summary["paths"] == {}
    assert runs.list_runs(tmp_path) == []


@pytest.mark.parametrize(
    "params",
    [
        {"config": {}, "save_dir": "x"},
        {"config": {"epochs": 0}, "save_dir": "x", "run_name": "a"},
        {"config": {}, "save_dir": "x", "run_name": "..."},
    ],
)
def test_run_job_refuses_bad_params(params):
    with pytest.raises(ValueError, match="Received"):
        runs.run_job(params, lambda event: None, lambda: False)


def test_cli_trains_and_saves(tmp_path):
    command = [sys.executable, "-m", "cnnviz.train", "--preset", "lecture", "--epochs", "1"]
    command += ["--train-size", "256", "--out", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert files_in(tmp_path / "out") == ["lecture.json", "lecture.keras", "lecture.weights.h5"]
    assert "Held-out test accuracy" in done.stdout
    manifest = runs.list_runs(tmp_path / "out")[0]
    assert manifest["config"]["train_size"] == 256
    assert manifest["command"].startswith("python -m cnnviz.train --preset lecture --epochs 1")


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], "Received epochs=0"),
        (["--optimizer", "adamw"], "invalid choice"),
        (["--batch-size", "many"], "invalid int value"),
        (["--name", "..."], "Received '...'"),
        (["--filters", "32"], "one number per conv block (2 in this preset). Received '32'"),
        (["--filters", "a,b"], "whole numbers separated by commas"),
        (["--filters", "0,8"], "Received"),
    ],
)
def test_cli_bad_arguments_exit_2_with_a_message(arguments, message, tmp_path, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*arguments, "--out", str(tmp_path)])
    assert exit_info.value.code == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error
    assert not any(tmp_path.iterdir())


def test_cli_unavailable_dataset_exits_2(tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("HOME", str(tmp_path))
    monkeypatch.setenv("KERAS_HOME", str(tmp_path / "keras"))
    monkeypatch.setattr(cnnviz.data, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset", "mnist", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert "bundled 'mnist-sample'" in capsys.readouterr().err


def test_cli_bad_argument_in_a_fresh_process_has_no_traceback():
    command = [sys.executable, "-m", "cnnviz.train", "--learning-rate", "5"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "learning_rate" in done.stderr and "Traceback" not in done.stderr


def test_cli_widens_the_preset_with_filters_and_dense_units():
    from cnnviz import training
    from cnnviz.train import build_parser, make_config

    args = build_parser().parse_args(["--preset", "regularised", "--filters", "32,64",
                                      "--dense-units", "64"])  # fmt: skip
    config = make_config(args, training)
    assert [block.filters for block in config.model.conv_blocks] == [32, 64]
    assert config.model.dense_units == (64,)
    assert config.model.batch_norm and config.augmentation.enabled
