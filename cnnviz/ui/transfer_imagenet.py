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
from cnnviz.ui.loaders import cached_decode
from cnnviz.ui.model_engine import engine_call, engine_client

DOWNLOAD_KEY = "transfer_imagenet_download"
POLL_SECONDS = 0.5
UPLOAD = "Upload a photo"


@dataclass
class ImageNetDownload:
    """A download of ImageNet files, run by a thread of its own; read by the page's reruns.

    Attributes:
        roles: The keys of `imagenet.IMAGENET_FILES` it fetches.
        total: Bytes to fetch in all.
        done: Bytes fetched so far.
        error: The failure's message (what failed, and how to copy the files by hand).
        cancelled: True once the learner pressed Cancel.
        finished: True once the thread ended, however.
    """

    roles: tuple[str, ...]
    total: int
    done: int = 0
    error: str | None = None
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
            self.error = str(error)
        finally:
            self.finished = True

    def _report(self, done: int, total: int) -> None:
        self.done, self.total = done, total


def vgg16_section() -> None:
    """VGG16 as the lecture draws it, with its 138,357,544 parameters, and what that many
    parameters cost against the lecture's MNIST CNN: memory and arithmetic, computed."""
    vgg16, lecture = vgg16_and_lecture_cnn()
    title = f"VGG16: {vgg16.parameters:,} parameters"
    st.plotly_chart(network_figure(vgg16_rows(), title), key="transfer_vgg16_figure")
    st.caption(
        f"VGG16's 13 convolutions and 3 fully connected layers hold {vgg16.parameters:,} "
        "parameters. Convolutions (3×3, with ReLU) grey, max pooling red, fully connected "
        "layers blue, the softmax over ImageNet's 1,000 classes green; under each layer, its "
        "output's shape. Point at a layer for its parameters."
    )
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
        f"VGG16 has **{ratio:,.0f} times** the parameters of the lecture's CNN. What that "
        "means:\n"
        f"- **Memory.** Its weights alone take {format_bytes(vgg16.weight_bytes)} as float32 "
        f"numbers (the lecture's CNN: {format_bytes(lecture.weight_bytes)}). Training with "
        "Adam keeps, for each weight, its gradient and two moving averages too: "
        f"{format_bytes(vgg16.adam_bytes)} before a single image is in memory; each image of "
        f"a batch then adds {format_bytes(vgg16.activation_bytes)} of activations, kept for "
        "backpropagation.\n"
        f"- **Time.** One 224×224 photo takes {vgg16.multiply_accumulates / 1e9:.1f} billion "
        f"multiply-accumulates, {work:,.0f} times the lecture's "
        f"{lecture.multiply_accumulates:,} for a digit, and a training step costs about three "
        f"forward passes. One epoch of the lecture's CNN over all {digits:,} MNIST digits "
        "does as much arithmetic as training VGG16 on "
        f"{lecture_epoch / vgg16.epoch_multiply_accumulates(1):.1f} photos; one epoch of VGG16 "
        f"over ImageNet's {IMAGENET_TRAINING_IMAGES:,} photos takes "
        f"{_power_of_ten(imagenet_epoch)} multiply-accumulates.\n\n"
        "That is why a network like VGG16 is trained once, on many GPUs, and then reused: "
        "transfer learning."
    )


def _power_of_ten(value: float) -> str:
    """`5.9 × 10¹⁶` as LaTeX in Markdown."""
    mantissa, exponent = f"{value:.1e}".split("e")
    return f"${mantissa} \\times 10^{{{int(exponent)}}}$"


def _cost_table(*costs) -> list[dict]:
    return [
        {
            "Network": cost.name,
            "Input": "×".join(str(side) for side in cost.input_shape),
            "Parameters": f"{cost.parameters:,}",
            "Weights (float32)": format_bytes(cost.weight_bytes),
            "Training with Adam, without activations": format_bytes(cost.adam_bytes),
            "Activations per image": format_bytes(cost.activation_bytes),
            "Multiply-accumulates per image": f"{cost.multiply_accumulates:,}",
        }
        for cost in costs
    ]


