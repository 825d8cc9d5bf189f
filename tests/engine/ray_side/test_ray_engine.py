"""The engine on Ray answers as the local engine does: forward passes from a Ray Serve
deployment, jobs as Ray tasks with the same queue, cap, events and stop, through one client
interface (`open_engine("ray://...")`), on a one-machine cluster on loopback."""

import socket
import threading
import time

import keras
import numpy as np
import pytest

from cnnviz.datasets import load_dataset
from cnnviz.engine import EngineError, JobRefused, UnknownModel
from cnnviz.engine.api import EngineAPI
from cnnviz.engine.backends import open_engine
from cnnviz.locations import BUNDLED_MODELS_DIR, MNIST_SAMPLE_PATH
from cnnviz.training.events import EpochEvent, TrainingOutcome
from cnnviz.training.runs import ModelCatalog
from tests.engine.test_training_jobs import tiny_config, wait

pytestmark = [pytest.mark.slow, pytest.mark.ray]


@pytest.fixture(scope="module")
def models_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("shared-runs")


@pytest.fixture(scope="module")
def engine(ray_address, models_dir):
    # At most two forward-pass replicas: with a job and a waiting worker, the head's 4 CPUs.
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("CNNVIZ_RAY_MAX_REPLICAS", "2")
        client = open_engine(ray_address, models_dir=models_dir, timeout=240.0)
        yield client
        client.close()


@pytest.fixture(scope="module")
def digits():
    with np.load(MNIST_SAMPLE_PATH) as sample:
        images, labels = sample["images"], sample["labels"]
    picked = [int(np.flatnonzero(labels == digit)[0]) for digit in range(10)]
    return images[picked].astype(np.float32) / 255.0, labels[picked]


# --- Forward passes on Ray Serve -------------------------------------------------------------


def test_the_ray_backend_is_an_engine_client_like_the_local_one(engine, models_dir):
    assert isinstance(engine, EngineAPI)
    info = engine.ping()
    assert info.models_dir == str(models_dir) and info.max_jobs == 1
    names = [model.name for model in engine.list_models()]
    local = ModelCatalog(BUNDLED_MODELS_DIR, models_dir).list_models()
    assert names == [model.name for model in local] and "lecture" in names


def test_predictions_come_from_serve_and_match_keras(engine, digits):
    images, labels = digits
    reference = keras.saving.load_model(BUNDLED_MODELS_DIR / "lecture.keras", compile=False)
    expected = keras.ops.convert_to_numpy(reference(images[..., None], training=False))
    got = engine.predict("lecture", images)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-6)
    assert (got.argmax(axis=1) == labels).sum() >= 9


def test_every_layer_of_one_pass_matches_keras(engine, digits):
    image = digits[0][3]
    activations = engine.layer_activations("lecture", image)
    reference = keras.saving.load_model(BUNDLED_MODELS_DIR / "lecture.keras", compile=False)
    assert [a.name for a in activations] == [layer.name for layer in reference.layers]
    x = image[None, ..., None]
    for layer, activation in zip(reference.layers, activations, strict=True):
        x = layer(x, training=False)
        np.testing.assert_allclose(activation.output, keras.ops.convert_to_numpy(x)[0], atol=1e-5)


def test_errors_travel_as_the_local_engine_raises_them(engine):
    with pytest.raises(UnknownModel, match="lecture"):
        engine.predict("no-such-model", np.zeros((1, 28, 28), np.float32))
    with pytest.raises(ValueError, match="0..1|0 and 1|range"):
        engine.predict("lecture", np.full((1, 28, 28), 7.0, np.float32))


