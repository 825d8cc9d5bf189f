"""A training job seen live: Train and Stop buttons, progress, curves and filters as they learn.

The job runs in the engine; this module only submits it and polls its events, keeping them in
`st.session_state` (key `training_job`, a `LiveJob`). The live view is a fragment that reruns
every second while the job is queued or running, and reruns the whole page once when it ends.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.engine.protocol import EngineError, JobRefused, JobStatus, UnknownJob
from cnnviz.formatting import format_duration, format_number
from cnnviz.training import (
    BatchEvent,
    EpochEvent,
    TrainingConfig,
    TrainingOutcome,
    describe_outcome,
    seconds_left,
)
from cnnviz.ui.model_engine import engine_client, engine_notice
from cnnviz.ui.session_keys import NEW_RUN, REPLACE_ASKED_AGAIN
from cnnviz.ui.training_runs import replace_policy, session_owner

JOB_KEY = "training_job"
SESSION_KEY = "training_session"
GAP_HELP = (
    "Validation loss minus training loss, in the last epoch. It grows when the network "
    "over-fits. It can fall below zero with dropout or augmentation: the training loss is "
    "measured on batches with units dropped and images shifted, which is harder than the "
    "plain validation images."
)


@dataclass
class LiveJob:
    """This session's training job as the page follows it.

    Attributes:
        id: The engine's job id; `name` the run's name; `config` what it trains.
        events: The progress events received so far (epoch events without their filters).
        filters: The first layer's kernel after the latest epoch, or None before the first.
        status: The last `JobStatus` polled, or None before the first poll.
        restarts: The engine's restarts when the job was submitted (to tell a job lost in a
            restart from one forgotten long ago).
    """

    id: str
    name: str
    config: TrainingConfig
    events: list = field(default_factory=list)
    filters: np.ndarray | None = None
    status: JobStatus | None = None
    restarts: int = 0


def session_id() -> str:
    """This browser session's id for the engine (one job at a time per session)."""
    return st.session_state.setdefault(SESSION_KEY, uuid.uuid4().hex)


def _job() -> LiveJob | None:
    return st.session_state.get(JOB_KEY)


def job_active() -> bool:
    """Whether this session's job is queued or running (as last polled)."""
    job = _job()
    return job is not None and (job.status is None or job.status.active)


def train_and_stop(config: TrainingConfig | None, name: str | None) -> None:
    """The Train button (disabled without a valid config or while training) and Stop.

    The engine is asked to have a training worker waiting (TensorFlow loaded), so that the
    first batch comes within seconds of pressing Train.
    """
    try:
        engine_client().prepare_job("train")
    except EngineError as error:
        st.warning(f"The model engine is not ready: {error}")
    left, right = st.columns(2)
    ready = config is not None and name is not None
    if left.button(
        "Train",
        key="training_train",
        type="primary",
        disabled=not ready or job_active(),
        width="stretch",
    ):
        _submit(config, name)
    # A run whose process died is being saved: stopping would only lose its epochs.
    saving = job_active() and _job().status is not None and _job().status.recovering
    if right.button(
        "Stop", key="training_stop", disabled=not job_active() or saving, width="stretch"
    ):
        try:
            engine_client().stop_job(_job().id)
        except UnknownJob as error:
            st.warning(str(error))


def _submit(config: TrainingConfig, name: str) -> None:
    try:
        client = engine_client()
        params = {"config": config.to_dict(), "run_name": name, "owner": session_owner()}
        params["replace"] = replace_policy()
        job_id = client.submit_job("train", params, session=session_id())
    except JobRefused as error:
        st.warning(str(error))
        return
    except (ValueError, EngineError) as error:
        st.error(f"Training could not start: {error}")
        return
    st.session_state[JOB_KEY] = LiveJob(job_id, name, config, restarts=client.restarts)
    st.session_state[REPLACE_ASKED_AGAIN] = True  # "Replace it" counted for this run only
    st.rerun()  # Train was drawn enabled before the job existed: draw it disabled now


def live_view(config: TrainingConfig | None) -> None:
    """This session's job: live while it runs, its outcome once it ended.

    A failed job's error is forgotten once the settings change (`config`, the page's current
    settings), so it never lingers over settings it was not about.
    """
    job = _job()
    if job is None:
        return
    failed = job.status is not None and job.status.state == "failed"
    if failed and config != job.config:
        del st.session_state[JOB_KEY]
        return
    if job_active():
        _poll_every_second()
    else:
        _show(job, job.status)


