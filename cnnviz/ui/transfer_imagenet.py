"""VGG16 on the Transfer learning page: the lecture's figure and what its size costs, and its
ImageNet weights: a photo's top five classes when they are here, a download when they are not.

The weights are read from the Keras cache (`cnnviz.transfer.imagenet`); the engine classifies.
A download runs in a background thread that belongs to the session: its state is an
`ImageNetDownload` in `st.session_state["transfer_imagenet_download"]`, polled by a fragment
twice a second, so a rerun never starts a second one and Cancel stops it between two chunks
(the partial file is removed). Widget keys start with `transfer_vgg16_` and
`transfer_imagenet_`.
"""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass, field

import pandas as pd
import streamlit as st

from cnnviz import images
from cnnviz.datasets.download import DownloadCancelled, DownloadError
from cnnviz.datasets.offline import TRAINING_IMAGES
from cnnviz.formatting import format_bytes
from cnnviz.images import ACCEPTED_FORMATS, UPLOAD_EXTENSIONS, ImageError
from cnnviz.network.vgg16 import vgg16_rows
from cnnviz.plots.transfer import network_figure
from cnnviz.transfer import imagenet
from cnnviz.transfer.network_cost import IMAGENET_TRAINING_IMAGES, vgg16_and_lecture_cnn
from cnnviz.transfer.own_classes import own_photo
from cnnviz.ui.camera import snapshot, webcam_switch
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.loaders import cached_decode
from cnnviz.ui.model_engine import engine_call, engine_client

DOWNLOAD_KEY = "transfer_imagenet_download"
POLL_SECONDS = 0.5
UPLOAD = "Upload a photo"  # the photo radio's option (shown in the page's language)
# The sample photos' names (`images.sample_photos()`), by their words in the catalog.
PHOTO_NAMES = {"China (scikit-learn sample)": "china", "Flower (scikit-learn sample)": "flower"}


