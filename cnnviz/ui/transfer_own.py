"""The learner's own classes: a small form to name classes and add photos to each.

Photos are uploaded (several at once) or taken with the webcam, one class at a time, and kept in
this session only (`session_keys.OWN_CLASSES`): nothing is written to disk. Each file is decoded
once, when it is added, with the image loader's checks (`cached_decode`); what is kept is small:
its 28×28 input (`own_input`), its 224×224 crop for VGG16 (`own_photo`) and a thumbnail. A file
that cannot be used is named in a message and the others are still added.

Widget keys start with `transfer_own_`; each class's box is the container
`transfer_own_class_<id>` (ids 1, 2, ... never reused), holding `transfer_own_name_<id>`,
`transfer_own_upload_<id>_<n>` (a new `n` after each addition, which empties the uploader),
`transfer_own_clear_<id>` and `transfer_own_remove_<id>`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

import numpy as np
import streamlit as st
from streamlit.runtime.uploaded_file_manager import UploadedFile

from cnnviz.datasets import Dataset
from cnnviz.images import ACCEPTED_FORMATS, UPLOAD_EXTENSIONS, ImageError
from cnnviz.transfer.own_classes import (
    MAX_CLASSES,
    MAX_IMAGES_PER_CLASS,
    MIN_CLASSES,
    MIN_IMAGES_PER_CLASS,
    check_own_classes,
    dataset_from_inputs,
    own_input,
    own_photo,
)
from cnnviz.ui.errors import message
from cnnviz.ui.language import t
from cnnviz.ui.loaders import cached_decode
from cnnviz.ui.session_keys import OWN_CLASSES

THUMBNAIL_SIDE = 48
THUMBNAILS_SHOWN = 24  # per class; the count says how many there are
WEBCAM_KEY = "transfer_own_webcam"
CAMERA_CLASS_KEY = "transfer_own_camera_class"


@dataclass(frozen=True)
class OwnImage:
    """One added image, kept small: what the networks take and a thumbnail.

    Attributes:
        name: The file's name ("camera.jpg" for a snapshot).
        digest: SHA-256 of the file, so that an image is added once.
        digit: uint8 `(28, 28)`, the MNIST-style CNN's input (`own_input`).
        photo: uint8 `(224, 224, 3)`, the centre crop VGG16 takes (`own_photo`).
        thumbnail: uint8 `(THUMBNAIL_SIDE, THUMBNAIL_SIDE, 3)`.
    """

    name: str
    digest: str
    digit: np.ndarray
    photo: np.ndarray
    thumbnail: np.ndarray


@dataclass
class OwnClass:
    """One class of the form: its name, its images and what its last addition reported."""

    name: str
    images: list[OwnImage] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)  # files that could not be used
    skipped: list[str] = field(default_factory=list)  # files left out (repeated, class full)
    generation: int = 0  # a new uploader key after each addition, so it starts empty


@dataclass
class OwnForm:
    """The learner's classes by id (ids are never reused, so widget keys stay with a class)."""

    classes: dict[int, OwnClass]
    next_id: int
    camera_generation: int = 0


def _form() -> OwnForm:
    if OWN_CLASSES not in st.session_state:
        first = {n: OwnClass(_default_name(n)) for n in range(1, MIN_CLASSES + 1)}
        st.session_state[OWN_CLASSES] = OwnForm(first, MIN_CLASSES + 1)
    return st.session_state[OWN_CLASSES]


