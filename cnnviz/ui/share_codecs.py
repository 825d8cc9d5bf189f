"""How one setting is written in a link and read back: short, stable text for the URL.

A codec turns a widget's value into a URL parameter's text (`encode`) and the text of a link
into the value again (`decode`), refusing anything else with a `LinkError` whose `accepted`
says, in the page's language, what the parameter takes. Codes are stable: an option's code
never depends on the language its label is shown in, so a link made in English opens in
Spanish. No Streamlit here: `share_settings.Setting` ties a codec to a session-state key.

Example:
    >>> KernelCells().decode("1,0,-1;2,0,-2;1,0,-1")[1]
    ['2', '0', '-2']
    >>> Position().encode((3, 12))
    '3,12'
"""

from __future__ import annotations

import base64
import binascii
import math
import re
import zlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import cv2
import numpy as np

from cnnviz import i18n
from cnnviz.convolution import KernelError, validate_kernel
from cnnviz.images import to_grayscale

DIGIT_SIDE = 28  # a drawing travels as the 28×28 digit a network sees
DIGIT_LEVELS = 16  # grey levels of a shared drawing: two pixels per byte
MAX_TEXT = 80


class LinkError(ValueError):
    """A link's parameter that cannot be used; `accepted` says what it takes."""

    def __init__(self, accepted: str) -> None:
        super().__init__(accepted)
        self.accepted = accepted


def slug(name: str) -> str:
    """A stable, URL-friendly code for an option's name: `"Sobel vertical edges"` →
    `"sobel-vertical-edges"`."""
    return re.sub(r"[^a-z0-9]+", "-", name.lower()).strip("-")


@dataclass(frozen=True)
class Choice:
    """One of a few options, each written as its stable code.

    Attributes:
        codes: `{code: option}`, or a function returning it (options known only at run time,
            such as the trained models on this server).
    """

    codes: Mapping[str, object] | Callable[[], Mapping[str, object]]

    def options(self) -> Mapping[str, object]:
        return self.codes() if callable(self.codes) else self.codes

    def encode(self, value) -> str | None:
        return next((code for code, option in self.options().items() if option == value), None)

    def decode(self, text: str, language: str = "en"):
        options = self.options()
        if text not in options:
            raise LinkError(self.accepted(language))
        return options[text]

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.choice", choices=", ".join(self.options()))

    @classmethod
    def named(cls, names) -> Choice:
        """Options that are names (kernels, images), each coded by its `slug`."""
        return cls({slug(str(name)): name for name in names})


@dataclass(frozen=True)
class Name:
    """A name among those this server has (a trained model), written as it is.

    Attributes:
        names: A function returning the names accepted now (read only when a link is opened).
    """

    names: Callable[[], list[str]]

    def encode(self, value) -> str | None:
        return str(value) if value is not None else None

    def decode(self, text: str, language: str = "en") -> str:
        if text not in self.names():
            raise LinkError(self.accepted(language))
        return text

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.choice", choices=", ".join(self.names()))


@dataclass(frozen=True)
class Several:
    """Some of a few options (a multiselect), written as their codes joined by commas."""

    codes: Mapping[str, object]

    def encode(self, values) -> str | None:
        if values is None:
            return None
        return ",".join(code for code, option in self.codes.items() if option in values)

    def decode(self, text: str, language: str = "en") -> list:
        codes = text.split(",")
        if not text or any(code not in self.codes for code in codes):
            raise LinkError(self.accepted(language))
        return [option for code, option in self.codes.items() if code in codes]

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.several", choices=", ".join(self.codes))


@dataclass(frozen=True)
class Whole:
    """A whole number from `low` to `high`."""

    low: int
    high: int

    def encode(self, value) -> str | None:
        return str(int(value)) if value is not None else None

    def decode(self, text: str, language: str = "en") -> int:
        if not re.fullmatch(r"-?\d{1,12}", text) or not self.low <= int(text) <= self.high:
            raise LinkError(self.accepted(language))
        return int(text)

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.whole", low=self.low, high=self.high)


