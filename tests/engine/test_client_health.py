"""A hung engine never hangs the app: bounded connects, health checks, a restart.

A stopped engine (SIGSTOP) is the hung engine: the kernel still accepts connections for it, so
only timeouts on the client's side can tell it from a busy one.
"""

import contextlib
import os
import signal
import socket
import threading
from concurrent.futures import ThreadPoolExecutor

import numpy as np
import pytest

from cnnviz.engine import EngineClient, EngineError
from cnnviz.engine.connection import HUNG_MESSAGE, EngineHungError, connect
from tests.engine.test_engine import NUM_CLASSES, process_gone, tiny_model, wait_for

pytestmark = pytest.mark.slow
# A test fails rather than hangs: no call here may take this long.
NEVER = 60.0


def call_with_bound(function, *args):
    """`function(*args)` in a thread; fail the test if it has not returned within NEVER s."""
    outcome = {}

    def run():
        try:
            outcome["value"] = function(*args)
        except BaseException as error:  # reported below
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    thread.join(NEVER)
    assert not thread.is_alive(), f"{function.__name__} still waiting after {NEVER:g} s"
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]


@pytest.fixture
def client(tmp_path):
    engine = EngineClient.start(models_dir=tmp_path, bundled_dir=tmp_path, log_path=tmp_path / "l")
    yield engine
    with contextlib.suppress(ProcessLookupError):  # a failed test may leave it stopped
        os.kill(engine.pid, signal.SIGCONT)
    engine.close()


def test_a_stopped_engine_is_killed_and_replaced_and_the_page_is_told_why(client):
    stopped = client.ping().pid  # leaves an idle pooled connection to the engine
    os.kill(stopped, signal.SIGSTOP)
    info = call_with_bound(client.ping)
    assert info.pid != stopped and client.restarts == 1
    wait_for(lambda: process_gone(stopped), timeout=5)  # killed, not left stopped
    notice = str(client.restart_notice(0))
    assert notice == HUNG_MESSAGE.format(seconds=client.options.health_timeout)
    assert notice.startswith("The model engine stopped answering")
    assert client.restart_notice(1) is None


def test_many_sessions_meeting_a_stopped_engine_share_one_restart(client):
    stopped = client.ping().pid
    os.kill(stopped, signal.SIGSTOP)
    with ThreadPoolExecutor(8) as pool:
        pids = set(pool.map(lambda _: call_with_bound(client.ping).pid, range(8)))
    assert pids == {client.pid} and stopped not in pids and client.restarts == 1


def test_a_busy_healthy_engine_is_not_restarted(tmp_path):
    # Health checks every 10 ms while the first predict imports TensorFlow (seconds): the
    # engine answers them, so it is left alone.
    tiny_model().save(tmp_path / "tiny.keras")
    (tmp_path / "tiny.json").write_text("{}")
    client = EngineClient.start(models_dir=tmp_path, bundled_dir=tmp_path, health_after=0.01)
    try:
        probabilities = call_with_bound(client.predict, "tiny", np.zeros((2, 28, 28)))
        assert probabilities.shape == (2, NUM_CLASSES) and client.restarts == 0
    finally:
        client.close()


def test_a_request_slower_than_its_bound_is_an_error_not_a_restart(tmp_path):
    tiny_model().save(tmp_path / "tiny.keras")
    (tmp_path / "tiny.json").write_text("{}")
    client = EngineClient.start(models_dir=tmp_path, bundled_dir=tmp_path, request_timeout=0.2)
    try:
        # The first model request imports TensorFlow, which takes far longer than 0.2 s.
        with pytest.raises(EngineError, match=r"did not answer 'predict' within 0\.2 s"):
            call_with_bound(client.predict, "tiny", np.zeros((1, 28, 28)))
        assert client.restarts == 0 and client.ping().pid == client.pid
    finally:
        client.close()


def test_connecting_to_a_listener_that_never_answers_is_bounded():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen(1)  # accepted by the kernel, never answered
        with pytest.raises(EngineHungError, match=r"did not answer within 0\.3 s"):
            call_with_bound(connect, listener.getsockname(), b"key", 0.3)


def test_a_connection_that_proved_its_key_has_no_timeout_left(client):
    connection = connect(client.address, client._engine.authkey, 0.3)
    try:
        with socket.socket(fileno=connection.fileno()) as view:
            received = view.getsockopt(socket.SOL_SOCKET, socket.SO_RCVTIMEO, 16)
            view.detach()
        assert not any(received)  # a request may take its own time, bounded by `poll`
    finally:
        connection.close()
