"""Training, as the pages and the command line see it: settings, presets, progress, saved runs.

- `config`: `TrainingConfig` (network, data, optimiser, schedule, augmentation, early stopping)
  and its validation.
- `presets`: the lecture's run, the over-fitting lesson and its regularised twin, the bundled
  regularised model's recipe; shared by the Training page and `python -m cnnviz.train`.
- `events`: `BatchEvent` and `EpochEvent`, what a running job reports.
- `runs`: saved runs and bundled models on disk: the catalog that lists and finds them.
- `run_files`: a run's files (names, versions, temporaries) and the checks of its manifest.
- `run_contents`: what a manifest says (class names, history, the runs table's row), read so
  that no manifest can raise.
- `run_store`: saving (one atomic switch), deleting and cleaning up runs.
- `run_owners`: whose a run is, what a save may replace, teacher mode.
- `model_archive`: a `.keras` file checked before Keras opens it (no zip bombs).

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
from cnnviz.training.run_contents import (
    class_label,
    class_labels,
    class_names,
    confusion_counts,
    misclassified_indices,
    run_history,
    run_summary,
)
from cnnviz.training.run_files import run_paths, sanitise_name
from cnnviz.training.run_owners import REPLACE_POLICIES, SavePolicy, owner_id, teacher_mode
from cnnviz.training.runs import ModelCatalog, ModelInfo, UnknownModel, default_catalog

__all__ = [
    "MAX_BATCH_SIZE",
    "MAX_EPOCHS",
    "MIN_TRAIN_SIZE",
    "PRESETS",
    "REPLACE_POLICIES",
    "SCHEDULES",
    "SHIFT_AUGMENTATION",
    "STANDARD_AUGMENTATION",
    "Augmentation",
    "BatchEvent",
    "EpochEvent",
    "ModelCatalog",
    "ModelInfo",
    "Preset",
    "SavePolicy",
    "TrainingConfig",
    "TrainingEvent",
    "TrainingOutcome",
    "UnknownModel",
    "class_label",
    "class_labels",
    "class_names",
    "confusion_counts",
    "default_catalog",
    "describe_outcome",
    "misclassified_indices",
    "owner_id",
    "run_history",
    "run_paths",
    "run_summary",
    "sanitise_name",
    "seconds_left",
    "teacher_mode",
    "training_preset",
    "validate_training_config",
]
