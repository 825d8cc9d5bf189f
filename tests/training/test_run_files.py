"""Damaged or hostile manifests: skipped with a warning that names the file, never a crash."""

import json
import math

import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cnnviz.training.run_contents import trained_classes
from cnnviz.training.run_files import MAX_MANIFEST_BYTES, NAME_PATTERN, named_files
from cnnviz.training.runs import (
    ModelCatalog,
    ModelInfo,
    class_names,
    confusion_counts,
    misclassified_indices,
    run_history,
    run_summary,
)

FIELDS = [
    "name", "date", "dataset", "owner", "config", "class_names", "history", "files",
    "test_accuracy", "test_loss", "elapsed", "epochs_completed", "best_epoch", "train_size",
    "confusion_matrix", "misclassified", "parameters", "stopped_by", "samples_per_second",
]  # fmt: skip
CONFIG_FIELDS = [
    "epochs", "model", "augmentation", "optimizer", "learning_rate", "batch_size",
    "learning_rate_schedule", "train_size", "dropout", "rotation", "batch_norm", "l2", "classes",
]  # fmt: skip
# JSON as a hostile file can have it: NaN and infinities, huge numbers, odd nesting.
SCALARS = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(10**30), max_value=10**30)
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text(max_size=12)
)
VALUES = st.recursive(
    SCALARS,
    lambda children: (
        st.lists(children, max_size=4)
        | st.dictionaries(st.sampled_from(CONFIG_FIELDS + FIELDS) | st.text(max_size=4), children)
    ),
    max_leaves=20,
)
MANIFESTS = st.dictionaries(st.sampled_from(FIELDS), VALUES, max_size=8)


def save_run_files(directory, name, manifest):
    directory.mkdir(parents=True, exist_ok=True)
    for suffix in (".keras", ".weights.h5"):
        (directory / f"{name}{suffix}").write_bytes(b"weights")
    text = manifest if isinstance(manifest, str) else json.dumps(manifest)
    (directory / f"{name}.json").write_text(text)


def read_every_way(manifest, num_classes=10):
    """Everything the pages read from a manifest: the runs table row, the curves, the class
    names, the confusion matrix and the misclassified images."""
    row = run_summary(ModelInfo("run", "saved", "run.keras", manifest))
    pd.DataFrame([row])  # the runs table takes it
    history = run_history(manifest)
    assert all(math.isfinite(event.epoch) for event in history)
    names = class_names(manifest, num_classes)
    assert len(names) == num_classes and all(isinstance(name, str) for name in names)
    matrix = confusion_counts(manifest)
    assert matrix is None or len(matrix) == len(matrix[0])
    assert all(0 <= i < 100 for i in misclassified_indices(manifest, 24, 100))
    classes = trained_classes(manifest)
    assert classes is None or all(type(label) is int for label in classes)
    return row


@settings(max_examples=300, deadline=None)
@given(MANIFESTS)
def test_the_readers_take_any_manifest_without_an_exception(manifest):
    read_every_way(manifest)
    read_every_way(manifest, num_classes=3)


