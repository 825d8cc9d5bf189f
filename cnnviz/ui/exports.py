"""Download buttons for what the pages show: an array as PNG and CSV, a run as a Keras script.

The files are made by the core (`cnnviz.exports`, `cnnviz.training.keras_script`) from the
arrays the page draws and the colour scale it draws them with (a component's `colour_scale`:
`{"stops", "low", "high"}`); this module only names them and draws the buttons. Keys end in
`_png` and `_csv` after the key the caller gives, which carries the page's name.

The files are made only when a button is clicked (Streamlit's deferred downloads): a page
that reruns on every stroke of a drawing spends nothing on files nobody asked for.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial

import numpy as np
import streamlit as st

from cnnviz import exports, plots
from cnnviz.datasets import dataset_status, load_dataset
from cnnviz.network.forward_pass import never_negative
from cnnviz.training import TrainingConfig
from cnnviz.training.keras_script import dataset_npz, keras_script, script_file_name
from cnnviz.ui.errors import message
from cnnviz.ui.language import t

SAMPLE = "mnist-sample"
SAMPLE_FILE = "mnist-sample.npz"


def download_buttons(what: str, stem: str, png: Callable, csv_text: Callable, key: str, long=False):
    """Two buttons side by side: `what` as `{stem}.png` and as `{stem}.csv`.

    Args:
        what: What the files hold, for the labels ("Kernel").
        stem: The file name without its extension (`exports.file_stem`).
        png: Makes the picture's bytes; `csv_text` the table's text (each called on a click,
            in another thread: pure core functions, no Streamlit).
        key: The buttons' keys are `{key}_png` and `{key}_csv`.
        long: Whether the CSV is a long table `map,row,col,value` (its help says so).
    """
    row = st.container(horizontal=True)
    row.download_button(
        t("exports.png", what=what),
        png,
        f"{stem}.png",
        "image/png",
        key=f"{key}_png",
        help=t("exports.help.png"),
        icon=":material/download:",
        on_click="ignore",
    )
    row.download_button(
        t("exports.csv", what=what),
        csv_text,
        f"{stem}.csv",
        "text/csv",
        key=f"{key}_csv",
        help=t("exports.help.long" if long else "exports.help.grid"),
        icon=":material/download:",
        on_click="ignore",
    )


def array_downloads(what: str, stem: str, values: np.ndarray, scale: dict, key: str) -> None:
    """A 2-D array (a kernel, a map) as PNG, coloured by `scale` as the page colours it, and
    as CSV."""
    values = np.array(values)  # the page's array may change before the click
    png = partial(exports.array_png, values, scale["stops"], (scale["low"], scale["high"]))
    csv_text = partial(exports.array_csv, values)
    download_buttons(what, exports.file_stem(stem), png, csv_text, key)


def pooling_downloads(values: np.ndarray, pooled: np.ndarray, scale: dict, method: str) -> None:
    """The Pooling page's map and its pooled map, both on the page's one colour `scale`."""
    stems = (t("exports.files.input", name=method), t("exports.files.pooled", name=method))
    array_downloads(t("exports.what.input"), stems[0], values, scale, "pooling_input")
    array_downloads(t("exports.what.pooled"), stems[1], pooled, scale, "pooling_pooled")


def maps_downloads(what: str, stem: str, maps, scale, key: str, columns: int = 8) -> None:
    """A stack of maps (`(h, w, n)` or name -> map) as one mosaic PNG and one long CSV.

    `scale` is `(stops, value_range)`, `value_range` one `(low, high)` or one per map.
    """
    stops, value_range = scale
    maps = dict(maps) if isinstance(maps, dict) else np.array(maps)
    png = partial(exports.maps_png, maps, stops, value_range, columns=columns)
    csv_text = partial(exports.maps_csv, maps)
    download_buttons(what, exports.file_stem(stem), png, csv_text, key, long=True)


def gallery_downloads(maps: dict[str, np.ndarray], name: str, columns: int, shared: bool, key):
    """The maps of a `map_gallery`, coloured as it colours them: blue–white–red, from −m to m
    with m the largest |value| of all maps (`shared`) or of each map."""
    arrays = [np.asarray(values, dtype=np.float64) for values in maps.values()]
    if shared:
        ranges = plots.symmetric_range(np.concatenate([a.ravel() for a in arrays]))
    else:
        ranges = [plots.symmetric_range(values) for values in arrays]
    stem = t("exports.files.maps", name=name)
    maps_downloads(t("exports.what.maps"), stem, maps, (plots.DIVERGING, ranges), key, columns)


def filters_downloads(layer: str, kernel: np.ndarray, key: str) -> None:
    """A conv layer's filters as drawn (averaged over input channels): the mosaic, the table."""
    kernel = np.array(kernel)
    png, csv_text = partial(exports.filters_png, kernel), partial(exports.filters_csv, kernel)
    stem = exports.file_stem(t("exports.files.filters", layer=layer))
    what = t("exports.what.filters", layer=layer)
    download_buttons(what, stem, png, csv_text, key, long=True)


