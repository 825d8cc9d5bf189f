"""A training job run by the engine: live events, and a stopped run keeps its best weights."""

import os
import signal
import time

import numpy as np
import pytest

from cnnviz.engine import EngineClient
from cnnviz.network.config import CNNConfig, ConvBlock
from cnnviz.training.checkpoints import jobs_folder
from cnnviz.training.config import TrainingConfig
from cnnviz.training.events import EpochEvent, TrainingOutcome

pytestmark = pytest.mark.slow


@pytest.fixture(scope="module")
def engine(tmp_path_factory):
    client = EngineClient.start(models_dir=tmp_path_factory.mktemp("models"))
    yield client
    client.close()


def tiny_config(epochs: int) -> dict:
    model = CNNConfig(conv_blocks=(ConvBlock(4),), dense_units=(8,))
    config = TrainingConfig(
        model=model, train_size=256, validation_size=64, epochs=epochs, batch_size=32
    )
    return config.to_dict()


def wait(engine, job_id, condition, timeout=120):
    deadline = time.monotonic() + timeout
    status = engine.job_status(job_id)
    while not condition(status) and time.monotonic() < deadline:
        time.sleep(0.2)
        status = engine.job_status(job_id)
    return status


def test_a_job_stopped_after_an_epoch_saves_its_best_weights(engine):
    save_dir = engine.ping().models_dir
    params = {"config": tiny_config(epochs=50), "save_dir": str(save_dir), "run_name": "stopped"}
    job_id = engine.submit_job("train", params, session="test-stop")
    first_epoch = wait(engine, job_id, lambda s: any(isinstance(e, EpochEvent) for e in s.events))
    assert first_epoch.state == "running"
    asked = time.monotonic()
    engine.stop_job(job_id)
    status = wait(engine, job_id, lambda s: not s.active)
    assert status.state == "stopped"
    assert time.monotonic() - asked < 20
    assert isinstance(status.result, TrainingOutcome) and status.result.saved
    assert status.result.stopped_by == "user"
    assert 1 <= status.result.epochs_completed < 50
    assert "stopped" in [info.name for info in engine.list_models()]


def epochs_seen(status) -> int:
    return sum(isinstance(event, EpochEvent) for event in status.events)


def test_a_killed_training_worker_still_saves_the_epochs_it_completed(engine):
    params = {"config": tiny_config(epochs=200), "run_name": "worker-killed"}
    job_id = engine.submit_job("train", params, session="test-worker-killed")
    running = wait(engine, job_id, lambda s: epochs_seen(s) >= 2)
    os.kill(running.worker_pid, signal.SIGKILL)  # say, the kernel's out-of-memory killer
    saving = wait(engine, job_id, lambda s: s.recovering or not s.active, timeout=10)
    assert saving.recovering and saving.state == "running"
    status = wait(engine, job_id, lambda s: not s.active)
    assert status.state == "finished", status.error
    outcome = status.result
    assert outcome.saved and outcome.stopped_by == "interrupted"
    assert outcome.run_name == "worker-killed" and 2 <= outcome.epochs_completed < 200
    assert [event.epoch for event in outcome.history] == list(
        range(1, outcome.epochs_completed + 1)
    )
    saved = {info.name: info for info in engine.list_models()}["worker-killed"]
    assert saved.manifest["epochs_completed"] == outcome.epochs_completed
    assert saved.manifest["test_accuracy"] == outcome.test_accuracy
    assert engine.predict("worker-killed", np.zeros((1, 28, 28))).shape == (1, 10)
    assert not list(jobs_folder(engine.ping().models_dir).iterdir())  # checkpoint removed


def test_a_run_survives_its_engine_being_killed(tmp_path):
    client = EngineClient.start(models_dir=tmp_path, log_path=tmp_path / "engine.log")
    try:
        params = {"config": tiny_config(epochs=200), "run_name": "engine-killed"}
        job_id = client.submit_job("train", params, session="test-engine-killed")
        running = wait(client, job_id, lambda s: epochs_seen(s) >= 2)
        os.kill(client.pid, signal.SIGKILL)  # the workers follow their engine
        status = wait(client, job_id, lambda s: not s.active)  # the next call restarts it
        assert client.restarts == 1
        assert status.id == job_id and status.session == "test-engine-killed"
        assert status.state == "finished", status.error
        outcome = status.result
        assert outcome.saved and outcome.stopped_by == "interrupted"
        assert outcome.epochs_completed >= epochs_seen(running)
        assert "engine-killed" in [info.name for info in client.list_models()]
        assert "saving the" in (tmp_path / "engine.log").read_text()
    finally:
        client.close()


def test_a_job_in_its_first_epoch_leaves_nothing_behind_when_its_worker_dies(engine):
    params = {"config": tiny_config(epochs=200) | {"train_size": 4096}, "run_name": "too-soon"}
    params["config"]["validation_size"] = 64
    job_id = engine.submit_job("train", params, session="test-too-soon")
    running = wait(engine, job_id, lambda s: s.worker_pid is not None and s.events)
    assert epochs_seen(running) == 0
    os.kill(running.worker_pid, signal.SIGKILL)
    status = wait(engine, job_id, lambda s: not s.active)
    assert status.state == "failed" and "exited unexpectedly" in status.error
    assert "too-soon" not in [info.name for info in engine.list_models()]
    assert not list(jobs_folder(engine.ping().models_dir).iterdir())


def test_recovery_jobs_cannot_be_submitted(engine):
    with pytest.raises(ValueError, match="'recover' jobs are started by the engine itself"):
        engine.submit_job("recover", {"checkpoint_dir": "/"}, session="test-recover")
