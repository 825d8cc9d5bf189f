"""The app's words in English and Spanish, from message catalogs (no Streamlit here).

Each language has a folder of TOML catalogs, one per part of the app: `en/convolution.toml`
holds the Convolution page's English, `es/convolution.toml` the same keys in Spanish. A key is
the catalog's name, then the TOML keys inside it, joined by dots: `convolution.title`, or
`convolution.explorer.hint` for `hint` in the `[explorer]` table. A message may name values in
braces (`"Received {received}."`), filled in by `translate`.

Example:
    >>> translate("es", "common.language")
    'Idioma'
    >>> translate("en", "common.received", received="(4, 4)")
    'Received (4, 4).'
"""

from __future__ import annotations

import functools
import string
import tomllib
from pathlib import Path

LANGUAGES = {"en": "English", "es": "Español"}
DEFAULT_LANGUAGE = "en"
CATALOGS = Path(__file__).parent


def language_for_locale(locale: str | None) -> str:
    """The app's language for a browser locale ("es-ES" → "es"); English for any other.

    Example:
        >>> language_for_locale("es-AR"), language_for_locale("fr-FR"), language_for_locale(None)
        ('es', 'en', 'en')
    """
    code = (locale or "").split("-")[0].split("_")[0].lower()
    return code if code in LANGUAGES else DEFAULT_LANGUAGE


def _flatten(table: dict, prefix: str) -> dict[str, str]:
    flat = {}
    for name, value in table.items():
        key = f"{prefix}.{name}"
        if isinstance(value, dict):
            flat.update(_flatten(value, key))
        elif isinstance(value, str):
            flat[key] = value
        else:
            raise ValueError(f"Catalog entry {key} must be text. Received {value!r}.")
    return flat


@functools.cache
def catalog(language: str) -> dict[str, str]:
    """Every message of `language` by key, read once from its folder of catalogs."""
    if language not in LANGUAGES:
        raise ValueError(
            f"The language must be one of {', '.join(LANGUAGES)}. Received {language!r}."
        )
    messages = {}
    for path in sorted((CATALOGS / language).glob("*.toml")):
        with path.open("rb") as file:
            messages.update(_flatten(tomllib.load(file), path.stem))
    return messages


def translate(language: str, key: str, **values) -> str:
    """The message `key` in `language`, with `values` filled into its {braces}.

    A key missing from a catalog is a bug that the catalog tests catch; here it falls back to
    English, and to the key itself when English lacks it too, rather than break a page.
    """
    text = catalog(language).get(key)
    if text is None:
        text = catalog(DEFAULT_LANGUAGE).get(key, key)
    return text.format(**values) if values else text


def placeholders(text: str) -> set[str]:
    """The names in braces in a message: both languages must use the same ones."""
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}
