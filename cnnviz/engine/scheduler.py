"""The engine's job runner: a FIFO queue, a cap on running jobs, one worker process per job.

Each job runs in its own spawned process, so a training epoch never blocks a prediction. A
session has at most one job queued or running; its polls renew a lease, and a job whose session
stops polling for `lease_seconds` is stopped. Memory stays bounded: the last `keep_finished`
ended jobs are kept, and each job keeps its last `MAX_EVENTS` events.

A worker imports what its job needs (TensorFlow, for training) before it is given the job, so
`prepare(kind)` can start one ahead of time: a spare, waiting, that takes the next job of that
kind at once. Once a kind was prepared, a new spare replaces each one used (one idle process
per kind, a few hundred megabytes for training).
"""

from __future__ import annotations

import itertools
import logging
import multiprocessing
import os
import pickle
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field, fields
from pathlib import Path

from cnnviz.engine.jobs import check_kind, run_worker
from cnnviz.engine.protocol import ACTIVE_JOB_STATES, JobRefused, JobStatus, UnknownJob
from cnnviz.training.checkpoints import (
    interrupted_jobs,
    read_checkpoint,
    remove_checkpoint,
    write_job_record,
)
from cnnviz.validation import check_whole

_LOG = logging.getLogger("cnnviz.engine")
MAX_EVENTS = 10_000
STOP_GRACE_SECONDS = 1.0
# A training job stops within a batch, then scores and saves its best weights (about a second
# on a busy machine): it gets longer before its worker is terminated, so the run is not lost.
STOP_GRACE_BY_KIND = {"train": 20.0, "transfer": 10.0}
# Kinds whose workers checkpoint each epoch, and the kind that saves what a dead one left.
CHECKPOINTED_KINDS = frozenset({"train"})
RECOVERY_KIND = "recover"
_TICK_SECONDS = 0.05
# A job's status repeats these fields of the job as they are.
_STATUS_FROM_JOB = [
    f.name
    for f in fields(JobStatus)
    if f.name not in ("queue_position", "events", "worker_pid", "recovering")
]


@dataclass(eq=False)
class _Worker:
    """A started worker process: its job's params go into `inbox`, its messages come back on
    `reader`; `stop_event` asks it to stop."""

    kind: str
    process: multiprocessing.Process
    inbox: object
    reader: object
    stop_event: object


@dataclass(eq=False)
class _Job:
    id: str
    kind: str
    session: str
    params: dict
    state: str = "queued"
    events: deque = field(default_factory=lambda: deque(maxlen=MAX_EVENTS))
    event_count: int = 0
    result: object = None
    error: str | None = None
    submitted_at: float = field(default_factory=time.time)
    started_at: float | None = None
    ended_at: float | None = None
    process: multiprocessing.Process | None = None
    stop_event: object = None
    stop_asked_at: float | None = None
    recovering: bool = False
    checkpoint: Path | None = None


