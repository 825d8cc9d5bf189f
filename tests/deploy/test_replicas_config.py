"""N replicas behind HAProxy, without starting them: the plan's checks, the rendered
configuration (read back section by section, and by haproxy itself), the replicas' command
lines and environment, and the script's messages for bad arguments."""

import importlib.util
import itertools
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from cnnviz import deploy

REPO = Path(__file__).resolve().parents[2]
SCRIPT = REPO / "deploy" / "replicas.py"


def sections(config: str) -> dict[str, list[str]]:
    """The configuration's sections ("global", "backend streamlit", ...), each a list of its
    directives with single spaces, comments and blank lines left out."""
    found: dict[str, list[str]] = {}
    current = None
    for line in config.splitlines():
        text = line.split("#", 1)[0].strip()
        if not text:
            continue
        if line[0].isspace():
            found[current].append(" ".join(text.split()))
        else:
            current = " ".join(text.split())
            found[current] = []
    return found


# The plan


def test_the_plan_numbers_its_replicas_on_consecutive_loopback_ports():
    plan = deploy.ReplicaPlan(replicas=3, port=9000, first_port=9100, address="127.0.0.1")
    assert [(r.name, r.port, r.url) for r in plan.servers] == [
        ("r1", 9100, "http://127.0.0.1:9100"),
        ("r2", 9101, "http://127.0.0.1:9101"),
        ("r3", 9102, "http://127.0.0.1:9102"),
    ]
    assert plan.front_url == "http://127.0.0.1:9000"


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        ({"replicas": 0}, "--replicas must be a whole number from 1 to 64. Received 0."),
        ({"replicas": 65}, "Received 65"),
        ({"replicas": 2.0}, "Received 2.0"),
        ({"replicas": 1, "port": 0}, "--port must be a whole number from 1 to 65535. Received 0"),
        ({"replicas": 1, "port": 70000}, "Received 70000"),
        (
            {"replicas": 4, "first_port": 65533},
            "--first-port must be a whole number from 1 to 65532",
        ),
        (
            {"replicas": 2, "port": 8602},
            "--port must be outside the replicas' ports (8601 to 8602)",
        ),
        ({"replicas": 2, "port": 8601}, "Received --port 8601"),
        ({"replicas": 1, "address": "school.example"}, "Received 'school.example'"),
        ({"replicas": 1, "address": "::"}, "must be an IPv4 address"),
    ],
)
def test_a_bad_plan_is_refused_with_what_was_received(arguments, message):
    with pytest.raises(ValueError, match="Received") as error:
        deploy.ReplicaPlan(**arguments)
    assert message in str(error.value)


def test_the_ports_at_the_edges_are_accepted():
    assert deploy.ReplicaPlan(4, port=1, first_port=65532).servers[-1].port == 65535
    assert deploy.ReplicaPlan(1, port=8602, first_port=8601).servers[0].port == 8601


@pytest.mark.parametrize(("total", "replicas"), list(itertools.product(range(1, 13), range(1, 6))))
def test_max_jobs_are_split_evenly_and_never_below_one(total, replicas):
    shares = deploy.split_max_jobs(total, replicas)
    assert len(shares) == replicas and min(shares) >= 1
    assert sum(shares) == max(total, replicas)
    assert max(shares) - min(shares) <= 1


def test_max_jobs_of_zero_is_refused():
    with pytest.raises(ValueError, match="--max-jobs must be a whole number of at least 1"):
        deploy.split_max_jobs(0, 2)


def test_ports_in_use_names_the_ones_something_listens_on():
    plan = deploy.free_plan(2)
    first = plan.first_port
    assert plan.port == first + 2 and plan.address == "127.0.0.1"
    assert deploy.ports_in_use(plan) == []
    with socket.socket() as taken, socket.socket() as front:
        taken.bind(("127.0.0.1", first + 1))
        taken.listen()
        front.bind(("127.0.0.1", first + 2))
        front.listen()
        assert deploy.ports_in_use(plan) == [f"127.0.0.1:{first + 2}", f"127.0.0.1:{first + 1}"]