@dataclass
class ImageNetDownload:
    """A download of ImageNet files, run by a thread of its own; read by the page's reruns.

    Attributes:
        roles: The keys of `imagenet.IMAGENET_FILES` it fetches.
        total: Bytes to fetch in all.
        done: Bytes fetched so far.
        error: The failure's message (what failed, and how to copy the files by hand).
        failure: The failure itself, shown in the page's language when it is read.
        cancelled: True once the learner pressed Cancel.
        finished: True once the thread ended, however.
    """

    roles: tuple[str, ...]
    total: int
    done: int = 0
    error: str | None = None
    failure: ValueError | None = None
    cancelled: bool = False
    finished: bool = False
    stop: threading.Event = field(default_factory=threading.Event)

    def start(self) -> None:
        """Fetch the files in a daemon thread (it ends with the download)."""
        threading.Thread(target=self._run, name="imagenet-download", daemon=True).start()

    def cancel(self) -> None:
        """Ask the thread to stop before its next chunk."""
        self.cancelled = True
        self.stop.set()

    def _run(self) -> None:
        try:
            imagenet.download_files(self.roles, progress=self._report, should_stop=self.stop.is_set)
        except DownloadCancelled:
            pass
        except DownloadError as error:  # a ValueError: the message is for the learner
            # A thread of its own has no session, so no language: the page translates it.
            self.error, self.failure = str(error), error
        finally:
            self.finished = True

    def _report(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def vgg16_section() -> None:
    """VGG16 as the lecture draws it, with its 138,357,544 parameters, and what that many
    parameters cost against the lecture's MNIST CNN: memory and arithmetic, computed."""
    spoken = language()
    vgg16, lecture = vgg16_and_lecture_cnn(language=spoken)
    parameters = f"{vgg16.parameters:,}"
    title = t("transfer.vgg16.figure_title", parameters=parameters)
    figure = network_figure(vgg16_rows(), title, language=spoken)
    st.plotly_chart(figure, key="transfer_vgg16_figure")
    st.caption(t("transfer.vgg16.caption", parameters=parameters))
    st.dataframe(
        pd.DataFrame(_cost_table(vgg16, lecture)),
        hide_index=True,
        key="transfer_vgg16_costs",
    )
    ratio = vgg16.parameters / lecture.parameters
    work = vgg16.multiply_accumulates / lecture.multiply_accumulates
    digits = TRAINING_IMAGES["mnist"]
    lecture_epoch = lecture.epoch_multiply_accumulates(digits)
    imagenet_epoch = vgg16.epoch_multiply_accumulates(IMAGENET_TRAINING_IMAGES)
    st.markdown(
        t(
            "transfer.vgg16.cost",
            ratio=f"{ratio:,.0f}",
            weights=format_bytes(vgg16.weight_bytes),
            lecture_weights=format_bytes(lecture.weight_bytes),
            adam=format_bytes(vgg16.adam_bytes),
            activations=format_bytes(vgg16.activation_bytes),
            billions=f"{vgg16.multiply_accumulates / 1e9:.1f}",
            work=f"{work:,.0f}",
            lecture_work=f"{lecture.multiply_accumulates:,}",
            digits=f"{digits:,}",
            photos=f"{lecture_epoch / vgg16.epoch_multiply_accumulates(1):.1f}",
            imagenet=f"{IMAGENET_TRAINING_IMAGES:,}",
            epoch=_power_of_ten(imagenet_epoch),
        )
    )


def _power_of_ten(value: float) -> str:
    """`5.9 × 10¹⁶` as LaTeX in Markdown."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def _cost_table(*costs) -> list[dict]:
    column = {
        key: t(f"transfer.vgg16.table.{key}")
        for key in ("network", "input", "parameters", "weights", "adam", "activations", "work")
    }
    return [
        {
            column["network"]: cost.name,
            column["input"]: "×".join(str(side) for side in cost.input_shape),
            column["parameters"]: f"{cost.parameters:,}",
            column["weights"]: format_bytes(cost.weight_bytes),
            column["adam"]: format_bytes(cost.adam_bytes),
            column["activations"]: format_bytes(cost.activation_bytes),
            column["work"]: f"{cost.multiply_accumulates:,}",
        }
        for cost in costs
    ]


def imagenet_section() -> None:
    """VGG16 trained on ImageNet: a photo's five most probable classes when the weights are in
    the Keras cache; otherwise what is missing, its size and cache path, and a download with
    progress and Cancel. The convolutional base's weights (for features) are offered alike."""
    st.markdown(t("transfer.imagenet.intro"))
    download = st.session_state.get(DOWNLOAD_KEY)
    if download is not None and not download.finished:
        _download_progress()
        return
    if download is not None:
        _download_outcome(download)
    statuses = imagenet.weights_status(language=language())
    missing = [statuses[role] for role in imagenet.CLASSIFY_FILES if not statuses[role].present]
    if missing:
        _offer(missing, t("transfer.imagenet.download_classify"), "classify")
    else:
        _classifier()
    features = statuses[imagenet.FEATURE_FILES[0]]
    if features.present:
        st.caption(t("transfer.imagenet.features_here", path=features.path))
    else:
        _offer([features], t("transfer.imagenet.download_features"), "features")


def _offer(missing: list[imagenet.FileStatus], label: str, purpose: str) -> None:
    for status in missing:
        st.info(status.message)
    size = format_bytes(sum(status.expected_bytes for status in missing))
    roles = tuple(status.role for status in missing)
    st.button(
        t("transfer.imagenet.offer", label=label, size=size),
        key=f"transfer_imagenet_download_{purpose}",
        on_click=_start_download,
        args=(roles,),
    )


def _start_download(roles: tuple[str, ...]) -> None:
    """The button's callback: start a download unless this session already runs one."""
    running = st.session_state.get(DOWNLOAD_KEY)
    if running is not None and not running.finished:
        return
    statuses = [imagenet.file_status(role) for role in roles]
    total = sum(status.expected_bytes for status in statuses if not status.present)
    download = ImageNetDownload(roles, total)
    st.session_state[DOWNLOAD_KEY] = download
    download.start()


@st.fragment(run_every=POLL_SECONDS)
def _download_progress() -> None:
    download = st.session_state.get(DOWNLOAD_KEY)
    if download is None or download.finished:
        st.rerun()  # the whole section shows the outcome
    fraction = min(download.done / download.total, 1.0) if download.total else 0.0
    text = t(
        "transfer.imagenet.downloading",
        done=format_bytes(download.done),
        total=format_bytes(download.total),
    )
    if download.cancelled:
        text = t("transfer.imagenet.cancelling")
    st.progress(fraction, text=text)
    st.button(
        t("transfer.imagenet.cancel"), key="transfer_imagenet_cancel", on_click=download.cancel
    )


def _download_outcome(download: ImageNetDownload) -> None:
    if download.error is not None:
        st.error(message(download.failure) if download.failure else download.error)
    elif download.cancelled:
        st.info(t("transfer.imagenet.cancelled"))
    else:
        st.success(t("transfer.imagenet.downloaded"))


def _classifier() -> None:
    photos = _sample_photos()
    source = st.radio(
        t("transfer.imagenet.photo"),
        [UPLOAD, *photos],
        format_func={name: _photo_name(name) for name in [UPLOAD, *photos]}.get,
        horizontal=True,
        key="transfer_imagenet_source",
    )
    photo = photos.get(source)
    if source == UPLOAD:
        photo = _uploaded_photo()
    if photo is None:
        return
    square = own_photo(photo, imagenet.IMAGENET_SIDE)
    with st.spinner(t("transfer.imagenet.looking")):
        top = engine_call(_top_classes, square, _weights_version())
    left, right = st.columns([2, 3])
    left.image(square, caption=t("transfer.imagenet.sees"))
    if top is None:
        return
    probability_column = t("transfer.imagenet.probability")
    table = pd.DataFrame(
        {
            t("transfer.imagenet.class"): [name.replace("_", " ") for _, name, _ in top],
            t("transfer.imagenet.wordnet"): [wordnet for wordnet, _, _ in top],
            probability_column: [probability for _, _, probability in top],
        }
    )
    right.dataframe(
        table,
        hide_index=True,
        key="transfer_imagenet_top5",
        column_config={
            probability_column: st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            )
        },
    )
    share = f"{sum(probability for _, _, probability in top):.1%}"
    right.caption(t("transfer.imagenet.top5", share=share))
    right.caption(t("transfer.imagenet.names_caption"))


