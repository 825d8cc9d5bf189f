"""Saving runs: one atomic switch, killed at any step; concurrent saves; owners; clean-up.

No TensorFlow: a run's data files here are bytes that name the save they belong to, so a
reader can tell a whole run (every file from the save its manifest describes) from a mix.
"""

import json
import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from cnnviz.training.run_files import file_sha256, temporary_path
from cnnviz.training.run_owners import SavePolicy, owner_id, teacher_mode
from cnnviz.training.run_store import clean_runs, commit_run, runs_lock
from cnnviz.training.runs import ModelCatalog

REPO = Path(__file__).resolve().parents[2]
KINDS = {"model": ".keras", "weights": ".weights.h5"}

# Saves run `name` with `payload` in a fresh process, SIGKILLed at its `kill_at`-th file-system
# step (0: once its temporaries are written, before the commit; -1: never).
SAVER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cnnviz.training import run_owners, run_store
    from cnnviz.training.run_files import temporary_path

    directory, name, payload = Path(sys.argv[1]), sys.argv[2], sys.argv[3]
    kill_at, saves, owner = int(sys.argv[4]), int(sys.argv[5]), sys.argv[6] or None
    steps = 0

    def counted(function):
        def step(*args, **kwargs):
            global steps
            steps += 1
            if steps == kill_at:
                os.kill(os.getpid(), signal.SIGKILL)
            return function(*args, **kwargs)
        return step

    for function in ("replace", "rename", "unlink"):
        setattr(os, function, counted(getattr(os, function)))
    policy = run_owners.SavePolicy(owner, "own" if owner else "any")
    directory.mkdir(parents=True, exist_ok=True)
    for save in range(saves):
        text = f"{payload}-{save}"
        staged = {}
        for kind, suffix in (("model", ".keras"), ("weights", ".weights.h5")):
            staged[kind] = temporary_path(directory, name, suffix)
            staged[kind].write_bytes(f"{text} {kind} ".encode() * 200)
        if kill_at == 0:
            os.kill(os.getpid(), signal.SIGKILL)
        saved = run_store.commit_run(directory, name, staged, {"payload": text}, policy)
    print(saved, steps)
    """
)


def run_saver(directory, name, payload, kill_at=-1, saves=1, owner=""):
    command = [sys.executable, "-c", SAVER, str(directory), name, payload, str(kill_at)]
    return subprocess.Popen(
        [*command, str(saves), owner], cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )


def save(directory, name, payload, policy=None) -> str:
    """Save run `name` in this process; its files say `payload`."""
    Path(directory).mkdir(parents=True, exist_ok=True)
    staged = {}
    for kind, suffix in KINDS.items():
        staged[kind] = temporary_path(directory, name, suffix)
        staged[kind].write_bytes(f"{payload} {kind} ".encode() * 200)
    return commit_run(directory, name, staged, {"payload": payload}, policy or SavePolicy())


def whole_run(info) -> str | None:
    """The payload of a listed run if every file is the one its manifest describes; None if a
    file went away meanwhile (a newer save replaced the run). Fails on a mixed set."""
    payload = info.manifest["payload"]
    try:
        for kind, path in (("model", info.path), ("weights", info.weights)):
            described = info.manifest["files"][kind]
            data = Path(path).read_bytes()
            assert data.startswith(f"{payload} {kind} ".encode()), f"{path} is not {payload}'s"
            assert (len(data), file_sha256(path)) == (described["bytes"], described["sha256"])
    except FileNotFoundError:
        return None
    return payload


def files_in(directory) -> list[str]:
    return sorted(path.name for path in Path(directory).iterdir())


@pytest.fixture
def catalog(tmp_path):
    return ModelCatalog(tmp_path / "bundled", tmp_path / "runs")


def test_a_save_writes_versioned_files_and_a_manifest_naming_them(catalog):
    name = save(catalog.models_dir, "run", "first", SavePolicy("alice"))
    assert name == "run"
    (info,) = catalog.list_models()
    manifest = json.loads((catalog.models_dir / "run.json").read_text())
    assert manifest["owner"] == owner_id("alice") and "alice" not in json.dumps(manifest)
    assert manifest["format"] == 2 and manifest["name"] == "run"
    model = manifest["files"]["model"]["file"]
    assert model.startswith("run.v") and model.endswith(".keras") and len(model) == 27
    assert info.path == str(catalog.models_dir / model) and whole_run(info) == "first"
    assert info.sha256 == file_sha256(info.path)
    assert files_in(catalog.models_dir) == sorted(
        [".runs.lock", "run.json", model, manifest["files"]["weights"]["file"]]
    )


def test_saving_again_switches_the_version_and_removes_the_old_files(catalog):
    save(catalog.models_dir, "run", "first", SavePolicy(replace="any"))
    first = catalog.version("run")
    old_files = set(files_in(catalog.models_dir))
    save(catalog.models_dir, "run", "second", SavePolicy(replace="any"))
    (info,) = catalog.list_models()
    assert whole_run(info) == "second" and catalog.version("run") != first
    assert len(files_in(catalog.models_dir)) == 4
    assert old_files & set(files_in(catalog.models_dir)) == {".runs.lock", "run.json"}


def test_a_save_killed_at_every_step_leaves_the_previous_run_or_the_new_one_whole(catalog):
    directory = catalog.models_dir
    for kill_at in range(20):
        for path in directory.iterdir() if directory.is_dir() else []:
            path.unlink()
        save(directory, "run", "old", SavePolicy(replace="any"))
        before = {name: (directory / name).read_bytes() for name in files_in(directory)}
        saver = run_saver(directory, "run", "new", kill_at)
        output, error = saver.communicate(timeout=60)
        (info,) = catalog.list_models()
        payload = whole_run(info)  # never a mix
        assert catalog.resolve("run").path == info.path
        if saver.returncode == 0:  # this time the save ran to its end
            assert payload == "new-0" and kill_at > 3, error.decode()
            assert len(files_in(directory)) == 4  # the old files are gone
            break
        assert saver.returncode == -signal.SIGKILL, error.decode()
        if payload == "old":  # killed before the switch: the previous run, byte for byte
            assert {name: (directory / name).read_bytes() for name in before} == before
        else:
            assert payload == "new-0"
        removed = catalog.clean()
        assert files_in(directory) == sorted(before) if payload == "old" else len(removed) <= 2
        assert len(files_in(directory)) == 4, files_in(directory)  # lock, manifest, 2 files
        assert whole_run(catalog.resolve("run")) == payload
    else:
        pytest.fail("the save never completed")
    assert kill_at == 6  # 2 renames, the manifest's, 2 removals; the 6th step is none


def test_two_processes_saving_one_name_never_show_a_mixed_run(catalog):
    directory = catalog.models_dir
    save(directory, "race", "start", SavePolicy(replace="any"))
    savers = [run_saver(directory, "race", payload, saves=40) for payload in ("a", "b")]
    checked = 0
    while any(saver.poll() is None for saver in savers):
        for info in catalog.list_models():
            checked += whole_run(info) is not None  # fails on a mixed set
    for saver in savers:
        assert saver.wait(timeout=60) == 0, saver.stderr.read().decode()
    assert checked > 20
    (info,) = catalog.list_models()
    assert whole_run(info) in ("a-39", "b-39") and len(files_in(directory)) == 4
    assert catalog.clean() == []


def test_a_save_waits_while_another_holds_the_folders_lock(catalog):
    directory = catalog.models_dir
    directory.mkdir(parents=True)
    with runs_lock(directory):
        saver = run_saver(directory, "run", "waiting")
        deadline = time.monotonic() + 30
        while not list(directory.glob(".run.*.tmp.weights.h5")):  # staged: about to commit
            assert time.monotonic() < deadline and saver.poll() is None
            time.sleep(0.01)
        time.sleep(0.5)
        assert saver.poll() is None and not (directory / "run.json").exists()
    assert saver.wait(timeout=60) == 0
    assert whole_run(catalog.resolve("run")) == "waiting-0"


def test_two_owners_saving_one_name_at_once_get_a_run_each(catalog):
    directory = catalog.models_dir
    savers = [run_saver(directory, "shared", owner, saves=10, owner=owner) for owner in "ab"]
    for saver in savers:
        assert saver.wait(timeout=60) == 0, saver.stderr.read().decode()
    runs = {info.name: whole_run(info) for info in catalog.list_models()}
    assert sorted(runs) == ["shared", "shared-2"]
    assert sorted(payload[0] for payload in runs.values()) == ["a", "b"]
    assert all(payload.endswith("-9") for payload in runs.values())
    assert len(files_in(directory)) == 7


def test_a_run_of_another_owner_is_kept_and_the_new_one_takes_the_next_name(catalog):
    directory = catalog.models_dir
    assert save(directory, "my-run", "alice 1", SavePolicy("alice")) == "my-run"
    assert save(directory, "my-run", "alice 2", SavePolicy("alice")) == "my-run"  # her own
    assert catalog.available_name("my-run", "bob") == "my-run-2"
    assert save(directory, "my-run", "bob 1", SavePolicy("bob")) == "my-run-2"
    assert save(directory, "my-run", "bob 2", SavePolicy("bob")) == "my-run-2"  # his own now
    assert save(directory, "my-run", "carol", SavePolicy("carol")) == "my-run-3"
    assert save(directory, "my-run", "alice 3", SavePolicy("alice", "never")) == "my-run-4"
    assert save(directory, "my-run", "nobody's") == "my-run-5"  # no owner: replaces nothing
    assert save(directory, "my-run", "teacher", SavePolicy(replace="any")) == "my-run"
    payloads = {info.name: whole_run(info) for info in catalog.list_models()}
    assert payloads == {
        "my-run": "teacher",
        "my-run-2": "bob 2",
        "my-run-3": "carol",
        "my-run-4": "alice 3",
        "my-run-5": "nobody's",
    }


def test_a_bundled_models_name_is_never_taken(catalog):
    save(catalog.bundled_dir, "lecture", "bundled")
    policy = catalog.save_policy(replace="any")
    assert save(catalog.models_dir, "lecture", "mine", policy) == "lecture-2"
    assert [(info.name, info.source) for info in catalog.list_models()] == [
        ("lecture", "bundled"),
        ("lecture-2", "saved"),
    ]


def test_a_long_name_keeps_its_suffix_within_64_characters(catalog):
    save(catalog.models_dir, "x" * 64, "first", SavePolicy("a"))
    assert save(catalog.models_dir, "x" * 64, "second", SavePolicy("b")) == "x" * 62 + "-2"


def test_delete_belongs_to_the_owner_or_a_teacher(catalog):
    save(catalog.models_dir, "alices", "a", SavePolicy("alice"))
    save(catalog.models_dir, "nobodys", "n")
    message = (
        r"Run `alices` was saved by another session; only its owner can delete it \(or a "
        r"teacher: see the README's teacher mode\)\."
    )
    with pytest.raises(ValueError, match=message):
        catalog.delete_run("alices", "bob")
    with pytest.raises(ValueError, match="saved by another session"):
        catalog.delete_run("alices")
    with pytest.raises(ValueError, match="saved by another session"):
        catalog.delete_run("nobodys", "alice")
    assert len(catalog.delete_run("alices", "alice")) == 3
    assert len(catalog.delete_run("nobodys", teacher=True)) == 3
    assert files_in(catalog.models_dir) == [".runs.lock"]


@pytest.mark.parametrize(
    ("value", "expected"),
    [("1", True), ("true", True), ("YES", True), ("on", True), (" 0 ", False), ("", False)],
)
def test_teacher_mode_reads_the_environment(value, expected):
    assert teacher_mode({"CNNVIZ_TEACHER_MODE": value}) is expected


def test_teacher_mode_refuses_a_value_it_does_not_know():
    with pytest.raises(ValueError, match=r"CNNVIZ_TEACHER_MODE must be one of .* Received 'si'"):
        teacher_mode({"CNNVIZ_TEACHER_MODE": "si"})


@pytest.mark.parametrize(
    ("policy", "message"),
    [({"replace": "mine"}, "Received 'mine'"), ({"owner": ""}, "Received ''")],
)
def test_a_bad_policy_is_refused(policy, message):
    with pytest.raises(ValueError, match=message):
        SavePolicy(**policy)


def test_commit_refuses_what_it_cannot_save_before_touching_anything(catalog):
    directory = catalog.models_dir
    save(directory, "run", "old", SavePolicy(replace="any"))
    before = files_in(directory)
    staged = {"model": temporary_path(directory, "run", ".keras")}
    staged["model"].write_bytes(b"m")
    with pytest.raises(ValueError, match="Out of range float values are not JSON compliant"):
        commit_run(directory, "run", staged, {"loss": float("nan")}, SavePolicy(replace="any"))
    with pytest.raises(ValueError, match=r"needs a staged 'model'.* Received \['model', 'x'\]"):
        commit_run(directory, "run", {**staged, "x": staged["model"]}, {}, SavePolicy())
    elsewhere = catalog.bundled_dir / "model.keras"
    with pytest.raises(ValueError, match="Staged files must be in"):
        commit_run(directory, "run", {"model": elsewhere}, {}, SavePolicy())
    staged["model"].unlink()
    assert files_in(directory) == before and whole_run(catalog.resolve("run")) == "old"


def test_clean_removes_what_killed_saves_left_and_nothing_else(catalog):
    directory = catalog.models_dir
    save(directory, "kept", "kept", SavePolicy(replace="any"))
    save(directory, "legacy", "legacy")
    (directory / "legacy.json").write_text("{}")  # an early save: legacy.keras beside it
    for path in directory.glob("legacy.v*"):
        path.rename(directory / path.name.replace(path.name.split(".")[1] + ".", ""))
    dead = subprocess.run(
        [sys.executable, "-c", "import os; print(os.getpid())"],
        text=True,
        capture_output=True,
        check=True,
    )
    dead_pid = int(dead.stdout)
    leftovers = [
        f".kept.{dead_pid}.0123456789abcdef.tmp.keras",  # a killed writer's temporaries
        f".kept.{dead_pid}.0123456789abcdef.tmp.json",
        ".kept.0123456789abcdef.tmp.weights.h5.old",  # the previous format's
        ".kept.0123456789abcdef.tmp.json",
        "kept.v0123456789abcdef.keras",  # renamed, but its manifest never switched
        "gone.vfedcba9876543210.weights.h5",  # a run deleted half-way
    ]
    alive = [f".kept.{os.getpid()}.0123456789abcdef.tmp.keras"]  # a save under way
    unknown = ["notes.txt", "half.keras", ".hidden"]
    for name in leftovers + alive + unknown:
        (directory / name).write_bytes(b"x")
    before = set(files_in(directory))
    removed = clean_runs(directory)
    assert sorted(path.name for path in removed) == sorted(leftovers)
    assert set(files_in(directory)) == before - set(leftovers)
    assert {info.name for info in catalog.list_models()} == {"kept", "legacy"}
    assert clean_runs(directory) == [] and clean_runs(directory / "missing") == []


def test_an_early_saves_files_are_replaced_by_a_versioned_save(catalog):
    directory = catalog.models_dir
    directory.mkdir(parents=True)
    for suffix in KINDS.values():
        (directory / f"old{suffix}").write_bytes(b"early")
    (directory / "old.json").write_text(json.dumps({"files": {"model": {"file": "old.keras"}}}))
    (info,) = catalog.list_models()
    assert info.path == str(directory / "old.keras") and info.sha256 is None
    time.sleep(0.01)
    save(directory, "old", "new", SavePolicy(replace="any"))
    assert whole_run(catalog.resolve("old")) == "new"
    assert not (directory / "old.keras").exists() and not (directory / "old.weights.h5").exists()
