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
from cnnviz.plots import summaries, tables
from cnnviz.training import (
    BatchEvent,
    EpochEvent,
    TrainingConfig,
    TrainingOutcome,
    describe_outcome,
    seconds_left,
)
from cnnviz.ui.charts import chart
from cnnviz.ui.errors import message
from cnnviz.ui.exports import filters_downloads, script_downloads
from cnnviz.ui.language import language, t
from cnnviz.ui.model_engine import engine_client, engine_notice
from cnnviz.ui.session_keys import NEW_RUN, REPLACE_ASKED_AGAIN
from cnnviz.ui.training_runs import replace_policy, session_owner

JOB_KEY = "training_job"
SESSION_KEY = "training_session"


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
        st.warning(t("training.live.not_ready", error=message(error)))
    left, right = st.columns(2)
    ready = config is not None and name is not None
    if left.button(
        t("training.live.train"),
        key="training_train",
        type="primary",
        disabled=not ready or job_active(),
        width="stretch",
    ):
        _submit(config, name)
    # A run whose process died is being saved: stopping would only lose its epochs.
    saving = job_active() and _job().status is not None and _job().status.recovering
    stopping_off = not job_active() or saving
    if right.button(
        t("training.live.stop"), key="training_stop", disabled=stopping_off, width="stretch"
    ):
        try:
            engine_client().stop_job(_job().id)
        except UnknownJob as error:
            st.warning(message(error))


def _submit(config: TrainingConfig, name: str) -> None:
    try:
        client = engine_client()
        params = {"config": config.to_dict(), "run_name": name, "owner": session_owner()}
        params["replace"] = replace_policy()
        job_id = client.submit_job("train", params, session=session_id())
    except JobRefused as error:
        st.warning(message(error))
        return
    except (ValueError, EngineError) as error:
        st.error(t("training.live.could_not_start", error=message(error)))
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
        st.error(t("training.live.not_followed", error=message(error)))
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
        return t("training.live.lost_in_restart", name=job.name)
    return t("training.live.lost_long_ago", name=job.name, job=job.id)


def _show(job: LiveJob, status: JobStatus) -> None:
    batches = [event for event in job.events if isinstance(event, BatchEvent)]
    epochs = [event for event in job.events if isinstance(event, EpochEvent)]
    if status.recovering:
        st.info(t("training.live.recovering", epoch=len(epochs) + 1, name=job.name))
    elif status.state == "queued":
        ahead = (status.queue_position or 1) - 1 + engine_client().ping().jobs_running
        st.info(t("training.live.waiting", ahead=ahead))
    elif status.state == "running":
        _progress(job.config, batches)
    elif status.state == "failed":
        st.error(status.error)
    else:
        _outcome(status.result, job.config)
    if batches:
        _metrics(batches[-1], epochs[-1] if epochs else None)
        chart(
            plots.training_curves(batches, epochs, language=language()),
            table=tables.epoch_table(epochs, language=language()),
            summary=summaries.training_summary(batches, epochs, language=language()),
            key="training_curves",
        )
    if job.filters is not None:
        title = t("training.live.filters_title", epoch=epochs[-1].epoch) if epochs else ""
        chart(
            plots.filter_grid(job.filters, title=title, language=language()),
            table=tables.filter_table(job.filters, language=language()),
            summary=summaries.filter_summary(job.filters, language=language()),
            key="training_filters",
        )
        if not status.active:  # while it runs the filters change every second
            filters_downloads("conv2d_1", job.filters, "training_export_filters")
    engine_notice()


def _progress(config: TrainingConfig, batches: list[BatchEvent]) -> None:
    if not batches:
        st.progress(0.0, text=t("training.live.loading"))
        return
    last = batches[-1]
    seconds = seconds_left(last, config.epochs)
    left = (
        t("training.live.estimating")
        if seconds is None
        else t("training.live.time_left", duration=format_duration(seconds))
    )
    text = t(
        "training.live.progress",
        epoch=last.epoch,
        epochs=config.epochs,
        batch=last.batch,
        batches=last.batches,
        left=left,
    )
    st.progress(min(last.epochs_done / config.epochs, 1.0), text=text)


def _metrics(batch: BatchEvent, epoch: EpochEvent | None) -> None:
    columns = st.columns(5)
    columns[0].metric(t("training.live.training_loss"), format_number(batch.loss, ".3f"))
    accuracy = format_number(batch.accuracy, ".1%")
    columns[1].metric(t("training.live.training_accuracy"), accuracy)
    validation = epoch.val_accuracy if epoch else None
    columns[2].metric(t("training.live.validation_accuracy"), format_number(validation, ".1%"))
    gap = format_number(epoch.gap if epoch else None, "+.3f")
    columns[3].metric(t("training.live.gap"), gap, help=t("training.live.gap_help"))
    columns[4].metric(t("training.live.speed"), f"{batch.samples_per_second:,.0f}")


def _outcome(result: TrainingOutcome | None, config: TrainingConfig) -> None:
    if result is None:  # the engine ended the worker before it could score and save
        st.warning(t("training.live.not_scored"))
        return
    kind, message = describe_outcome(result, config, language=language())
    {"success": st.success, "warning": st.warning, "error": st.error}[kind](message)
    script_downloads(config, result.run_name, "training_export_new")
