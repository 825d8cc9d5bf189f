"""Two replicas behind HAProxy on loopback, started by `deploy/replicas.py`: both serve, every
session (its page, files, agent session and websocket) stays on one replica, a real browser's
websocket works through the proxy, a dead replica's students go to the other one, and SIGTERM
leaves no process behind.

Which replica served a request is read from HAProxy's `X-Cnnviz-Replica` header and its
`CNNVIZ_REPLICA` cookie, and checked against Streamlit itself: an agent session opened through
HAProxy exists on that replica's own port and on no other.
"""

from __future__ import annotations

import base64
import contextlib
import http.cookiejar
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from dataclasses import dataclass
from pathlib import Path

import pytest

from cnnviz import deploy

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "replicas.py"
MARK = "CNNVIZ_TEST_DEPLOYMENT"  # in the script's environment, so in every process it starts


@dataclass
class Deployment:
    process: subprocess.Popen
    plan: deploy.ReplicaPlan
    run_dir: Path
    output_path: Path
    mark: str

    @property
    def url(self) -> str:
        return self.plan.front_url

    def output(self) -> str:
        return self.output_path.read_text(errors="replace")

    def replica_pid(self, name: str) -> int:
        return int(re.search(rf"replica {name} on \S+ \(pid (\d+)\)", self.output()).group(1))


def marked_processes(mark: str) -> list[int]:
    """The processes whose environment carries `mark`: those the script started, and theirs."""
    found = []
    for entry in Path("/proc").iterdir():
        try:
            if f"{MARK}={mark}".encode() in (entry / "environ").read_bytes():
                found.append(int(entry.name))
        except (OSError, ValueError):
            continue  # not a process, gone, or a zombie
    return found


def wait_for(condition, seconds: float, what: str):
    deadline = time.monotonic() + seconds
    while not (result := condition()):
        if time.monotonic() > deadline:
            pytest.fail(f"{what} within {seconds:g} s")
        time.sleep(0.2)
    return result


@contextlib.contextmanager
def replicas_script(folder: Path, replicas: int, *options: str):
    """`deploy/replicas.py --replicas N` on free loopback ports, with `options`, until its
    READY line; stopped (and anything it left SIGKILLed) when the block ends."""
    plan = deploy.free_plan(replicas)
    mark = uuid.uuid4().hex
    command = [sys.executable, str(SCRIPT), "--replicas", str(replicas)]
    command += ["--address", plan.address, "--port", str(plan.port)]
    command += ["--first-port", str(plan.first_port), "--run-dir", str(folder / "run"), *options]
    with open(folder / "replicas.out", "wb") as output:
        process = subprocess.Popen(
            command, env={**os.environ, MARK: mark}, stdout=output, stderr=subprocess.STDOUT
        )
    running = Deployment(process, plan, folder / "run", folder / "replicas.out", mark)
    try:
        wait_for(
            lambda: "READY" in running.output() or process.poll() is not None,
            120,
            "replicas.py printed no READY line",
        )
        assert process.poll() is None, running.output()
        yield running
    finally:
        if process.poll() is None:
            process.terminate()
            try:
                process.wait(60)
            except subprocess.TimeoutExpired:
                process.kill()
        for pid in marked_processes(mark):  # never leave anything behind, even after a failure
            os.kill(pid, signal.SIGKILL)


@pytest.fixture(scope="module")
def deployment(haproxy, tmp_path_factory):
    """Two replicas with Streamlit's agent API on (a flag after `--`)."""
    folder = tmp_path_factory.mktemp("replicas")
    with replicas_script(folder, 2, "--", "--server.enableAgentApi", "true") as running:
        yield running


