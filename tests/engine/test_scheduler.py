"""The job manager in this process: spare workers started ahead of their job."""

import time

import pytest

from cnnviz.engine.scheduler import JobManager

pytestmark = pytest.mark.slow


def wait_for(predicate, timeout=10.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := predicate():
            return value
        time.sleep(0.02)
    raise AssertionError(f"Condition not met within {timeout} s")


@pytest.fixture
def jobs():
    manager = JobManager(max_jobs=1, lease_seconds=60)
    yield manager
    manager.shutdown()


def test_a_prepared_worker_takes_the_next_job_and_is_replaced(jobs):
    jobs.prepare("sleep")
    jobs.prepare("sleep")  # one waiting worker is enough
    spare = jobs.spare_pids()["sleep"]
    job = jobs.submit("sleep", {"steps": 2, "seconds": 0.01}, session="s")
    assert jobs.status(job).worker_pid == spare
    replacement = jobs.spare_pids()["sleep"]
    assert replacement != spare
    status = wait_for(lambda: (s := jobs.status(job)).state == "finished" and s)
    assert status.result == {"steps": 2, "stopped": False} and status.worker_pid is None


def test_an_unprepared_kind_starts_its_worker_with_the_job(jobs):
    job = jobs.submit("sleep", {"steps": 1, "seconds": 0.01}, session="s")
    assert jobs.spare_pids() == {}
    assert wait_for(lambda: jobs.status(job).state == "finished")


def test_spares_end_with_the_manager():
    jobs = JobManager()
    jobs.prepare("sleep")
    spare = jobs._spares["sleep"].process
    jobs.shutdown()
    assert not spare.is_alive() and jobs.spare_pids() == {}


def test_prepare_refuses_an_unknown_kind(jobs):
    with pytest.raises(ValueError, match="Unknown job kind 'dance'"):
        jobs.prepare("dance")