def imagenet_section() -> None:
    """VGG16 trained on ImageNet: a photo's five most probable classes when the weights are in
    the Keras cache; otherwise what is missing, its size and cache path, and a download with
    progress and Cancel. The convolutional base's weights (for features) are offered alike."""
    st.markdown(
        "**VGG16 trained on ImageNet.** Its weights were learned from 1.28 million photos of "
        "1,000 classes: animals, objects, food, scenes. They are what transfer learning "
        "reuses."
    )
    download = st.session_state.get(DOWNLOAD_KEY)
    if download is not None and not download.finished:
        _download_progress()
        return
    if download is not None:
        _download_outcome(download)
    statuses = imagenet.weights_status()
    missing = [statuses[role] for role in imagenet.CLASSIFY_FILES if not statuses[role].present]
    if missing:
        _offer(missing, "Download the ImageNet weights and class names", "classify")
    else:
        _classifier()
    features = statuses[imagenet.FEATURE_FILES[0]]
    if features.present:
        st.caption(
            f"VGG16's convolutional base is here too ({features.path}): photos of your own "
            "classes can be turned into 512 ImageNet features each, for an SVM."
        )
    else:
        _offer([features], "Download the convolutional base's weights", "features")


def _offer(missing: list[imagenet.FileStatus], label: str, purpose: str) -> None:
    for status in missing:
        st.info(status.message)
    size = format_bytes(sum(status.expected_bytes for status in missing))
    roles = tuple(status.role for status in missing)
    st.button(
        f"{label} ({size})",
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
    text = f"Downloading: {format_bytes(download.done)} of {format_bytes(download.total)}"
    if download.cancelled:
        text = "Cancelling…"
    st.progress(fraction, text=text)
    st.button("Cancel", key="transfer_imagenet_cancel", on_click=download.cancel)


def _download_outcome(download: ImageNetDownload) -> None:
    if download.error is not None:
        st.error(download.error)
    elif download.cancelled:
        st.info("The download was cancelled; nothing incomplete was kept.")
    else:
        st.success("Downloaded and checked against Keras's MD5 hashes.")


def _classifier() -> None:
    photos = _sample_photos()
    source = st.radio("Photo", [UPLOAD, *photos], horizontal=True, key="transfer_imagenet_source")
    photo = photos.get(source)
    if source == UPLOAD:
        photo = _uploaded_photo()
    if photo is None:
        return
    square = own_photo(photo, imagenet.IMAGENET_SIDE)
    top = engine_call(_top_classes, square, _weights_version())
    left, right = st.columns([2, 3])
    left.image(square, caption="What VGG16 sees: the centred square, 224×224 pixels")
    if top is None:
        return
    table = pd.DataFrame(
        {
            "Class": [name.replace("_", " ") for _, name, _ in top],
            "WordNet id": [wordnet for wordnet, _, _ in top],
            "Probability": [probability for _, _, probability in top],
        }
    )
    right.dataframe(
        table,
        hide_index=True,
        key="transfer_imagenet_top5",
        column_config={
            "Probability": st.column_config.ProgressColumn(
                format="percent", min_value=0.0, max_value=1.0
            )
        },
    )
    right.caption(
        f"VGG16's five most probable classes out of 1,000: together "
        f"{sum(probability for _, _, probability in top):.1%} of its belief."
    )


def _uploaded_photo():
    upload = st.file_uploader(
        f"A photo to classify ({', '.join(ACCEPTED_FORMATS)})",
        type=list(UPLOAD_EXTENSIONS),
        key="transfer_imagenet_upload",
    )
    if upload is None:
        st.info("Upload a photo to see what VGG16 thinks it shows.")
        return None
    data = upload.getvalue()
    try:
        return cached_decode(hashlib.sha256(data).hexdigest(), data).image
    except ImageError as error:
        st.error(f"Could not use {upload.name!r}: {error}")
        return None


def _weights_version() -> str:
    """What identifies the weights on disk, so that a new file never gets an old answer."""
    path = imagenet.file_status("weights").path
    try:
        return f"{path}:{path.stat().st_mtime_ns}"
    except OSError:  # removed meanwhile: the engine will say so
        return str(path)


@st.cache_data(show_spinner="VGG16 is looking at the photo…", max_entries=32)
def _top_classes(square, version: str) -> list[tuple[str, str, float]]:
    return engine_client().imagenet_classify(square, top=5)


@st.cache_data(show_spinner=False)
def _sample_photos() -> dict:
    return images.sample_photos()
