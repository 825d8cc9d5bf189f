"""Every word a page shows, read from an AppTest's element tree, and the English left in it.

`visible_texts(at)` walks the tree (main area and sidebar) and gathers what a learner reads:
titles, markdown, captions, alerts, widget labels, options, help and placeholders, expander,
tab and popover labels, metric labels, table headers and cells, the titles, axis titles,
legends and hover texts of plotly figures, and the texts the page hands to its components.
`english_words(text)` finds English words in one of them, once code, LaTeX, URLs and paths
are taken out: words from a list of common English words that Spanish never uses.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from streamlit.testing.v1 import AppTest

from cnnviz.datasets import DATASET_NAMES
from cnnviz.network import lecture_config
from cnnviz.network.layers import summary_rows

REPO = Path(__file__).resolve().parents[2]

# Proto fields a learner reads (on elements and on blocks: expanders, tabs, popovers, dialogs).
VISIBLE_FIELDS = {
    "body", "label", "help", "options", "content", "placeholder", "caption", "delta", "title",
    "alt",
}  # fmt: skip
# Elements whose text is code, LaTeX or styling, or that are checked elsewhere.
NOT_PROSE = {"code", "latex", "html", "json", "exception", "plotly_chart", "bidi_component"}

# In a plotly figure: the keys that hold words shown on the chart or on hover.
PLOTLY_WORDS = re.compile(
    r"^(text|title|ticktext|name|hovertemplate|texttemplate|label|prefix|suffix)$"
)
# In a component's data: the keys whose strings the component draws.
COMPONENT_WORDS = re.compile(
    r"title|label|text|caption|name|note|hint|help|message|legend|summary|unit|description"
)

# Common English words that never occur in Spanish prose (matched as whole words, any case).
# The glossary's borrowed words (kernel, padding, pooling, strides, dropout, batch, max,
# average, accuracy) are not here: Spanish text uses them; nor is "red" (a network).
_ENGLISH_WORDS = """
    the and with of to is are was were be been this that these those which what when where how
    why each every from for your you it its into onto on at by an or not can will has have than
    then there here only more most same other one two three after before while about between
    over under through without also just like but if off all new
    click pick choose drag press show shows see start stop save saved load loaded download
    image images picture photo photos layer layers weights weight bias output outputs input
    inputs training train trained learning network networks feature features map maps number
    numbers value values filter filters size shape row rows column columns digit digits draw
    drawn upload sample samples loss epoch epochs validation class classes prediction predicted
    confidence run runs model models random example left right top bottom black white green
    blue unit units step steps set
    """
ENGLISH = frozenset(_ENGLISH_WORDS.split())

# Names that contain a listed word, taken out before looking: proper names, the datasets'
# and the bundled networks' names (identifiers, as the command line takes them), and Keras's
# padding values.
PROPER_NAMES = (
    "TensorFlow Playground",
    *DATASET_NAMES,
    *(path.stem for path in (REPO / "assets" / "models").glob("*.json")),
    "same",
    "valid",
    "(loss)",  # Keras's names of the metrics, after the words: "pérdida (loss)"
    "(accuracy)",
)
# Layer names (identifiers, as Keras prints them): a text that is one, or starts with one as
# `model.summary()` does ("output (Dense)"), or ends with one after a colon.
LAYER_NAMES = ("input", *(row.name for row in summary_rows(lecture_config())))
_LAYER_NAME = "|".join(LAYER_NAMES)

_NOT_PROSE_PATTERNS = [
    r"```.*?```",  # code blocks
    r"`[^`]*`",  # code spans
    r"\$\$.*?\$\$|\$[^$\n]+\$",  # LaTeX
    r"\\\(.*?\\\)|\\\[.*?\\\]",
    r"https?://\S+",  # URLs
    r"[\w-]+(?:[._][\w-]+)+(?:\([^)]*\))?",  # code: names with dots or underscores, calls
    r"\S*[/\\]\S*",  # paths, and anything else with a slash
    r":material/[a-z_]+:",  # icons
    r"<[^>]+>",  # HTML tags (plotly's <br>, <extra>)
    r"%?\{[^}]*\}",  # placeholders a chart or component fills in: %{y}, {row}
]


def prose(text: str) -> str:
    """`text` without what is not prose: code, LaTeX, URLs, paths, icons, tags, proper names."""
    text = re.sub(rf"^(?:{_LAYER_NAME})(?= \(|$)|(?<=: )(?:{_LAYER_NAME})$", " ", text)
    for name in PROPER_NAMES:
        text = re.sub(rf"(?<![\w-]){re.escape(name)}(?![\w-])", " ", text)
    for pattern in _NOT_PROSE_PATTERNS:
        text = re.sub(pattern, " ", text, flags=re.DOTALL)
    return text


def english_words(text: str) -> list[str]:
    """The English words in `text`'s prose, in order."""
    return [word for word in re.findall(r"[^\W\d_]+", prose(text)) if word.lower() in ENGLISH]


def _proto_strings(message, found: list[str]) -> None:
    """The strings of `message`'s visible fields, looking into nested messages too."""
    for field, value in message.ListFields():
        if field.message_type is not None:
            for item in [value] if hasattr(value, "ListFields") else value:
                if hasattr(item, "ListFields"):  # not a map's entries
                    _proto_strings(item, found)
        elif field.name in VISIBLE_FIELDS and field.type == field.TYPE_STRING:
            found.extend([value] if isinstance(value, str) else value)


def _json_strings(value, visible: re.Pattern, found: list[str], shown=False, nested=False):
    """The strings of a JSON value that sit under a key matching `visible`.

    With `nested`, a matching key shows every string inside it (a component's `texts`);
    otherwise only its own strings or list of strings (plotly's `title` shows its `text`, not
    its `side`).
    """
    if isinstance(value, dict):
        if {"data", "dtype", "shape"} <= set(value):  # a packed array: base64, not words
            return
        for key, item in value.items():
            if key != "template":  # plotly's theme: colours and defaults
                matched = bool(visible.search(str(key)))
                inside = matched or (nested and shown)
                _json_strings(item, visible, found, inside, nested)
    elif isinstance(value, list):
        for item in value:
            _json_strings(item, visible, found, shown and not isinstance(item, dict), nested)
    elif isinstance(value, str) and shown:
        found.append(value)


def _table_strings(element, found: list[str]) -> None:
    table = element.value
    found.extend(str(name) for name in table.columns)
    for column in table.select_dtypes(include="object"):
        found.extend(value for value in table[column] if isinstance(value, str))
    if element.proto.columns:
        _json_strings(json.loads(element.proto.columns), re.compile("label|help"), found)


def _node_strings(node, found: list[str]) -> None:
    kind = getattr(node, "type", None)
    proto = getattr(node, "proto", None)
    if kind == "plotly_chart":
        _json_strings(json.loads(proto.spec), PLOTLY_WORDS, found)
    elif kind == "bidi_component":
        _json_strings(json.loads(proto.json or "{}"), COMPONENT_WORDS, found, nested=True)
    elif kind == "dataframe":
        _table_strings(node, found)
    elif kind not in NOT_PROSE and proto is not None and hasattr(proto, "ListFields"):
        _proto_strings(proto, found)
    for child in getattr(node, "children", {}).values():
        _node_strings(child, found)


def visible_texts(at: AppTest) -> list[str]:
    """Every distinct text shown in the page's main area and sidebar, in page order."""
    found: list[str] = []
    for area in (at.main, at.sidebar):
        _node_strings(area, found)
    return list(dict.fromkeys(text for text in found if text.strip()))