@settings(
    max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(manifest=MANIFESTS | VALUES)
def test_listing_skips_a_bad_manifest_and_names_its_file(tmp_path, manifest):
    catalog = ModelCatalog(tmp_path / "bundled", tmp_path / "runs")
    save_run_files(catalog.models_dir, "fuzzed", json.dumps(manifest))
    infos, problems = catalog.scan()
    assert len(infos) + len(problems) == 1
    if problems:
        assert str(catalog.models_dir / "fuzzed.json") in problems[0]
        assert problems[0].startswith("Skipped run 'fuzzed': ")
    else:
        read_every_way(infos[0].manifest)


@pytest.mark.parametrize(
    ("manifest", "message"),
    [
        # What crashed the Training page before: TypeError, AttributeError, format ValueError.
        ({"test_accuracy": "high"}, "`test_accuracy` must be a number from 0 to 1. Received str"),
        ({"config": []}, "`config` must be a JSON object. Received list []"),
        ({"class_names": "0123"}, "`class_names` must be a list of 1 to 1000 names"),
        ({"class_names": []}, "`class_names` must be a list of 1 to 1000 names"),
        ({"elapsed": 1e300}, "`elapsed` must be a finite number"),
        ({"test_loss": math.nan}, "`test_loss` must be a finite number. Received float nan"),
        ({"best_epoch": 10**40}, "`best_epoch` must be a whole number"),
        ({"parameters": True}, "`parameters` must be a whole number. Received bool True"),
        ({"confusion_matrix": [[1, 2], [3]]}, "`confusion_matrix` must be a square table"),
        ({"misclassified": [-1]}, "`misclassified` must be a list of image indices"),
        ({"history": {"epoch": 1}}, "`history` must be a list of epochs"),
        ({"files": []}, "`files` must be a JSON object"),
        ({"files": {"model": "x.keras"}}, "`files` must map 'model' to a file"),
        (
            {"files": {"model": {"file": "../other.keras"}}},
            "`files.model` must give one of 'run''s .keras files",
        ),
        (
            {"files": {"model": {"file": "other.keras"}}},
            "`files.model` must give one of 'run''s .keras files",
        ),
        (
            {"files": {"model": {"file": "run.keras", "bytes": "7"}}},
            "`files.model` must give one of 'run''s .keras files",
        ),
        ({"files": {"model": {"file": "run.keras", "bytes": 8}}}, "has 7 bytes, not 8"),
        (
            {"files": {"model": {"file": "run.keras"}, "weights": {"file": "run.vx.weights.h5"}}},
            "`files.weights` must give one of 'run''s .weights.h5 files",
        ),
        ({"files": {"model": {"file": "run.v0123456789abcdef.keras"}}}, "is missing"),
        ([1, 2], "holds a list, not a manifest"),
        ("{not json", "is not valid JSON"),
        ("[" * 100_000 + "]" * 100_000, "is not valid JSON"),
        (" " * (MAX_MANIFEST_BYTES + 1), "is larger than a manifest can be"),
    ],
)
def test_each_kind_of_damage_is_named(tmp_path, manifest, message):
    catalog = ModelCatalog(tmp_path / "bundled", tmp_path / "runs")
    save_run_files(catalog.models_dir, "run", manifest)
    save_run_files(catalog.models_dir, "good", {"test_accuracy": 0.9})
    assert [info.name for info in catalog.list_models()] == ["good"]
    (problem,) = catalog.problems()
    assert str(catalog.models_dir / "run.json") in problem
    assert message in problem, problem
    with pytest.raises(ValueError, match=r"No model named 'run'\. Available: good\. Saved 'run'"):
        catalog.resolve("run")


def test_a_files_entry_never_names_a_file_outside_its_run(tmp_path):
    for file in ("/etc/passwd", "../x/run.keras", "run.keras/..", ".run.keras", "run-2.keras"):
        with pytest.raises(ValueError, match="must give one of 'run''s .keras files"):
            named_files(tmp_path, "run", {"files": {"model": {"file": file}}})


def test_too_few_class_names_for_the_outputs_are_numbered_instead():
    manifest = {"class_names": ["cat", "dog"]}
    assert class_names(manifest) == ["cat", "dog"]
    assert class_names(manifest, 2) == ["cat", "dog"]
    assert class_names(manifest, 10) == [str(n) for n in range(10)]
    assert class_names({"class_names": [1, 2]}, 2) == ["0", "1"]


@pytest.mark.parametrize("name", ["a.b", ".hidden", "a" * 65, "run.v0123456789abcdef", "-x", ""])
def test_names_with_dots_or_too_long_are_not_run_names(name):
    assert not NAME_PATTERN.fullmatch(name)
