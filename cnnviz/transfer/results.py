"""What a transfer-learning job reports and returns: typed events and results. No TensorFlow.

A job (`cnnviz.engine.keras_side.transfer_job`) reports, as it goes, a `LayerScore` per layer
for the features method, a `TransferEpoch` per epoch of the methods that train, and a
`MethodResult` as each method ends; it returns a `TransferOutcome` with all of them. The
Transfer-learning page draws its curves, its results table and its confusion matrix from
these alone.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cnnviz import i18n
from cnnviz.transfer.config import METHOD_LABELS, LayerTableRow, method_label


@dataclass(frozen=True)
class LayerScore:
    """How well one layer's outputs classify the target with an SVM (and a logistic
    regression), scored on the target's test images."""

    layer: str
    kind: str
    dimensions: int
    svm_accuracy: float
    logistic_accuracy: float
    seconds: float


@dataclass(frozen=True)
class TransferEpoch:
    """One epoch of a method that trains.

    `phase` is 1, or 2 for fine-tuning's second phase; `epoch` counts across phases from 1.
    `test_loss` and `test_accuracy` are on the target's test images, which training never
    uses to choose anything (as the lecture's Keras example passes them as validation data).
    """

    method: str
    phase: int
    epoch: int
    epochs: int
    loss: float | None
    accuracy: float | None
    test_loss: float | None
    test_accuracy: float | None
    learning_rate: float
    seconds: float


@dataclass(frozen=True)
class MethodResult:
    """One method's outcome on the target's test images.

    Attributes:
        method: A key of `METHOD_LABELS`.
        accuracy: Test accuracy, 0..1 (the features method: its SVM's, at the cut layer).
        confusion_matrix: `(classes, classes)` counts, rows the true class.
        seconds: Wall time of the method, features or training included.
        history: Its epochs (empty for the features method).
        phase_boundary: The last epoch of phase 1 (fine-tuning), else None.
        layers: The trained network's layers, trainable or frozen as trained (the last
            phase's switches), as Keras counted them; empty for the features method.
        layer_scores: Every layer's SVM scores (features method), else empty.
        projection: The test images' features at the cut layer in 2-D (features method).
        weights: The trained network's weights, in `model.get_weights()` order, so the page
            can save it without training again; None for the features method.
        stopped: Whether a stop ended it before its last epoch.
    """

    method: str
    accuracy: float
    confusion_matrix: np.ndarray
    seconds: float
    history: list[TransferEpoch] = field(default_factory=list)
    phase_boundary: int | None = None
    layers: list[LayerTableRow] = field(default_factory=list)
    layer_scores: list[LayerScore] = field(default_factory=list)
    projection: np.ndarray | None = None
    weights: list[np.ndarray] | None = None
    stopped: bool = False

    @property
    def label(self) -> str:
        """The method's name as the page says it."""
        return METHOD_LABELS[self.method]


@dataclass(frozen=True)
class TransferOutcome:
    """A transfer job's results: one `MethodResult` per method that ran, and what it ran on.

    `network` is the trained networks' `CNNConfig.to_dict()` (the source's architecture with
    the target's classes), `test_labels` the test images' classes (the projection's colours).
    """

    config: dict
    source: str
    target: str
    class_names: tuple[str, ...]
    train_size: int
    test_size: int
    network: dict
    cut_layer: str
    results: list[MethodResult]
    test_labels: np.ndarray
    stopped: bool = False

    def result(self, method: str) -> MethodResult | None:
        """The result of `method`, or None if it did not run."""
        return next((r for r in self.results if r.method == method), None)


RESULTS_COLUMNS = ("method", "accuracy", "gain", "trained", "epochs", "time")


def results_column(name: str, *, language: str = "en") -> str:
    """The heading of the results table's column `name` (one of `RESULTS_COLUMNS`).

    Example:
        >>> results_column("gain"), results_column("time", language="es")
        ('Gain over scratch (points)', 'Tiempo (s)')
    """
    return i18n.translate(language, f"transfer.results_table.{name}")


def results_table(outcome: TransferOutcome, *, language: str = "en") -> list[dict]:
    """One row per method: accuracy, the gain over the baseline, time, what was trained.

    The gain is in percentage points over the from-scratch baseline when it ran. The columns
    and the methods' names are in `language` (`results_column(name, language=...)` names a
    column: "method", "accuracy", "gain", "trained", "epochs", "time").
    """
    baseline = outcome.result("scratch")
    column = {name: results_column(name, language=language) for name in RESULTS_COLUMNS}
    rows = []
    for result in outcome.results:
        trainable = sum(row.trainable_params for row in result.layers)
        gain = None
        if baseline is not None and result.method != "scratch":
            gain = round(100 * (result.accuracy - baseline.accuracy), 2)
        rows.append(
            {
                column["method"]: method_label(result.method, language=language),
                column["accuracy"]: round(100 * result.accuracy, 2),
                column["gain"]: gain,
                column["trained"]: trainable if result.layers else None,
                column["epochs"]: len(result.history) or None,
                column["time"]: round(result.seconds, 2),
            }
        )
    return rows


def run_manifest(outcome: TransferOutcome, result: MethodResult) -> dict:
    """The manifest entries of a trained network saved as a run, read as the Training page's.

    `config` holds what a training run's does (the network, the target as dataset, epochs,
    batch size, Adam's learning rate, seed); `transfer` what only transfer has (source, method,
    cut, phase boundary). The history's validation scores are the target's test images.

    Raises:
        ValueError: For the features method, which trains no network to save.
    """
    if result.weights is None or not result.layers:
        raise ValueError(
            f"Only a trained network can be saved. Received {result.label!r}: "
            "pick frozen layers, fine-tuning or the baseline."
        )
    config = outcome.config
    history = []
    for event in result.history:
        history.append(
            {
                "type": "epoch",
                "epoch": event.epoch,
                "epochs": event.epochs,
                "loss": event.loss,
                "accuracy": event.accuracy,
                "val_loss": event.test_loss,
                "val_accuracy": event.test_accuracy,
                "elapsed": event.seconds,
                "learning_rate": event.learning_rate,
            }
        )
    return {
        "config": {
            "model": outcome.network,
            "dataset": outcome.target,
            "train_size": outcome.train_size,
            "epochs": len(result.history) if result.stopped else _planned_epochs(config, result),
            "batch_size": config["batch_size"],
            "optimizer": "adam",
            "learning_rate": config["learning_rate"],
            "seed": config["seed"],
        },
        "transfer": {
            "source": outcome.source,
            "method": result.method,
            "cut_layer": outcome.cut_layer,
            "phase_boundary": result.phase_boundary,
            "per_class": config["per_class"],
            "trainable_layers": [row.name for row in result.layers if row.trainable],
        },
        "dataset": outcome.target,
        "train_size": outcome.train_size,
        "test_size": outcome.test_size,
        "validation": "the target's test images (used for the curves only, never to choose)",
        "class_names": list(outcome.class_names),
        "history": history,
        "epochs_completed": len(result.history),
        "test_accuracy": result.accuracy,
        "confusion_matrix": result.confusion_matrix.tolist(),
        "elapsed": result.seconds,
    }


def _planned_epochs(config: dict, result: MethodResult) -> int:
    if result.method == "freeze":
        return config["epochs"]
    return config["epochs"] + config["fine_tune_epochs"]