@dataclass(frozen=True)
class Number:
    """A number from `low` to `high` (a rate, a learning rate), written without noise."""

    low: float
    high: float

    def encode(self, value) -> str | None:
        return format(float(value), ".10g") if value is not None else None

    def decode(self, text: str, language: str = "en") -> float:
        try:
            value = float(text)
        except ValueError:
            raise LinkError(self.accepted(language)) from None
        if not math.isfinite(value) or not self.low <= value <= self.high:
            raise LinkError(self.accepted(language))
        return value

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(
            language, "share.accepted.number", low=f"{self.low:g}", high=f"{self.high:g}"
        )


@dataclass(frozen=True)
class Flag:
    """On or off: `1` or `0`."""

    def encode(self, value) -> str | None:
        return "1" if value else "0"

    def decode(self, text: str, language: str = "en") -> bool:
        if text not in ("0", "1"):
            raise LinkError(self.accepted(language))
        return text == "1"

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.flag")


@dataclass(frozen=True)
class Text:
    """A short name (a class of a dataset, a layer): letters, digits, spaces and `-_./()`."""

    def encode(self, value) -> str | None:
        return str(value) if value is not None else None

    def decode(self, text: str, language: str = "en") -> str:
        if not re.fullmatch(rf"[\w .()/\-–]{{1,{MAX_TEXT}}}", text):
            raise LinkError(self.accepted(language))
        return text

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.text", length=MAX_TEXT)


@dataclass(frozen=True)
class KernelCells:
    """A kernel's cells as typed, rows split by `;` and cells by `,`: `1,0,-1;2,0,-2;1,0,-1`.

    Fractions such as `1/9` stay fractions. The kernel must be one the editor accepts: square,
    1, 3, 5 or 7 on a side, finite numbers.
    """

    def encode(self, cells) -> str | None:
        if cells is None:
            return None
        return ";".join(",".join(str(cell).strip() for cell in row) for row in cells)

    def decode(self, text: str, language: str = "en") -> list[list[str]]:
        cells = [[cell.strip() for cell in row.split(",")] for row in text.split(";")]
        try:
            validate_kernel(cells)
        except KernelError:
            raise LinkError(self.accepted(language)) from None
        return cells

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.kernel")


@dataclass(frozen=True)
class Digit:
    """A drawing as its 28×28 digit in 16 grey levels, packed two pixels a byte, compressed
    with zlib and written in URL-safe base64 (a few hundred characters at most)."""

    def encode(self, image) -> str | None:
        if image is None:
            return None
        digit = cv2.resize(
            to_grayscale(np.asarray(image)[..., :3]),
            (DIGIT_SIDE, DIGIT_SIDE),
            interpolation=cv2.INTER_AREA,
        )
        levels = np.rint(digit.astype(np.float64) * (DIGIT_LEVELS - 1) / 255).astype(np.uint8)
        flat = levels.reshape(-1)
        packed = (flat[0::2] << 4) | flat[1::2]
        compressed = zlib.compress(packed.tobytes(), 9)
        return base64.urlsafe_b64encode(compressed).decode("ascii").rstrip("=")

    def decode(self, text: str, language: str = "en") -> np.ndarray:
        """The 28×28 uint8 digit (levels spread over 0..255: 0, 17, 34, …, 255)."""
        try:
            padded = text + "=" * (-len(text) % 4)
            packed = zlib.decompress(base64.urlsafe_b64decode(padded.encode("ascii")))
        except (binascii.Error, ValueError, UnicodeEncodeError, zlib.error):
            raise LinkError(self.accepted(language)) from None
        if len(packed) != DIGIT_SIDE * DIGIT_SIDE // 2:
            raise LinkError(self.accepted(language))
        pairs = np.frombuffer(packed, dtype=np.uint8)
        levels = np.stack([pairs >> 4, pairs & 15], axis=1).reshape(DIGIT_SIDE, DIGIT_SIDE)
        return (levels * (255 // (DIGIT_LEVELS - 1))).astype(np.uint8)

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.digit")


@dataclass(frozen=True)
class Position:
    """An output position, `row,col`, each a whole number from 0 (the page keeps it inside
    the output)."""

    def encode(self, value) -> str | None:
        return f"{int(value[0])},{int(value[1])}" if value is not None else None

    def decode(self, text: str, language: str = "en") -> tuple[int, int]:
        found = re.fullmatch(r"(\d{1,4}),(\d{1,4})", text)
        if found is None:
            raise LinkError(self.accepted(language))
        return int(found[1]), int(found[2])

    def accepted(self, language: str = "en") -> str:
        return i18n.translate(language, "share.accepted.position")
