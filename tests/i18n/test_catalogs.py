"""The message catalogs: the same keys and placeholders in both languages; the code's keys exist.

Every user-visible word comes from `cnnviz/i18n/<language>/<area>.toml` (see `cnnviz.i18n`).
These checks catch what a translator or a page's author can get wrong without a page failing:
a key added in one language only, a `{placeholder}` renamed in one, a key used in the code but
never written, a Spanish entry left as a copy of the English one.
"""

from __future__ import annotations

import ast
import re
import tomllib
from pathlib import Path

import pytest

from cnnviz import i18n

REPO = Path(__file__).resolve().parents[2]

# Calls whose argument is a message key: `t("area.key")`, `translate(language, "area.key")`
# and `i18n.translate(...)`, and the core's translatable errors and phrases (`cnnviz.messages`).
KEY_ARGUMENT = {"t": 0, "translate": 1, "Invalid": 0, "Phrase": 0}
KEY_ARGUMENT |= dict.fromkeys(
    ["ImageError", "KernelError", "DatasetUnavailable", "UnknownModel"], 0
)

# Spanish entries that may equal the English ones: words the glossary keeps as they are
# (kernel, padding, pooling, strides, dropout, batch), Spanish words spelled as the English
# ones (original, diagonal, zoom), Keras's values (valid, same), proper names and code.
SAME_IN_BOTH = {
    "kernel", "kernels", "padding", "pooling", "max", "average", "strides", "stride", "dropout",
    "batch", "softmax", "relu", "sigmoid", "tanh", "adam", "sgd", "svm", "mnist", "fashion",
    "keras", "tensorflow", "imagenet", "mobilenet", "playground", "cnnviz", "smoothgrad",
    "dense", "flatten", "csv", "png", "json", "python", "rgb", "rgba", "english", "español",
    "valid", "same", "original", "diagonal", "zoom", "ok", "x", "y", "n", "px", "mb", "gb",
    "kb", "s", "ms", "pad",
}  # fmt: skip


def catalog_files(language: str) -> list[Path]:
    return sorted((i18n.CATALOGS / language).glob("*.toml"))


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_catalog_parses_and_holds_only_text(language):
    assert catalog_files(language), f"no catalogs for {language}"
    for path in catalog_files(language):
        with path.open("rb") as file:
            tomllib.load(file)  # raises, naming the line, when a catalog is not valid TOML
    assert all(isinstance(text, str) for text in i18n.catalog(language).values())


def test_both_languages_have_the_same_catalog_files():
    english, spanish = ([path.name for path in catalog_files(code)] for code in ("en", "es"))
    assert spanish == english


def test_every_key_exists_in_both_languages_and_nothing_extra():
    english, spanish = i18n.catalog("en"), i18n.catalog("es")
    missing_in_spanish = sorted(set(english) - set(spanish))
    missing_in_english = sorted(set(spanish) - set(english))
    assert not missing_in_spanish, f"keys with no Spanish: {missing_in_spanish}"
    assert not missing_in_english, f"Spanish keys that English lacks: {missing_in_english}"


def test_each_pair_has_the_same_placeholders():
    english, spanish = i18n.catalog("en"), i18n.catalog("es")
    different = {
        key: (sorted(i18n.placeholders(english[key])), sorted(i18n.placeholders(spanish[key])))
        for key in sorted(set(english) & set(spanish))
        if i18n.placeholders(english[key]) != i18n.placeholders(spanish[key])
    }
    assert not different, f"placeholders differ (English, Spanish): {different}"


@pytest.mark.parametrize("language", list(i18n.LANGUAGES))
def test_every_message_can_be_filled_in(language):
    broken = {}
    for key, text in i18n.catalog(language).items():
        try:
            text.format(**dict.fromkeys(i18n.placeholders(text), 1))
        except (ValueError, IndexError, KeyError) as error:  # a lone { or }, a {0}, a {name.attr}
            broken[key] = f"{text!r}: {error}"
    assert not broken, f"messages that str.format cannot fill in: {broken}"


def keys_in_code() -> tuple[dict[str, list[str]], dict[str, list[str]]]:
    """The literal keys the code uses, and the constant starts of keys built with f-strings."""
    literal, prefixes = {}, {}
    for path in sorted([*REPO.glob("cnnviz/**/*.py"), *REPO.glob("lessons/*.py"), REPO / "app.py"]):
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Call):
                continue
            func = node.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", None)
            position = KEY_ARGUMENT.get(name)
            if position is None or len(node.args) <= position:
                continue
            argument = node.args[position]
            where = f"{path.relative_to(REPO)}:{node.lineno}"
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                literal.setdefault(argument.value, []).append(where)
            elif isinstance(argument, ast.JoinedStr) and argument.values:
                start = argument.values[0]
                if isinstance(start, ast.Constant) and "." in start.value:
                    prefixes.setdefault(start.value, []).append(where)
    return literal, prefixes


def test_every_key_used_in_the_code_exists():
    literal, prefixes = keys_in_code()
    english = i18n.catalog("en")
    assert literal, "the scan found no keys: has `t(...)` been renamed?"
    missing = {key: places for key, places in literal.items() if key not in english}
    assert not missing, f"keys used in the code but in no catalog: {missing}"
    unmatched = {
        start: places
        for start, places in prefixes.items()
        if not any(key.startswith(start) for key in english)
    }
    assert not unmatched, f"keys built in the code whose start is in no catalog: {unmatched}"


def unchanged(text: str) -> bool:
    """Whether a Spanish text may equal the English: code, numbers and allowed words only.

    A word with a digit in it is code (`Conv2D`, `VGG16`, `float32`) or a number.
    """
    text = re.sub(r"`[^`]*`|\{[^}]*\}|https?://\S+", " ", text)
    words = re.findall(r"[^\W_]+", text.lower())
    return all(word in SAME_IN_BOTH or re.search(r"\d", word) for word in words)


def test_no_spanish_entry_is_a_copy_of_the_english_one():
    english = i18n.catalog("en")
    copied = {
        key: text
        for key, text in i18n.catalog("es").items()
        if english.get(key) == text and not unchanged(text)
    }
    assert not copied, f"Spanish entries identical to the English (translate them): {copied}"
