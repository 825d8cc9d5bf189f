"""What a run's manifest says, read defensively: any JSON value gives an answer, never an error.

The catalog lists only runs whose manifest passes `run_files.manifest_problem`, but these readers
do not rely on it: a field that is missing, of another type, NaN or absurdly large reads as
"not given" (None, "?", "—", the digit names), so no manifest can break a page.
"""

from __future__ import annotations

from cnnviz import i18n
from cnnviz.datasets.offline import FASHION_CLASS_NAMES, MNIST_CLASS_NAMES
from cnnviz.formatting import format_duration
from cnnviz.training.events import EpochEvent
from cnnviz.validation import is_real, is_whole


def class_names(manifest, num_classes: int | None = None) -> list[str]:
    """The class names a run was trained on; "0", "1", ... when the manifest gives none, or
    not one per class of a model with `num_classes` outputs.

    Example:
        >>> class_names({"class_names": ["cat", "dog"]}), class_names({}, num_classes=3)
        (['cat', 'dog'], ['0', '1', '2'])
        >>> class_names({"class_names": ["cat"]}, num_classes=2)  # too few: numbered instead
        ['0', '1']
    """
    names = manifest.get("class_names") if isinstance(manifest, dict) else None
    usable = isinstance(names, list) and names and all(isinstance(name, str) for name in names)
    if num_classes is None:
        return list(names) if usable else list(MNIST_CLASS_NAMES)
    if usable and len(names) == num_classes:
        return list(names)
    return [str(number) for number in range(num_classes)]


def class_label(name, language: str = "en") -> str:
    """A class name as the learner reads it in `language`: Fashion-MNIST's clothes translated
    ("Trouser" is "Pantalón" in Spanish), any other name (a digit, a learner's own class) as is.

    Example:
        >>> class_label("Ankle boot", "es"), class_label("7", "es"), class_label("cat", "es")
        ('Botín', '7', 'cat')
    """
    name = str(name)
    if name not in FASHION_CLASS_NAMES:
        return name
    return i18n.translate(language, f"training.fashion_classes.c{FASHION_CLASS_NAMES.index(name)}")


def class_labels(names, language: str = "en") -> list[str]:
    """`class_label` of each name, in order."""
    return [class_label(name, language) for name in names]


def trained_classes(manifest) -> tuple[int, ...] | None:
    """The dataset labels a run was trained on (`TrainingConfig.classes`), its outputs 0, 1,
    ... in that order; None when it was trained on every class or the manifest does not say.

    Example:
        >>> trained_classes({"config": {"classes": [0, 1, 2, 3, 4]}}), trained_classes({})
        ((0, 1, 2, 3, 4), None)
    """
    config = _mapping(manifest.get("config")) if isinstance(manifest, dict) else {}
    classes = config.get("classes")
    usable = isinstance(classes, list) and 0 < len(classes) <= 1000
    if not (usable and all(_whole(label) is not None for label in classes)):
        return None
    return tuple(int(label) for label in classes)


def run_history(manifest) -> list[EpochEvent]:
    """The run's epochs as events, in order; entries that are not epochs are left out."""
    history = manifest.get("history") if isinstance(manifest, dict) else None
    events = []
    for entry in history if isinstance(history, list) else []:
        try:
            events.append(EpochEvent.from_dict(entry))
        except (TypeError, ValueError):
            continue
    return events


def confusion_counts(manifest) -> list[list[int]] | None:
    """The run's confusion matrix (counts `[true][predicted]`), None if it has no usable one."""
    matrix = manifest.get("confusion_matrix") if isinstance(manifest, dict) else None
    rows = len(matrix) if isinstance(matrix, list) else 0
    square = 0 < rows <= 1000 and all(
        isinstance(row, list) and len(row) == rows and all(map(is_whole, row)) for row in matrix
    )
    return [[int(count) for count in row] for row in matrix] if square else None


