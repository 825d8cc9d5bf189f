"""The learner's own photos through VGG16 with ImageNet weights: features + SVM.

The first way of the lecture, with its big network: VGG16's convolutional base, trained on
ImageNet's 1.2 million photos, turns each photo into 512 numbers; an SVM learns the learner's
classes from them. The features come from the engine (`imagenet_features`, only when the
weights are in the Keras cache); the SVM is `cnnviz.transfer.score_features`, here.
"""

from __future__ import annotations

import numpy as np
import streamlit as st

from cnnviz import plots
from cnnviz.engine.protocol import EngineError
from cnnviz.plots import summaries, tables
from cnnviz.transfer import imagenet
from cnnviz.transfer.features import score_features
from cnnviz.transfer.own_classes import own_photos, own_split
from cnnviz.ui.charts import chart
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.model_engine import engine_client
from cnnviz.ui.transfer_own import own_class_images, own_classes_key

LAYER = "VGG16 (ImageNet), global average pooling"


@st.cache_data(show_spinner=False, max_entries=4)
def _features(key: str, _photos: np.ndarray) -> np.ndarray:
    """VGG16's features of the photos, once per set of photos (`key` names the set)."""
    return engine_client().imagenet_features(_photos)


def vgg16_photo_features(seed: int = 0) -> None:
    """Score the learner's classes with VGG16's ImageNet features and an SVM, on request."""
    status = imagenet.file_status("weights_notop", language=language())
    st.markdown(t("transfer.photos.intro"))
    if not status.present:
        st.info(t("transfer.photos.download_below", message=status.message))
        return
    if not st.button(t("transfer.photos.classify"), key="transfer_vgg16_photos"):
        return
    photos, labels, names = own_photos(own_class_images())
    train, test = own_split(labels, seed)
    try:
        with st.spinner(t("transfer.photos.reading")):
            features = _features(own_classes_key(), photos)
    except (ValueError, EngineError) as error:
        st.error(message(error))
        return
    scores = score_features(LAYER, features[train], labels[train], features[test], labels[test])
    st.metric(
        t("transfer.photos.accuracy"),
        f"{scores.svm_accuracy:.0%}",
        help=t("transfer.photos.logistic", accuracy=f"{scores.logistic_accuracy:.0%}"),
    )
    matrix = np.zeros((len(names), len(names)), dtype=np.int64)
    np.add.at(matrix, (labels[test].astype(np.int64), scores.svm_predictions.astype(np.int64)), 1)
    chart(
        plots.confusion_matrix(matrix, list(names), language=language()),
        table=tables.confusion_table(matrix, list(names), language=language()),
        summary=summaries.confusion_summary(matrix, list(names), language=language()),
        key="transfer_vgg16_confusion",
        hide_index=False,
    )
