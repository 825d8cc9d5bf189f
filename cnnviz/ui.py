"""The only Streamlit module of cnnviz: cached loaders and the widgets pages share.

Pages call these; the core modules they wrap never import Streamlit. Widget state that must
survive a change of page (Streamlit forgets the state of widgets a page does not draw) is
copied into plain session-state keys that start with `picker_saved_`.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd
import streamlit as st

from cnnviz import data, digits, filtering, images, kernels

SOURCES = ("Draw a digit", "Dataset digit", "Upload a photo", "Built-in image")
CANVAS_SIZE = 280
ANY_CLASS = "Any class"
REPO_ROOT = Path(__file__).resolve().parent.parent

# The lesson's path through the app: (page file, title, what it shows).
LESSON_PATH = (
    ("app.py", "How computers see", "an image is a grid of numbers from 0 to 255"),
    ("pages/1_Convolution.py", "Convolution", "a small kernel slides over the image"),
    ("pages/2_Pooling.py", "Pooling", "max and average pooling shrink a feature map"),
    ("pages/3_Architecture.py", "Architecture", "layers, shapes and parameter counts"),
    ("pages/4_Training.py", "Training", "train live, with and without regularisation"),
    ("pages/5_Feature_maps.py", "Feature maps", "what every layer of a trained CNN sees"),
    ("pages/6_Transfer_learning.py", "Transfer learning", "reuse a trained network"),
)


CUSTOM_KERNEL = "Custom"


@dataclass(frozen=True)
class KernelChoice:
    """The kernel a learner chose or typed, already validated.

    Attributes:
        values: float64 square array with an odd side.
        name: The gallery name it matches, or "custom" once edited away from every preset.
        note: A remark to show (why a kernel could not be normalised), or None.
    """

    values: np.ndarray
    name: str
    note: str | None


@dataclass(frozen=True)
class PickedImage:
    """The image a learner chose, as plain arrays.

    Attributes:
        image: RGB uint8 array `(height, width, 3)`, full resolution.
        name: What it is, for captions ("Dataset digit #12, label 7").
        source: One of `SOURCES`.
        is_digit: True for drawings and dataset digits (28x28 grayscale at heart).
    """

    image: np.ndarray
    name: str
    source: str
    is_digit: bool


@st.cache_data(show_spinner="Loading the dataset…", max_entries=3)
def cached_dataset(name: str) -> data.Dataset:
    """`cnnviz.data.load_dataset`, loaded once per server."""
    return data.load_dataset(name)


@st.cache_data(show_spinner=False)
def cached_builtin_images() -> dict[str, np.ndarray]:
    """The built-in teaching images and sample photos, made once per server."""
    return images.builtin_images()


@st.cache_data(show_spinner="Decoding the image…", max_entries=8)
def cached_decode(upload: bytes) -> np.ndarray:
    """`cnnviz.images.load_image`, decoded once per distinct upload."""
    return images.load_image(upload)


@st.cache_data(show_spinner=False, ttl=60)
def available_datasets() -> dict[str, str | None]:
    """Which datasets can be loaded here: name -> None if available, else the reason."""
    return data.available_datasets()


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
    key = _remember("picker_source", SOURCES[1])
    source = st.radio(
        "Input image", SOURCES, key=key, horizontal=True, on_change=_save, args=(key,)
    )
    _save(key)
    if source == SOURCES[0]:
        return _draw_digit()
    if source == SOURCES[1]:
        return _dataset_digit()
    if source == SOURCES[2]:
        return _uploaded_photo()
    return _builtin_image()


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
    st.caption("Draw one digit with the mouse or a finger: white ink on black, like MNIST.")
    st.button("Clear the drawing", on_click=_clear_canvas, key="picker_clear")
    drawing = result.image_data
    if drawing is not None:
        st.session_state["picker_saved_drawing"] = drawing
        st.session_state["picker_saved_drawing_json"] = result.json_data
    drawing = st.session_state.get("picker_saved_drawing")
    if drawing is None or _is_blank(drawing):
        st.info("Draw a digit on the black square to continue.")
        return None
    rgb = np.ascontiguousarray(np.asarray(drawing)[:, :, :3], dtype=np.uint8)
    return PickedImage(rgb, "Your drawing", SOURCES[0], is_digit=True)


def _is_blank(drawing: np.ndarray) -> bool:
    rgb = np.asarray(drawing)[:, :, :3]
    return int(rgb.max()) - int(rgb.min()) < digits.MIN_INK_CONTRAST


def _dataset_digit() -> PickedImage | None:
    status = available_datasets()
    names = [name for name in data.DATASET_NAMES if status.get(name) is None]
    dataset_key = _remember("picker_dataset", "mnist-sample")
    if st.session_state[dataset_key] not in names:
        st.session_state[dataset_key] = "mnist-sample"
    left, middle, right = st.columns([3, 2, 2])
    name = left.selectbox(
        "Dataset",
        names,
        key=dataset_key,
        help=_dataset_help(status),
        on_change=_save,
        args=(dataset_key,),
    )
    _save(dataset_key)
    _download_offer(status)
    try:
        dataset = cached_dataset(name)
    except data.DatasetUnavailable as error:
        st.error(str(error))
        return None
    classes = [ANY_CLASS, *dataset.class_names]
    class_key = _remember("picker_class", ANY_CLASS)
    if st.session_state[class_key] not in classes:
        st.session_state[class_key] = ANY_CLASS
    chosen = middle.selectbox("Class", classes, key=class_key, on_change=_save, args=(class_key,))
    _save(class_key)
    candidates = _candidates(dataset, chosen)
    index_key = _remember("picker_index", 0)
    st.session_state[index_key] = min(int(st.session_state[index_key]), len(candidates) - 1)
    position = right.number_input(
        f"Example (0–{len(candidates) - 1})",
        0,
        len(candidates) - 1,
        step=1,
        key=index_key,
        on_change=_save,
        args=(index_key,),
    )
    _save(index_key)
    st.button(
        "Random example", on_click=_random_example, args=(len(candidates),), key="picker_random"
    )
    test_index = int(candidates[int(position)])
    label = dataset.class_names[int(dataset.y_test[test_index])]
    digit = dataset.x_test[test_index]
    rgb = np.repeat(digit[:, :, None], 3, axis=2)
    return PickedImage(rgb, f"{name} test image #{test_index}, label {label}", SOURCES[1], True)


def _download_offer(status: dict[str, str | None]) -> None:
    """Offer to download the datasets that are not here; only ever on the user's click."""
    missing = [name for name, reason in status.items() if reason is not None]
    if not missing:
        return
    with st.expander("More datasets (full MNIST, Fashion-MNIST)"):
        for name in missing:
            st.caption(status[name])
            if st.button(f"Download {name}", key=f"picker_download_{name}"):
                try:
                    with st.spinner(f"Downloading {name}…"):
                        data.download_dataset(name)
                except data.DatasetUnavailable as error:
                    st.error(str(error))
                else:
                    available_datasets.clear()
                    st.success(f"{name} is downloaded and checked; pick it above.")