class Student:
    """One browser's view of the class server: its own cookie jar."""

    def __init__(self, url: str):
        self.url = url
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))

    def cookie(self, name: str = deploy.REPLICA_COOKIE) -> str | None:
        return next((c.value for c in self.jar if c.name == name), None)

    def request(self, path: str, body: dict | None = None, url: str | None = None):
        """(status, headers, body) of a GET, or of a JSON POST when `body` is given."""
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request((url or self.url) + path, data=data)
        if data is not None:
            request.add_header("Content-Type", "application/json")
        try:
            with self.opener.open(request, timeout=60) as response:
                return response.status, response.headers, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.headers, error.read()

    def websocket_handshake(self) -> tuple[int, dict[str, str]]:
        """Open Streamlit's websocket (/_stcore/stream) as a browser does, with this student's
        cookies: the status and headers of the answer (101 when upgraded); then close it."""
        host, port = self.url.removeprefix("http://").split(":")
        cookies = "; ".join(f"{cookie.name}={cookie.value}" for cookie in self.jar)
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            "GET /_stcore/stream HTTP/1.1",
            f"Host: {host}:{port}",
            f"Origin: {self.url}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            "Sec-WebSocket-Protocol: streamlit",
            f"Cookie: {cookies}",
        ]
        with socket.create_connection((host, int(port)), timeout=30) as connection:
            connection.sendall(("\r\n".join(lines) + "\r\n\r\n").encode())
            answer = b""
            while b"\r\n\r\n" not in answer:
                chunk = connection.recv(4096)
                if not chunk:
                    break
                answer += chunk
        head = answer.split(b"\r\n\r\n")[0].decode("latin-1").split("\r\n")
        headers = dict(line.split(": ", 1) for line in head[1:])
        return int(head[0].split()[1]), {name.lower(): value for name, value in headers.items()}


def replica_of(headers) -> str:
    return headers[deploy.REPLICA_HEADER]


def test_sessions_are_spread_over_both_replicas_and_each_stays_on_one(deployment):
    servers = {replica.name: replica for replica in deployment.plan.servers}
    students = [Student(deployment.url) for _ in range(6)]
    served = {}
    for student in students:
        status, headers, page = student.request("/")
        assert status == 200 and b"<!doctype html>" in page.lower()
        served[student] = student.cookie()
        assert served[student] in servers, f"HAProxy set {deploy.REPLICA_COOKIE}={served[student]}"
        assert replica_of(headers) == served[student]
    assert set(served.values()) == set(servers), "both replicas serve someone"

    for student, replica in served.items():
        script = re.search(rb'src="\./(static/js/[^"]+\.js)"', student.request("/")[2]).group(1)
        for path in ("/_stcore/health", "/" + script.decode(), "/_stcore/host-config"):
            status, headers, _ = student.request(path)
            assert (status, replica_of(headers)) == (200, replica), path
        status, headers = student.websocket_handshake()
        assert (status, headers["x-cnnviz-replica"]) == (101, replica)
        assert "sec-websocket-accept" in headers
        assert student.cookie() == replica, "the cookie never changed"

        # Streamlit's own view: the session opened through HAProxy lives on that replica only.
        status, _, body = student.request("/_stcore/agent/interact", {})
        session = json.loads(body)["session_id"]
        assert status == 200 and student.cookie() == replica
        for name, server in servers.items():
            status, _, _ = student.request(
                "/_stcore/agent/interact", {"session_id": session}, server.url
            )
            assert status == (200 if name == replica else 404), (name, replica)
        status, headers, _ = student.request("/_stcore/agent/interact", {"session_id": session})
        assert (status, replica_of(headers)) == (200, replica)


@pytest.mark.e2e
def test_a_browser_renders_the_app_through_haproxy_over_one_replicas_websocket(deployment, browser):
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    page = context.new_page()
    handshakes = []
    devtools = context.new_cdp_session(page)
    devtools.on(
        "Network.webSocketHandshakeResponseReceived", lambda event: handshakes.append(event)
    )
    devtools.send("Network.enable")
    try:
        response = page.goto(deployment.url)
        page.get_by_role("heading", name="How computers see", level=1).wait_for(timeout=60_000)
        replica = {c["name"]: c["value"] for c in context.cookies()}[deploy.REPLICA_COOKIE]
        assert replica in {"r1", "r2"}
        assert response.headers["x-cnnviz-replica"] == replica
        wait_for(lambda: handshakes, 10, "Chromium reported no websocket handshake")
        answer = handshakes[0]["response"]
        headers = {name.lower(): value for name, value in answer["headers"].items()}
        assert (answer["status"], headers["x-cnnviz-replica"]) == (101, replica)
    finally:
        context.close()


