"""What to train and how: `TrainingConfig` and its validation. No TensorFlow.

The training page builds and checks a `TrainingConfig` in the Streamlit process, which never
imports TensorFlow; the engine's `keras_side.fit` trains it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

from cnnviz.datasets.offline import check_name
from cnnviz.messages import Invalid, Phrase
from cnnviz.network.config import CNNConfig, lecture_config, validate_config
from cnnviz.network.design import OPTIMIZERS
from cnnviz.validation import (
    check_choice,
    check_known_keys,
    check_real,
    check_whole,
    is_whole,
)

SCHEDULES = ("constant", "cosine")
MAX_EPOCHS = 200
# Learning rates up to 10 are accepted: too large a rate is a lesson too (the run diverges).
MAX_LEARNING_RATE = 10.0
MAX_BATCH_SIZE = 4096
MIN_TRAIN_SIZE = 10
MISCLASSIFIED_LIMIT = 64
# Training images of each class (label 0, 1, ...) in each dataset's training split, so that a
# run on some of the classes is checked without loading the images (tests/training compares
# them with the data). Their sums are `cnnviz.datasets.offline.TRAINING_IMAGES`.
TRAINING_IMAGES_PER_CLASS = {
    "mnist-sample": (801, 902, 793, 826, 784, 690, 811, 856, 755, 782),
    "mnist": (5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949),
    "fashion-mnist": (6000,) * 10,
}


@dataclass(frozen=True)
class Augmentation:
    """Random changes to training images, as Keras preprocessing layers (not in the model).

    Args:
        rotation: `keras.layers.RandomRotation` factor, a fraction of a full turn: 0.05 turns
            each image by up to ±18°.
        translation: `keras.layers.RandomTranslation` factor, a fraction of height and width.
        zoom: `keras.layers.RandomZoom` factor: 0.1 zooms in or out by up to 10 %.
    """

    rotation: float = 0.0
    translation: float = 0.0
    zoom: float = 0.0

    def __post_init__(self):
        for name in ("rotation", "translation", "zoom"):
            label = Phrase("errors.names.augmentation_setting", name=name)
            check_real(getattr(self, name), label, 0.0, 1.0, open_high=True)

    @property
    def enabled(self) -> bool:
        """Whether any of the three changes is switched on."""
        return any((self.rotation, self.translation, self.zoom))


# Light augmentation that keeps a digit a digit: up to ±18°, 10 % shift, 10 % zoom.
STANDARD_AUGMENTATION = Augmentation(rotation=0.05, translation=0.1, zoom=0.1)
# Shifts only, by up to 5 % of the side (1.4 px of 28): keeps a digit a digit and a shirt a
# shirt. The over-fitting lesson's twin uses it: on 500 Fashion-MNIST images, turning and
# zooming cost more than they gave.
SHIFT_AUGMENTATION = Augmentation(translation=0.05)


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides a training run; the same config and seed give the same run.

    Args:
        model: The network to build (`cnnviz.network.CNNConfig`).
        dataset: A name from `cnnviz.datasets.DATASET_NAMES`.
        classes: Train on the images of these labels only, relabelled 0, 1, ... in the
            order given (`cnnviz.transfer.tasks.digit_subset`), and score on the same labels
            of the test split: at least two different labels of the dataset, as many as
            `model.num_classes`. (0, 1, 2, 3, 4) is transfer learning's source task, "digits
            0–4". None: every class.
        train_size: Train on this many images (at least 10) of a seeded shuffle of the
            training split (of `classes`' images, when given); None: all but the validation
            images. Small sizes show over-fitting.
        validation_size: Images held back from the training split to choose the best epoch
            and stop early: a count (at least 1) or a fraction of the split in (0, 1). The
            dataset's test split stays untouched until the final score.
        epochs: Passes over the training images, 1 to 200.
        batch_size: Images per gradient step, 1 to 4096.
        optimizer: "adam", "sgd" (plain, no momentum) or "rmsprop".
        learning_rate: The optimizer's step size, in (0, 10]; too large a step makes the
            loss diverge, which ends the run with a message.
        learning_rate_schedule: "constant", or "cosine": from `learning_rate` down to
            almost 0 at the last epoch along half a cosine (`keras.optimizers.schedules.
            CosineDecay`), big steps first and fine ones at the end.
        seed: Seeds weights, shuffles and augmentation (0 to 2**32 - 1).
        augmentation: Random changes to training batches; off by default.
        early_stopping_patience: Stop after this many epochs without a better validation
            accuracy (1 to 200); None: never.

    Raises:
        ValueError: naming the field and the received value when one is out of range.
    """

    model: CNNConfig = field(default_factory=lecture_config)
    dataset: str = "mnist-sample"
    classes: tuple[int, ...] | None = None
    train_size: int | None = None
    validation_size: int | float = 1000
    epochs: int = 10
    batch_size: int = 128
    optimizer: str = "adam"
    learning_rate: float = 1e-3
    learning_rate_schedule: str = "constant"
    seed: int = 0
    augmentation: Augmentation = field(default_factory=Augmentation)
    early_stopping_patience: int | None = None

    def __post_init__(self):
        validate_training_config(self)

    def to_dict(self) -> dict:
        """The config as plain dicts, lists and numbers, ready for `json.dumps`."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        if self.classes is not None:
            data["classes"] = list(self.classes)
        return {**data, "model": self.model.to_dict(), "augmentation": asdict(self.augmentation)}

    @classmethod
    def from_dict(cls, data: Mapping) -> TrainingConfig:
        """A validated config from `to_dict`'s format; missing keys take their defaults.

        Raises:
            ValueError: on unknown keys or a value out of range, naming it.
        """
        values = check_known_keys(data, cls, Phrase("errors.names.training_config"))
        if isinstance(values.get("classes"), list):  # JSON has lists, the config tuples
            values["classes"] = tuple(values["classes"])
        if "model" in values:
            values["model"] = CNNConfig.from_dict(values["model"])
        if "augmentation" in values:
            values["augmentation"] = Augmentation(
                **check_known_keys(
                    values["augmentation"], Augmentation, Phrase("errors.names.augmentation")
                )
            )
        return cls(**values)


def validate_training_config(config: TrainingConfig) -> None:
    """Raise ValueError, naming the field, what was received and what is accepted, if needed."""
    if not isinstance(config, TrainingConfig):
        raise ValueError(f"Expected a TrainingConfig. Received {type(config).__name__}.")
    check_name(config.dataset)
    if config.classes is not None:  # before the model, whose num_classes follows from them
        _check_classes(config)
    validate_config(config.model)
    if config.train_size is not None:
        every = Phrase("errors.validation.or_none_all")
        check_whole(config.train_size, "`train_size`", MIN_TRAIN_SIZE, alternative=every)
    size = config.validation_size
    if not ((is_whole(size) and size >= 1) or (isinstance(size, float) and 0 < size < 1)):
        raise Invalid("errors.training.validation_size", received=repr(size))
    _check_sizes(config)
    check_whole(config.epochs, "`epochs`", 1, MAX_EPOCHS)
    check_whole(config.batch_size, "`batch_size`", 1, MAX_BATCH_SIZE)
    check_choice(config.optimizer, "`optimizer`", OPTIMIZERS)
    check_real(config.learning_rate, "`learning_rate`", 0.0, MAX_LEARNING_RATE, open_low=True)
    check_choice(config.learning_rate_schedule, "`learning_rate_schedule`", SCHEDULES)
    check_whole(config.seed, "`seed`", 0, 2**32 - 1)
    if not isinstance(config.augmentation, Augmentation):
        raise ValueError(f"Expected an Augmentation. Received {config.augmentation!r}.")
    if config.early_stopping_patience is not None:
        check_whole(
            config.early_stopping_patience,
            "`early_stopping_patience`",
            1,
            MAX_EPOCHS,
            alternative=Phrase("errors.training.or_none_never"),
        )


def _check_classes(config: TrainingConfig) -> None:
    classes, dataset = config.classes, config.dataset
    count = len(TRAINING_IMAGES_PER_CLASS[dataset])
    if not isinstance(classes, tuple) or not all(
        is_whole(label) and 0 <= label < count for label in classes
    ):
        raise Invalid(
            "errors.training.classes", dataset=dataset, last=count - 1, received=repr(classes)
        )
    if len(classes) < 2 or len(set(classes)) != len(classes):
        raise Invalid("errors.training.two_classes", received=repr(classes))
    outputs = getattr(config.model, "num_classes", len(classes))  # a non-model fails later
    if outputs != len(classes):
        raise ValueError(
            f"The model's `num_classes` must be {len(classes)}, one output per label of "
            f"`classes`. Received num_classes={outputs!r} with classes={classes!r}: use a "
            f"model with num_classes={len(classes)}, for example "
            f"`dataclasses.replace(model, num_classes={len(classes)})`."
        )


def _check_sizes(config: TrainingConfig) -> None:
    """`validation_size` and `train_size` against the images there are (of `classes`)."""
    available = training_images(config.dataset, config.classes)
    held_back = validation_images(config.validation_size, available)
    where = config.dataset
    if config.classes is not None:
        where = Phrase("errors.training.with_classes", dataset=where, classes=repr(config.classes))
    if available - held_back < MIN_TRAIN_SIZE:
        raise Invalid(
            "errors.training.validation_leaves",
            least=MIN_TRAIN_SIZE,
            where=where,
            images=available,
            received=repr(config.validation_size),
        )
    if config.train_size is not None and config.train_size > available - held_back:
        raise Invalid(
            "errors.training.train_size",
            most=available - held_back,
            where=where,
            images=available,
            held_back=held_back,
            received=config.train_size,
        )


def training_images(dataset: str, classes=None) -> int:
    """How many images the training split of `dataset` has (of the labels `classes` only,
    when given), before any are held back for validation.

    Example:
        >>> training_images("mnist-sample"), training_images("mnist-sample", (0, 1, 2, 3, 4))
        (8000, 4106)
    """
    check_name(dataset)
    counts = TRAINING_IMAGES_PER_CLASS[dataset]
    if classes is None:
        return sum(counts)
    return sum(counts[check_whole(label, "A label", 0, len(counts) - 1)] for label in classes)


def validation_images(validation_size: int | float, available: int) -> int:
    """How many of `available` training images a `validation_size` holds back (a count, or a
    fraction rounded, at least 1)."""
    if isinstance(validation_size, float):
        return max(1, round(validation_size * available))
    return validation_size


def largest_train_size(dataset: str, validation_size: int | float = 1000, classes=None) -> int:
    """The most training images a run on `dataset` (on its labels `classes` only, when given)
    can have: its training split less the images held back for validation.

    Example:
        >>> largest_train_size("mnist-sample"), largest_train_size("mnist", 0.1)
        (7000, 54000)
        >>> largest_train_size("mnist-sample", classes=(0, 1, 2, 3, 4))
        3106
    """
    available = training_images(dataset, classes)
    return available - validation_images(validation_size, available)
