"""A training job run by the engine: live events, and a stopped run keeps its best weights."""

import time

import pytest

from cnnviz.engine import EngineClient
from cnnviz.network.config import CNNConfig, ConvBlock
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
