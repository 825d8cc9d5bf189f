"""Past training runs: their curves side by side, settings and scores, and one run up close.

Reads the manifests on disk (`cnnviz.training.runs`, no TensorFlow); only the predictions for
the misclassified digits come from the engine. Widget keys start with `training_`.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import plots
from cnnviz.engine.protocol import EngineError
from cnnviz.training import (
    ModelInfo,
    class_names,
    default_catalog,
    run_history,
    run_summary,
)
from cnnviz.ui.loaders import cached_dataset
from cnnviz.ui.model_engine import predictions
from cnnviz.ui.session_keys import NEW_RUN

COMPARE_KEY = "training_compare"
GALLERY_SIZE = 24


def compare_runs(runs: list[ModelInfo]) -> None:
    """Overlay the chosen runs' curves, tabulate every run, and look closely at one."""
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
    manifest = info.manifest
    if manifest.get("confusion_matrix") is not None:
        st.plotly_chart(
            plots.confusion_matrix(manifest["confusion_matrix"], class_names(manifest)),
            key="training_confusion",
        )
    _misclassified(info)
    _files(info)


def _misclassified(info: ModelInfo) -> None:
    indices = (info.manifest.get("misclassified") or [])[:GALLERY_SIZE]
    if not indices:
        return
    try:
        data = cached_dataset(info.manifest["dataset"])
        images = data.x_test[np.asarray(indices)]
        predicted = predictions(info.name, images / 255.0).argmax(axis=1)
    except (KeyError, ValueError, EngineError) as error:
        st.info(f"The misclassified test images cannot be shown: {error}")
        return
    names = data.class_names
    captions = [
        f"true {names[t]} → {names[p]}"
        for t, p in zip(data.y_test[np.asarray(indices)], predicted, strict=True)
    ]
    st.markdown(f"**Misclassified test images** (the first {len(indices)})")
    st.plotly_chart(plots.image_gallery(images, captions), key="training_misclassified")


def _files(info: ModelInfo) -> None:
    model = Path(info.path)
    weights = model.with_suffix(".weights.h5")
    columns = st.columns(3)
    for column, path, kind in ((columns[0], model, "keras"), (columns[1], weights, "weights")):
        if path.is_file():
            column.download_button(
                f"Download {path.name}",
                path.read_bytes(),
                path.name,
                key=f"training_download_{kind}",
            )
    if info.source != "saved":
        columns[2].caption("Bundled models cannot be deleted.")
        return
    sure = columns[2].checkbox(f"Yes, delete run `{info.name}`", key="training_confirm_delete")
    if columns[2].button("Delete run", key="training_delete", disabled=not sure):
        try:
            default_catalog().delete_run(info.name)
        except ValueError as error:
            st.error(str(error))
            return
        st.session_state.pop("training_confirm_delete", None)
        st.rerun()