def own_classes_form() -> Dataset | None:
    """The form for the learner's own classes, and the task it makes once it is complete.

    Starts with two empty classes ("class 1", "class 2"; "clase 1"... in Spanish). Each has a
    name, thumbnails and a count of its images, an uploader, "Clear images" and "Remove"; "Add
    a class" adds one, and "Use the webcam" shows a camera whose snapshots go, one image each,
    to a chosen class.
    The checks of `check_own_classes` are shown as an error under the form.

    Returns:
        The task (`dataset_from_inputs`: 28×28 inputs, about a fifth of each class held out,
        seed 0) when at least two classes have at least five images each and distinct names;
        otherwise None, with a message on the page.
    """
    form = _form()
    _webcam(form)
    for class_id, own in list(form.classes.items()):
        _class_box(class_id, own, removable=len(form.classes) > 1)
    st.button(
        t("transfer.own.add_class"),
        key="transfer_own_add",
        on_click=_add_class,
        disabled=len(form.classes) >= MAX_CLASSES,
        help=t("transfer.own.add_class_help", count=MAX_CLASSES),
    )
    counts = [(own.name.strip(), len(own.images)) for own in form.classes.values()]
    if not any(count for _, count in counts):
        st.info(t("transfer.own.add_images", images=MIN_IMAGES_PER_CLASS, classes=MIN_CLASSES))
        return None
    try:
        check_own_classes(counts)
    except ValueError as error:
        st.error(message(error))
        return None
    inputs = {own.name.strip(): [image.digit for image in own.images] for own in _classes()}
    dataset = dataset_from_inputs(inputs)
    st.caption(
        t(
            "transfer.own.summary",
            classes=dataset.num_classes,
            images=len(dataset.y_train) + len(dataset.y_test),
            train=len(dataset.y_train),
            test=len(dataset.y_test),
        )
    )
    return dataset


def own_class_images() -> dict[str, list[np.ndarray]]:
    """The learner's images as 224×224 RGB uint8 centre crops (`own_photo`), by class name.

    In the form's order, the names stripped; read-only arrays kept in the session. Call it
    after `own_classes_form` returned a task: then the names and order are its class names,
    `own_photos(own_class_images())` returns these same arrays numbered as the task numbers
    them, and `own_split(labels)` holds out the same images.
    """
    return {own.name.strip(): [image.photo for image in own.images] for own in _classes()}


def own_classes_key() -> str:
    """A short key that changes whenever a class's name, images or order changes.

    For caching what is computed from the images (VGG16's features) without hashing them.
    """
    digest = hashlib.sha256()
    for own in _classes():
        digest.update(own.name.strip().encode() + b"\0")
        digest.update("".join(image.digest for image in own.images).encode() + b"\n")
    return digest.hexdigest()[:16]


def _classes() -> list[OwnClass]:
    return list(_form().classes.values())


def _class_box(class_id: int, own: OwnClass, removable: bool) -> None:
    with st.container(border=True, key=f"transfer_own_class_{class_id}"):
        name, count, clear, remove = st.columns([4, 2, 2, 2], vertical_alignment="bottom")
        name_key = f"transfer_own_name_{class_id}"
        # Seeded from the class on every run: a widget's own state is forgotten on other pages.
        st.session_state[name_key] = own.name
        name.text_input(
            t("transfer.own.class_name"),
            key=name_key,
            max_chars=40,
            on_change=_rename,
            args=(class_id,),
        )
        count.markdown(f"**{_images(len(own.images))}**")
        clear.button(
            t("transfer.own.clear"),
            key=f"transfer_own_clear_{class_id}",
            on_click=_clear,
            args=(class_id,),
            disabled=not own.images,
        )
        remove.button(
            t("transfer.own.remove"),
            key=f"transfer_own_remove_{class_id}",
            on_click=_remove,
            args=(class_id,),
            disabled=not removable,
        )
        if own.images:
            st.image(
                [image.thumbnail for image in own.images[:THUMBNAILS_SHOWN]], width=THUMBNAIL_SIDE
            )
        upload_key = f"transfer_own_upload_{class_id}_{own.generation}"
        st.file_uploader(
            t(
                "transfer.own.upload",
                name=own.name.strip() or t("transfer.own.this_class"),
                formats=", ".join(ACCEPTED_FORMATS),
            ),
            type=list(UPLOAD_EXTENSIONS),
            accept_multiple_files=True,
            key=upload_key,
            on_change=_add_uploads,
            args=(class_id, upload_key),
        )
        for problem in own.problems:
            st.error(problem)
        for note in own.skipped:
            st.warning(note)


