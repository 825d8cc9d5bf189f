"""The model engine: its own process, shared, restartable, with a job queue.

Tiny seeded Keras models are saved into a temporary models directory; every answer from the
engine is checked against the same file loaded and called in this process.
"""

import json
import os
import re
import signal
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from multiprocessing import AuthenticationError
from multiprocessing.connection import Client
from pathlib import Path

import keras
import numpy as np
import pytest

from cnnviz.engine import (
    PROTOCOL_VERSION,
    EngineClient,
    EngineError,
    EngineRestarted,
    JobRefused,
    ProtocolMismatchError,
    UnknownJob,
    UnknownModel,
)
from cnnviz.network.config import CNNConfig, ConvBlock
from tests.conftest import seeded_cnn

REPO = Path(__file__).resolve().parents[2]
NUM_CLASSES = 10
# Conv2D -> BatchNormalization -> Activation -> MaxPooling2D -> Flatten -> Dropout -> Dense.
TINY = CNNConfig(conv_blocks=(ConvBlock(4),), batch_norm=True, dropout=0.5, dense_units=())

pytestmark = [
    pytest.mark.slow,
    pytest.mark.filterwarnings("ignore:__array__ implementation:DeprecationWarning"),
]


def tiny_model(softmax: bool = True, seed: int = 0):
    """The seeded tiny network; without `softmax`, its output layer gives logits."""
    model = seeded_cnn(TINY, seed)
    if not softmax:
        model.layers[-1].activation = keras.activations.linear
    return model


@pytest.fixture(scope="module")
def dirs(tmp_path_factory):
    """A bundled `tiny` and saved `logits` and `tiny` (shadowed) models, with manifests."""
    root = tmp_path_factory.mktemp("engine")
    bundled, saved = root / "bundled", root / "saved"
    bundled.mkdir(), saved.mkdir()
    tiny_model().save(bundled / "tiny.keras")
    (bundled / "tiny.json").write_text(json.dumps({"epochs": 1, "note": "test"}))
    tiny_model(softmax=False).save(saved / "logits.keras")
    (saved / "logits.json").write_text("{}")
    tiny_model(seed=1).save(saved / "tiny.keras")
    (saved / "tiny.json").write_text("{}")
    # Still being saved (no manifest yet): not served.
    (saved / "half.keras").write_bytes((bundled / "tiny.keras").read_bytes())
    return {"bundled": bundled, "saved": saved, "log": root / "engine.log"}


@pytest.fixture
def images():
    return np.random.default_rng(0).random((5, 28, 28), dtype=np.float32)


def load(path):
    return keras.saving.load_model(path, compile=False)


def call(model, images):
    """The model's output for images (n, 28, 28), computed in this process."""
    return keras.ops.convert_to_numpy(model(images[..., np.newaxis], training=False))


def wait_for(predicate, timeout=10.0, interval=0.02):
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(interval)
    raise AssertionError(f"Condition not met within {timeout} s")


def wait_until_ended(engine, job_id, timeout=15.0):
    return wait_for(lambda: (s := engine.job_status(job_id)).active is False and s, timeout)