def _photo_name(name: str) -> str:
    """A photo radio's option as the page says it: the upload, or a sample photo's name."""
    if name == UPLOAD:
        return t("transfer.imagenet.upload")
    key = PHOTO_NAMES.get(name)
    return t(f"transfer.imagenet.{key}") if key else name


def _uploaded_photo():
    if webcam_switch("transfer_imagenet_webcam"):
        # A snapshot is an uploaded JPEG: the same decoding and checks as an upload.
        upload = snapshot("transfer_imagenet_camera")
    else:
        upload = st.file_uploader(
            t("transfer.imagenet.to_classify", formats=", ".join(ACCEPTED_FORMATS)),
            type=list(UPLOAD_EXTENSIONS),
            key="transfer_imagenet_upload",
        )
    if upload is None:
        st.info(t("transfer.imagenet.upload_info"))
        return None
    data = upload.getvalue()
    try:
        return cached_decode(hashlib.sha256(data).hexdigest(), data).image
    except ImageError as error:
        st.error(t("transfer.imagenet.cannot_use", file=repr(upload.name), error=message(error)))
        return None


def _weights_version() -> str:
    """What identifies the weights on disk, so that a new file never gets an old answer."""
    path = imagenet.file_status("weights").path
    try:
        return f"{path}:{path.stat().st_mtime_ns}"
    except OSError:  # removed meanwhile: the engine will say so
        return str(path)


@st.cache_data(show_spinner=False, max_entries=32)
def _top_classes(square, version: str) -> list[tuple[str, str, float]]:
    return engine_client().imagenet_classify(square, top=5)


@st.cache_data(show_spinner=False)
def _sample_photos() -> dict:
    return images.sample_photos()