def _webcam(form: OwnForm) -> None:
    on = st.toggle(t("transfer.own.webcam"), key=WEBCAM_KEY, help=t("transfer.own.webcam_help"))
    if not on:
        return
    ids = list(form.classes)
    if st.session_state.get(CAMERA_CLASS_KEY) not in ids:
        st.session_state[CAMERA_CLASS_KEY] = ids[0]
    st.selectbox(
        t("transfer.own.snapshots_to"),
        ids,
        key=CAMERA_CLASS_KEY,
        format_func=lambda class_id: form.classes[class_id].name,
    )
    camera_key = f"transfer_own_camera_{form.camera_generation}"
    st.camera_input(
        t("transfer.own.camera"),
        key=camera_key,
        on_change=_add_snapshot,
        args=(camera_key,),
    )
    st.caption(t("transfer.own.camera_caption"))


def _add_uploads(class_id: int, key: str) -> None:
    files = st.session_state.get(key) or []
    own = _form().classes.get(class_id)
    if own is not None and files:
        _add(own, files)


def _add_snapshot(key: str) -> None:
    photo = st.session_state.get(key)
    form = _form()
    own = form.classes.get(st.session_state.get(CAMERA_CLASS_KEY))
    if own is not None and photo is not None:
        _add(own, [photo])
        form.camera_generation += 1  # a fresh camera, ready for the next snapshot


def _add(own: OwnClass, files: list[UploadedFile]) -> None:
    """Decode each file once and add the ones that can be used; say what happened to the rest."""
    known = {image.digest: other.name for other in _classes() for image in other.images}
    own.problems, own.skipped, full = [], [], []
    for upload in files:
        data = upload.getvalue()
        digest = hashlib.sha256(data).hexdigest()
        if digest in known:
            own.skipped.append(
                t("transfer.own.already_in", file=repr(upload.name), other=repr(known[digest]))
            )
        elif len(own.images) >= MAX_IMAGES_PER_CLASS:
            full.append(upload.name)
        else:
            try:
                own.images.append(_prepared(upload.name, data, digest))
            except ImageError as error:
                own.problems.append(message(error))
            else:
                known[digest] = own.name
    if full:
        own.skipped.append(
            t(
                "transfer.own.full",
                name=repr(own.name),
                most=MAX_IMAGES_PER_CLASS,
                count=_images(len(full)),
                files=", ".join(map(repr, full)),
            )
        )
    own.generation += 1


def _prepared(name: str, data: bytes, digest: str) -> OwnImage:
    try:
        decoded = cached_decode(digest, data)
    except ImageError as error:
        raise ImageError(
            t("transfer.own.cannot_use", file=repr(name), error=message(error))
        ) from error
    try:
        digit = own_input(decoded.image)
    except ImageError as error:
        raise ImageError(t("transfer.own.blank", file=repr(name))) from error
    photo = own_photo(decoded.image)
    for kept in (digit, photo):
        kept.setflags(write=False)
    return OwnImage(name, digest, digit, photo, own_photo(photo, THUMBNAIL_SIDE))


def _images(count: int) -> str:
    return t("transfer.own.one_image") if count == 1 else t("transfer.own.images", count=count)


def _default_name(number: int) -> str:
    return t("transfer.own.default_name", number=number)


def _rename(class_id: int) -> None:
    own = _form().classes.get(class_id)
    if own is not None:
        own.name = st.session_state[f"transfer_own_name_{class_id}"]


def _clear(class_id: int) -> None:
    own = _form().classes.get(class_id)
    if own is not None:
        own.images, own.problems, own.skipped = [], [], []


def _remove(class_id: int) -> None:
    _form().classes.pop(class_id, None)


def _add_class() -> None:
    form = _form()
    if len(form.classes) < MAX_CLASSES:
        form.classes[form.next_id] = OwnClass(_default_name(form.next_id))
        form.next_id += 1
