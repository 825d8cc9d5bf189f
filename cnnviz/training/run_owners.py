"""Whose a saved run is: owner tokens, what a save may replace, and teacher mode.

Each browser session has a random owner token (the page keeps it). A run it saves keeps the
token's SHA-256 in its manifest (`owner`), never the token, so the runs folder gives nobody a
token. Only the session that saved a run may replace it (under the same name) or delete it,
unless the server runs in teacher mode (`CNNVIZ_TEACHER_MODE=1`), where any session may. A save
that may not replace a run keeps it and takes the next free name (`name-2`, ...), so two
students who both call their run `my-run` each keep theirs.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Collection, Mapping
from dataclasses import dataclass, field

REPLACE_POLICIES = ("own", "any", "never")
TEACHER_MODE_ENV = "CNNVIZ_TEACHER_MODE"
_YES, _NO = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


@dataclass(frozen=True)
class SavePolicy:
    """Whose run a save may replace, and which names it must not take.

    Attributes:
        owner: The saving session's owner token (kept as its SHA-256), or None (nobody's).
        replace: "own" (a run of the same name is replaced only if the same owner saved it),
            "any" (always replaced: teacher mode and the command line) or "never". A run that
            may not be replaced stays, and the new one takes the next free `name-2`, ...
        reserved: Names never taken (the bundled models').

    Raises:
        ValueError: For a `replace` it does not know, or an owner that is not a token.
    """

    owner: str | None = None
    replace: str = "own"
    reserved: Collection[str] = field(default_factory=frozenset)

    def __post_init__(self):
        if self.replace not in REPLACE_POLICIES:
            raise ValueError(
                f"`replace` must be one of {', '.join(REPLACE_POLICIES)}. "
                f"Received {self.replace!r}."
            )
        if self.owner is not None:
            owner_id(self.owner)

    def may_replace(self, manifest: dict | None) -> bool:
        """Whether this save may replace the run of this manifest (None: unreadable)."""
        if self.replace == "any":
            return True
        return self.replace == "own" and is_owner(manifest, self.owner)


def owner_id(token: str) -> str:
    """What a manifest keeps of an owner token: its SHA-256, so the token stays secret.

    Raises:
        ValueError: If `token` is not a non-empty string.
    """
    if not isinstance(token, str) or not token:
        raise ValueError(f"An owner token is a non-empty string. Received {token!r}.")
    return hashlib.sha256(token.encode()).hexdigest()


def is_owner(manifest: dict | None, token: str | None) -> bool:
    """Whether the session with owner token `token` saved the run of this manifest."""
    if token is None or not isinstance(manifest, dict):
        return False
    return manifest.get("owner") == owner_id(token)


def teacher_mode(environ: Mapping[str, str] = os.environ) -> bool:
    """Whether the server runs in teacher mode: `CNNVIZ_TEACHER_MODE` set to "1", "true",
    "yes" or "on" (any case). In teacher mode any session may replace or delete any saved run;
    otherwise only the session that saved a run may. Unset, "", "0", "false", "no" or "off":
    off.

    Example:
        >>> teacher_mode({"CNNVIZ_TEACHER_MODE": "yes"}), teacher_mode({})
        (True, False)

    Raises:
        ValueError: If the variable has another value.
    """
    value = environ.get(TEACHER_MODE_ENV, "").strip().lower()
    if value not in _YES + _NO:
        raise ValueError(
            f"{TEACHER_MODE_ENV} must be one of {', '.join(_YES)} (on) or 0, false, no, off "
            f"(off). Received {environ[TEACHER_MODE_ENV]!r}."
        )
    return value in _YES
