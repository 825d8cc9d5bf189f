"""The command line, `python -m cnnviz.train`: the page's presets, overrides, clear errors."""

import re
import subprocess
import sys
from dataclasses import replace
from pathlib import Path

import pytest

from cnnviz.datasets import offline
from cnnviz.network.config import lecture_config
from cnnviz.train import build_parser, main, make_config, parse_classes
from cnnviz.training.runs import models_in

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[1]


def files_in(directory):
    return sorted(path.name for path in Path(directory).iterdir())


def test_cli_trains_and_saves(tmp_path):
    command = [sys.executable, "-m", "cnnviz.train", "--preset", "lecture", "--epochs", "1"]
    command += ["--train-size", "256", "--out", str(tmp_path / "out")]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    # `lecture` is a bundled model's name: the run takes the next one.
    assert "Saved as 'lecture-2': 'lecture' is a bundled model's name." in done.stdout
    (info,) = models_in(tmp_path / "out")
    assert info.name == "lecture-2" and info.manifest["owner"] is None
    assert files_in(tmp_path / "out") == sorted(
        [".runs.lock", "lecture-2.json", Path(info.path).name, Path(info.weights).name]
    )
    assert f"Saved model    {info.path} (" in done.stdout
    assert "Held-out test accuracy" in done.stdout
    assert info.manifest["config"]["train_size"] == 256
    assert info.manifest["command"].startswith("python -m cnnviz.train --preset lecture --epochs 1")


def test_cli_replaces_its_own_run_of_the_same_name(tmp_path):
    arguments = ["--epochs", "1", "--train-size", "64", "--quiet", "--out", str(tmp_path)]
    for seed in ("1", "2"):
        assert main([*arguments, "--name", "again", "--seed", seed]) == 0
    (info,) = models_in(tmp_path)
    assert info.name == "again" and info.manifest["seed"] == 2


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--epochs", "0"], "`epochs` must be a whole number from 1 to 200. Received 0"),
        (["--optimizer", "adamw"], "invalid choice"),
        (["--batch-size", "many"], "invalid int value"),
        (["--name", "..."], "Received '...'"),
        (["--filters", "32"], "one number per conv block (2 in this preset). Received '32'"),
        (["--filters", "a,b"], "whole numbers separated by commas"),
        (
            ["--filters", "0,8"],
            "Block 1's Conv2D `filters` must be a whole number of at least 1. Received 0",
        ),
        (
            ["--classes", "0-x"],
            "--classes takes labels as a range or separated by commas, e.g. 0-4 or 0,1,2,3,4. "
            "Received '0-x'.",
        ),
        (["--classes", "4-0"], "Received '4-0'"),
        (["--classes", "3"], "at least two different labels, each once. Received classes=(3,)"),
        (["--classes", "8-10"], "from 0 to 9, such as (0, 1, 2, 3, 4)"),
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
    monkeypatch.setattr(offline, "KERAS_FALLBACK_HOME", tmp_path / "fallback")
    with pytest.raises(SystemExit) as exit_info:
        main(["--dataset", "mnist", "--out", str(tmp_path / "out")])
    assert exit_info.value.code == 2
    assert "bundled 'mnist-sample'" in capsys.readouterr().err


def test_cli_bad_argument_in_a_fresh_process_has_no_traceback():
    command = [sys.executable, "-m", "cnnviz.train", "--learning-rate", "50"]
    done = subprocess.run(command, cwd=REPO, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    assert "learning_rate" in done.stderr and "Traceback" not in done.stderr


def test_cli_widens_the_preset_with_filters_and_dense_units():
    args = build_parser().parse_args(
        ["--preset", "regularised", "--filters", "32,64", "--dense-units", "64"]
    )
    config = make_config(args)
    assert [block.filters for block in config.model.conv_blocks] == [32, 64]
    assert config.model.dense_units == (64,)
    assert config.model.batch_norm and config.augmentation.enabled


@pytest.mark.parametrize(
    ("text", "classes"),
    [
        ("0-4", (0, 1, 2, 3, 4)),
        ("0,1,2,3,4", (0, 1, 2, 3, 4)),
        ("5-9", (5, 6, 7, 8, 9)),
        ("9,0", (9, 0)),
        (" 0 - 2 , 7", (0, 1, 2, 7)),
    ],
)
def test_cli_classes_take_a_range_or_a_list_and_set_the_outputs(text, classes):
    assert parse_classes(text) == classes
    config = make_config(build_parser().parse_args(["--classes", text]))
    assert config.classes == classes and config.model.num_classes == len(classes)
    assert config.model == replace(lecture_config(), num_classes=len(classes))


@pytest.mark.parametrize("text", ["", "a", "0-", "-1", "1.5", "0-4,", "0;1", "4-0"])
def test_cli_bad_classes_say_what_is_accepted(text):
    with pytest.raises(
        ValueError, match=rf"e\.g\. 0-4 or 0,1,2,3,4\. Received {re.escape(repr(text))}"
    ):
        parse_classes(text)


def test_cli_trains_the_source_network_on_digits_0_to_4(tmp_path):
    arguments = ["--preset", "digits-0-4", "--epochs", "1", "--train-size", "64", "--quiet"]
    assert main([*arguments, "--out", str(tmp_path)]) == 0
    (info,) = models_in(tmp_path)
    assert info.name == "digits-0-4-2"  # a bundled model's name: the run takes the next one
    assert info.manifest["class_names"] == ["0", "1", "2", "3", "4"]
    assert info.manifest["config"]["classes"] == [0, 1, 2, 3, 4]
    assert info.manifest["test_size"] == 1025  # the sample's test digits 0 to 4


@pytest.mark.parametrize("preset", ["lecture", "over-fitting", "over-fitting-regularised"])
def test_cli_offers_every_preset_of_the_training_page(preset):
    from cnnviz.training.presets import PRESETS

    config = make_config(build_parser().parse_args(["--preset", preset]))
    assert config == PRESETS[preset].config and PRESETS[preset].on_page


def test_cli_help_lists_every_preset_and_its_lesson(capsys):
    from cnnviz.training.presets import PRESETS

    with pytest.raises(SystemExit) as done:
        build_parser().parse_args(["--help"])
    assert done.value.code == 0
    shown = "".join(capsys.readouterr().out.split())  # argparse wraps, even at hyphens
    for name, preset in PRESETS.items():
        assert "".join(f"{name}: {preset.lesson}".split()) in shown
