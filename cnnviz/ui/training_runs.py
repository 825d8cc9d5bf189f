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
from cnnviz.plots import summaries, tables
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
from cnnviz.training.run_contents import class_labels, trained_classes
from cnnviz.transfer.tasks import digit_subset
from cnnviz.ui.charts import chart
from cnnviz.ui.errors import message
from cnnviz.ui.exports import script_downloads
from cnnviz.ui.language import language, t
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
        st.info(t("training.runs_view.no_runs"))
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
    chosen = st.multiselect(t("training.runs_view.compare"), names, key=COMPARE_KEY)
    histories = {info.name: run_history(info.manifest) for info in runs if info.name in chosen}
    accuracy, loss = st.columns(2)
    _overlay(histories, "val_accuracy", accuracy, "training_overlay_accuracy")
    # The options' words worked out now, in this run's language (`format_func` is called later).
    metrics = {name: t(f"training.runs_view.metrics.{name}") for name in ("val_loss", "loss")}
    metric = loss.radio(
        t("training.runs_view.loss_curve"),
        list(metrics),
        horizontal=True,
        key="training_overlay_metric",
        format_func=metrics.get,
    )
    _overlay(histories, metric, loss, "training_overlay_loss")
    table = pd.DataFrame([run_summary(info, language=language()) for info in runs])
    column = {name: t(f"training.runs_table.{name}") for name in ("accuracy", "best_epoch")}
    column["train_size"] = t("training.runs_table.train_size")
    st.dataframe(
        table,
        hide_index=True,
        key="training_runs",
        column_config={
            # As wide as their names (in either language), which are longer than the numbers.
            column["accuracy"]: st.column_config.NumberColumn(format="%.2f"),
            column["best_epoch"]: st.column_config.NumberColumn(),
            column["train_size"]: st.column_config.NumberColumn(),
        },
    )
    _one_run(runs)


def _overlay(histories: dict, metric: str, column, key: str) -> None:
    """The runs' curves of `metric`, told apart by colour, dash and marker, with their table."""
    chart(
        plots.run_overlay(histories, metric, language=language()),
        table=tables.runs_table(histories, metric, language=language()),
        summary=summaries.runs_summary(histories, metric, language=language()),
        key=key,
        container=column,
    )


def _one_run(runs: list[ModelInfo]) -> None:
    by_name = {info.name: info for info in runs}
    if st.session_state.get("training_inspect") not in by_name:
        saved = [info for info in runs if info.source == "saved"]
        newest = max(saved, key=lambda info: str(info.manifest.get("date", ""))) if saved else None
        st.session_state["training_inspect"] = (newest or runs[0]).name
    name = st.selectbox(t("training.runs_view.inspect"), list(by_name), key="training_inspect")
    info = by_name[name]
    matrix = confusion_counts(info.manifest)
    if matrix is not None:
        names = class_labels(class_names(info.manifest, len(matrix)), language())
        chart(
            plots.confusion_matrix(matrix, names, language=language()),
            table=tables.confusion_table(matrix, names, language=language()),
            summary=summaries.confusion_summary(matrix, names, language=language()),
            key="training_confusion",
            hide_index=False,
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
        st.info(t("training.runs_view.cannot_show", error=message(error)))
        return
    if not shown:
        return
    names = class_labels(data.class_names, language())
    captions = [
        t(
            "training.runs_view.misclassified_caption",
            true=names[truth],
            predicted=names[guess] if guess < len(names) else guess,
        )
        for truth, guess in zip(data.y_test[indices], predicted, strict=True)
    ]
    st.markdown(t("training.runs_view.misclassified", count=len(indices)))
    chart(
        plots.image_gallery(images, captions),
        table=tables.caption_table(captions, language=language()),
        summary=summaries.gallery_summary(captions, language=language()),
        key="training_misclassified",
    )


def _files(info: ModelInfo) -> None:
    columns = st.columns(3)
    files = (
        (columns[0], info.path, ".keras", "keras"),
        (columns[1], info.weights, ".weights.h5", "weights"),
    )
    for column, path, suffix, kind in files:
        if path is not None:
            column.download_button(
                t("training.runs_view.download", file=f"{info.name}{suffix}"),
                _file_bytes(path),
                f"{info.name}{suffix}",
                key=f"training_download_{kind}",
            )
    script_downloads(info.manifest.get("config"), info.name, "training_export")
    if info.source != "saved":
        columns[2].caption(t("training.runs_view.bundled_kept"))
        return
    try:
        teacher = teacher_mode()
    except ValueError as error:
        st.error(message(error))
        teacher = False
    if not teacher and info.owner != owner_id(session_owner()):
        columns[2].caption(t("training.runs_view.not_yours"))
        return
    confirm = t("training.runs_view.confirm_delete", name=info.name)
    sure = columns[2].checkbox(confirm, key="training_confirm_delete")
    if columns[2].button(t("training.runs_view.delete"), key="training_delete", disabled=not sure):
        try:
            default_catalog().delete_run(info.name, session_owner(), teacher)
        except ValueError as error:
            st.error(message(error))
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
