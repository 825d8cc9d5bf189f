"""What to train and how: `TrainingConfig`, its validation, and the presets. No TensorFlow.

The training page builds and checks a `TrainingConfig` in the Streamlit process, which never
imports TensorFlow; `cnnviz.training` (engine side) runs it.
"""

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields

from cnnviz.data import check_name
from cnnviz.models import CNNConfig, lecture_config, regularised_wide_config, validate_config

OPTIMIZERS = ("adam", "sgd", "rmsprop")
SCHEDULES = ("constant", "cosine")
PRESETS = ("lecture", "regularised")
MAX_EPOCHS = 200
MAX_BATCH_SIZE = 4096
MIN_TRAIN_SIZE = 10
MISCLASSIFIED_LIMIT = 64
BATCH_REPORT_INTERVAL = 0.1  # seconds: at most ~10 batch events a second


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
            value = getattr(self, name)
            if not _is_real(value) or not 0 <= value < 1:
                raise ValueError(
                    f"Augmentation `{name}` must be a number in [0, 1). Received {value!r}."
                )

    @property
    def enabled(self) -> bool:
        """Whether any of the three changes is switched on."""
        return any((self.rotation, self.translation, self.zoom))


@dataclass(frozen=True)
class TrainingConfig:
    """Everything that decides a training run; the same config and seed give the same run.

    Args:
        model: The network to build (`cnnviz.models.CNNConfig`).
        dataset: A name from `cnnviz.data.DATASET_NAMES`.
        train_size: Train on this many images (at least 10) of a seeded shuffle of the
            training split; None: all but the validation images. Small sizes show
            over-fitting.
        validation_size: Images held back from the training split to choose the best epoch
            and stop early: a count (at least 1) or a fraction of the split in (0, 1). The
            dataset's test split stays untouched until the final score.
        epochs: Passes over the training images, 1 to 200.
        batch_size: Images per gradient step, 1 to 4096.
        optimizer: "adam", "sgd" (plain, no momentum) or "rmsprop".
        learning_rate: The optimizer's step size, in (0, 1].
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
        return {**data, "model": self.model.to_dict(), "augmentation": asdict(self.augmentation)}

    @classmethod
    def from_dict(cls, data: Mapping) -> "TrainingConfig":
        """A validated config from `to_dict`'s format; missing keys take their defaults.

        Raises:
            ValueError: on unknown keys or a value out of range, naming it.
        """
        values = dict(_known_keys(data, cls, "Training config"))
        if "model" in values:
            values["model"] = CNNConfig.from_dict(values["model"])
        if "augmentation" in values:
            values["augmentation"] = Augmentation(
                **_known_keys(values["augmentation"], Augmentation, "Augmentation")
            )
        return cls(**values)


def validate_training_config(config: TrainingConfig) -> None:
    """Raise ValueError, naming the field, what was received and what is accepted, if needed."""
    if not isinstance(config, TrainingConfig):
        raise ValueError(f"Expected a TrainingConfig. Received {type(config).__name__}.")
    validate_config(config.model)
    check_name(config.dataset)
    if config.train_size is not None:
        _check_int(config.train_size, "train_size", MIN_TRAIN_SIZE, None, " or None (all)")
    size = config.validation_size
    if not ((_is_int(size) and size >= 1) or (isinstance(size, float) and 0 < size < 1)):
        raise ValueError(
            "`validation_size` must be a whole number of at least 1 or a fraction in (0, 1). "
            f"Received validation_size={size!r}."
        )
    _check_int(config.epochs, "epochs", 1, MAX_EPOCHS)
    _check_int(config.batch_size, "batch_size", 1, MAX_BATCH_SIZE)
    _check_choice(config.optimizer, "optimizer", OPTIMIZERS)
    rate = config.learning_rate
    if not _is_real(rate) or not 0 < rate <= 1:
        raise ValueError(f"`learning_rate` must be a number in (0, 1]. Received {rate!r}.")
    _check_choice(config.learning_rate_schedule, "learning_rate_schedule", SCHEDULES)
    _check_int(config.seed, "seed", 0, 2**32 - 1)
    if not isinstance(config.augmentation, Augmentation):
        raise ValueError(f"Expected an Augmentation. Received {config.augmentation!r}.")
    if config.early_stopping_patience is not None:
        patience = config.early_stopping_patience
        _check_int(patience, "early_stopping_patience", 1, MAX_EPOCHS, " or None (never)")


def training_preset(name: str) -> TrainingConfig:
    """The settings behind a bundled model: "lecture" or "regularised".

    "lecture" is the lecture's run: its model, Adam at 1e-3, batch 128, 10 epochs, seed 0.
    "regularised" is the lecture's layout with twice the channels and batch norm, spatial
    dropout and dropout (`regularised_wide_config`), trained on augmented batches (rotation
    0.05, translation and zoom 0.1) for up to 100 epochs of batch 32 with a cosine
    learning-rate decay, stopping early after 25 epochs without a better validation
    accuracy. Chosen on validation accuracy among batch 16/32/64, 60-150 epochs, constant or
    cosine rates, lighter augmentation or dropout, and widths; each regulariser needs more,
    smaller steps to pay off on 7,000 digits.

    Raises:
        ValueError: if `name` is not in `PRESETS`.
    """
    if name == "lecture":
        return TrainingConfig()
    if name == "regularised":
        return TrainingConfig(
            model=regularised_wide_config(),
            epochs=100,
            batch_size=32,
            learning_rate_schedule="cosine",
            augmentation=Augmentation(rotation=0.05, translation=0.1, zoom=0.1),
            early_stopping_patience=25,
        )
    raise ValueError(f"Unknown preset. Accepted: {PRESETS}. Received {name!r}.")


def _is_int(value) -> bool:
    return isinstance(value, numbers.Integral) and not isinstance(value, bool)


def _is_real(value) -> bool:
    return isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)


def _check_int(value, name, low, high, alternative=""):
    if not _is_int(value) or value < low or (high is not None and value > high):
        accepted = f"from {low} to {high}" if high is not None else f"of at least {low}"
        raise ValueError(
            f"`{name}` must be a whole number {accepted}{alternative}. Received {name}={value!r}."
        )


def _check_choice(value, name, accepted):
    if not isinstance(value, str) or value not in accepted:
        raise ValueError(f"`{name}` must be one of {accepted}. Received {name}={value!r}.")


def _known_keys(data, cls, what):
    """`data` as a dict after checking that every key is a field of dataclass `cls`."""
    if not isinstance(data, Mapping):
        raise ValueError(f"{what} must be a dict. Received {type(data).__name__}: {data!r}.")
    accepted = [f.name for f in fields(cls)]
    unknown = sorted(str(key) for key in data if key not in accepted)
    if unknown:
        raise ValueError(
            f"{what} has unknown keys. Accepted keys: {accepted}. Received keys {unknown}."
        )
    return dict(data)
