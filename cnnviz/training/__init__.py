"""Training, as the pages and the command line see it: settings, presets, progress, saved runs.

- `config`: `TrainingConfig` (network, data, optimiser, schedule, augmentation, early stopping)
  and its validation.
- `presets`: the lecture's run, the over-fitting lesson and its regularised twin, the bundled
  regularised model's recipe; shared by the Training page and `python -m cnnviz.train`.
- `events`: `BatchEvent` and `EpochEvent`, what a running job reports.
- `runs`: saved runs and bundled models on disk: names, files, manifests, listing, deleting.

No TensorFlow: the engine's `keras_side.fit` trains, `keras_side.save` writes the runs.
"""

from cnnviz.training.config import (
    MAX_BATCH_SIZE,
    MAX_EPOCHS,
    MIN_TRAIN_SIZE,
    SCHEDULES,
    SHIFT_AUGMENTATION,
    STANDARD_AUGMENTATION,
    Augmentation,
    TrainingConfig,
    validate_training_config,
)
from cnnviz.training.events import (
    BatchEvent,
    EpochEvent,
    TrainingEvent,
    TrainingOutcome,
    describe_outcome,
    seconds_left,
)
from cnnviz.training.presets import PRESETS, Preset, training_preset
from cnnviz.training.runs import (
    ModelCatalog,
    ModelInfo,
    UnknownModel,
    class_names,
    default_catalog,
    run_history,
    run_paths,
    run_summary,
    sanitise_name,
)

__all__ = [
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MIN_TRAIN_SIZE",
    "PRESETS",
    "SCHEDULES",
    "SHIFT_AUGMENTATION",
    "STANDARD_AUGMENTATION",
    "Augmentation",
    "BatchEvent",
    "EpochEvent",
    "ModelCatalog",
    "ModelInfo",
    "Preset",
    "TrainingConfig",
    "TrainingEvent",
    "TrainingOutcome",
    "UnknownModel",
    "class_names",
    "default_catalog",
    "describe_outcome",
    "run_history",
    "run_paths",
    "run_summary",
    "sanitise_name",
    "seconds_left",
    "training_preset",
    "validate_training_config",
]