def _dataset_help(status: dict[str, str | None]) -> str:
    missing = [f"{name}: {reason}" for name, reason in status.items() if reason is not None]
    return "Not available here: " + " ".join(missing) if missing else ""


def _candidates(dataset: data.Dataset, chosen: str) -> np.ndarray:
    if chosen == ANY_CLASS:
        return np.arange(len(dataset.y_test))
    label = dataset.class_names.index(chosen)
    return np.flatnonzero(dataset.y_test == label)


def _random_example(count: int) -> None:
    rng = np.random.default_rng()
    st.session_state["picker_index"] = int(rng.integers(count))
    _save("picker_index")


def _uploaded_photo() -> PickedImage | None:
    upload = st.file_uploader(
        f"Upload an image ({', '.join(images.ACCEPTED_FORMATS)})",
        type=list(images.UPLOAD_EXTENSIONS),
        key="picker_upload",
        on_change=_store_upload,
    )
    if upload is not None:
        st.session_state["picker_saved_upload"] = (upload.name, upload.getvalue())
    saved = st.session_state.get("picker_saved_upload")
    if saved is None:
        st.info("Upload a photo or a scan of a digit to continue.")
        return None
    filename, payload = saved
    try:
        rgb = cached_decode(payload)
    except images.ImageError as error:
        st.error(f"Could not use {filename!r}: {error}")
        return None
    return PickedImage(rgb, filename, SOURCES[2], is_digit=False)


def _store_upload() -> None:
    # Removing the file in the uploader forgets it; otherwise it is kept across pages.
    upload = st.session_state.get("picker_upload")
    if upload is None:
        st.session_state.pop("picker_saved_upload", None)
    else:
        st.session_state["picker_saved_upload"] = (upload.name, upload.getvalue())


def _builtin_image() -> PickedImage | None:
    gallery = cached_builtin_images()
    key = _remember("picker_builtin", next(iter(gallery)))
    name = st.selectbox("Built-in image", list(gallery), key=key, on_change=_save, args=(key,))
    _save(key)
    return PickedImage(gallery[name], name, SOURCES[3], is_digit=False)