# The HAProxy configuration


def test_the_config_balances_by_cookie_with_health_checks_and_websocket_timeouts():
    plan = deploy.ReplicaPlan(replicas=3, port=9000, first_port=9100, address="10.1.2.3")
    config = sections(deploy.render_haproxy_config(plan))
    assert list(config) == ["global", "defaults", "frontend cnnviz", "backend streamlit"]
    assert "mode http" in config["defaults"]
    assert "timeout tunnel 1h" in config["defaults"]
    assert {"timeout client 2m", "timeout server 2m"} <= set(config["defaults"])
    assert "maxconn 4096" in config["global"]
    assert "bind 10.1.2.3:9000" in config["frontend cnnviz"]
    backend = config["backend streamlit"]
    expected = {
        "balance roundrobin",
        "cookie CNNVIZ_REPLICA insert indirect nocache httponly",
        "option redispatch",
        "option httpchk GET /_stcore/health",
        "http-check expect status 200",
        "default-server check inter 2s fall 3 rise 2",
        "http-response set-header X-Cnnviz-Replica %s",
    }
    assert expected <= set(backend)
    servers = [line for line in backend if line.startswith("server ")]
    assert servers == [
        "server r1 127.0.0.1:9100 cookie r1",
        "server r2 127.0.0.1:9101 cookie r2",
        "server r3 127.0.0.1:9102 cookie r3",
    ]


def test_the_config_never_sticks_by_source_address():
    config = deploy.render_haproxy_config(deploy.ReplicaPlan(replicas=4))
    directives = [line for lines in sections(config).values() for line in lines]
    assert not [line for line in directives if "source" in line or line.startswith("stick")]


def test_the_committed_config_is_what_the_renderer_makes_for_two_replicas():
    committed = (REPO / "deploy" / "haproxy.cfg").read_text(encoding="utf-8")
    assert committed == deploy.render_haproxy_config(deploy.ReplicaPlan(replicas=2))
    assert sections(committed)["frontend cnnviz"][0] == "bind 0.0.0.0:8501"


@pytest.mark.parametrize("replicas", [1, 2, 4])
def test_haproxy_accepts_the_rendered_config(haproxy, tmp_path, replicas):
    path = tmp_path / "haproxy.cfg"
    path.write_text(deploy.render_haproxy_config(deploy.ReplicaPlan(replicas=replicas)))
    checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "Configuration file is valid" in checked.stdout
    assert "WARNING" not in checked.stdout + checked.stderr


def test_haproxy_refuses_a_broken_config(haproxy, tmp_path):
    """The check above can fail: a misspelt directive in the same template is refused."""
    template = deploy.TEMPLATE_PATH.read_text().replace("balance roundrobin", "balance roundrobn")
    path = tmp_path / "haproxy.cfg"
    path.write_text(deploy.render_haproxy_config(deploy.ReplicaPlan(replicas=2), template))
    checked = subprocess.run([haproxy, "-c", "-f", str(path)], capture_output=True, text=True)
    assert checked.returncode != 0 and "balance only supports" in checked.stderr


def test_find_haproxy_says_how_to_install_it():
    with pytest.raises(FileNotFoundError, match=r"apt-get install haproxy"):
        deploy.find_haproxy(which=lambda name: None)


# Each replica's command line and environment


def test_a_replica_runs_headless_on_its_loopback_port_with_the_extra_flags():
    replica = deploy.Replica("r2", 8602)
    command = deploy.streamlit_command("python", "app.py", replica, ["--server.maxUploadSize", "5"])
    assert command == [
        *("python", "-m", "streamlit", "run", "app.py"),
        *("--server.port", "8602", "--server.address", "127.0.0.1"),
        *("--server.headless", "true", "--server.maxUploadSize", "5"),
    ]


@pytest.mark.parametrize("flag", ["--server.port", "--server.address=0.0.0.0", "--server.headless"])
def test_flags_the_script_sets_itself_are_refused(flag):
    with pytest.raises(ValueError, match=f"Received '{flag}' after `--`"):
        deploy.check_streamlit_flags(["--theme.base", "dark", flag])


