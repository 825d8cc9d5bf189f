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
from cnnviz.plots.transfer_results import feature_projection, layer_accuracy, method_curves
from cnnviz.transfer.config import METHOD_LABELS, TARGETS, TransferConfig
from cnnviz.transfer.results import (
    LayerScore,
    MethodResult,
    TransferEpoch,
    TransferOutcome,
    results_table,
)
from cnnviz.ui.model_engine import engine_client, engine_notice
from cnnviz.ui.training_live import session_id
from cnnviz.ui.transfer_save import SAVED_KEY

JOB_KEY = "transfer_job"


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
        st.warning(f"The model engine is not ready: {error}")
    left, right = st.columns(2)
    if left.button(
        "Run",
        key="transfer_run",
        type="primary",
        disabled=config is None or transfer_active(),
        width="stretch",
    ):
        _submit(config, own)
    if right.button("Stop", key="transfer_stop", disabled=not transfer_active(), width="stretch"):
        try:
            engine_client().stop_job(_job().id)
        except (UnknownJob, EngineError) as error:
            st.warning(str(error))


def _submit(config: TransferConfig, own: Dataset | None) -> None:
    params = {"config": config.to_dict()}
    if config.target == "own":
        params["own"] = own
    try:
        job_id = engine_client().submit_job("transfer", params, session=session_id())
    except JobRefused as error:
        st.warning(str(error))
        return
    except (ValueError, EngineError) as error:
        st.error(f"The run could not start: {error}")
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
        source, target = job.config.source, TARGETS[job.config.target]
        st.info(
            f"These results are from your last run ({source} → {target}, "
            f"{job.config.per_class} per class); press Run for the choices above."
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
        st.error(f"{error} The run could not be followed; press Run to start it again.")
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
        st.info("Waiting for the model engine…")
    elif status.state == "running":
        fraction = _fraction(job.config, done, epochs, scores)
        st.progress(fraction, text=_doing(job.config, done, epochs, scores))
    elif status.state == "failed":
        st.error(status.error)
    elif status.state == "stopped" or getattr(status.result, "stopped", False):
        st.warning("Stopped: the methods that finished are shown.")
    if scores:
        cut = job.config.cut_layer or (status.result.cut_layer if _ended(status) else None)
        st.plotly_chart(layer_accuracy(scores, cut), key="transfer_layer_accuracy")
    if epochs:
        boundary = job.config.epochs if "fine-tune" in job.config.methods else None
        st.plotly_chart(method_curves(epochs, boundary), key="transfer_curves")
        if {"freeze", "fine-tune"} <= set(job.config.methods) and job.config.frozen is None:
            st.caption(
                "Frozen layers and fine-tuning's phase 1 train the same head on the same frozen "
                "layers: their curves lie on top of each other until phase 2."
            )
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
        return "Scoring…"
    method = left[0]
    mine = [event for event in epochs if event.method == method]
    step = f": epoch {mine[-1].epoch} of {mine[-1].epochs}" if mine else ""
    if method == "features":
        step = f": {len(scores)} layer(s) scored" if scores else ": reading the first layer"
    phase = f", phase {mine[-1].phase}" if mine and method == "fine-tune" else ""
    return f"{METHOD_LABELS[method]}{step}{phase} ({len(done) + 1} of {len(config.methods)})"


def transfer_results(outcome: TransferOutcome) -> MethodResult | None:
    """The results table, then the chosen method's confusion matrix and trained layers (or
    its features in 2-D). Returns the chosen method's result."""
    st.dataframe(
        pd.DataFrame(results_table(outcome)),
        hide_index=True,
        width="stretch",
        column_config={
            "Test accuracy (%)": st.column_config.NumberColumn(format="%.2f"),
            "Gain over scratch (points)": st.column_config.NumberColumn(format="%+.2f"),
            "Trained parameters": st.column_config.NumberColumn(format="localized"),
            "Time (s)": st.column_config.NumberColumn(
                format="%.1f", help="Features + SVM: every layer's features and classifiers."
            ),
        },
    )
    st.caption(
        f"{outcome.train_size:,} training images ({outcome.config['per_class']} per class), "
        f"scored on {outcome.test_size:,} test images of {outcome.target} that training never "
        f"used; source `{outcome.source}`, cut after `{outcome.cut_layer}`."
    )
    if not outcome.results:
        return None
    labels = {result.method: result.label for result in outcome.results}
    method = st.radio(
        "Look closer at",
        list(labels),
        format_func=labels.get,
        key="transfer_inspect",
        horizontal=True,
    )
    chosen = outcome.result(method)
    left, right = st.columns(2)
    with left:
        st.plotly_chart(
            plots.confusion_matrix(chosen.confusion_matrix, list(outcome.class_names)),
            key="transfer_confusion",
        )
    with right:
        if chosen.projection is not None:
            title = f"Test images at {outcome.cut_layer}, by class"
            figure = feature_projection(
                chosen.projection, outcome.test_labels, outcome.class_names, title
            )
            st.plotly_chart(figure, key="transfer_projection")
        elif chosen.layers:
            trained_layers(chosen)
    return chosen


def trained_layers(result: MethodResult) -> None:
    """The trained network's layers as `model.summary(show_trainable=True)` lists them."""
    frame = pd.DataFrame(
        {
            "Layer": [row.name + (" (new)" if row.new else "") for row in result.layers],
            "Output shape": [str(row.output_shape) for row in result.layers],
            "Param #": [row.trainable_params + row.non_trainable_params for row in result.layers],
            "Trainable": ["Y" if row.trainable else "N" for row in result.layers],
        }
    )
    st.dataframe(
        frame,
        hide_index=True,
        width="stretch",
        column_config={"Param #": st.column_config.NumberColumn(format="localized")},
    )
    trainable = sum(row.trainable_params for row in result.layers)
    frozen = sum(row.non_trainable_params for row in result.layers)
    st.caption(
        f"Total params: {trainable + frozen:,} · Trainable params: {trainable:,} · "
        f"Non-trainable params: {frozen:,} (as Keras counted them"
        + (", phase 2's switches" if result.phase_boundary else "")
        + ")."
    )
