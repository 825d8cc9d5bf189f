"""Number grids: small arrays (a window, a kernel, their products) as tables in the browser.

Cheaper than a figure per array (nothing to validate or copy on the server) and written the
way the window explorer writes its numbers: each value as Python's `:g`, NaN as padding.
"""

from __future__ import annotations

import numpy as np

from cnnviz import i18n, plots
from cnnviz.ui.components.payload import colour_scale, encode_array, version_of
from cnnviz.ui.components.registry import component
from cnnviz.ui.language import language


def grids_data(grids, operators=(), marked=None, language: str = "en") -> dict:
    """The component's data: each `(title, 2-D array)` on its own blue–white–red scale
    (centred on 0; NaN cells are padding), the operators written between them, the
    `(grid index, row, col)` of one cell to mark, and how padding is written in `language`."""
    packed = []
    for index, (title, values) in enumerate(grids):
        values = np.asarray(values, dtype=np.float64)
        cell = [int(marked[1]), int(marked[2])] if marked and marked[0] == index else None
        packed.append(
            {
                "title": title,
                "values": encode_array(values),
                "scale": colour_scale(plots.DIVERGING, *plots.symmetric_range(values)),
                "marked": cell,
            }
        )
    texts = {
        name: i18n.translate(language, f"convolution.explorer.{name}")
        for name in ("pad", "pad_title")
    }
    data = {"grids": packed, "operators": list(operators), "texts": texts}
    data["version"] = version_of(
        *(g for _, g in grids), [t for t, _ in grids], operators, marked, language
    )
    return data


def mount_number_grids(key: str, grids, operators=(), marked=None) -> None:
    """Mount `grids` (`(title, 2-D array)` pairs) in a row, `operators` between them."""
    component("number_grids")(key=key, data=grids_data(grids, operators, marked, language()))
