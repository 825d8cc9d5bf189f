"""Saved runs on disk: names, listing, manifests and deleting, without TensorFlow."""

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cnnviz.training.runs import (
    NAME_PATTERN,
    ModelCatalog,
    UnknownModel,
    class_names,
    default_catalog,
    run_history,
    sanitise_name,
)


def save_fake_run(directory, name, manifest=None):
    directory.mkdir(parents=True, exist_ok=True)
    for suffix in (".keras", ".weights.h5"):
        (directory / f"{name}{suffix}").write_bytes(b"weights")
    (directory / f"{name}.json").write_text(json.dumps(manifest or {}))


@pytest.fixture
def catalog(tmp_path):
    return ModelCatalog(tmp_path / "bundled", tmp_path / "saved")


def test_list_models_puts_bundled_first_and_needs_a_manifest(catalog):
    save_fake_run(catalog.models_dir, "b-run")
    save_fake_run(catalog.bundled_dir, "lecture", {"epochs": 1})
    save_fake_run(catalog.models_dir, "lecture")  # shadowed by the bundled one
    (catalog.models_dir / "half.keras").write_bytes(b"still being saved")
    listed = [(info.name, info.source) for info in catalog.list_models()]
    assert listed == [("lecture", "bundled"), ("b-run", "saved")]
    assert catalog.list_models()[0].manifest == {"epochs": 1}


def test_saved_runs_are_newest_first(catalog):
    save_fake_run(catalog.models_dir, "old", {"date": "2026-01-01T00:00:00Z"})
    save_fake_run(catalog.models_dir, "new", {"date": "2026-02-01T00:00:00Z"})
    assert [info.name for info in catalog.saved_runs()] == ["new", "old"]


def test_find_names_the_models_there_are(catalog):
    save_fake_run(catalog.models_dir, "kept")
    assert catalog.find("kept") == catalog.models_dir / "kept.keras"
    with pytest.raises(UnknownModel, match=r"No model named '../kept'. Available: kept\."):
        catalog.find("../kept")


def test_delete_run_removes_its_three_files_and_nothing_else(catalog):
    save_fake_run(catalog.models_dir, "old-run")
    save_fake_run(catalog.models_dir, "old-run-2")
    removed = catalog.delete_run("old-run", teacher=True)
    assert sorted(path.name for path in removed) == [
        "old-run.json",
        "old-run.keras",
        "old-run.weights.h5",
    ]
    assert sorted(path.name for path in catalog.models_dir.iterdir()) == [
        ".runs.lock",
        "old-run-2.json",
        "old-run-2.keras",
        "old-run-2.weights.h5",
    ]
    assert [info.name for info in catalog.list_models()] == ["old-run-2"]


def test_the_default_catalog_uses_the_models_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    save_fake_run(tmp_path, "env-run")
    default_catalog().delete_run("env-run", teacher=True)
    assert [path.name for path in tmp_path.iterdir()] == [".runs.lock"]


def test_a_run_without_weights_file_is_still_deleted(catalog):
    catalog.models_dir.mkdir()
    (catalog.models_dir / "half.keras").write_bytes(b"x")
    (catalog.models_dir / "half.json").write_text("{}")
    assert len(catalog.delete_run("half", teacher=True)) == 2
    assert [path.name for path in catalog.models_dir.iterdir()] == [".runs.lock"]


@pytest.mark.parametrize("name", ["../escape", "", ".hidden", "a/b", None, 3])
def test_delete_run_refuses_names_that_are_not_plain(catalog, name):
    with pytest.raises(ValueError, match=f"Received {name!r}"):
        catalog.delete_run(name)


def test_bundled_models_cannot_be_deleted(catalog):
    save_fake_run(catalog.bundled_dir, "lecture")
    save_fake_run(catalog.models_dir, "lecture")
    with pytest.raises(ValueError, match="'lecture' is a bundled model"):
        catalog.delete_run("lecture")
    assert (catalog.bundled_dir / "lecture.keras").is_file()
    assert (catalog.models_dir / "lecture.keras").is_file()


def test_an_unknown_run_names_the_saved_ones(catalog):
    save_fake_run(catalog.models_dir, "kept")
    with pytest.raises(ValueError, match="No saved run named 'gone'. Saved runs: kept"):
        catalog.delete_run("gone")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("my run (v2)", "my_run_v2"),
        ("tiny run", "tiny_run"),
        ("a" * 80, "a" * 64),
        ("-x", "x"),
        ("_-_run-", "run-"),
        ("--" + "b" * 70, "b" * 64),
    ],
)
def test_sanitise_name(raw, expected):
    assert sanitise_name(raw) == expected


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=80))
def test_every_name_that_can_be_saved_can_be_listed_served_and_deleted(raw):
    try:
        name = sanitise_name(raw)
    except ValueError:
        return
    assert NAME_PATTERN.fullmatch(name), f"{raw!r} was saved as {name!r}, which is never listed"


def test_a_run_saved_as_dash_x_is_listed_and_deletable(catalog):
    name = sanitise_name("-x")
    save_fake_run(catalog.models_dir, name)
    assert name in [info.name for info in catalog.saved_runs()]
    catalog.delete_run(name, teacher=True)
    assert name not in [info.name for info in catalog.saved_runs()]


@pytest.mark.parametrize(
    ("raw", "received"), [("...", "'...'"), ("", "''"), ("---", "'---'"), (7, "int: 7")]
)
def test_sanitise_name_refuses_names_without_letters_or_digits(raw, received):
    with pytest.raises(ValueError, match=f"Received {received}\\."):
        sanitise_name(raw)


def test_class_names_fall_back_to_digits():
    assert class_names({}) == list("0123456789")
    assert class_names({"class_names": ["cat", "dog"]}) == ["cat", "dog"]
    assert class_names({"class_names": "cat"}) == list("0123456789")


def test_run_history_reads_epochs_and_skips_the_rest():
    manifest = {"history": [{"epoch": 1, "val_accuracy": 0.5}, "junk", {"loss": 1.0}]}
    history = run_history(manifest)
    assert [(event.epoch, event.val_accuracy) for event in history] == [(1, 0.5)]
    assert run_history({"history": "none"}) == [] and run_history({}) == []
