"""The image picker's shareable settings, which every page that draws the picker shares: its
source, the dataset digit (dataset, class filter, example), the built-in image and a drawing
(as its 28×28 digit). An upload or a webcam photo cannot travel: the link then opens on the
default image, and `upload_note` says so beside the link.
"""

from __future__ import annotations

import base64
from collections.abc import Mapping, MutableMapping

import cv2
import numpy as np

from cnnviz.datasets import DATASET_NAMES
from cnnviz.ui.language import t
from cnnviz.ui.loaders import cached_builtin_images
from cnnviz.ui.picker import ANY_CLASS, BUILTIN, CANVAS_SIZE, DATASET, DRAW, UPLOAD
from cnnviz.ui.share_codecs import DIGIT_SIDE, Choice, Digit, Text, Whole
from cnnviz.ui.share_settings import Setting

SOURCE_CODES = {"draw": DRAW, "dataset": DATASET, "upload": UPLOAD, "builtin": BUILTIN}


def picker_source(state: Mapping) -> str:
    """The picker's source in `state` (its saved choice, kept across pages)."""
    return state.get("picker_saved_picker_source", state.get("picker_source", DATASET))


def picked(*sources: str):
    """A `Setting.when`: whether the picker's source is one of `sources`."""
    return lambda state: picker_source(state) in sources


def _saved(name: str, codec, default, *sources: str) -> Setting:
    """A picker setting: kept in `picker_saved_picker_<name>` and its widget's key."""
    key = f"picker_{name}"
    return Setting(name, f"picker_saved_{key}", codec, default, (key,), picked(*sources))


def _seed_drawing(state: MutableMapping, digit: np.ndarray) -> None:
    """A linked digit becomes the picker's drawing: its pixels, and a picture on the canvas
    (a fabric.js image object) that the learner can draw over."""
    scale = CANVAS_SIZE // DIGIT_SIDE
    big = np.kron(digit, np.ones((scale, scale), dtype=np.uint8))
    state["picker_saved_drawing"] = np.dstack([big, big, big, np.full_like(big, 255)])
    png = base64.b64encode(cv2.imencode(".png", big)[1].tobytes()).decode("ascii")
    picture = {
        "type": "image",
        "left": 0,
        "top": 0,
        "originX": "left",  # newer fabric.js places objects by their centre otherwise
        "originY": "top",
        "width": CANVAS_SIZE,
        "height": CANVAS_SIZE,
        "src": f"data:image/png;base64,{png}",
        "selectable": False,
    }
    state["picker_saved_drawing_json"] = {"version": "4.4.0", "objects": [picture]}
    # A new canvas, so that it mounts with the linked drawing.
    state["picker_saved_canvas_generation"] = state.get("picker_saved_canvas_generation", 0) + 1


def _builtin_codes() -> dict[str, str]:
    return Choice.named(cached_builtin_images()).options()


def picker_settings() -> tuple[Setting, ...]:
    """The image picker's source, dataset digit, built-in image and drawing."""
    return (
        Setting(
            "src",
            "picker_saved_picker_source",
            Choice(SOURCE_CODES),
            DATASET,
            ("picker_source",),
            # An upload cannot travel: the link then opens on the default image.
            when=lambda state: picker_source(state) != UPLOAD,
        ),
        _saved("dataset", Choice({name: name for name in DATASET_NAMES}), "mnist-sample", DATASET),
        _saved("class", Text(), ANY_CLASS, DATASET),
        _saved("index", Whole(0, 69_999), 0, DATASET),
        _saved("builtin", Choice(_builtin_codes), None, BUILTIN),
        Setting(
            "digit",
            "picker_saved_drawing",
            Digit(),
            when=picked(DRAW),
            seed=_seed_drawing,
        ),
    )


def upload_note(state: Mapping) -> list[str]:
    """What the link cannot carry: an uploaded photo or a webcam snapshot."""
    return [t("share.upload_note")] if picker_source(state) == UPLOAD else []
