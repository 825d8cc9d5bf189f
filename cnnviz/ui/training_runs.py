"""Past training runs: their curves side by side, settings and scores, and one run up close.

Reads the manifests on disk (`cnnviz.training.runs`, no TensorFlow); only the predictions for
the misclassified digits come from the engine. A run belongs to the browser session that saved
it (`session_owner`): only that session may delete it, unless the server runs in teacher mode
(`cnnviz.training.teacher_mode`). Widget keys start with `training_`.
"""

from __future__ import annotations

import secrets

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.engine.protocol import EngineError
from cnnviz.training import (
    ModelInfo,
    class_names,
    confusion_counts,
    default_catalog,
    misclassified_indices,
    owner_id,
    run_history,
    run_summary,
    teacher_mode,
)
from cnnviz.training.run_contents import trained_classes
from cnnviz.transfer.tasks import digit_subset
from cnnviz.ui.loaders import cached_dataset
from cnnviz.ui.model_engine import predictions
from cnnviz.ui.session_keys import NEW_RUN, OWNER_TOKEN

COMPARE_KEY = "training_compare"
GALLERY_SIZE = 24


def session_owner() -> str:
    """This browser session's owner token: made once per session, sent with its training jobs
    (`"owner"`) so that the runs it saves are its own. Only its SHA-256 is ever written down."""
    return st.session_state.setdefault(OWNER_TOKEN, secrets.token_hex(16))


def replace_policy() -> str:
    """How this session's saves treat a run of the same name: "any" in teacher mode, else
    "own" (only a run it saved itself; another's stays, and the new run takes a free name).

    Raises:
        ValueError: If the teacher mode setting is not understood.
    """
    return "any" if teacher_mode() else "own"


def model_warnings() -> None:
    """A warning per run skipped when listing (a damaged manifest, files that do not match),
    naming its file; the other runs are listed as usual."""
    for problem in default_catalog().problems():
        st.warning(problem)


def compare_runs(runs: list[ModelInfo]) -> None:
    """Overlay the chosen runs' curves, tabulate every run, and look closely at one."""
    model_warnings()
    if not runs:
        st.info("No runs yet: train one above.")
        return
    names = [info.name for info in runs]
    chosen = st.session_state.get(COMPARE_KEY)
    chosen = (
        [name for name in chosen if name in names]
        if chosen is not None
        else [info.name for info in runs if info.source == "bundled"]
    )
    new = st.session_state.pop(NEW_RUN, None)
    if new in names:  # a run just saved: compare it and look at it closely
        st.session_state["training_inspect"] = new
    st.session_state[COMPARE_KEY] = chosen + ([new] if new in names and new not in chosen else [])
    chosen = st.multiselect("Runs to compare", names, key=COMPARE_KEY)
    histories = {info.name: run_history(info.manifest) for info in runs if info.name in chosen}
    accuracy, loss = st.columns(2)
    accuracy.plotly_chart(
        plots.run_overlay(histories, "val_accuracy"), key="training_overlay_accuracy"
    )
    metric = loss.radio(
        "Loss curve", ("val_loss", "loss"), horizontal=True, key="training_overlay_metric"
    )
    loss.plotly_chart(plots.run_overlay(histories, metric), key="training_overlay_loss")
    table = pd.DataFrame([run_summary(info) for info in runs])
    st.dataframe(
        table,
        hide_index=True,
        key="training_runs",
        column_config={
            "Held-out accuracy (%)": st.column_config.NumberColumn(format="%.2f", width="small"),
            "Best epoch": st.column_config.NumberColumn(width="small"),
            "Training images": st.column_config.NumberColumn(width="small"),
        },
    )
    _one_run(runs)


def _one_run(runs: list[ModelInfo]) -> None:
    by_name = {info.name: info for info in runs}
    if st.session_state.get("training_inspect") not in by_name:
        saved = [info for info in runs if info.source == "saved"]
        newest = max(saved, key=lambda info: str(info.manifest.get("date", ""))) if saved else None
        st.session_state["training_inspect"] = (newest or runs[0]).name
    name = st.selectbox("Look closer at run", list(by_name), key="training_inspect")
    info = by_name[name]
    matrix = confusion_counts(info.manifest)
    if matrix is not None:
        st.plotly_chart(
            plots.confusion_matrix(matrix, class_names(info.manifest, len(matrix))),
            key="training_confusion",
        )
    _misclassified(info)
    _files(info)


def _misclassified(info: ModelInfo) -> None:
    if not info.manifest.get("misclassified"):
        return
    try:
        data = cached_dataset(str(info.manifest.get("dataset"))[:40])
        classes = trained_classes(info.manifest)
        if classes is not None:  # its test indices and labels are those of its classes only
            data = digit_subset(data, classes)
        shown = misclassified_indices(info.manifest, GALLERY_SIZE, len(data.x_test))
        indices = np.asarray(shown, dtype=int)
        images = data.x_test[indices]
        predicted = predictions(info.name, images / 255.0).argmax(axis=1) if shown else []
    except (ValueError, EngineError) as error:
        st.info(f"The misclassified test images cannot be shown: {error}")
        return
    if not shown:
        return
    names = data.class_names
    captions = [
        f"true {names[t]} → {names[p] if p < len(names) else p}"
        for t, p in zip(data.y_test[indices], predicted, strict=True)
    ]
    st.markdown(f"**Misclassified test images** (the first {len(indices)})")
    st.plotly_chart(plots.image_gallery(images, captions), key="training_misclassified")


def _files(info: ModelInfo) -> None:
    columns = st.columns(3)
    files = (
        (columns[0], info.path, ".keras", "keras"),
        (columns[1], info.weights, ".weights.h5", "weights"),
    )
    for column, path, suffix, kind in files:
        if path is not None:
            column.download_button(
                f"Download {info.name}{suffix}",
                _file_bytes(path),
                f"{info.name}{suffix}",
                key=f"training_download_{kind}",
            )
    if info.source != "saved":
        columns[2].caption("Bundled models cannot be deleted.")
        return
    try:
        teacher = teacher_mode()
    except ValueError as error:
        st.error(str(error))
        teacher = False
    if not teacher and info.owner != owner_id(session_owner()):
        columns[2].caption(
            "Saved by another session: only its owner can delete it (or a teacher: see the "
            "README's teacher mode)."
        )
        return
    sure = columns[2].checkbox(f"Yes, delete run `{info.name}`", key="training_confirm_delete")
    if columns[2].button("Delete run", key="training_delete", disabled=not sure):
        try:
            default_catalog().delete_run(info.name, session_owner(), teacher)
        except ValueError as error:
            st.error(str(error))
            return
        st.session_state.pop("training_confirm_delete", None)
        st.rerun()


def _file_bytes(path: str) -> bytes:
    """The file's bytes; none if a save replaced it since the page listed it."""
    try:
        with open(path, "rb") as file:
            return file.read()
    except FileNotFoundError:
        return b""
