"""Train a `CNNConfig` on a dataset, report progress, stop on request, keep the best epoch.

`train` is what the engine's training job (`keras_side.training_job`) and
`python -m cnnviz.train` both run. It reports a `BatchEvent` per batch (throttled) and an
`EpochEvent` per epoch, stops within a batch when `should_stop()` turns true, keeps the weights
of the epoch with the best validation accuracy, and finally scores them on the dataset's
held-out test split. `cnnviz.training.TrainingConfig` says what to train and how, and on which
of the dataset's classes (digits 0–4 only, say: transfer learning's source network).

Example:

>>> result = train(TrainingConfig(epochs=1, train_size=256))
>>> 0 <= result.test_accuracy <= 1
True
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field

import keras
import numpy as np
import tensorflow as tf

from cnnviz.datasets.offline import load_dataset
from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.progress import ProgressCallback, finite
from cnnviz.training.config import (
    MISCLASSIFIED_LIMIT,
    TrainingConfig,
    validate_training_config,
    validation_images,
)
from cnnviz.training.events import EpochEvent, TrainingEvent
from cnnviz.transfer.tasks import digit_subset
from cnnviz.validation import check_whole


@dataclass
class TrainingResult:
    """What `train` returns: the model (best weights restored), its history and its test scores.

    `history` holds one `EpochEvent` per completed epoch. `stopped_by` is None when
    all epochs ran, "user" when `should_stop()` ended training, "early_stopping" when validation
    accuracy stopped improving, "diverged" when the loss stopped being a number; `stopped_at`
    is then the `(epoch, batch)` it stopped after. `best_epoch` is 1-based (None if no epoch
    completed); `best_weights_restored` says the model holds that epoch's weights rather than
    the last ones.
    """

    model: keras.Model
    config: TrainingConfig
    history: list[EpochEvent]
    test_accuracy: float
    test_loss: float
    confusion_matrix: np.ndarray
    misclassified: np.ndarray
    best_epoch: int | None
    best_weights_restored: bool
    stopped_by: str | None
    elapsed: float
    samples_per_second: float
    stopped_at: tuple[int, int] | None = None
    loss_range: tuple[float, float] | None = None
    class_names: tuple[str, ...] = ()
    sizes: dict = field(default_factory=dict)

    @property
    def stopped_early(self) -> bool:
        """Whether training ended before `config.epochs` (by the user or early stopping)."""
        return self.stopped_by is not None

    @property
    def epochs_completed(self) -> int:
        """Number of whole epochs trained."""
        return len(self.history)


def train(
    config: TrainingConfig,
    report: Callable[[TrainingEvent], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    checkpoint_dir=None,
) -> TrainingResult:
    """Train `config.model` on `config.dataset`, then score the best weights on its test split.

    Seeds everything with `config.seed` first, so the same config gives the same curves. The
    training split is shuffled once (seeded); the first `validation_size` images become the
    validation set and the next `train_size` the training set. With `config.classes`, only
    those classes' images are used, training and test alike, relabelled 0, 1, ... in the
    order given; the result's `class_names` are then theirs. Augmentation, when enabled,
    transforms training batches only and is not part of the model.

    Args:
        config: What to train and how; see `TrainingConfig`.
        report: Called with a `BatchEvent` at most ~10 times a second (and always after the
            last batch of an epoch) and an `EpochEvent` after each completed epoch, its
            `filters` the first Conv2D's kernel.
        should_stop: Checked after every batch; when it returns True training stops after
            that batch (a partly trained epoch is dropped from the history).
        checkpoint_dir: Where to keep a checkpoint of each completed epoch (the best weights
            and the history, `cnnviz.training.checkpoints`), or None.

    Returns:
        A `TrainingResult`.

    Raises:
        ValueError: if the config is invalid or asks for more images than the dataset has.
        DatasetUnavailable: (a ValueError) if the dataset is not on this machine.
    """
    validate_training_config(config)
    keras.utils.set_random_seed(config.seed)
    data = training_data(config)
    (x_train, y_train), (x_val, y_val) = _split(data, config)
    model = build_cnn(config.model)
    model.compile(
        optimizer=_optimizer(config, len(x_train)),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    progress = ProgressCallback(config, len(x_train), report, should_stop, checkpoint_dir)
    model.fit(
        _batches(x_train, y_train, config),
        validation_data=(x_val, y_val),
        validation_batch_size=512,
        epochs=config.epochs,
        callbacks=[progress],
        shuffle=False,  # the pipeline shuffles, seeded
        verbose=0,
    )
    restored = progress.best_weights is not None and progress.best_epoch != len(progress.history)
    if progress.best_weights is not None:
        model.set_weights(progress.best_weights)
    scores = evaluate(model, data)
    sizes = {"train_size": len(x_train), "validation_size": len(x_val)}
    return TrainingResult(
        model=model,
        config=config,
        history=progress.history,
        **scores,
        best_epoch=progress.best_epoch,
        best_weights_restored=restored,
        stopped_by=progress.stopped_by,
        stopped_at=progress.stopped_at,
        loss_range=progress.loss_range,
        elapsed=time.monotonic() - progress.start,
        samples_per_second=progress.samples / max(progress.busy, 1e-9),
        class_names=data.class_names,
        sizes={**sizes, "test_size": len(data.x_test)},
    )


def augmentation_preview(config: TrainingConfig, n: int = 16) -> np.ndarray:
    """The first `n` training images after `config.augmentation`, as training would see them.

    Deterministic: the same config (and seed) gives the same images. With augmentation off,
    the images come back unchanged.

    Args:
        config: Which dataset, seed and augmentation to use.
        n: Number of images, 1 to 256.

    Returns:
        float32 array `(n, height, width)` in [0, 1].

    Raises:
        ValueError: if the config is invalid or `n` is out of range.
    """
    validate_training_config(config)
    check_whole(n, "`n`", 1, 256)
    (x_train, _), _ = _split(training_data(config), config)
    images = x_train[:n]
    if config.augmentation.enabled:
        images = _augmenter(config)(images, training=True)
    return keras.ops.convert_to_numpy(images)[..., 0].astype(np.float32)


def training_data(config: TrainingConfig):
    """The `cnnviz.datasets.Dataset` a run of `config` uses: `config.dataset`, and of it only
    `config.classes` (relabelled 0, 1, ...) when given.

    Raises:
        DatasetUnavailable: (a ValueError) if the dataset is not on this machine.
    """
    data = load_dataset(config.dataset)
    if config.classes is None:
        return data
    return digit_subset(data, config.classes, f"{config.dataset} classes {config.classes}")


def _images(x):
    """uint8 (n, h, w) -> float32 (n, h, w, 1) in [0, 1]."""
    return (x.astype(np.float32) / 255.0)[..., None]


def _split(data, config):
    """((x_train, y_train), (x_val, y_val)) from one seeded shuffle of the training split."""
    available = len(data.x_train)
    validation = validation_images(config.validation_size, available)
    wanted = available - validation if config.train_size is None else config.train_size
    if validation + wanted > available or wanted < 1:
        raise ValueError(
            f"{data.name!r} has {available} training images, too few for "
            f"validation_size={config.validation_size!r} ({validation} images) plus "
            f"train_size={config.train_size!r}. Received train_size={config.train_size!r}; "
            f"use at most {available - validation}, or a smaller validation_size."
        )
    order = np.random.default_rng(config.seed).permutation(available)
    val, fit = order[:validation], order[validation : validation + wanted]
    x, y = _images(data.x_train), data.y_train.astype(np.int32)
    return (x[fit], y[fit]), (x[val], y[val])


def _augmenter(config):
    aug, seed = config.augmentation, config.seed
    return keras.Sequential(
        [
            keras.layers.RandomRotation(aug.rotation, fill_mode="constant", seed=seed),
            keras.layers.RandomTranslation(
                aug.translation, aug.translation, fill_mode="constant", seed=seed + 1
            ),
            keras.layers.RandomZoom(aug.zoom, fill_mode="constant", seed=seed + 2),
        ],
        name="augmentation",
    )


def _batches(x, y, config):
    """A seeded, reshuffled-every-epoch tf.data pipeline, augmented when configured."""
    batches = (
        tf.data.Dataset.from_tensor_slices((x, y))
        .shuffle(len(x), seed=config.seed, reshuffle_each_iteration=True)
        .batch(config.batch_size)
    )
    if config.augmentation.enabled:
        augmenter = _augmenter(config)
        batches = batches.map(lambda images, labels: (augmenter(images, training=True), labels))
    return batches.prefetch(2)


def _optimizer(config, train_size):
    kinds = {"adam": keras.optimizers.Adam, "sgd": keras.optimizers.SGD}
    kinds["rmsprop"] = keras.optimizers.RMSprop
    rate = config.learning_rate
    if config.learning_rate_schedule == "cosine":
        steps = config.epochs * -(-train_size // config.batch_size)
        rate = keras.optimizers.schedules.CosineDecay(rate, decay_steps=steps, alpha=0.01)
    return kinds[config.optimizer](learning_rate=rate)


def evaluate(model: keras.Model, data) -> dict:
    """`test_accuracy`, `test_loss`, `confusion_matrix` and `misclassified` of `model` on the
    held-out test split of `data` (a `cnnviz.datasets.Dataset`), from one pass."""
    return _evaluate(model, _images(data.x_test), data.y_test, data.num_classes)


def _evaluate(model, x, y, num_classes):
    # Direct calls rather than model.predict: no tf.function to trace for a one-off pass.
    chunks = [model(x[i : i + 1000], training=False) for i in range(0, len(x), 1000)]
    probabilities = np.concatenate([keras.ops.convert_to_numpy(c) for c in chunks])
    predicted = probabilities.argmax(axis=1)
    loss = keras.losses.sparse_categorical_crossentropy(y, probabilities)
    matrix = np.zeros((num_classes, num_classes), dtype=np.int64)
    np.add.at(matrix, (y.astype(np.int64), predicted), 1)
    return {
        "test_accuracy": float(np.mean(predicted == y)),
        "test_loss": finite(np.mean(keras.ops.convert_to_numpy(loss))),
        "confusion_matrix": matrix,
        "misclassified": np.flatnonzero(predicted != y)[:MISCLASSIFIED_LIMIT],
    }
