"""The Ray backend's settings from the environment: replicas and CPUs, checked with messages
that name the variable, what it held and what it takes."""

import pytest


@pytest.fixture
def settings(ray_installed, monkeypatch):
    from cnnviz.engine.ray_side.client import RaySettings

    for name in ("CNNVIZ_RAY_MAX_REPLICAS", "CNNVIZ_RAY_REPLICA_CPUS", "CNNVIZ_RAY_JOB_CPUS"):
        monkeypatch.delenv(name, raising=False)
    return RaySettings


def test_unset_variables_give_the_defaults(settings):
    assert settings.from_environment() == settings(max_replicas=4, replica_cpus=1.0, job_cpus=1.0)


def test_the_variables_set_replicas_and_cpus(settings, monkeypatch):
    monkeypatch.setenv("CNNVIZ_RAY_MAX_REPLICAS", "8")
    monkeypatch.setenv("CNNVIZ_RAY_REPLICA_CPUS", "0.5")
    monkeypatch.setenv("CNNVIZ_RAY_JOB_CPUS", " 2 ")
    assert settings.from_environment() == settings(max_replicas=8, replica_cpus=0.5, job_cpus=2.0)


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        (
            "CNNVIZ_RAY_MAX_REPLICAS",
            "many",
            "CNNVIZ_RAY_MAX_REPLICAS must be a whole number. Received 'many'.",
        ),
        (
            "CNNVIZ_RAY_MAX_REPLICAS",
            "0",
            "CNNVIZ_RAY_MAX_REPLICAS (replicas) must be a whole number of at least 1. Received 0.",
        ),
        (
            "CNNVIZ_RAY_JOB_CPUS",
            "-1",
            "CNNVIZ_RAY_JOB_CPUS (CPUs) must be a number in [0, 1024]. Received -1.0.",
        ),
        (
            "CNNVIZ_RAY_REPLICA_CPUS",
            "one",
            "CNNVIZ_RAY_REPLICA_CPUS must be a number. Received 'one'.",
        ),
    ],
)
def test_a_bad_value_names_the_variable(settings, monkeypatch, variable, value, message):
    monkeypatch.setenv(variable, value)
    with pytest.raises(ValueError) as raised:
        settings.from_environment()
    assert str(raised.value) == message


@pytest.mark.parametrize("value", ["two", "0", "-1", "1.5"])
def test_a_bad_job_cap_names_the_variable(ray_installed, monkeypatch, value):
    from cnnviz.engine.launcher import EngineOptions
    from cnnviz.engine.ray_side.client import _engine_config

    monkeypatch.setenv("CNNVIZ_MAX_JOBS", value)
    with pytest.raises(ValueError) as raised:
        _engine_config(EngineOptions())
    assert str(raised.value) == (
        f"CNNVIZ_MAX_JOBS must be a whole number of at least 1. Received {value!r}."
    )


def test_the_job_cap_comes_from_the_environment(ray_installed, monkeypatch):
    from cnnviz.engine.launcher import EngineOptions
    from cnnviz.engine.ray_side.client import _engine_config

    monkeypatch.setenv("CNNVIZ_MAX_JOBS", "3")
    assert _engine_config(EngineOptions())["max_jobs"] == 3
    monkeypatch.delenv("CNNVIZ_MAX_JOBS")
    assert _engine_config(EngineOptions())["max_jobs"] == 1
