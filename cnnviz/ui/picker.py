"""The shared image picker: draw a digit, pick a dataset digit, upload a photo (or take one
with the webcam), or choose a built-in image; the choice is remembered across pages.

Widget state that must survive a change of page (Streamlit forgets the state of widgets a page
does not draw) is copied into plain session-state keys that start with `picker_saved_`.
"""

from __future__ import annotations

import functools
import hashlib
import re
from dataclasses import dataclass

import numpy as np
import streamlit as st
from streamlit.delta_generator import DeltaGenerator
from streamlit.runtime.uploaded_file_manager import UploadedFile

from cnnviz import i18n
from cnnviz.datasets import (
    DATASET_NAMES,
    Dataset,
    DatasetUnavailable,
    class_label,
    dataset_label,
    download_dataset,
)
from cnnviz.images import (
    ACCEPTED_FORMATS,
    MAX_DECODED_SIDE,
    MIN_INK_CONTRAST,
    UPLOAD_EXTENSIONS,
    DecodedImage,
    ImageError,
)
from cnnviz.ui.camera import snapshot, webcam_switch
from cnnviz.ui.errors import message
from cnnviz.ui.language import language, t
from cnnviz.ui.loaders import (
    available_datasets,
    cached_builtin_images,
    cached_dataset,
    cached_decode,
)

DRAW, DATASET, UPLOAD, BUILTIN = "Draw a digit", "Dataset digit", "Upload a photo", "Built-in image"
SOURCES = (DRAW, DATASET, UPLOAD, BUILTIN)
CANVAS_SIZE = 280
ANY_CLASS = "Any class"
# The options' values stay English; they are shown through the `picker` catalog.
SOURCE_KEYS = {DRAW: "draw", DATASET: "dataset", UPLOAD: "upload", BUILTIN: "builtin"}


@dataclass(frozen=True)
class PickedImage:
    """The image a learner chose, as plain arrays.

    Attributes:
        image: RGB uint8 array `(height, width, 3)`: the picked image at its own size, except
            an upload with a side over `MAX_DECODED_SIDE` pixels, which is a reduced copy (see
            `original_size`). An upload's array is read-only: every session shares it.
        name: What it is, for captions ("Dataset digit #12, label 7").
        source: One of `SOURCES`.
        is_digit: True for drawings and dataset digits (28x28 grayscale at heart).
        original_size: `(height, width)` of the uploaded file when `image` was reduced from
            it; None when `image` holds the original pixels.
    """

    image: np.ndarray
    name: str
    source: str
    is_digit: bool
    original_size: tuple[int, int] | None = None

    @property
    def reduced(self) -> bool:
        """True when `image` is a reduced copy of an upload, not its own pixels."""
        return self.original_size is not None


def canvas_key() -> str:
    """The session-state key of the drawing canvas (it changes when the canvas is cleared)."""
    return f"picker_canvas_{st.session_state.get('picker_saved_canvas_generation', 0)}"


def _remember(widget_key: str, default):
    """Give a widget the value it had on the last page, and return the key to use.

    Streamlit drops a widget's state when a page that does not draw it runs, and a widget
    of the same key on another page starts again from its default. So every picker widget
    saves its value in its `on_change` callback (which runs before the script) and is
    seeded from that saved value on every run.
    """
    saved_key = f"picker_saved_{widget_key}"
    st.session_state[widget_key] = st.session_state.get(
        saved_key, st.session_state.get(widget_key, default)
    )
    return widget_key


def _save(widget_key: str) -> None:
    st.session_state[f"picker_saved_{widget_key}"] = st.session_state[widget_key]


def image_picker() -> PickedImage | None:
    """Let the learner draw, pick, upload or choose an image; remembered across pages.

    Returns:
        The chosen image, or None (with a message on the page) when there is nothing to
        show yet: an empty canvas, no upload, or an upload that could not be read.
    """
    key = _remember("picker_source", DATASET)
    source = st.radio(
        t("picker.input_image"),
        SOURCES,
        format_func=functools.partial(source_label, language=language()),
        key=key,
        horizontal=True,
        on_change=_save,
        args=(key,),
    )
    _save(key)
    pickers = {DRAW: _draw_digit, DATASET: _dataset_digit, UPLOAD: _uploaded_photo}
    return pickers.get(source, _builtin_image)()


def _clear_canvas() -> None:
    generation = st.session_state.get("picker_saved_canvas_generation", 0)
    st.session_state.pop(f"picker_canvas_{generation}", None)
    st.session_state["picker_saved_canvas_generation"] = generation + 1
    st.session_state.pop("picker_saved_drawing", None)
    st.session_state.pop("picker_saved_drawing_json", None)