def layer_downloads(outputs: list, per_map: bool, key: str) -> None:
    """A layer picked among those of `outputs` (one forward pass's `LayerActivation`s) that
    have maps, coloured as the network overview colours them: white to red from 0 for a
    layer that is never negative, blue–white–red round 0 otherwise; over the whole layer, or
    each map on its own with `per_map`."""
    spatial = {o.name: index for index, o in enumerate(outputs) if np.ndim(o.output) == 3}
    if not spatial:
        return
    with st.expander(t("exports.layers.expander")):
        _layer_downloads(outputs, spatial, per_map, key)


def _layer_downloads(outputs: list, spatial: dict[str, int], per_map: bool, key: str) -> None:
    name = st.selectbox(t("exports.layers.label"), list(spatial), key=f"{key}_layer")
    positive = never_negative(outputs, spatial[name])
    maps = np.asarray(outputs[spatial[name]].output, dtype=np.float32)

    def limits(values):
        top = plots.symmetric_range(values)[1]
        return (0.0, top) if positive else (-top, top)

    planes = [maps[:, :, index] for index in range(maps.shape[2])]
    ranges = [limits(plane) for plane in planes] if per_map else limits(maps)
    st.caption(t("exports.layers.caption"))
    stops = plots.SEQUENTIAL if positive else plots.DIVERGING
    stem = t("exports.files.layer_maps", layer=name)
    maps_downloads(t("exports.what.layer_maps"), stem, maps, (stops, ranges), key)


@st.cache_data(max_entries=1, show_spinner=False)
def sample_npz() -> bytes:
    """The bundled MNIST sample as the `.npz` a generated script reads with `--data`, made
    once per server on the first click (in the download's thread: no Streamlit calls)."""
    return dataset_npz(load_dataset(SAMPLE))


def script_downloads(settings, run_name: str | None, key: str) -> None:
    """A run's settings as a runnable Keras script, and the MNIST sample beside it.

    Args:
        settings: A `TrainingConfig`, or a saved run's manifest `config` (a dict).
        run_name: The run's name, for the script's title and file name.
        key: The buttons' keys are `{key}_script` and `{key}_sample`.
    """
    try:
        config = settings if isinstance(settings, TrainingConfig) else None
        config = config or TrainingConfig.from_dict(settings)
        source = keras_script(config, run_name)
    except (ValueError, TypeError) as error:
        st.caption(t("exports.script.missing", name=run_name, error=message(error)))
        return
    file_name = script_file_name(run_name)
    row = st.container(horizontal=True)
    row.download_button(
        t("exports.script.button"),
        source,
        file_name,
        "text/x-python",
        key=f"{key}_script",
        help=t("exports.script.help", file=file_name),
        icon=":material/code:",
        on_click="ignore",
    )
    if dataset_status(SAMPLE) is not None:
        return  # the sample is missing: the script still downloads MNIST itself
    row.download_button(
        t("exports.script.sample"),
        sample_npz,
        SAMPLE_FILE,
        "application/octet-stream",
        key=f"{key}_sample",
        help=t("exports.script.sample_help"),
        icon=":material/dataset:",
        on_click="ignore",
    )
