"""A transfer-learning job seen live: Run and Stop, per-layer scores and curves as they come,
then the results table, a confusion matrix, the features in 2-D and the trained layers.

The job runs in the engine (kind "transfer"); this module submits it and polls its events,
keeping them in `st.session_state` (key `transfer_job`, a `LiveTransfer`). Browser sessions
have one engine job at a time, Training's or this page's (`training_live.session_id`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.datasets import Dataset
from cnnviz.engine.protocol import EngineError, JobRefused, JobStatus, UnknownJob
from cnnviz.plots import summaries, tables
from cnnviz.plots.transfer_results import feature_projection, layer_accuracy, method_curves
from cnnviz.transfer.config import TransferConfig, method_label, target_label
from cnnviz.transfer.results import (
    LayerScore,
    MethodResult,
    TransferEpoch,
    TransferOutcome,
    results_column,
    results_table,
)
from cnnviz.ui.charts import chart
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.model_engine import engine_client, engine_notice
from cnnviz.ui.training_live import session_id
from cnnviz.ui.transfer_save import SAVED_KEY

JOB_KEY = "transfer_job"
# The results table's columns that get a number format.
RESULTS_FORMATS = ("accuracy", "gain", "trained", "time")


@dataclass
class LiveTransfer:
    """This session's transfer job as the page follows it."""

    id: str
    config: TransferConfig
    events: list = field(default_factory=list)
    status: JobStatus | None = None


def _job() -> LiveTransfer | None:
    return st.session_state.get(JOB_KEY)


def transfer_active() -> bool:
    """Whether this session's transfer job is queued or running (as last polled)."""
    job = _job()
    return job is not None and (job.status is None or job.status.active)


def run_and_stop(config: TransferConfig | None, own: Dataset | None) -> None:
    """The Run button (disabled without valid choices or while a job runs) and Stop."""
    try:
        engine_client().prepare_job("transfer")
    except EngineError as error:
        st.warning(t("transfer.live.engine_not_ready", error=message(error)))
    left, right = st.columns(2)
    if left.button(
        t("transfer.live.run"),
        key="transfer_run",
        type="primary",
        disabled=config is None or transfer_active(),
        width="stretch",
    ):
        _submit(config, own)
    stop = t("transfer.live.stop")
    if right.button(stop, key="transfer_stop", disabled=not transfer_active(), width="stretch"):
        try:
            engine_client().stop_job(_job().id)
        except (UnknownJob, EngineError) as error:
            st.warning(message(error))


def _submit(config: TransferConfig, own: Dataset | None) -> None:
    params = {"config": config.to_dict()}
    if config.target == "own":
        params["own"] = own
    try:
        job_id = engine_client().submit_job("transfer", params, session=session_id())
    except JobRefused as error:
        st.warning(message(error))
        return
    except (ValueError, EngineError) as error:
        st.error(t("transfer.live.could_not_start", error=message(error)))
        return
    st.session_state[JOB_KEY] = LiveTransfer(job_id, config)
    st.session_state.pop(SAVED_KEY, None)  # a run saved from the last results is theirs
    st.rerun()  # Run was drawn enabled before the job existed: draw it disabled now


def live_results(config: TransferConfig | None = None) -> TransferOutcome | None:
    """This session's job: live while it runs; its outcome (returned) once it ended. When the
    page's choices (`config`) changed since, the results say which run they are from."""
    job = _job()
    if job is None:
        return None
    if config != job.config and not transfer_active():
        st.info(
            t(
                "transfer.live.older_results",
                source=job.config.source,
                target=target_label(job.config.target, language=language()),
                per_class=job.config.per_class,
            )
        )
    if transfer_active():
        _poll_every_second()
        return None
    _show(job)
    result = job.status.result if job.status is not None else None
    return result if isinstance(result, TransferOutcome) else None


@st.fragment(run_every=1.0)
def _poll_every_second() -> None:
    job = _job()
    try:
        status = engine_client().job_status(job.id, since=len(job.events))
    except (UnknownJob, EngineError) as error:
        st.error(t("transfer.live.lost", error=message(error)))
        del st.session_state[JOB_KEY]
        return
    job.events.extend(status.events)
    job.status = status
    _show(job)
    if not status.active:
        st.rerun()  # once: the buttons and the results catch up


def _show(job: LiveTransfer) -> None:
    status = job.status
    epochs = [event for event in job.events if isinstance(event, TransferEpoch)]
    scores = [event for event in job.events if isinstance(event, LayerScore)]
    done = [event for event in job.events if isinstance(event, MethodResult)]
    if status is None or status.state == "queued":
        st.info(t("transfer.live.waiting"))
    elif status.state == "running":
        fraction = _fraction(job.config, done, epochs, scores)
        st.progress(fraction, text=_doing(job.config, done, epochs, scores))
    elif status.state == "failed":
        st.error(status.error)
    elif status.state == "stopped" or getattr(status.result, "stopped", False):
        st.warning(t("transfer.live.stopped"))
    if scores:
        cut = job.config.cut_layer or (status.result.cut_layer if _ended(status) else None)
        chart(
            layer_accuracy(scores, cut, language=language()),
            table=tables.layer_score_table(scores, language=language()),
            summary=summaries.layer_score_summary(scores, language=language()),
            key="transfer_layer_accuracy",
        )
    if epochs:
        boundary = job.config.epochs if "fine-tune" in job.config.methods else None
        chart(
            method_curves(epochs, boundary, language=language()),
            table=tables.method_table(epochs, language=language()),
            summary=summaries.method_summary(epochs, language=language()),
            key="transfer_curves",
        )
        if {"freeze", "fine-tune"} <= set(job.config.methods) and job.config.frozen is None:
            st.caption(t("transfer.live.same_curves"))
    engine_notice()