def test_many_sessions_at_once_get_their_own_answers(engine, digits):
    images, _ = digits
    expected = engine.predict("lecture", images)
    answers, errors = {}, []

    def ask(index):
        try:
            answers[index] = engine.predict("lecture", images[index : index + 1])[0]
        except Exception as error:  # noqa: BLE001 (collected for the assertion)
            errors.append(error)

    threads = [threading.Thread(target=ask, args=(index,)) for index in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert errors == []
    np.testing.assert_allclose(np.stack([answers[i] for i in range(10)]), expected, atol=1e-6)


def running_replicas() -> int:
    from ray import serve

    deployment = serve.status().applications["cnnviz"].deployments["ForwardPasses"]
    states = {getattr(state, "value", state): n for state, n in deployment.replica_states.items()}
    return states.get("RUNNING", 0)


def test_serve_adds_forward_pass_replicas_under_load(engine, digits):
    assert running_replicas() == 1
    stop, errors = threading.Event(), []

    def student():
        while not stop.is_set():
            try:
                engine.predict("lecture", digits[0])
            except Exception as error:  # noqa: BLE001 (collected for the assertion)
                errors.append(error)
                return

    students = [threading.Thread(target=student) for _ in range(8)]
    for thread in students:
        thread.start()
    deadline, replicas = time.monotonic() + 120, 1
    try:
        while replicas < 2 and time.monotonic() < deadline:
            time.sleep(1.0)
            replicas = running_replicas()
    finally:
        stop.set()
        for thread in students:
            thread.join(60)
    assert errors == [] and replicas >= 2


# --- Jobs as Ray tasks -----------------------------------------------------------------------


def test_a_job_reports_its_events_in_order_and_its_result(engine):
    job_id = engine.submit_job("sleep", {"steps": 12, "seconds": 0.02}, session="events")
    status = wait(engine, job_id, lambda s: not s.active)
    assert status.state == "finished"
    assert status.events == [{"step": step} for step in range(1, 13)]
    assert status.result == {"steps": 12, "stopped": False}


def test_one_job_per_session_and_the_cap_queues_the_next(engine):
    first = engine.submit_job("sleep", {"steps": 40, "seconds": 0.05}, session="first")
    with pytest.raises(JobRefused, match="already has a sleep job"):
        engine.submit_job("sleep", {"steps": 1}, session="first")
    second = engine.submit_job("sleep", {"steps": 1, "seconds": 0.01}, session="second")
    queued = engine.job_status(second)
    assert queued.state == "queued" and queued.queue_position == 1
    running = wait(engine, first, lambda s: s.state == "running")
    assert running.worker_pid is not None
    assert wait(engine, first, lambda s: not s.active).state == "finished"
    assert wait(engine, second, lambda s: not s.active).state == "finished"


def test_a_running_job_stops_when_asked(engine):
    job_id = engine.submit_job("sleep", {"steps": 500, "seconds": 0.05}, session="stop")
    wait(engine, job_id, lambda s: s.event_count >= 2)
    engine.stop_job(job_id)
    status = wait(engine, job_id, lambda s: not s.active, timeout=30)
    assert status.state == "stopped"
    assert status.result["stopped"] is True and status.result["steps"] < 500


def test_a_failing_job_reports_its_message(engine):
    job_id = engine.submit_job("sleep", {"steps": 1, "seconds": 0, "fail": "boom"}, session="f")
    status = wait(engine, job_id, lambda s: not s.active)
    assert status.state == "failed" and status.error == "RuntimeError: boom"


def test_a_training_job_on_ray_saves_a_run_that_serve_then_answers_with(engine, digits):
    params = {"config": tiny_config(epochs=1), "run_name": "on-ray"}
    job_id = engine.submit_job("train", params, session="trainer")
    status = wait(engine, job_id, lambda s: not s.active, timeout=240)
    assert status.state == "finished", status.error
    assert any(isinstance(event, EpochEvent) for event in status.events)
    assert isinstance(status.result, TrainingOutcome) and status.result.saved
    assert "on-ray" in [info.name for info in engine.list_models()]
    probabilities = engine.predict("on-ray", digits[0])
    assert probabilities.shape == (10, 10)
    np.testing.assert_allclose(probabilities.sum(axis=1), 1.0, atol=1e-5)


def test_a_transfer_job_on_ray_reports_each_method_and_its_accuracy(engine):
    from cnnviz.transfer.config import TransferConfig
    from cnnviz.transfer.results import TransferEpoch, TransferOutcome

    config = TransferConfig(
        source="lecture", methods=("features", "freeze"), per_class=10, epochs=1, batch_size=16
    )
    job_id = engine.submit_job("transfer", {"config": config.to_dict()}, session="transfer")
    status = wait(engine, job_id, lambda s: not s.active, timeout=240)
    assert status.state == "finished", status.error
    outcome = status.result
    assert isinstance(outcome, TransferOutcome) and outcome.target == "digits-5-9"
    assert [result.method for result in outcome.results] == ["features", "freeze"]
    assert all(0.0 <= result.accuracy <= 1.0 for result in outcome.results)
    for result in outcome.results:  # its confusion matrix holds every test image once
        assert result.confusion_matrix.sum() == outcome.test_size
    assert any(isinstance(event, TransferEpoch) for event in status.events)


# --- Connecting ------------------------------------------------------------------------------


def test_another_models_folder_is_refused_with_the_fix(engine, ray_address, tmp_path):
    with pytest.raises(EngineError, match="one shared folder at the same path"):
        open_engine(ray_address, models_dir=tmp_path)


def test_an_address_where_nothing_listens_is_refused_at_once(ray_address):
    from cnnviz.engine.ray_side.client import check_listening

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    with pytest.raises(EngineError, match=f"Nothing answers at ray://127.0.0.1:{port}"):
        check_listening(f"ray://127.0.0.1:{port}", timeout=1.0)


def test_a_listener_that_never_answers_is_refused_within_the_bound(ray_address):
    from cnnviz.engine.ray_side.client import check_listening

    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        port = listener.getsockname()[1]
        with pytest.raises(EngineError, match="does not answer as Ray Client does within 1 s"):
            check_listening(f"ray://127.0.0.1:{port}", timeout=1.0)


# --- The pages -------------------------------------------------------------------------------


def test_a_page_on_the_ray_engine_shows_what_keras_computes(
    engine, ray_address, models_dir, digits, monkeypatch
):
    from cnnviz import ui
    from cnnviz.engine.ray_side.client import RayEngineClient
    from tests.app.conftest import chart, page_test

    monkeypatch.setenv("CNNVIZ_ENGINE", ray_address)
    monkeypatch.setenv("CNNVIZ_MODELS_DIR", str(models_dir))
    ui.engine_client.clear()
    try:
        at = page_test("lessons/feature_maps.py")
        at.session_state["feature_maps_model"] = "lecture"
        at.run()
        assert not at.exception and not at.error
        assert isinstance(ui.engine_client(), RayEngineClient)
        shown = np.asarray(chart(at, "feature_maps_probabilities")["data"][0]["y"])
    finally:
        ui.engine_client.clear()
    first = load_dataset("mnist-sample").x_test[0].astype(np.float32) / 255.0  # the page's input
    reference = keras.saving.load_model(BUNDLED_MODELS_DIR / "lecture.keras", compile=False)
    expected = keras.ops.convert_to_numpy(reference(first[None, ..., None], training=False))[0]
    np.testing.assert_allclose(shown, expected, rtol=1e-5, atol=1e-6)