def _draw_digit() -> PickedImage | None:
    # Imported here: the canvas component can only be declared inside a running app.
    from streamlit_drawable_canvas import st_canvas

    key = canvas_key()
    if key not in st.session_state:
        # Mounting: redraw what was drawn before (on another page). Afterwards the initial
        # drawing must stay the same, or the canvas would reset on every rerun.
        st.session_state["picker_canvas_initial"] = st.session_state.get(
            "picker_saved_drawing_json"
        )
    result = st_canvas(
        stroke_width=18,
        stroke_color="#FFFFFF",
        background_color="#000000",
        height=CANVAS_SIZE,
        width=CANVAS_SIZE,
        drawing_mode="freedraw",
        initial_drawing=st.session_state.get("picker_canvas_initial"),
        return_image_data=True,
        key=key,
    )
    st.caption(t("picker.draw_caption"))
    st.button(t("picker.clear"), on_click=_clear_canvas, key="picker_clear")
    drawing = result.image_data
    if drawing is not None:
        st.session_state["picker_saved_drawing"] = drawing
        st.session_state["picker_saved_drawing_json"] = result.json_data
    drawing = st.session_state.get("picker_saved_drawing")
    if drawing is None or _is_blank(drawing):
        st.info(t("picker.draw_info"))
        return None
    rgb = np.ascontiguousarray(np.asarray(drawing)[:, :, :3], dtype=np.uint8)
    return PickedImage(rgb, t("picker.your_drawing"), DRAW, is_digit=True)


def _is_blank(drawing: np.ndarray) -> bool:
    rgb = np.asarray(drawing)[:, :, :3]
    return int(rgb.max()) - int(rgb.min()) < MIN_INK_CONTRAST


def _dataset_digit() -> PickedImage | None:
    status = available_datasets()
    names = [name for name in DATASET_NAMES if status.get(name) is None]
    dataset_key = _remember("picker_dataset", "mnist-sample")
    if st.session_state[dataset_key] not in names:
        st.session_state[dataset_key] = "mnist-sample"
    name = st.selectbox(
        t("picker.dataset"),
        names,
        format_func=functools.partial(dataset_label, language=language()),
        key=dataset_key,
        help=_dataset_help(status),
        on_change=_save,
        args=(dataset_key,),
    )
    _save(dataset_key)
    # The dataset has the full width: three widgets side by side in the picker's narrow
    # column cut "Any class" to "Any cl".
    class_column, example_column = st.columns(2)
    _download_offer(status)
    try:
        dataset = cached_dataset(name)
    except DatasetUnavailable as error:
        st.error(message(error))
        return None
    classes = [ANY_CLASS, *dataset.class_names]
    class_key = _remember("picker_class", ANY_CLASS)
    if st.session_state[class_key] not in classes:
        st.session_state[class_key] = ANY_CLASS
    chosen = class_column.selectbox(
        t("picker.class"),
        classes,
        format_func=functools.partial(_class_option, language=language()),
        key=class_key,
        on_change=_save,
        args=(class_key,),
    )
    _save(class_key)
    candidates = _candidates(dataset, chosen)
    index_key = _remember("picker_index", 0)
    st.session_state[index_key] = min(int(st.session_state[index_key]), len(candidates) - 1)
    position = example_column.number_input(
        t("picker.example", last=len(candidates) - 1),
        0,
        len(candidates) - 1,
        step=1,
        key=index_key,
        on_change=_save,
        args=(index_key,),
    )
    _save(index_key)
    st.button(
        t("picker.random"), on_click=_random_example, args=(len(candidates),), key="picker_random"
    )
    test_index = int(candidates[int(position)])
    label = _class_option(dataset.class_names[int(dataset.y_test[test_index])], language())
    digit = dataset.x_test[test_index]
    rgb = np.repeat(digit[:, :, None], 3, axis=2)
    shown = dataset_label(name, language=language())
    title = t("picker.dataset_image", dataset=shown, index=test_index, label=label)
    return PickedImage(rgb, title, DATASET, True)


def source_label(source: str, language: str) -> str:
    """One of `SOURCES` in `language` (a widget's `format_func` is called again in AppTest,
    outside the page's run: so it is given the language, not asked for it)."""
    return i18n.translate(language, f"picker.sources.{SOURCE_KEYS[source]}")


def _class_option(name: str, language: str) -> str:
    """A class (or "Any class") in `language`."""
    if name == ANY_CLASS:
        return i18n.translate(language, "picker.any_class")
    return class_label(name, language=language)


def _download_offer(status: dict[str, str | None]) -> None:
    """Offer to download the datasets that are not here; only ever on the user's click."""
    missing = [name for name, reason in status.items() if reason is not None]
    if not missing:
        return
    with st.expander(t("picker.more_datasets")):
        for name in missing:
            st.caption(status[name])
            shown = dataset_label(name, language=language())
            if st.button(t("picker.download", name=shown), key=f"picker_download_{name}"):
                try:
                    with st.spinner(t("picker.downloading", name=shown)):
                        download_dataset(name)
                except DatasetUnavailable as error:
                    st.error(message(error))
                else:
                    available_datasets.clear()
                    st.success(t("picker.downloaded", name=shown))


