"""A shareable setting: which session-state key a value lives in, its URL parameter and its
codec (`share_codecs`); and a page's settings, with what its link cannot carry.

No Streamlit here: `cnnviz.ui.share` applies them to the session's state and to the link.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Setting:
    """One shareable setting of a page.

    Attributes:
        parameter: Its short name in the URL (`strides`).
        key: The session-state key its value lives in (a widget's key, or the picker's
            saved state).
        codec: How it is written and read (`share_codecs`).
        default: The value a page starts with: not written into the link.
        also: More session-state keys the linked value is put in (the picker's widget key
            beside its saved state).
        when: Whether the setting matters now (the class filter only for a dataset digit):
            written only then.
        read: How to read the value from the state, when not simply `state[key]`.
        seed: How to put a linked value into the state, when not simply into `key` and `also`.
    """

    parameter: str
    key: str
    codec: object
    default: object = None
    also: tuple[str, ...] = ()
    when: Callable[[Mapping], bool] | None = None
    read: Callable[[Mapping], object] | None = None
    seed: Callable[[MutableMapping, object], None] | None = None

    def text(self, state: Mapping) -> str | None:
        """The parameter's text for the view in `state`; None when it is at its default or
        does not matter."""
        if self.when is not None and not self.when(state):
            return None
        value = self.read(state) if self.read is not None else state.get(self.key, self.default)
        if value is None or _same(value, self.default):
            return None
        return self.codec.encode(value)

    def apply(self, state: MutableMapping, value) -> None:
        """Put a value read from a link into the state, before the widgets are drawn."""
        if self.seed is not None:
            self.seed(state, value)
            return
        for key in (self.key, *self.also):
            state[key] = value


def _same(value, default) -> bool:
    if isinstance(value, np.ndarray) or isinstance(default, np.ndarray):
        return False
    return value == default


@dataclass(frozen=True)
class PageShare:
    """A page's shareable settings, and what its link cannot carry.

    Attributes:
        settings: The page's settings.
        notes: A function of the state returning what the link leaves out (an upload),
            each a sentence to show beside the link.
    """

    settings: tuple[Setting, ...]
    notes: Callable[[Mapping], list[str]] = field(default=lambda state: [])

    @property
    def parameters(self) -> set[str]:
        return {setting.parameter for setting in self.settings}