def misclassified_indices(manifest, limit: int, size: int) -> list[int]:
    """The first `limit` indices of misclassified test images, those below `size` only."""
    indices = manifest.get("misclassified") if isinstance(manifest, dict) else None
    indices = indices if isinstance(indices, list) else []
    return [int(i) for i in indices if is_whole(i) and 0 <= i < size][:limit]


def run_summary(info, *, language: str = "en") -> dict:
    """One row of the runs table: how the run ended and the settings that tell runs apart.
    A value the manifest does not give (or gives as something else than a number) is left
    out: None, "?" or "—".

    Args:
        info: A `runs.ModelInfo` (its name, source and manifest are read).
        language: The language of the column names and the words in the row.

    Example:
        >>> from cnnviz.training.runs import ModelInfo
        >>> info = ModelInfo("r", "saved", "r.keras", {"test_accuracy": 0.9561, "config": {
        ...     "epochs": 30, "model": {"dropout": 0.3}}, "epochs_completed": 12})
        >>> row = run_summary(info)
        >>> row["Held-out accuracy (%)"], row["Epochs"], row["Regularisers"]
        (95.61, '12 of 30', 'dropout 0.3')
    """
    manifest = _mapping(info.manifest)
    config = _mapping(manifest.get("config"))
    accuracy, elapsed = _real(manifest.get("test_accuracy")), _real(manifest.get("elapsed"))
    history = manifest.get("history")
    run = _whole(manifest.get("epochs_completed"))
    run = len(history) if run is None and isinstance(history, list) else run

    def say(key: str, **values) -> str:
        return i18n.translate(language, f"training.runs_table.{key}", **values)

    bundled = say("bundled") if info.source == "bundled" else ""
    total = _whole(config.get("epochs")) or "?"
    return {
        say("run"): str(info.name) + bundled,
        say("accuracy"): None if accuracy is None else round(100 * accuracy, 2),
        say("epochs"): say("epochs_of", run="?" if run is None else run, total=total),
        say("best_epoch"): _whole(manifest.get("best_epoch")),
        say("train_size"): _whole(manifest.get("train_size", config.get("train_size"))),
        say("regularisers"): _regularisers(_mapping(config.get("model")), say),
        say("augmentation"): _augmentation(_mapping(config.get("augmentation")), say),
        say("optimiser"): _optimiser(config, say),
        say("time"): None if elapsed is None or elapsed < 0 else format_duration(elapsed),
    }


def _mapping(value) -> dict:
    return value if isinstance(value, dict) else {}


def _real(value) -> float | None:
    """A finite number of a sensible size, or None."""
    return float(value) if is_real(value) and abs(value) < 1e15 else None


def _whole(value) -> int | None:
    return int(value) if is_whole(value) and abs(value) < 2**53 else None


def _regularisers(model: dict, say) -> str:
    parts = [say("batch_norm")] if model.get("batch_norm") is True else []
    for key in ("spatial_dropout", "dropout", "l2"):
        if _real(model.get(key)):
            parts.append(f"{say(key)} {model[key]:g}")
    return ", ".join(parts) or say("none")


def _augmentation(augmentation: dict, say) -> str:
    keys = ("rotation", "translation", "zoom")
    parts = [f"{say(key)} {augmentation[key]:g}" for key in keys if _real(augmentation.get(key))]
    return ", ".join(parts) or say("none")


def _optimiser(config: dict, say) -> str:
    if not isinstance(config.get("optimizer"), str):
        return "—"
    rate, batch = _real(config.get("learning_rate")), _whole(config.get("batch_size"))
    schedule = say("cosine") if config.get("learning_rate_schedule") == "cosine" else ""
    return say(
        "optimiser_value",
        optimizer=config["optimizer"][:40],
        rate="?" if rate is None else format(rate, "g"),
        batch="?" if batch is None else batch,
        schedule=schedule,
    )
