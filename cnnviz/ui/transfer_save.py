"""Saving a network a transfer job trained, and using it again without training.

The job returned the trained weights; saving sends them back to the engine ("save-transfer"),
which rebuilds the network, loads the weights and saves the run (`.keras`, `.weights.h5` and
its manifest) atomically into the Training page's store. Nothing is written until the learner
presses Save, and a run of that name is never replaced: the save takes the next free name.
"""

from __future__ import annotations

import time

import numpy as np
import streamlit as st

from cnnviz.engine.protocol import EngineError, JobRefused
from cnnviz.training import owner_id, teacher_mode
from cnnviz.training.runs import sanitise_name
from cnnviz.transfer.results import MethodResult, TransferOutcome, run_manifest
from cnnviz.ui.errors import message
from cnnviz.ui.language import t
from cnnviz.ui.model_engine import engine_client, predictions
from cnnviz.ui.training_live import session_id
from cnnviz.ui.training_runs import session_owner

SAVED_KEY = "transfer_saved"
SAVE_WAIT_SECONDS = 120.0


def save_form(outcome: TransferOutcome, chosen: MethodResult) -> str | None:
    """A run name and a Save button for the chosen method's network; returns the name it was
    saved under, once saved (from these results, for this method)."""
    if chosen.weights is None:
        st.caption(t("transfer.save.no_network"))
        return None
    tag = owner_id(session_owner())[:4]
    default = f"transfer-{outcome.target}-{chosen.method}-{tag}"
    left, right = st.columns([3, 1], vertical_alignment="bottom")
    raw = left.text_input(t("transfer.save.run_name"), value=default, key="transfer_run_name")
    if right.button(t("transfer.save.save"), key="transfer_save", width="stretch"):
        name = _save(outcome, chosen, sanitise_name(raw))
        if name is not None:
            saved = st.session_state.setdefault(SAVED_KEY, {})
            saved[chosen.method] = name
    return st.session_state.get(SAVED_KEY, {}).get(chosen.method)


def _save(outcome: TransferOutcome, chosen: MethodResult, name: str) -> str | None:
    params = {
        "network": outcome.network,
        "weights": chosen.weights,
        "manifest": run_manifest(outcome, chosen),
        "run_name": name,
        "owner": session_owner(),
        "replace": "any" if teacher_mode() else "never",
    }
    client = engine_client()
    try:
        job_id = client.submit_job("save-transfer", params, session=session_id())
        with st.spinner(t("transfer.save.saving", name=name)):
            status = _wait(client, job_id)
    except JobRefused as error:
        st.warning(message(error))
        return None
    except (ValueError, EngineError) as error:
        st.error(t("transfer.save.could_not_save", error=message(error)))
        return None
    if status.state != "finished":
        st.error(t("transfer.save.could_not_save_state", error=status.error or status.state))
        return None
    saved = status.result["run_name"]
    if saved != name:
        st.info(t("transfer.save.renamed", name=name, saved=saved))
    return saved


def _wait(client, job_id: str):
    deadline = time.monotonic() + SAVE_WAIT_SECONDS
    status = client.job_status(job_id)
    while status.active and time.monotonic() < deadline:
        time.sleep(0.2)
        status = client.job_status(job_id)
    return status


def reuse(name: str, images: np.ndarray, labels: np.ndarray, class_names) -> None:
    """The saved run predicting a few test images (`labels`: their true classes): the weights
    reused, no training."""
    st.success(t("transfer.save.saved", name=name))
    st.page_link(
        "lessons/feature_maps.py",
        label=t("transfer.save.open_feature_maps"),
        icon=":material/layers:",
    )
    try:
        probabilities = predictions(name, images.astype(np.float32) / 255.0)
    except (ValueError, EngineError) as error:
        st.warning(t("transfer.save.not_loaded", error=message(error)))
        return
    shown = probabilities.argmax(axis=1)
    captions = []
    for index, predicted in enumerate(shown):
        truth = "✓"
        if predicted != labels[index]:
            truth = t("transfer.save.is", name=class_names[labels[index]])
        captions.append(f"{class_names[predicted]} {probabilities[index, predicted]:.0%} {truth}")
    st.markdown(t("transfer.save.predicting", name=name))
    st.image(list(images), caption=captions, width=64)
