"""The core's errors as the learner reads them: in the page's language.

Pages catch the core's `ValueError`s and show `st.error(message(error))`. An `Invalid` error
(`cnnviz.messages`) carries its catalog key and values, so it is shown in this session's
language; any other `ValueError` is shown as its own (English) text.
"""

from __future__ import annotations

from cnnviz.messages import Invalid
from cnnviz.ui.language import language


def message(error: BaseException) -> str:
    """The error's message in this session's language, or its own text when it has no key."""
    return error.text(language()) if isinstance(error, Invalid) else str(error)