def test_replicas_share_one_cookie_secret_and_get_the_environment():
    outside = {"CNNVIZ_ENGINE": "ray://head:10001", "CNNVIZ_MODELS_DIR": "/srv/runs"}
    first = deploy.replica_environment(outside, deploy.Replica("r1", 1), "s3cret", max_jobs=2)
    second = deploy.replica_environment(outside, deploy.Replica("r2", 2), "s3cret")
    for environment in (first, second):
        assert environment["STREAMLIT_SERVER_COOKIE_SECRET"] == "s3cret"
        assert environment.items() >= outside.items()
    assert (first["CNNVIZ_REPLICA"], second["CNNVIZ_REPLICA"]) == ("r1", "r2")
    assert first["CNNVIZ_MAX_JOBS"] == "2" and "CNNVIZ_MAX_JOBS" not in second
    assert "STREAMLIT_SERVER_COOKIE_SECRET" not in outside


# The script's messages


def run_script(*arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(SCRIPT), *arguments], capture_output=True, text=True, timeout=60
    )


@pytest.mark.parametrize(
    ("arguments", "message"),
    [
        (["--replicas", "0"], "--replicas must be a whole number from 1 to 64. Received 0."),
        (["--replicas", "two"], "argument --replicas: invalid int value: 'two'"),
        (["--replicas", "2", "--port", "8602"], "--port must be outside the replicas' ports"),
        (["--replicas", "2", "--max-jobs", "0"], "--max-jobs must be a whole number of at least"),
        (["--replicas", "1", "--address", "localhost"], "Received 'localhost'"),
        (["--replicas", "1", "--app", "nope.py"], "--app must be a script in"),
        (["--replicas", "1", "--", "--server.port", "1"], "replicas.py sets --server.port"),
        (["--port", "8501"], "the following arguments are required: --replicas"),
    ],
)
def test_bad_arguments_end_with_a_message_not_a_traceback(arguments, message):
    done = run_script(*arguments)
    assert done.returncode == 2
    assert message in done.stderr
    assert "Traceback" not in done.stderr + done.stdout


def test_a_bad_engine_setting_or_max_jobs_with_ray_is_refused(monkeypatch):
    monkeypatch.setenv("CNNVIZ_ENGINE", "ray:/nowhere")
    done = run_script("--replicas", "2")
    assert done.returncode == 2 and "Received 'ray:/nowhere'" in done.stderr
    monkeypatch.setenv("CNNVIZ_ENGINE", "ray://127.0.0.1:10001")
    done = run_script("--replicas", "2", "--max-jobs", "4")
    assert done.returncode == 2 and "leave --max-jobs out. Received --max-jobs 4." in done.stderr
    assert "Traceback" not in done.stderr


def test_a_port_in_use_is_named():
    first = deploy.free_plan(2).first_port
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", first + 2))
        taken.listen()
        done = run_script(
            *("--replicas", "2", "--address", "127.0.0.1"),
            *("--port", str(first + 2), "--first-port", str(first)),
        )
    assert done.returncode == 2
    assert f"these ports are already in use: 127.0.0.1:{first + 2} (another server?)" in done.stderr
    assert "Traceback" not in done.stderr


def test_without_haproxy_the_script_says_how_to_install_it(monkeypatch, tmp_path):
    spec = importlib.util.spec_from_file_location("replicas_script", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    real = deploy.find_haproxy
    monkeypatch.setattr(deploy, "find_haproxy", lambda: real(which=lambda name: None))
    first = deploy.free_plan(1).first_port
    with pytest.raises(SystemExit) as stopped:
        script.main(
            ["--replicas", "1", "--address", "127.0.0.1", "--port", str(first + 1)]
            + ["--first-port", str(first), "--run-dir", str(tmp_path / "run")]
        )
    assert "install Debian's haproxy: apt-get install haproxy" in str(stopped.value.code)
    assert not (tmp_path / "run").exists(), "nothing was started or written"
