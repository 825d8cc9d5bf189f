"""The guided lesson's nine steps, in the lecture's order, and the learner's score.

Each step names the app's page that treats its topic in full; its words (title, explanation,
what to try) are in the `guided` catalogs under the step's key. A link opens a step with
`?step=3` (`step_number` reads it); the score counts the questions answered and answered right.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from cnnviz import i18n
from cnnviz.guide.questions import Question


@dataclass(frozen=True)
class Step:
    """One step of the guided lesson.

    Attributes:
        key: Its name in the catalogs (`guided.<key>.title`, `.explanation`, `.experiment`).
        page: The script of the page that treats the topic in full, from the repository root.
    """

    key: str
    page: str

    def text(self, part: str, language: str = "en") -> str:
        """One of the step's words in `language`: "title", "explanation" or "experiment".

        Raises:
            ValueError: If `part` is none of these.
        """
        if part not in ("title", "explanation", "experiment"):
            raise ValueError(
                f"A step's text is its title, explanation or experiment. Received {part!r}."
            )
        return i18n.translate(language, f"guided.{self.key}.{part}")


STEPS = (
    Step("pixels", "lessons/home.py"),
    Step("convolution", "lessons/convolution.py"),
    Step("parameters", "lessons/architecture.py"),
    Step("pooling", "lessons/pooling.py"),
    Step("mnist", "lessons/architecture.py"),
    Step("filters", "lessons/feature_maps.py"),
    Step("regularisation", "lessons/training.py"),
    Step("design", "lessons/architecture.py"),
    Step("transfer", "lessons/transfer.py"),
)


def find_step(key: str) -> Step:
    """The step called `key`.

    Raises:
        ValueError: If no step has that key (the message lists them).
    """
    for step in STEPS:
        if step.key == key:
            return step
    raise ValueError(f"The steps are {', '.join(s.key for s in STEPS)}. Received {key!r}.")


def step_number(text: str | None, count: int = len(STEPS)) -> int:
    """The step a link asks for (`?step=3`), 1 to `count`; 1 when it asks for none.

    Raises:
        ValueError: If `text` is not a whole number from 1 to `count`.

    Example:
        >>> step_number("3"), step_number(None)
        (3, 1)
    """
    if text is None or text == "":
        return 1
    cleaned = str(text).strip()
    if not cleaned.isdecimal() or not 1 <= int(cleaned) <= count:
        raise ValueError(f"The step must be a number from 1 to {count}. Received {text!r}.")
    return int(cleaned)


def score(questions: Mapping[str, Question], answers: Mapping[str, int]) -> tuple[int, int]:
    """`(answered, right)`: how many of the `questions` (by step key) have an answer in
    `answers` (the chosen choice's index, by step key), and how many of those are right.

    Answers to keys that are not among the questions are ignored.
    """
    given = {key: choice for key, choice in answers.items() if key in questions}
    right = sum(questions[key].is_right(choice) for key, choice in given.items())
    return len(given), right
