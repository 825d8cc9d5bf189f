"""The engine's training job: train, save the run, and say how it ended."""

import json
from pathlib import Path

import pytest

from cnnviz.engine.keras_side.save import load_run
from cnnviz.engine.keras_side.training_job import run_job, training_threads
from cnnviz.network.config import CNNConfig, ConvBlock
from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import BatchEvent, EpochEvent, TrainingOutcome
from cnnviz.training.run_owners import owner_id
from cnnviz.training.runs import models_in

pytestmark = pytest.mark.slow
TINY = CNNConfig(conv_blocks=(ConvBlock(4),))
CONFIG = TrainingConfig(model=TINY, train_size=256, validation_size=64, batch_size=32, epochs=1)


def test_run_job_trains_saves_and_summarises(tmp_path):
    events = []
    params = {"config": CONFIG.to_dict(), "save_dir": str(tmp_path), "run_name": "job 1"}
    outcome = run_job(params, events.append, lambda: False)
    assert isinstance(outcome, TrainingOutcome)
    json.dumps(outcome.confusion_matrix), json.dumps(outcome.misclassified)
    assert outcome.run_name == "job_1" and outcome.saved and not outcome.stopped
    assert outcome.epochs_completed == outcome.best_epoch == 1
    assert sorted(outcome.paths) == ["manifest", "model", "weights"]
    assert all(Path(path).is_file() for path in outcome.paths.values())
    assert len(outcome.confusion_matrix) == 10 and len(outcome.misclassified) <= 64
    assert {type(event) for event in events} == {BatchEvent, EpochEvent}
    assert [event.filters for event in outcome.history] == [None]


def test_run_job_saves_the_best_epoch_when_stopped(tmp_path):
    config = TrainingConfig.from_dict({**CONFIG.to_dict(), "epochs": 3})
    calls = []
    params = {"config": config.to_dict(), "save_dir": str(tmp_path), "run_name": "stopped"}
    outcome = run_job(params, lambda event: None, lambda: calls.append(1) or len(calls) > 9)
    assert outcome.stopped and outcome.stopped_by == "user" and outcome.saved
    assert outcome.epochs_completed == 1
    assert load_run(tmp_path, "stopped")[1]["stopped_by"] == "user"


def test_run_job_stopped_in_the_first_epoch_saves_nothing(tmp_path):
    params = {"config": CONFIG.to_dict(), "save_dir": str(tmp_path), "run_name": "early"}
    outcome = run_job(params, lambda event: None, lambda: True)
    assert outcome.stopped and not outcome.saved and outcome.paths == {}
    assert models_in(tmp_path) == []


def test_run_job_keeps_another_sessions_run_and_says_the_name_it_used(tmp_path):
    bundled = tmp_path / "bundled"
    bundled.mkdir()
    (bundled / "lecture.json").write_text("{}")
    params = {"config": CONFIG.to_dict(), "save_dir": str(tmp_path / "runs"), "run_name": "mine"}
    params |= {"owner": "alice", "bundled_dir": str(bundled)}
    names = [
        run_job(params | changes, lambda event: None, lambda: False).run_name
        for changes in (
            {},
            {"owner": "bob"},  # alice's run stays
            {"owner": "bob", "replace": "any"},  # teacher mode: replaced
            {"run_name": "lecture", "replace": "any"},  # a bundled model's name: never
        )
    ]
    assert names == ["mine", "mine-2", "mine", "lecture-2"]
    manifests = {info.name: info.manifest for info in models_in(tmp_path / "runs")}
    assert sorted(manifests) == ["lecture-2", "mine", "mine-2"]
    assert manifests["mine"]["owner"] == manifests["mine-2"]["owner"] == owner_id("bob")


@pytest.mark.parametrize(
    "params",
    [
        {"config": {}, "save_dir": "x"},
        {"config": {"epochs": 0}, "save_dir": "x", "run_name": "a"},
        {"config": {}, "save_dir": "x", "run_name": "..."},
        {"config": {}, "save_dir": "x", "run_name": "a", "replace": "sometimes"},
        {"config": {}, "save_dir": "x", "run_name": "a", "owner": 7},
    ],
)
def test_run_job_refuses_bad_params(params):
    with pytest.raises(ValueError, match="Received"):  # params, epochs or the run's name
        run_job(params, lambda event: None, lambda: False)


def test_a_training_worker_leaves_one_core_to_the_pages_unless_told_otherwise():
    assert training_threads({}, cores=2) == 1 and training_threads({}, cores=8) == 7
    assert training_threads({"CNNVIZ_TRAINING_THREADS": "3"}, cores=2) == 3
    with pytest.raises(ValueError, match="Received 'two'"):
        training_threads({"CNNVIZ_TRAINING_THREADS": "two"})
