"""Messages for the learner that the core writes before it knows the page's language.

The core checks what a learner typed, picked or uploaded, and raises `Invalid`: a `ValueError`
that keeps the message's catalog key and values (`cnnviz.i18n`), so that a page shows it in its
own language (`cnnviz.ui.errors.message`), while `str(error)` stays the English text that
scripts, logs and tests read. A value may itself be words: a `Phrase` (a key and its values),
translated with the message. This module has no Streamlit and no global language.

Example:
    >>> error = Invalid("errors.images.empty", formats="PNG")
    >>> str(error)
    'The file is empty. Received 0 bytes; upload a PNG image.'
    >>> error.text("es")
    'El archivo está vacío. Se recibieron 0 bytes; sube una imagen PNG.'
    >>> Invalid("errors.validation.choice", name=Phrase("errors.names.dataset"),
    ...         accepted="('a', 'b')", received="'c'").text("es")
    "El conjunto de datos debe ser uno de ('a', 'b'). Se recibió 'c'."
"""

from __future__ import annotations

from cnnviz import i18n


class Phrase:
    """Words to translate later: a catalog key and the values its braces take.

    A value may be another `Phrase` (translated in the same language), or anything that
    `str.format` fills in (numbers keep their format specs, such as `{size:,}`).
    """

    __slots__ = ("key", "values")

    def __init__(self, key: str, /, **values) -> None:
        self.key = key
        self.values = values

    def text(self, language: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The words in `language`, with the values filled in (phrases in the same language)."""
        values = {name: in_language(value, language) for name, value in self.values.items()}
        return i18n.translate(language, self.key, **values)

    def __str__(self) -> str:
        return self.text()

    def __repr__(self) -> str:
        values = "".join(f", {name}={value!r}" for name, value in self.values.items())
        return f"Phrase({self.key!r}{values})"

    def __eq__(self, other) -> bool:
        return isinstance(other, Phrase) and (self.key, self.values) == (other.key, other.values)

    def __hash__(self) -> int:
        return hash(self.key)


def in_language(value, language: str):
    """`value` in `language` if it is words (a `Phrase` or an `Invalid`); otherwise as it is."""
    return value.text(language) if isinstance(value, Phrase | Invalid) else value


def either(items, language: str | None = None) -> Phrase:
    """Items as alternatives: "1, 3 or 4" in English, "1, 3 o 4" in Spanish.

    Example:
        >>> str(either(["PNG", "JPEG", "GIF"])), either([1]).text("es")
        ('PNG, JPEG or GIF', '1')
    """
    words = [str(item) for item in items]
    if len(words) == 1:
        return Phrase("errors.words.one", item=words[0])
    return Phrase("errors.words.either", items=", ".join(words[:-1]), last=words[-1])


class Invalid(ValueError):  # noqa: N818 (read as `raise Invalid(...)`: the value is invalid)
    """A value a learner gave that cannot be used: a message key and the values it names.

    `str(error)` is the English message; `error.text(language)` is the same message in another
    of the app's languages. Subclasses (such as `ImageError`) say what kind of input it was.

    Attributes:
        key: The message's key in the catalogs, such as "errors.validation.whole".
        values: The values its braces take; `Phrase` values are words to translate too.
    """

    def __init__(self, key: str, /, **values) -> None:
        self.phrase = Phrase(key, **values)
        super().__init__(self.phrase.text())

    @property
    def key(self) -> str:
        return self.phrase.key

    @property
    def values(self) -> dict:
        return self.phrase.values

    def text(self, language: str = i18n.DEFAULT_LANGUAGE) -> str:
        """The message in `language` ("en" or "es")."""
        return self.phrase.text(language)

    def __reduce__(self):
        # Rebuilt from the key and values (not the English text) when pickled, for example
        # when an error crosses from a worker process.
        return (_rebuild, (type(self), self.key, self.values))


def _rebuild(cls: type[Invalid], key: str, values: dict) -> Invalid:
    return cls(key, **values)