def _dataset_help(status: dict[str, str | None]) -> str:
    missing = [f"{name}: {reason}" for name, reason in status.items() if reason is not None]
    return t("picker.not_available", reasons=" ".join(missing)) if missing else ""


def _candidates(dataset: Dataset, chosen: str) -> np.ndarray:
    if chosen == ANY_CLASS:
        return np.arange(len(dataset.y_test))
    label = dataset.class_names.index(chosen)
    return np.flatnonzero(dataset.y_test == label)


def _random_example(count: int) -> None:
    rng = np.random.default_rng()
    st.session_state["picker_index"] = int(rng.integers(count))
    _save("picker_index")


def _uploaded_photo() -> PickedImage | None:
    webcam_key = _remember("picker_webcam", False)
    if webcam_switch(webcam_key, on_change=_save, args=(webcam_key,)):
        # A snapshot is an uploaded JPEG: the same decoding and checks as an upload.
        photo = snapshot("picker_camera")
        if photo is not None:
            _save_upload(photo, t("share.camera.snapshot"))
    else:
        upload = st.file_uploader(
            t("picker.upload", formats=", ".join(ACCEPTED_FORMATS)),
            type=list(UPLOAD_EXTENSIONS),
            key="picker_upload",
            on_change=_store_upload,
        )
        if upload is not None:
            _save_upload(upload)
    saved: SavedUpload | None = st.session_state.get("picker_saved_upload")
    if saved is None:
        st.info(t("picker.upload_info"))
        return None
    try:
        decoded = cached_decode(saved.digest, saved.data)
    except ImageError as error:
        st.error(t("picker.could_not_use", name=repr(saved.name), error=message(error)))
        return None
    if not decoded.reduced:
        return PickedImage(decoded.image, saved.name, UPLOAD, is_digit=False)
    st.caption(reduced_caption(decoded))
    return PickedImage(
        decoded.image, saved.name, UPLOAD, is_digit=False, original_size=decoded.original_size
    )


@dataclass(frozen=True)
class SavedUpload:
    """An uploaded file kept in session state across pages, with its SHA-256 (hashed once)."""

    name: str
    file_id: str
    data: bytes
    digest: str


def _save_upload(upload: UploadedFile, name: str | None = None) -> None:
    # Hashed once per file, not on every rerun: a new upload has a new `file_id`.
    saved = st.session_state.get("picker_saved_upload")
    if saved is None or saved.file_id != upload.file_id:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        st.session_state["picker_saved_upload"] = SavedUpload(
            name or upload.name, upload.file_id, data, digest
        )


def _store_upload() -> None:
    # Removing the file in the uploader forgets it; otherwise it is kept across pages.
    upload = st.session_state.get("picker_upload")
    if upload is None:
        st.session_state.pop("picker_saved_upload", None)
    else:
        _save_upload(upload)


def reduced_caption(decoded: DecodedImage) -> str:
    """What the picker says under an upload that was reduced on decode."""
    (height, width), (new_height, new_width) = decoded.original_size, decoded.image.shape[:2]
    return t(
        "picker.reduced",
        width=width,
        height=height,
        new_width=new_width,
        new_height=new_height,
        factor=decoded.factor,
        limit=f"{MAX_DECODED_SIDE:,}".replace(",", t("picker.thousands_separator")),
    )


def _builtin_image() -> PickedImage | None:
    gallery = cached_builtin_images()
    key = _remember("picker_builtin", next(iter(gallery)))
    name = st.selectbox(
        t("picker.builtin"),
        list(gallery),
        format_func=functools.partial(builtin_label, language=language()),
        key=key,
        on_change=_save,
        args=(key,),
    )
    _save(key)
    return PickedImage(gallery[name], builtin_label(name, language()), BUILTIN, is_digit=False)


def builtin_label(name: str, language: str) -> str:
    """A built-in image's name (a key of `cnnviz.images.builtin_images`) in `language`."""
    return i18n.translate(language, f"picker.images.{image_key(name)}")


def image_key(name: str) -> str:
    """A built-in image's key in the `picker` catalog: "Diagonal line (45°)" ->
    "diagonal_line_45"."""
    return re.sub(r"[^a-z0-9]+", "_", name.lower()).strip("_")


def picker_columns() -> tuple[PickedImage | None, DeltaGenerator, DeltaGenerator]:
    """The image picker at the top of a narrow column, and a wide column beside it.

    Returns:
        The picked image (None, with a message on the page, while there is none), the
        picker's column (for what goes under it) and the wide column.
    """
    source, wide = st.columns([2, 3], gap="large")
    with source:
        picked = image_picker()
    return picked, source, wide