def _ended(status: JobStatus | None) -> bool:
    return status is not None and isinstance(status.result, TransferOutcome)


def _fraction(config: TransferConfig, done: list, epochs: list, scores: list) -> float:
    finished = {result.method for result in done}
    current = [event for event in epochs if event.method not in finished]
    within = current[-1].epoch / current[-1].epochs if current else 0.0
    if "features" in config.methods and "features" not in finished and scores:
        within = len(scores) / (len(scores) + 1)  # the number of layers is not known here
    return min((len(done) + within) / len(config.methods), 1.0)


def _doing(config: TransferConfig, done: list, epochs: list, scores: list) -> str:
    left = [method for method in config.methods if method not in {r.method for r in done}]
    if not left:
        return t("transfer.live.scoring")
    method = left[0]
    mine = [event for event in epochs if event.method == method]
    step = ""
    if mine:
        step = t("transfer.live.step_epoch", epoch=mine[-1].epoch, epochs=mine[-1].epochs)
    if method == "features":
        step = t("transfer.live.step_first")
        if scores:
            step = t("transfer.live.step_layers", count=len(scores))
    phase = ""
    if mine and method == "fine-tune":
        phase = t("transfer.live.step_phase", phase=mine[-1].phase)
    return t(
        "transfer.live.doing",
        method=method_label(method, language=language()),
        step=step,
        phase=phase,
        number=len(done) + 1,
        count=len(config.methods),
    )


def transfer_results(outcome: TransferOutcome) -> MethodResult | None:
    """The results table, then the chosen method's confusion matrix and trained layers (or
    its features in 2-D). Returns the chosen method's result."""
    spoken = language()
    column = {name: results_column(name, language=spoken) for name in RESULTS_FORMATS}
    st.dataframe(
        pd.DataFrame(results_table(outcome, language=spoken)),
        hide_index=True,
        width="stretch",
        column_config={
            column["accuracy"]: st.column_config.NumberColumn(format="%.2f"),
            column["gain"]: st.column_config.NumberColumn(format="%+.2f"),
            column["trained"]: st.column_config.NumberColumn(format="localized"),
            column["time"]: st.column_config.NumberColumn(
                format="%.1f", help=t("transfer.live.time_help")
            ),
        },
    )
    st.caption(
        t(
            "transfer.live.scored_on",
            train=f"{outcome.train_size:,}",
            per_class=outcome.config["per_class"],
            test=f"{outcome.test_size:,}",
            target=outcome.target,
            source=outcome.source,
            cut=outcome.cut_layer,
        )
    )
    if not outcome.results:
        return None
    labels = {
        result.method: method_label(result.method, language=spoken) for result in outcome.results
    }
    method = st.radio(
        t("transfer.live.look_closer"),
        list(labels),
        format_func=labels.get,
        key="transfer_inspect",
        horizontal=True,
    )
    chosen = outcome.result(method)
    left, right = st.columns(2)
    with left:
        names = list(outcome.class_names)
        chart(
            plots.confusion_matrix(chosen.confusion_matrix, names, language=spoken),
            table=tables.confusion_table(chosen.confusion_matrix, names, language=language()),
            summary=summaries.confusion_summary(
                chosen.confusion_matrix, names, language=language()
            ),
            key="transfer_confusion",
            hide_index=False,
        )
    with right:
        if chosen.projection is not None:
            title = t("transfer.live.projection_title", layer=outcome.cut_layer)
            figure = feature_projection(
                chosen.projection, outcome.test_labels, outcome.class_names, title
            )
            labels, names = outcome.test_labels, outcome.class_names
            chart(
                figure,
                table=tables.projection_table(
                    chosen.projection, labels, names, language=language()
                ),
                summary=summaries.projection_summary(labels, names, language=language()),
                key="transfer_projection",
            )
        elif chosen.layers:
            trained_layers(chosen)
    return chosen


def trained_layers(result: MethodResult) -> None:
    """The trained network's layers as `model.summary(show_trainable=True)` lists them."""
    new, yes, no = (t(f"transfer.live.{key}") for key in ("new_layer", "yes", "no"))
    params = t("transfer.live.params")
    frame = pd.DataFrame(
        {
            t("transfer.live.layer"): [
                row.name + (new if row.new else "") for row in result.layers
            ],
            t("transfer.live.output_shape"): [str(row.output_shape) for row in result.layers],
            params: [row.trainable_params + row.non_trainable_params for row in result.layers],
            t("transfer.live.trainable"): [yes if row.trainable else no for row in result.layers],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={params: st.column_config.NumberColumn(format="localized")},
    )
    trainable = sum(row.trainable_params for row in result.layers)
    frozen = sum(row.non_trainable_params for row in result.layers)
    switches = t("transfer.live.switches") if result.phase_boundary else ""
    st.caption(
        t(
            "transfer.live.counted",
            total=f"{trainable + frozen:,}",
            trainable=f"{trainable:,}",
            frozen=f"{frozen:,}",
            switches=switches,
        )
    )