@st.fragment(run_every=1.0)
def _poll_every_second() -> None:
    job = _job()
    try:
        client = engine_client()
        status = client.job_status(job.id, since=len(job.events))
    except UnknownJob:
        st.warning(_lost_job_message(job, client.restarts))
        del st.session_state[JOB_KEY]
        return
    except EngineError as error:
        st.error(f"{error} Your run could not be followed; train again to start a new one.")
        del st.session_state[JOB_KEY]
        return
    for event in status.events:
        if isinstance(event, EpochEvent) and event.filters is not None:
            job.filters = event.filters  # only the latest epoch's are drawn
            event = replace(event, filters=None)
        job.events.append(event)
    job.status = status
    _show(job, status)
    if not status.active:
        if isinstance(status.result, TrainingOutcome) and status.result.saved:
            st.session_state[NEW_RUN] = status.result.run_name
        st.rerun()  # once: the buttons and the run history catch up


def _lost_job_message(job: LiveJob, restarts: int) -> str:
    """Why the engine no longer knows this session's job, and what to do."""
    if restarts > job.restarts:
        return (
            f"The model engine restarted while run `{job.name}` was in its first epoch, so "
            "there was nothing to keep yet (a run keeps every epoch it completes). Train "
            "again to start it anew."
        )
    return (
        f"The model engine no longer knows run `{job.name}` (job {job.id}): it ended too long "
        "ago. Saved runs are listed below; train again to start a new one."
    )


def _show(job: LiveJob, status: JobStatus) -> None:
    batches = [event for event in job.events if isinstance(event, BatchEvent)]
    epochs = [event for event in job.events if isinstance(event, EpochEvent)]
    if status.recovering:
        st.info(
            f"The training process stopped during epoch {len(epochs) + 1} (the model engine "
            f"restarted, or the process ran out of memory). Saving the epochs it completed "
            f"as run `{job.name}`…"
        )
    elif status.state == "queued":
        ahead = (status.queue_position or 1) - 1 + engine_client().ping().jobs_running
        st.info(f"Waiting: {ahead} job(s) ahead of yours.")
    elif status.state == "running":
        _progress(job.config, batches)
    elif status.state == "failed":
        st.error(status.error)
    else:
        _outcome(status.result, job.config)
    if batches:
        _metrics(batches[-1], epochs[-1] if epochs else None)
        st.plotly_chart(plots.training_curves(batches, epochs), key="training_curves")
    if job.filters is not None:
        title = f"First layer's filters after epoch {epochs[-1].epoch}" if epochs else ""
        st.plotly_chart(plots.filter_grid(job.filters, title=title), key="training_filters")
    engine_notice()


def _progress(config: TrainingConfig, batches: list[BatchEvent]) -> None:
    if not batches:
        st.progress(0.0, text="Loading the data and building the network…")
        return
    last = batches[-1]
    seconds = seconds_left(last, config.epochs)
    left = (
        "estimating the time left…" if seconds is None else f"about {format_duration(seconds)} left"
    )
    text = f"Epoch {last.epoch}/{config.epochs}, batch {last.batch}/{last.batches}: {left}"
    st.progress(min(last.epochs_done / config.epochs, 1.0), text=text)


def _metrics(batch: BatchEvent, epoch: EpochEvent | None) -> None:
    columns = st.columns(5)
    columns[0].metric("Training loss", format_number(batch.loss, ".3f"))
    columns[1].metric("Training accuracy", format_number(batch.accuracy, ".1%"))
    validation = epoch.val_accuracy if epoch else None
    columns[2].metric("Validation accuracy", format_number(validation, ".1%"))
    gap = epoch.gap if epoch else None
    columns[3].metric("Generalisation gap (loss)", format_number(gap, "+.3f"), help=GAP_HELP)
    columns[4].metric("Images per second", f"{batch.samples_per_second:,.0f}")


def _outcome(result: TrainingOutcome | None, config: TrainingConfig) -> None:
    if result is None:  # the engine ended the worker before it could score and save
        st.warning("Stopped. The run ended before it was scored and saved.")
        return
    kind, message = describe_outcome(result, config)
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](message)
