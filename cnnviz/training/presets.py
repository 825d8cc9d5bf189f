"""The training presets: the lecture's run, the over-fitting lesson and its regularised twin,
the recipe of the bundled regularised model, and the recipes of the two bundled source
networks of transfer learning (digits 0–4, Fashion-MNIST).

One list serves the Training page (its preset buttons) and the command line
(`python -m cnnviz.train --preset NAME`), so a lesson seen in the browser can be reproduced
outside it with the same settings.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from cnnviz import i18n
from cnnviz.messages import Phrase
from cnnviz.network.config import lecture_config, regularised_config, regularised_wide_config
from cnnviz.training.config import SHIFT_AUGMENTATION, STANDARD_AUGMENTATION, TrainingConfig
from cnnviz.validation import check_choice

OVERFIT_TRAIN_SIZE = 500
OVERFIT_EPOCHS = 100
# 16 steps an epoch: batch normalisation's moving statistics (momentum 0.99) need a few
# hundred steps to settle, which 4 steps an epoch (batch 128) never gave them in 30 epochs
# (the twin's validation accuracy fell to chance). 100 epochs: the plain run's validation
# loss bottoms out after 10-20 and climbs for the rest, while the regularised twin, which
# learns more slowly, is still improving after 50.
OVERFIT_BATCH_SIZE = 32
# Transfer learning's source task, as in the classic Keras example: digits 0-4, to reuse on 5-9.
SOURCE_DIGITS = (0, 1, 2, 3, 4)
SOURCE_EPOCHS = 15
FASHION_EPOCHS = 10


@dataclass(frozen=True)
class Preset:
    """A named set of training settings.

    Its words (`label`, `lesson`) are in the message catalogs, under
    `training.presets.<name>`: `label_in(language)` and `lesson_in(language)` give them in
    English or Spanish; `label` and `lesson` are the English ones (the command line's).

    Attributes:
        name: The command line's name (`--preset NAME`).
        config: The settings.
        run_name: The name a run of it is saved under by default (never a bundled model's).
        on_page: Whether the Training page offers it (the page trains the lecture's layout).
    """

    name: str
    config: TrainingConfig
    run_name: str
    on_page: bool = True

    def label_in(self, language: str = "en") -> str:
        """The Training page's button, in `language`."""
        return i18n.translate(language, f"training.presets.{self.name}.label")

    def lesson_in(self, language: str = "en") -> str:
        """What running it shows, in a sentence, in `language`."""
        return i18n.translate(language, f"training.presets.{self.name}.lesson", **_NUMBERS)

    @property
    def label(self) -> str:
        """The Training page's button, in English."""
        return self.label_in()

    @property
    def lesson(self) -> str:
        """What running it shows, in English."""
        return self.lesson_in()


# The numbers the lessons quote, filled into their {braces}.
_NUMBERS = {
    "train_size": OVERFIT_TRAIN_SIZE,
    "epochs": OVERFIT_EPOCHS,
    "source_epochs": SOURCE_EPOCHS,
    "fashion_epochs": FASHION_EPOCHS,
}


def _presets() -> tuple[Preset, ...]:
    lecture = TrainingConfig()
    overfit = replace(
        lecture, train_size=OVERFIT_TRAIN_SIZE, epochs=OVERFIT_EPOCHS, batch_size=OVERFIT_BATCH_SIZE
    )
    twin = replace(overfit, model=regularised_config(), augmentation=SHIFT_AUGMENTATION)
    bundled = TrainingConfig(
        model=regularised_wide_config(),
        epochs=100,
        batch_size=32,
        learning_rate_schedule="cosine",
        augmentation=STANDARD_AUGMENTATION,
        early_stopping_patience=25,
    )
    digits = TrainingConfig(
        model=replace(lecture_config(), num_classes=len(SOURCE_DIGITS)),
        classes=SOURCE_DIGITS,
        epochs=SOURCE_EPOCHS,
    )
    fashion = TrainingConfig(dataset="fashion-mnist", epochs=FASHION_EPOCHS)
    return (
        Preset(
            name="lecture",
            config=lecture,
            run_name="lecture-again",
        ),
        Preset(
            name="over-fitting",
            config=overfit,
            run_name="over-fitting",
        ),
        Preset(
            name="over-fitting-regularised",
            config=twin,
            run_name="over-fitting-regularised",
        ),
        Preset(
            name="regularised",
            config=bundled,
            run_name="regularised-again",
            on_page=False,
        ),
        Preset(
            name="digits-0-4",
            config=digits,
            run_name="digits-0-4-again",
            on_page=False,
        ),
        Preset(
            name="fashion",
            config=fashion,
            run_name="fashion-again",
            on_page=False,
        ),
    )


PRESETS: dict[str, Preset] = {preset.name: preset for preset in _presets()}


def training_preset(name: str) -> TrainingConfig:
    """The settings of the preset called `name` (see `PRESETS`).

    "lecture" is the lecture's run: its model, Adam at 1e-3, batch 128, 10 epochs, seed 0.
    "regularised" is the bundled model's recipe: the lecture's layout with twice the channels
    and batch norm, spatial dropout and dropout, trained on augmented batches (rotation 0.05,
    translation and zoom 0.1) for up to 100 epochs of batch 32 with a cosine learning-rate
    decay, stopping early after 25 epochs without a better validation accuracy. It was chosen
    on validation accuracy among batch 16/32/64, 60-150 epochs, constant or cosine rates,
    lighter augmentation or dropout, and widths; each regulariser needs more, smaller steps to
    pay off on 7,000 digits. "digits-0-4" and "fashion" are the bundled source networks of
    transfer learning: the lecture's run on the sample's digits 0-4 only (5 outputs, 15
    epochs), and on Fashion-MNIST (10 epochs).

    Example:
        >>> training_preset("over-fitting").train_size
        500

    Raises:
        ValueError: If `name` is not in `PRESETS`.
    """
    return PRESETS[check_choice(name, Phrase("errors.names.preset"), PRESETS)].config