def test_a_dead_replicas_students_go_to_the_other_then_sigterm_stops_everything(deployment):
    student = Student(deployment.url)
    student.request("/")
    pinned = student.cookie()
    other = "r2" if pinned == "r1" else "r1"
    os.kill(deployment.replica_pid(pinned), signal.SIGKILL)

    def moved() -> bool:
        status, headers, _ = student.request("/_stcore/health")
        return status == 200 and replica_of(headers) == other and student.cookie() == other

    wait_for(moved, 30, f"a student pinned to {pinned} was not sent to {other}")
    assert student.websocket_handshake()[0] == 101
    wait_for(
        lambda: (
            f"Server streamlit/{pinned} is DOWN" in (deployment.run_dir / "haproxy.log").read_text()
        ),
        30,
        f"HAProxy did not mark {pinned} down",
    )
    wait_for(
        lambda: f"replica {pinned} stopped" in deployment.output(),
        10,
        "replicas.py did not say the replica stopped",
    )

    assert marked_processes(deployment.mark), "the script, the other replica and HAProxy run"
    deployment.process.send_signal(signal.SIGTERM)
    assert deployment.process.wait(60) == 0, deployment.output()
    assert deployment.output().rstrip().endswith("stopped")
    assert marked_processes(deployment.mark) == [], "no replica, engine or haproxy is left"
    assert deploy.ports_in_use(deployment.plan) == []


def environment(pid: int) -> dict[str, str]:
    pairs = Path(f"/proc/{pid}/environ").read_bytes().decode().split("\0")
    return dict(pair.split("=", 1) for pair in pairs if "=" in pair)


def test_replicas_share_a_secret_split_the_jobs_and_die_with_a_killed_script(haproxy, tmp_path):
    with replicas_script(tmp_path, 2, "--max-jobs", "3") as running:
        replicas = [environment(running.replica_pid(name)) for name in ("r1", "r2")]
        assert [env["CNNVIZ_MAX_JOBS"] for env in replicas] == ["2", "1"]
        assert [env["CNNVIZ_REPLICA"] for env in replicas] == ["r1", "r2"]
        assert {env[MARK] for env in replicas} == {running.mark}, "the environment passes through"
        secrets = {env["STREAMLIT_SERVER_COOKIE_SECRET"] for env in replicas}
        assert len(secrets) == 1 and len(secrets.pop()) >= 32
        secret = replicas[0]["STREAMLIT_SERVER_COOKIE_SECRET"]
        for pid in marked_processes(running.mark):
            command = Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
            assert secret not in command, "the secret is on no command line"

        running.process.kill()  # no chance to clean up: the children go by themselves
        running.process.wait()
        wait_for(
            lambda: not marked_processes(running.mark),
            30,
            "replicas or HAProxy outlived a SIGKILLed replicas.py",
        )


def run_until_it_fails(folder: Path, *options: str) -> tuple[subprocess.CompletedProcess, str]:
    """`deploy/replicas.py --replicas 1` with `options`, expected to give up; its output, and
    the replica's port."""
    plan = deploy.free_plan(1)
    mark = uuid.uuid4().hex
    command = [sys.executable, str(SCRIPT), "--replicas", "1", "--address", plan.address]
    command += ["--port", str(plan.port), "--first-port", str(plan.first_port)]
    command += ["--run-dir", str(folder), *options]
    done = subprocess.run(
        command, env={**os.environ, MARK: mark}, capture_output=True, text=True, timeout=120
    )
    assert marked_processes(mark) == [], "nothing is left running"
    assert "Traceback" not in done.stdout + done.stderr
    return done, plan.servers[0].port


def test_a_replica_that_exits_at_start_is_named_with_its_log(haproxy, tmp_path):
    done, port = run_until_it_fails(tmp_path, "--", "--server.noSuchOption", "1")
    log = tmp_path / "replica-r1.log"
    assert done.returncode == 1
    assert f"replica r1 (port {port}) exited with code" in done.stderr
    assert f"before it was healthy; see its log: {log}" in done.stderr
    assert "No such option '--server.noSuchOption'" in log.read_text()


def test_a_replica_that_is_not_healthy_in_time_is_named_with_its_log(haproxy, tmp_path):
    done, port = run_until_it_fails(tmp_path, "--start-timeout", "0.1")
    assert done.returncode == 1
    assert (
        f"replica r1 did not answer GET http://127.0.0.1:{port}/_stcore/health with 200 within "
        f"0.1 s; see its log: {tmp_path / 'replica-r1.log'}"
    ) in done.stderr