def process_gone(pid: int) -> bool:
    """Whether `pid` has exited (a zombie nobody reaped counts as exited)."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] == "Z"
    except FileNotFoundError:
        return True


# --- Starting and models ---------------------------------------------------------------------


def test_engine_runs_in_its_own_process(engine, dirs):
    info = engine.ping()
    assert info.pid == engine.pid != os.getpid()
    assert info.protocol_version == PROTOCOL_VERSION == 8
    assert info.tensorflow_version[0].isdigit()
    assert info.uptime_seconds >= 0 and info.max_jobs == 1
    assert info.models_dir == str(dirs["saved"]) and info.bundled_dir == str(dirs["bundled"])


def test_ping_answers_while_another_request_is_still_importing_tensorflow(monkeypatch):
    from importlib import metadata
    from types import ModuleType

    from cnnviz.engine import server

    monkeypatch.setitem(sys.modules, "tensorflow", ModuleType("tensorflow"))  # no __version__ yet
    assert server._tensorflow_version() == metadata.version("tensorflow")


def test_list_models_shows_bundled_then_saved_models(engine, dirs):
    models = engine.list_models()
    assert [(info.name, info.source) for info in models][:2] == [
        ("tiny", "bundled"),
        ("logits", "saved"),
    ]
    assert models[0].path == str(dirs["bundled"] / "tiny.keras")
    assert models[0].manifest == {"epochs": 1, "note": "test"}
    assert models[1].manifest == {}
    assert "half" not in [info.name for info in models]


def test_predict_matches_the_model_called_in_this_process(engine, dirs, images):
    probabilities = engine.predict("tiny", images)
    expected = call(load(dirs["bundled"] / "tiny.keras"), images)  # the bundled one wins
    assert probabilities.shape == (5, NUM_CLASSES) and probabilities.dtype == np.float32
    np.testing.assert_allclose(probabilities.sum(axis=1), 1, atol=1e-5)
    np.testing.assert_allclose(probabilities, expected, atol=1e-5)
    with_channel = engine.predict("tiny", images[..., np.newaxis])
    np.testing.assert_allclose(with_channel, probabilities, atol=1e-6)
    assert "tiny" in engine.ping().models_loaded


def test_predict_turns_logits_into_probabilities(engine, dirs, images):
    logits = call(load(dirs["saved"] / "logits.keras"), images)
    expected = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    np.testing.assert_allclose(engine.predict("logits", images), expected, atol=1e-5)


def test_a_model_saved_again_is_reloaded(engine, dirs, images):
    path = dirs["saved"] / "changing.keras"
    tiny_model(seed=2).save(path)
    path.with_suffix(".json").write_text("{}")
    first = engine.predict("changing", images)
    tiny_model(seed=3).save(path)
    os.utime(path, ns=(time.time_ns(), time.time_ns() + 10**9))
    np.testing.assert_allclose(engine.predict("changing", images), call(load(path), images), 1e-5)
    assert not np.allclose(first, call(load(path), images))


def test_layer_activations_match_one_sub_model_per_layer(engine, dirs, images):
    model = load(dirs["bundled"] / "tiny.keras")
    layers = engine.layer_activations("tiny", images[0])
    assert [layer.name for layer in layers] == [layer.name for layer in model.layers]
    assert [layer.kind for layer in layers] == [
        "Conv2D",
        "BatchNormalization",
        "Activation",
        "MaxPooling2D",
        "Flatten",
        "Dropout",
        "Dense",
    ]
    for layer, output in zip(model.layers, layers, strict=True):
        expected = call(keras.Model(model.inputs[0], layer.output), images[:1])[0]
        np.testing.assert_allclose(output.output, expected, atol=1e-5)
        assert set(output.weights) == {weight.name for weight in layer.weights}
    assert layers[0].output.shape == (26, 26, 4)
    np.testing.assert_array_equal(layers[0].weights["kernel"], model.layers[0].kernel.numpy())
    assert set(layers[1].weights) == {"gamma", "beta", "moving_mean", "moving_variance"}
    assert layers[1].config["epsilon"] == pytest.approx(1e-3)
    assert layers[0].config["strides"] == (1, 1) and layers[0].config["activation"] == "linear"
    assert layers[2].config["activation"] == "relu"


def test_layer_outputs_of_a_batch_match_one_sub_model_per_layer(engine, dirs, images):
    model = load(dirs["bundled"] / "tiny.keras")
    batch = np.concatenate([images] * 150)[:300]  # more than one slice of 256
    outputs = engine.layer_outputs("tiny", batch, ["max_pooling2d_1", "flatten"])
    assert list(outputs) == ["max_pooling2d_1", "flatten"]
    for name, output in outputs.items():
        expected = call(keras.Model(model.inputs[0], model.get_layer(name).output), batch)
        assert output.dtype == np.float32 and output.shape == expected.shape
        np.testing.assert_allclose(output, expected, atol=1e-5)
    assert outputs["flatten"].shape == (300, 13 * 13 * 4)


def test_layer_outputs_name_the_layers_there_are_and_bound_the_size(engine, images):
    with pytest.raises(
        ValueError,
        match=r"one or more of the model's layers: conv2d_1, .*"
        r"Received \['fc9'\]",
    ):
        engine.layer_outputs("tiny", images, ["fc9"])
    many = np.zeros((40_000, 28, 28), np.uint8)  # 40,000 × 2,704 numbers: too many at once
    with pytest.raises(ValueError, match="ask for fewer images or fewer layers"):
        engine.layer_outputs("tiny", many, ["conv2d_1"])


def test_activation_maximisation_is_computed_once_per_model_file(engine, dirs):
    from cnnviz.engine.keras_side.attribute import maximise_all

    model = load(dirs["bundled"] / "tiny.keras")
    conv = model.layers[0].name
    started = time.monotonic()
    images = engine.activation_maximisation("tiny", conv, steps=6, seed=1)
    first = time.monotonic() - started
    assert images.shape == (4, 28, 28) and images.dtype == np.float32
    np.testing.assert_allclose(images, maximise_all(model, conv, steps=6, seed=1), atol=1e-5)
    started = time.monotonic()
    again = engine.activation_maximisation("tiny", conv, steps=6, seed=1)
    assert time.monotonic() - started < min(0.1, first / 3)  # from the engine's cache
    np.testing.assert_array_equal(again, images)
    assert not np.allclose(engine.activation_maximisation("tiny", conv, steps=6, seed=2), images)
    assert engine.activation_maximisation("tiny", model.layers[-1].name, steps=2).shape == (
        NUM_CLASSES,
        28,
        28,
    )
    with pytest.raises(ValueError, match=f"No layer named 'nope'. The layers are: {conv}"):
        engine.activation_maximisation("tiny", "nope")


def test_grad_cam_and_saliency_match_this_process(engine, dirs, images):
    from cnnviz.engine.keras_side.attribute import grad_cam, saliency

    model = load(dirs["saved"] / "logits.keras")
    heat = engine.grad_cam("logits", images[0], class_index=3)
    np.testing.assert_allclose(heat, grad_cam(model, images[0], 3), atol=1e-5)
    assert heat.shape == (28, 28) and heat.min() >= 0 and heat.max() <= 1
    np.testing.assert_allclose(
        engine.saliency("logits", images[1]), saliency(model, images[1]), atol=1e-5
    )
    smooth = engine.saliency("logits", images[1], class_index=2, smoothgrad=4)
    np.testing.assert_allclose(smooth, saliency(model, images[1], 2, smoothgrad=4), atol=1e-5)
    with pytest.raises(ValueError, match="class_index must be 0 to 9 or None"):
        engine.grad_cam("logits", images[0], class_index=10)
    with pytest.raises(ValueError, match=r"Received shape \(32, 32\)"):
        engine.saliency("logits", np.zeros((32, 32), np.float32))


def test_unknown_model_names_the_available_ones(engine, images):
    with pytest.raises(
        UnknownModel, match=r"No model named 'nope'\. Available: tiny, (.*, )?logits"
    ):
        engine.predict("nope", images)
    with pytest.raises(ValueError, match="No model named '../tiny'"):
        engine.layer_activations("../tiny", images[0])
    with pytest.raises(UnknownModel, match="No model named 'half'"):
        engine.predict("half", images)


@pytest.mark.parametrize(
    ("bad", "message"),
    [
        (np.zeros((2, 32, 32), np.float32), r"\(n, 28, 28\).*Received shape \(2, 32, 32\)"),
        (np.zeros((28, 28), np.float32), r"Received shape \(28, 28\)"),
        (np.zeros((1, 28, 28), np.uint8), r"divide uint8 pixels by 255\)\. Received dtype uint8"),
        (np.full((1, 28, 28), 255.0, np.float32), "0..1. Received values from 255 to 255"),
        (np.full((1, 28, 28), np.nan, np.float32), "must lie in 0..1"),
    ],
)
def test_predict_explains_bad_images(engine, bad, message):
    with pytest.raises(ValueError, match=message):
        engine.predict("tiny", bad)


def test_concurrent_requests_from_eight_threads(engine, dirs, images):
    expected = call(load(dirs["bundled"] / "tiny.keras"), images)

    def work(index):
        return [engine.predict("tiny", images[index % 5 : index % 5 + 1]) for _ in range(10)]

    with ThreadPoolExecutor(8) as pool:
        results = list(pool.map(work, range(8)))
    for index, answers in enumerate(results):
        for answer in answers:
            np.testing.assert_allclose(answer[0], expected[index % 5], atol=1e-5)


def test_protocol_version_mismatch_is_a_clear_error(engine, monkeypatch):
    monkeypatch.setattr("cnnviz.engine.client.PROTOCOL_VERSION", 99)
    with pytest.raises(ProtocolMismatchError, match="speaks protocol 8; this client sent 99"):
        engine.ping()


def test_engine_refuses_clients_without_the_key(engine):
    with pytest.raises(AuthenticationError, match="digest"):
        Client(engine.address, authkey=b"wrong key, wrong key")
    assert engine.ping().pid == engine.pid


# --- Jobs --------------------------------------------------------------------------------------


def test_sleep_job_goes_from_queued_to_finished_with_events(engine):
    job_id = engine.submit_job("sleep", {"steps": 3, "seconds": 0.05}, session="life")
    assert engine.job_status(job_id).state in ("queued", "running")
    status = wait_until_ended(engine, job_id)
    assert (status.state, status.result, status.error) == (
        "finished",
        {"steps": 3, "stopped": False},
        None,
    )
    assert status.events == [{"step": 1}, {"step": 2}, {"step": 3}] and status.event_count == 3
    assert engine.job_status(job_id, since=2).events == [{"step": 3}]
    assert status.started_at >= status.submitted_at and status.ended_at >= status.started_at
    assert [job.id for job in engine.jobs(session="life")] == [job_id]


def test_the_engine_log_says_when_it_started_and_what_each_job_did(engine, dirs):
    job_id = engine.submit_job("sleep", {"steps": 1, "seconds": 0.01}, session="logged")
    wait_until_ended(engine, job_id)
    lines = wait_for(
        lambda: (
            f"job {job_id} finished" in dirs["log"].read_text()
            and dirs["log"].read_text().splitlines()
        )
    )
    started = f"engine (pid {engine.pid}, protocol {PROTOCOL_VERSION}) listening on "
    assert any(started in line and str(dirs["saved"]) in line for line in lines)
    mine = [line.split("INFO: ", 1)[1] for line in lines if f"job {job_id}" in line]
    assert mine[0] == f"job {job_id} (sleep) queued, 0 ahead of it"
    assert re.fullmatch(rf"job {job_id} started in a new sleep worker \(pid \d+\)", mine[1])
    assert re.fullmatch(rf"job {job_id} finished after \d+\.\d s", mine[2])


def test_stop_ends_a_running_job_within_a_second(engine):
    job_id = engine.submit_job("sleep", {"steps": 1000, "seconds": 0.05}, session="stop")
    wait_for(lambda: engine.job_status(job_id).event_count >= 2)
    asked = time.monotonic()
    engine.stop_job(job_id)
    status = wait_until_ended(engine, job_id, timeout=3)
    assert time.monotonic() - asked < 1.0
    assert status.state == "stopped" and status.result["stopped"] is True


def test_a_job_that_ignores_stop_is_terminated(engine):
    params = {"steps": 1000, "seconds": 0.05, "ignore_stop": True}
    job_id = engine.submit_job("sleep", params, session="stubborn")
    wait_for(lambda: engine.job_status(job_id).state == "running")
    asked = time.monotonic()
    engine.stop_job(job_id)
    status = wait_until_ended(engine, job_id, timeout=5)
    assert 0.9 < time.monotonic() - asked < 3.0
    assert status.state == "stopped" and status.result is None


def test_the_cap_queues_a_second_session_until_the_first_ends(engine):
    first = engine.submit_job("sleep", {"steps": 4, "seconds": 0.1}, session="first")
    second = engine.submit_job("sleep", {"steps": 1, "seconds": 0.01}, session="second")
    status = engine.job_status(second)
    assert (status.state, status.queue_position) == ("queued", 1)
    assert engine.ping().jobs_queued == 1
    ended_first = wait_until_ended(engine, first)
    ended_second = wait_until_ended(engine, second)
    assert ended_first.state == ended_second.state == "finished"
    assert ended_second.started_at >= ended_first.ended_at


def test_a_session_gets_one_job_at_a_time(engine):
    job_id = engine.submit_job("sleep", {"steps": 100, "seconds": 0.05}, session="greedy")
    try:
        with pytest.raises(JobRefused, match=f"already has a sleep job .*id {job_id}"):
            engine.submit_job("sleep", {}, session="greedy")
    finally:
        engine.stop_job(job_id)
    wait_until_ended(engine, job_id)
    second = engine.submit_job("sleep", {"steps": 1, "seconds": 0}, session="greedy")
    assert wait_until_ended(engine, second).state == "finished"


def test_predict_answers_while_a_job_keeps_a_cpu_busy(engine, images):
    params = {"steps": 100, "seconds": 0.1, "busy": True}
    job_id = engine.submit_job("sleep", params, session="busy")
    try:
        wait_for(lambda: engine.job_status(job_id).event_count >= 1)
        with ThreadPoolExecutor(1) as pool:
            answer = pool.submit(engine.predict, "tiny", images).result(timeout=5)
        assert answer.shape == (5, NUM_CLASSES)
        assert engine.job_status(job_id).state == "running"
    finally:
        engine.stop_job(job_id)
    wait_until_ended(engine, job_id)


def test_a_failing_job_reports_its_message(engine):
    job_id = engine.submit_job("sleep", {"steps": 1, "seconds": 0, "fail": "boom"}, session="fail")
    status = wait_until_ended(engine, job_id)
    assert (status.state, status.error, status.result) == ("failed", "RuntimeError: boom", None)
    bad = engine.submit_job("sleep", {"steps": -1}, session="fail")
    assert wait_until_ended(engine, bad).error == (
        "`steps` must be a number of at least 0. Received -1."
    )


def test_job_requests_are_validated(engine):
    with pytest.raises(
        ValueError,
        match="Unknown job kind 'dance'. Available: recover, save-transfer, sleep, train, transfer",
    ):
        engine.submit_job("dance", {}, session="s")
    with pytest.raises(ValueError, match="must be a dict. Received list"):
        engine.submit_job("sleep", [1], session="s")
    with pytest.raises(ValueError, match="`session` must be a non-empty string"):
        engine.submit_job("sleep", {}, session="")
    with pytest.raises(UnknownJob, match="No job with id 'nope'"):
        engine.job_status("nope")
    with pytest.raises(ValueError, match="`since` must be a whole number"):
        engine.job_status("nope", since=-1)


# --- Engines of their own: leases, TCP, restarts, parents ---------------------------------------


def test_a_job_whose_session_stops_polling_is_stopped(tmp_path):
    client = EngineClient.start(
        models_dir=tmp_path, bundled_dir=tmp_path, lease_seconds=1, address="127.0.0.1:0"
    )
    try:
        assert isinstance(client.address, tuple) and client.address[0] == "127.0.0.1"
        job_id = client.submit_job("sleep", {"steps": 1000, "seconds": 0.05}, session="gone")
        status = wait_for(lambda: [j for j in client.jobs() if not j.active], timeout=6)[0]
        assert status.id == job_id and status.state == "stopped"
        assert status.error == "Stopped because its session stopped polling for 1 s."
    finally:
        client.close()


def test_a_killed_engine_is_restarted_on_the_next_call(tmp_path):
    client = EngineClient.start(models_dir=tmp_path, bundled_dir=tmp_path)
    old_pid = client.ping().pid
    assert client.restarts == 0 and client.restart_notice() is None
    os.kill(old_pid, signal.SIGKILL)
    wait_for(lambda: process_gone(old_pid), timeout=5)
    info = client.ping()
    assert info.pid != old_pid and client.restarts == 1
    assert str(client.restart_notice(0)) == "The model engine had stopped and was restarted."
    assert isinstance(client.restart_notice(0), EngineRestarted)
    assert client.restart_notice(1) is None
    os.kill(info.pid, signal.SIGKILL)  # again, now found dead by eight threads at once
    wait_for(lambda: process_gone(info.pid), timeout=5)
    with ThreadPoolExecutor(8) as pool:
        pids = set(pool.map(lambda _: client.ping().pid, range(8)))
    assert pids == {client.pid} and info.pid not in pids and client.restarts == 2
    process = client._engine.process
    client.close()
    assert process.returncode == 0  # SIGTERM makes the engine exit cleanly
    with pytest.raises(EngineError, match="closed"):
        client.ping()


def test_an_engine_that_dies_again_after_a_restart_names_its_log(engine, dirs, monkeypatch):
    def dies(request):
        raise ConnectionResetError("the engine died")

    monkeypatch.setattr(engine, "_exchange", dies)
    monkeypatch.setattr(engine, "_restart", lambda generation, hung=False: None)
    with pytest.raises(EngineError) as error:
        engine.ping()
    assert str(error.value) == (
        "The model engine stopped while answering 'ping', even after a restart. "
        f"Its log, {dirs['log']}, says why."
    )


def test_the_engine_exits_when_its_parent_dies(tmp_path):
    script = textwrap.dedent(f"""
        import time
        from cnnviz.engine import EngineClient
        client = EngineClient.start(models_dir={str(tmp_path)!r}, bundled_dir={str(tmp_path)!r})
        job = client.submit_job("sleep", {{"steps": 1000, "seconds": 0.05}}, session="s")
        time.sleep(1.0)  # the worker process is up
        print(client.pid, flush=True)
        time.sleep(60)
    """)
    parent = subprocess.Popen(
        [sys.executable, "-c", script], cwd=REPO, stdout=subprocess.PIPE, text=True
    )
    engine_pid = int(parent.stdout.readline())
    workers = [p for p in Path("/proc").iterdir() if p.name.isdigit() and _parent(p) == engine_pid]
    assert workers, "the sleep job's worker process should be running"
    parent.kill()
    parent.wait()
    wait_for(lambda: process_gone(engine_pid), timeout=5)
    for worker in workers:
        wait_for(lambda worker=worker: process_gone(int(worker.name)), timeout=5)


def _parent(proc: Path) -> int | None:
    try:
        return int((proc / "stat").read_text().rsplit(")", 1)[1].split()[1])
    except (FileNotFoundError, ProcessLookupError):
        return None


def test_start_reports_an_engine_that_cannot_start(tmp_path):
    log = tmp_path / "log.txt"
    message = r"exited \(code 1\) before it was ready\. See " + re.escape(str(log))
    with pytest.raises(EngineError, match=message):
        EngineClient.start(address="256.0.0.1:0", log_path=log)
    assert "Traceback" in log.read_text()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"max_jobs": 0}, "`max_jobs` must be a whole number of at least 1. Received 0."),
        ({"lease_seconds": -1}, "`lease_seconds` (seconds) must be a number above 0. Received -1."),
        ({"address": "localhost"}, "`address` must look like '127.0.0.1:8765'"),
    ],
)
def test_start_checks_its_options(options, message):
    with pytest.raises(ValueError, match=re.escape(message)):
        EngineClient.start(**options)
    with pytest.raises(TypeError, match="max_job"):
        EngineClient.start(max_job=2)


def test_threads_share_one_engine(engine):
    pids = set()
    threads = [threading.Thread(target=lambda: pids.add(engine.ping().pid)) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert pids == {engine.pid}
