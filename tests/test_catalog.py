"""`cnnviz.engine.catalog`'s TF-free helpers: run names and deleting a saved run."""

import pytest

from cnnviz.engine import catalog
from cnnviz.engine.catalog import ModelCatalog, delete_saved_run, sanitise_name


def save_fake_run(directory, name):
    for suffix in (".keras", ".weights.h5"):
        (directory / f"{name}{suffix}").write_bytes(b"weights")
    (directory / f"{name}.json").write_text("{}")


def test_delete_saved_run_removes_its_three_files_and_nothing_else(tmp_path):
    save_fake_run(tmp_path, "old-run")
    save_fake_run(tmp_path, "old-run-2")
    removed = delete_saved_run("old-run", tmp_path)
    assert sorted(path.name for path in removed) == [
        "old-run.json", "old-run.keras", "old-run.weights.h5",
    ]  # fmt: skip
    assert sorted(path.name for path in tmp_path.iterdir()) == [
        "old-run-2.json", "old-run-2.keras", "old-run-2.weights.h5",
    ]  # fmt: skip
    listed = ModelCatalog(tmp_path / "none", tmp_path).list_models()
    assert [info.name for info in listed] == ["old-run-2"]


def test_delete_saved_run_uses_the_models_dir_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(tmp_path))
    save_fake_run(tmp_path, "env-run")
    delete_saved_run("env-run")
    assert not list(tmp_path.iterdir())


def test_a_run_without_weights_file_is_still_deleted(tmp_path):
    (tmp_path / "half.keras").write_bytes(b"x")
    (tmp_path / "half.json").write_text("{}")
    assert len(delete_saved_run("half", tmp_path)) == 2
    assert not list(tmp_path.iterdir())


@pytest.mark.parametrize("name", ["../escape", "", ".hidden", "a/b", None, 3])
def test_delete_saved_run_refuses_names_that_are_not_plain(tmp_path, name):
    with pytest.raises(ValueError, match="Received"):
        delete_saved_run(name, tmp_path)


def test_bundled_models_cannot_be_deleted(tmp_path, monkeypatch):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    save_fake_run(bundled, "lecture")
    save_fake_run(tmp_path, "lecture")
    monkeypatch.setattr(catalog, "BUNDLED_DIR", bundled)
    with pytest.raises(ValueError, match="bundled model"):
        delete_saved_run("lecture", tmp_path)
    assert (bundled / "lecture.keras").is_file() and (tmp_path / "lecture.keras").is_file()


def test_an_unknown_run_names_the_saved_ones(tmp_path):
    save_fake_run(tmp_path, "kept")
    with pytest.raises(ValueError, match="No saved run named 'gone'. Saved runs: kept"):
        delete_saved_run("gone", tmp_path)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [("my run (v2)", "my_run_v2"), ("tiny run", "tiny_run"), ("a" * 80, "a" * 64)],
)
def test_sanitise_name(raw, expected):
    assert sanitise_name(raw) == expected


@pytest.mark.parametrize("raw", ["...", "", "---", 7])
def test_sanitise_name_refuses_names_without_letters_or_digits(raw):
    with pytest.raises(ValueError, match="Received"):
        sanitise_name(raw)