def position_slider(container, label: str, max_value: int, key: str) -> int:
    """A 0..max_value slider whose remembered value is pulled back inside a new, smaller range.

    A slider keeps its value when the image changes; without this, a window position past
    the edge of a smaller image would be refused by Streamlit. With `max_value` 0 there is
    nothing to choose and no slider is drawn.
    """
    if max_value <= 0:
        st.session_state.pop(key, None)
        return 0
    if key in st.session_state:
        st.session_state[key] = min(max(int(st.session_state[key]), 0), max_value)
    return int(container.slider(label, 0, max_value, key=key))


def step_position(page: str, shape: tuple[int, int]) -> None:
    """Move `{page}_row`/`{page}_col` one output pixel on, in reading order, wrapping round."""
    rows, cols = shape
    row = int(st.session_state.get(f"{page}_row", 0))
    col = int(st.session_state.get(f"{page}_col", 0)) + 1
    if col >= cols:
        row, col = (row + 1) % rows, 0
    if rows > 1:
        st.session_state[f"{page}_row"] = row
    if cols > 1:
        st.session_state[f"{page}_col"] = col


def image_digest(image: np.ndarray) -> str:
    """A short content hash of an array, to key caches and widgets by the image."""
    return hashlib.blake2b(np.ascontiguousarray(image).tobytes(), digest_size=8).hexdigest()


def page_setup(title: str) -> None:
    """Configure the page and draw the lesson's navigation in the sidebar.

    Streamlit names the home page after its file ("app"); this navigation names every page
    by what it teaches, in the lesson's order.
    """
    st.set_page_config(page_title=f"cnnviz: {title}", page_icon="🔢", layout="wide")
    with st.sidebar:
        st.markdown("**cnnviz**: how computers see, and how CNNs work")
        for number, (page, name, _) in enumerate(LESSON_PATH):
            if (REPO_ROOT / page).exists():
                st.page_link(page, label=f"{number}. {name}" if number else name)


def lesson_path() -> None:
    """One line per page of the lesson that exists, each a link to it."""
    for page, title, summary in LESSON_PATH[1:]:
        if (REPO_ROOT / page).exists():
            st.page_link(page, label=f"**{title}**: {summary}")


def kernel_editor(page: str) -> KernelChoice:
    """Pick a kernel from the lecture's gallery, then edit any cell of it in a grid.

    Editing a preset turns it into "custom" at once. Cells are text, so that what a learner
    types is checked by `kernels.validate_kernel`, whose message names the bad cell.

    Raises:
        kernels.KernelError: When a cell is empty, not a number or not finite.
    """
    names = [*kernels.KERNELS, CUSTOM_KERNEL]
    preset = st.selectbox("Kernel", names, key=f"{page}_preset")
    if preset == CUSTOM_KERNEL:
        size = st.radio("Kernel size", (3, 5, 7), horizontal=True, key=f"{page}_size")
        base = np.zeros((size, size))
        base[size // 2, size // 2] = 1.0
        st.caption("Start from the identity and type your own weights.")
    else:
        base = kernels.KERNELS[preset].values
        st.caption(kernels.KERNELS[preset].description)
    columns = [str(i + 1) for i in range(base.shape[1])]
    frame = pd.DataFrame([[f"{value:g}" for value in row] for row in base], columns=columns)
    edited = st.data_editor(
        frame,
        key=f"{page}_editor_{preset}_{base.shape[0]}",
        hide_index=True,
        num_rows="fixed",
        column_config={c: st.column_config.TextColumn(c, width="small") for c in columns},
    )
    values = kernels.validate_kernel(edited)
    note = None
    if st.toggle("Normalise by the sum (for blurs)", key=f"{page}_normalise"):
        values, note = kernels.normalise_by_sum(values)
    name = kernels.find_preset(values) or "custom"
    return KernelChoice(values, name, note)


def working_image(picked: PickedImage, page: str) -> filtering.WorkingImage:
    """The picked image as one channel to filter, with a channel choice for colour images."""
    channel = "Gray"
    if not picked.is_digit:
        channel = st.radio("Channel", filtering.CHANNELS, horizontal=True, key=f"{page}_channel")
    work = filtering.working_image(picked.image, channel)
    if work.resized:
        height, width = work.original_size
        st.caption(
            f"Working on a {work.values.shape[1]}×{work.values.shape[0]} copy of the "
            f"{width}×{height} image, so that every output pixel can be explained."
        )
    return work