class JobManager:
    """Queue, run, watch and stop jobs.

    Args:
        max_jobs: How many jobs may run at once, server-wide.
        lease_seconds: How long a session may go without polling before its job is stopped.
        keep_finished: How many ended jobs to remember.
        checkpoints_dir: Where training jobs keep their checkpoints (None: they keep none).
    """

    def __init__(
        self,
        max_jobs: int = 1,
        lease_seconds: float = 30.0,
        keep_finished: int = 50,
        checkpoints_dir: str | Path | None = None,
    ):
        self.max_jobs, self.lease_seconds, self.keep_finished = (
            max_jobs,
            lease_seconds,
            keep_finished,
        )
        self.checkpoints_dir = None if checkpoints_dir is None else Path(checkpoints_dir)
        self._context = multiprocessing.get_context("spawn")
        self._jobs: dict[str, _Job] = {}
        self._queue: deque[_Job] = deque()
        self._leases: dict[str, float] = {}
        self._spares: dict[str, _Worker] = {}  # one waiting worker per prepared kind
        self._lock = threading.Lock()
        self._watching = False

    def _ensure_watching(self) -> None:
        """Start the thread that enforces leases and stops, once there is a job to watch (an
        engine that only answers forward passes never starts it). Call with the lock held."""
        if not self._watching:
            self._watching = True
            threading.Thread(target=self._watch, name="watch-jobs", daemon=True).start()

    def submit(self, kind: str, params: dict, session: str) -> str:
        """Queue a job for `session` and return its id.

        Raises:
            ValueError: If `kind` is unknown, `params` is not a picklable dict or `session`
                is not a non-empty string.
            JobRefused: If `session` already has a job queued or running.
        """
        _check_submission(kind, params, session)
        with self._lock:
            active = [job for job in self._jobs.values() if job.session == session]
            active = [job for job in active if job.state in ACTIVE_JOB_STATES]
            if active:
                raise JobRefused(
                    f"This session already has a {active[0].kind} job {active[0].state} "
                    f"(id {active[0].id}). Stop it or wait for it to end before starting another."
                )
            job = _Job(secrets.token_hex(6), kind, session, dict(params))
            self._ensure_watching()
            self._jobs[job.id] = job
            self._queue.append(job)
            self._leases[session] = time.monotonic()
            _LOG.info("job %s (%s) queued, %d ahead of it", job.id, kind, len(self._queue) - 1)
            self._schedule()
            return job.id

    def status(self, job_id: str, since: int = 0) -> JobStatus:
        """The job's status with its events from index `since` on; renews its session's lease.

        Raises:
            UnknownJob: If no job has this id.
            ValueError: If `since` is not a whole number of at least 0.
        """
        check_whole(since, "`since`", low=0)
        with self._lock:
            job = self._get(job_id)
            self._leases[job.session] = time.monotonic()
            return self._snapshot(job, since)

    def stop(self, job_id: str) -> None:
        """Ask a job to stop: a queued one ends now, a running one within about a second.

        Raises:
            UnknownJob: If no job has this id.
        """
        with self._lock:
            self._stop(self._get(job_id))

    def list(self, session: str | None = None) -> list[JobStatus]:
        """Every job (or `session`'s, renewing its lease), oldest first, without events."""
        with self._lock:
            if session is not None:
                self._leases[session] = time.monotonic()
            jobs = [job for job in self._jobs.values() if session in (None, job.session)]
            return [self._snapshot(job, job.event_count) for job in jobs]

    def prepare(self, kind: str) -> None:
        """Have a worker for `kind` started and waiting, so the next such job starts at once
        (and keep one waiting from now on). Does nothing if one is already waiting.

        Raises:
            ValueError: If `kind` is unknown.
        """
        check_kind(kind)
        with self._lock:
            spare = self._spares.get(kind)
            if spare is None or not spare.process.is_alive():
                self._spares[kind] = self._spawn(kind)

    def recover_interrupted(self) -> list[str]:
        """Queue a recovery for each checkpoint a previous engine left (its jobs died with it),
        under the old job's id and session; remove checkpoints with nothing to keep.

        Returns:
            The ids of the jobs being recovered.
        """
        if self.checkpoints_dir is None:
            return []
        recovered = []
        for folder in interrupted_jobs(self.checkpoints_dir):
            checkpoint = read_checkpoint(folder)
            if checkpoint is None:
                _LOG.info("removed checkpoint %s: no completed epoch to keep", folder.name)
                remove_checkpoint(folder)
                continue
            job = _Job(checkpoint.job_id, "train", checkpoint.session, checkpoint.params)
            job.recovering, job.checkpoint = True, folder
            with self._lock:
                self._ensure_watching()
                self._jobs[job.id] = job
                self._queue.append(job)
                self._leases[job.session] = time.monotonic()
                self._schedule()
            epochs = len(checkpoint.history)
            _LOG.info(
                "job %s: saving the %d epoch(s) it completed before a restart", job.id, epochs
            )
            recovered.append(job.id)
        return recovered

    def spare_pids(self) -> dict[str, int]:
        """The process id of the waiting worker of each prepared kind."""
        with self._lock:
            return {kind: spare.process.pid for kind, spare in self._spares.items()}

    def counts(self) -> tuple[int, int]:
        """How many jobs are running and how many wait."""
        with self._lock:
            return self._running_count(), len(self._queue)

    def shutdown(self) -> None:
        """Terminate every worker (the engine is exiting)."""
        with self._lock:
            workers = [job.process for job in self._jobs.values() if job.state == "running"]
            workers += [spare.process for spare in self._spares.values()]
            self._spares.clear()
        for process in workers:
            process.terminate()
        for process in workers:
            process.join(STOP_GRACE_SECONDS)
            if process.is_alive():
                process.kill()

    def _get(self, job_id) -> _Job:
        if job_id not in self._jobs:
            raise UnknownJob(
                f"No job with id {job_id!r}. It may have ended long ago, or the engine restarted."
            )
        return self._jobs[job_id]

    def _snapshot(self, job: _Job, since: int) -> JobStatus:
        first_kept = job.event_count - len(job.events)
        events = list(itertools.islice(job.events, max(since - first_kept, 0), None))
        position = self._queue.index(job) + 1 if job.state == "queued" else None
        kept = {name: getattr(job, name) for name in _STATUS_FROM_JOB}
        pid = job.process.pid if job.process is not None else None
        return JobStatus(
            queue_position=position,
            events=events,
            worker_pid=pid,
            recovering=job.recovering and job.state in ACTIVE_JOB_STATES,
            **kept,
        )

    def _schedule(self) -> None:
        """Start queued jobs while fewer than `max_jobs` run. Call with the lock held."""
        while self._queue and self._running_count() < self.max_jobs:
            job = self._queue.popleft()
            try:
                self._start(job)
            except Exception as error:
                self._end(job, "failed", f"The job's worker could not start: {error}")

    def _running_count(self) -> int:
        return sum(job.state == "running" for job in self._jobs.values())

    def _spawn(self, kind: str) -> _Worker:
        """Start a worker process for a job of `kind`; it waits for the job on its inbox."""
        reader, writer = self._context.Pipe(duplex=False)
        inbox_reader, inbox = self._context.Pipe(duplex=False)
        stop_event = self._context.Event()
        process = self._context.Process(
            target=run_worker,
            args=(kind, inbox_reader, writer, stop_event, os.getpid()),
            name=f"cnnviz-worker-{kind}",
        )
        process.start()
        writer.close()
        inbox_reader.close()
        return _Worker(kind, process, inbox, reader, stop_event)

    def _start(self, job: _Job) -> None:
        """Hand `job` to the waiting worker of its kind, or to a new one. Call with the lock."""
        kind = RECOVERY_KIND if job.recovering else job.kind
        spare = self._spares.pop(kind, None)
        alive = spare is not None and spare.process.is_alive()
        worker = spare if alive else self._spawn(kind)
        if spare is not None:  # a prepared kind: keep one waiting for the next job
            self._spares[kind] = self._spawn(kind)
        # Handed over by a thread: a worker still importing TensorFlow reads its inbox only
        # then, and params larger than the pipe's buffer (a transfer job's weights, a
        # learner's images) would block the engine, and its health checks, until it does.
        threading.Thread(
            target=_hand_over,
            args=(worker.inbox, self._worker_params(job)),
            name=f"hand-over-{job.id}",
            daemon=True,
        ).start()
        job.process, job.stop_event = worker.process, worker.stop_event
        job.state = "running"
        job.started_at = job.started_at or time.time()
        how = "a waiting" if alive else "a new"
        _LOG.info("job %s started in %s %s worker (pid %s)", job.id, how, kind, worker.process.pid)
        threading.Thread(target=self._follow, args=(job, worker.reader), daemon=True).start()

    def _worker_params(self, job: _Job) -> dict:
        """The params a worker gets: the job's, and its checkpoint folder if it keeps one."""
        if job.checkpoint is None and job.kind in CHECKPOINTED_KINDS and self.checkpoints_dir:
            folder = self.checkpoints_dir / job.id
            try:
                write_job_record(folder, job.id, job.session, job.params)
                job.checkpoint = folder
            except OSError as error:  # say, a full disk: train anyway, without checkpoints
                _LOG.warning("job %s keeps no checkpoint: %s", job.id, error)
        if job.checkpoint is None:
            return job.params
        return job.params | {"checkpoint_dir": str(job.checkpoint)}

    def _follow(self, job: _Job, reader) -> None:
        """Collect a running job's messages until its worker exits, then record how it ended."""
        outcome = None
        while True:
            try:
                if not reader.poll(0.2):
                    # A worker that just exited may have sent its result after the poll.
                    if job.process.is_alive() or reader.poll(0):
                        continue
                    break
                message, payload = reader.recv()
            except (EOFError, OSError):
                break
            with self._lock:
                if message == "event":
                    job.events.append(payload)
                    job.event_count += 1
                else:
                    outcome = (message, payload)
        reader.close()
        job.process.join()
        with self._lock:
            if outcome is None and self._recoverable(job):
                code = job.process.exitcode
                _LOG.warning("job %s: its worker died (code %s); saving its epochs", job.id, code)
                job.recovering, job.process, job.stop_event = True, None, None
                self._start(job)
                return
            if job.stop_asked_at is not None:
                self._end(job, "stopped", job.error, outcome)
            elif outcome is None:
                code = job.process.exitcode
                self._end(job, "failed", f"The job's worker exited unexpectedly (code {code}).")
            elif outcome[0] == "error":
                self._end(job, "failed", outcome[1])
            else:
                self._end(job, "finished", None, outcome)
            self._schedule()

    @staticmethod
    def _recoverable(job: _Job) -> bool:
        """Whether a job whose worker died left completed epochs to save (once only)."""
        if job.recovering or job.checkpoint is None:
            return False
        return read_checkpoint(job.checkpoint) is not None

    def _end(self, job: _Job, state: str, error: str | None, outcome=None) -> None:
        if job.checkpoint is not None:  # the run was saved, or there is nothing to keep
            remove_checkpoint(job.checkpoint)
        job.state, job.error, job.ended_at = state, error, time.time()
        ran = f" after {job.ended_at - job.started_at:.1f} s" if job.started_at else ""
        _LOG.info("job %s %s%s%s", job.id, state, ran, f": {error}" if error else "")
        if outcome is not None and outcome[0] == "result":
            job.result = outcome[1]
        # Dropping the worker's handles lets its semaphores be released now, not at exit.
        job.process, job.stop_event = None, None
        self._forget_old()

    def _stop(self, job: _Job, reason: str | None = None) -> None:
        if job.state == "queued":
            self._queue.remove(job)
            self._end(job, "stopped", reason)
        elif job.state == "running" and job.stop_asked_at is None:
            job.stop_asked_at, job.error = time.monotonic(), reason
            job.stop_event.set()

    def _forget_old(self) -> None:
        ended = [job for job in self._jobs.values() if job.state not in ACTIVE_JOB_STATES]
        ended.sort(key=lambda job: job.ended_at)
        for job in ended[: max(len(ended) - self.keep_finished, 0)]:
            del self._jobs[job.id]
        sessions = {job.session for job in self._jobs.values()}
        for session in [s for s in self._leases if s not in sessions]:
            del self._leases[session]

    def _watch(self) -> None:
        """Stop jobs whose session went quiet; terminate workers that ignore a stop."""
        while True:
            time.sleep(_TICK_SECONDS)
            with self._lock:
                now = time.monotonic()
                for job in list(self._jobs.values()):
                    quiet = now - self._leases.get(job.session, now)
                    # A recovery saves what a student already trained: it ends by itself.
                    lapsed = quiet > self.lease_seconds and not job.recovering
                    if job.state in ACTIVE_JOB_STATES and lapsed:
                        quiet_for = f"{self.lease_seconds:g} s"
                        self._stop(
                            job, f"Stopped because its session stopped polling for {quiet_for}."
                        )
                    if job.stop_asked_at is not None and job.process is not None:
                        self._enforce_stop(job, now - job.stop_asked_at)

    @staticmethod
    def _enforce_stop(job: _Job, waited: float) -> None:
        """Terminate a worker still running a grace period after the stop, kill it after two.

        The grace is a second, or longer for kinds that save their work when stopped.
        """
        grace = STOP_GRACE_BY_KIND.get(job.kind, STOP_GRACE_SECONDS)
        if waited > 2 * grace:
            job.process.kill()
        elif waited > grace:
            job.process.terminate()


def _check_submission(kind, params, session) -> None:
    check_kind(kind)  # only the worker imports a job's function (training imports TensorFlow)
    if kind == RECOVERY_KIND:
        raise ValueError(
            f"{RECOVERY_KIND!r} jobs are started by the engine itself, for a training job whose "
            "worker died. Received a request to submit one."
        )
    if not isinstance(params, dict):
        raise ValueError(f"Job `params` must be a dict. Received {type(params).__name__}.")
    try:
        pickle.dumps(params)
    except Exception as error:
        raise ValueError(f"Job `params` must be plain values that can be sent: {error}") from error
    if not isinstance(session, str) or not session:
        raise ValueError(f"`session` must be a non-empty string. Received {session!r}.")


def _hand_over(inbox, params: dict) -> None:
    """Send a job's params to its worker and close the inbox; a worker that died before
    reading them is reported by the job's follower."""
    try:
        inbox.send(params)
    except OSError as error:
        _LOG.warning("a worker died before it was given its job: %s", error)
    finally:
        inbox.close()
