"""The window explorer: a kernel or a pooling window sliding over an image, in the browser.

The page computes the output once (`convolve2d`, `pool2d`); the explorer receives the input,
the output and the kernel once per change and answers every hover, click, key and the
animation itself (see explorer.js). The pixel a learner picks comes back into
`{page}_row`/`{page}_col`, where the page's text explanation and the tests read it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import numpy as np
import streamlit as st

from cnnviz import i18n, plots
from cnnviz.convolution import output_grid
from cnnviz.ui.components.payload import colour_scale, encode_array, version_of
from cnnviz.ui.components.registry import component
from cnnviz.ui.language import language

RED_END = colour_scale(plots.SEQUENTIAL, 0, 1)["stops"][-1][1]
# The words explorer.js writes, from the `convolution` catalog's `explorer` table.
TEXTS = (
    *("aria_label", "play", "pause", "hint", "output_pixel", "pooled_cell", "window_label"),
    *("products", "sum", "maximum", "mean", "padding_ignored", "finished", "pad", "pad_title"),
)


@dataclass(frozen=True)
class WindowView:
    """What one window explorer shows.

    Attributes:
        input, output: The 2-D image (or map) and what the window makes of it.
        size, strides, padding: How the window slides (as in Keras).
        kernel: The kernel as applied (already rotated for true convolution); None when pooling.
        method: "max" or "average" when pooling; None for a convolution.
        titles: `(input, middle, output)` captions; the middle panel holds the arithmetic.
        scales: `(input, output)` colour scales (`payload.colour_scale`).
        kernel_label: The kernel's label in the arithmetic.
    """

    input: np.ndarray
    output: np.ndarray
    size: int
    strides: int
    padding: str
    kernel: np.ndarray | None
    method: str | None
    titles: tuple[str, str, str]
    scales: tuple[dict, dict]
    kernel_label: str = "Kernel"


def explorer_texts(language: str = "en") -> dict[str, str]:
    """The words the explorer writes in the browser, in `language` (`{name}` in a text is
    filled in there)."""
    return {name: i18n.translate(language, f"convolution.explorer.{name}") for name in TEXTS}


def explorer_data(view: WindowView, pick: tuple[int, int], language: str = "en") -> dict:
    """The component's data: arrays packed once, geometry, colour scales, the pick and the
    words to write, in `language`."""
    _, pad = output_grid(*view.input.shape, view.size, view.strides, view.padding)
    input_title, middle_title, output_title = view.titles
    input_scale, output_scale = view.scales
    data = {
        "mode": "pooling" if view.kernel is None else "convolution",
        "method": view.method,
        # The input is shown number by number: exactly. The output only as colours.
        "input": {**encode_array(view.input), "scale": input_scale, "title": input_title},
        "output": {
            **encode_array(view.output, "float32"),
            "scale": output_scale,
            "title": output_title,
        },
        "kernel": None if view.kernel is None else view.kernel.tolist(),
        "middle_title": middle_title,
        "kernel_label": view.kernel_label,
        "kernel_scale": colour_scale(plots.DIVERGING, *plots.symmetric_range(view.kernel))
        if view.kernel is not None
        else None,
        "size": int(view.size),
        "strides": int(view.strides),
        "pad": [int(pad[0]), int(pad[1])],
        "pick": [int(pick[0]), int(pick[1])],
        # Red stands out on grey and blue-white-red; on a white-to-red map black does.
        "box_colour": "#000000" if output_scale["stops"][-1][1] == RED_END else plots.BOX_COLOUR,
        "texts": explorer_texts(language),
        "legends": {
            part: i18n.translate(language, f"a11y.keys.{part}_legend")
            for part in ("input", "output")
        },
    }
    data["version"] = version_of(
        view.input,
        view.output,
        view.kernel,
        view.method,
        view.size,
        view.strides,
        view.padding,
        view.titles,
        str(view.scales),
        language,
    )
    return data


def store_pick(page: str) -> None:
    """Copy the explorer's picked pixel into `{page}_row`/`{page}_col` (its change callback)."""
    state = st.session_state.get(f"{page}_explorer") or {}
    pick = state.get("pick") if hasattr(state, "get") else None
    if isinstance(pick, list | tuple) and len(pick) == 2:
        st.session_state[f"{page}_row"], st.session_state[f"{page}_col"] = map(int, pick)


def mount_window_explorer(page: str, view: WindowView, pick: tuple[int, int]) -> None:
    """Mount the explorer for `view`, showing `pick` first, its words in the session's
    language; a click or the arrow keys change `{page}_row`/`{page}_col` (hovering and Play
    change nothing on the server)."""
    component("window_explorer")(
        key=f"{page}_explorer",
        data=explorer_data(view, pick, language()),
        on_pick_change=functools.partial(store_pick, page),
    )
