"""The engine's transfer-learning job: reuse a trained network on a new task, each way.

Registered as the "transfer" job kind (`cnnviz.engine.jobs.JOB_KINDS`). It loads the source
network, cuts the target task down to a few examples per class, and runs the methods of a
`cnnviz.transfer.TransferConfig` in turn on the same images (`cnnviz.transfer.config` says
what each does), reporting `LayerScore`s, `TransferEpoch`s and a `MethodResult` per method.
"save-transfer" saves one of the trained networks as a run, from the weights the job returned.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import keras
import numpy as np

from cnnviz.engine.keras_side.build import build_cnn
from cnnviz.engine.keras_side.extract import FeatureExtractor, layer_outputs
from cnnviz.engine.keras_side.progress import finite
from cnnviz.engine.keras_side.save import load_run, save_run
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.network.config import CNNConfig
from cnnviz.training.runs import ModelCatalog, run_paths, sanitise_name
from cnnviz.transfer.config import (
    FINE_TUNE_DIVISOR,
    MAX_TEST_IMAGES,
    LayerTableRow,
    TransferConfig,
    body_layers,
    frozen_layers,
    resolve_cut,
    reused_layers,
    target_network,
    unfrozen_in_phase_2,
)
from cnnviz.transfer.features import project, score_features
from cnnviz.transfer.results import LayerScore, MethodResult, TransferEpoch, TransferOutcome
from cnnviz.transfer.tasks import few_shot, limit_test, target_task

Report = Callable[[object], None]
MIN_PROJECTED = 3  # test images needed for a 2-D picture of the features


def run_job(params: dict, report: Report, should_stop: Callable[[], bool]) -> TransferOutcome:
    """Run `params["config"]`'s methods and return their results.

    Args:
        params: `{"config": TransferConfig.to_dict()}`, and `"own"` (a
            `cnnviz.datasets.Dataset` of the learner's classes) for the target "own"; the
            engine adds `"bundled_dir"` and `"save_dir"` (where the source is looked up).
        report: Receives `LayerScore`s, `TransferEpoch`s and `MethodResult`s (without weights).
        should_stop: Checked after every batch and between layers; a stop ends the run with
            the methods finished so far (the one under way is kept, marked stopped).

    Raises:
        ValueError: On bad params, an unknown source, a source that is not a cnnviz CNN for
            28×28 grey images, or a target with too few images per class.
    """
    if not isinstance(params, dict) or "config" not in params:
        raise ValueError(
            f"Transfer job params must be a dict with a 'config'. Received {params!r}."
        )
    config = TransferConfig.from_dict(params["config"])
    source_model, source_network = load_source(params, config.source)
    data = target_task(config.target, params.get("own"))
    data = limit_test(few_shot(data, config.per_class, config.seed), MAX_TEST_IMAGES, config.seed)
    cut = resolve_cut(source_network, config.cut_layer)
    network = target_network(source_network, data.num_classes)
    task = _Task(data, source_model, network, cut, config)
    results, stopped = [], False
    for method in config.methods:
        if should_stop():
            stopped = True
            break
        result = _METHODS[method](task, report, should_stop)
        report(_without_weights(result))
        results.append(result)
        stopped = stopped or result.stopped
    return TransferOutcome(
        config=config.to_dict(),
        source=config.source,
        target=config.target,
        class_names=tuple(data.class_names),
        train_size=len(data.x_train),
        test_size=len(data.x_test),
        network=network.to_dict(),
        cut_layer=cut,
        results=results,
        test_labels=data.y_test.astype(np.int64),
        stopped=stopped,
    )


def load_source(params: dict, name: str) -> tuple[keras.Model, CNNConfig]:
    """The source network, loaded, and its `CNNConfig` (from its manifest).

    Raises:
        ValueError: If there is no such model, or it was not made by cnnviz for 28×28 grey
            images (its manifest gives no network, or another input).
    """
    catalog = ModelCatalog(
        params.get("bundled_dir", BUNDLED_MODELS_DIR), params.get("save_dir", BUNDLED_MODELS_DIR)
    )
    info = catalog.resolve(name)
    model, manifest = load_run(Path(info.path).parent, info.name)
    try:
        network = CNNConfig.from_dict(manifest["config"]["model"])
    except (KeyError, TypeError, ValueError) as error:
        raise ValueError(
            f"Model {name!r} cannot be a source: its manifest does not describe its network "
            f"({error}). Pick a bundled model or a run saved on the Training page."
        ) from None
    if tuple(network.input_shape) != (28, 28, 1):
        raise ValueError(
            f"Model {name!r} takes {network.input_shape} images; the targets are 28×28 grey "
            "images (28, 28, 1). Pick a source trained on digits or clothes."
        )
    return model, network


class _Task:
    """The images and networks every method of one job shares."""

    def __init__(self, data, source_model, network, cut, config):
        self.data, self.source_model, self.network = data, source_model, network
        self.cut, self.config = cut, config
        self.x_train, self.y_train = _inputs(data.x_train), data.y_train.astype(np.int32)
        self.x_test, self.y_test = _inputs(data.x_test), data.y_test.astype(np.int32)
        self.body = [row.name for row in body_layers(network)]
        self.reused = reused_layers(network, cut)


def _inputs(images) -> np.ndarray:
    return (np.asarray(images, dtype=np.float32) / 255.0)[..., None]


def features_method(task: _Task, report: Report, should_stop) -> MethodResult:
    """Each layer's outputs through an SVM; the cut layer's is the method's result."""
    start = time.monotonic()
    extractor = FeatureExtractor(task.source_model)
    kinds = {layer.name: type(layer).__name__ for layer in extractor.layers}
    scores, chosen, projection = [], None, None
    for layer in task.body:
        if should_stop():
            break
        began = time.monotonic()
        train = layer_outputs(extractor, task.x_train, [layer])[layer]
        test = layer_outputs(extractor, task.x_test, [layer])[layer]
        scored = score_features(layer, train, task.y_train, test, task.y_test, task.config.seed)
        score = LayerScore(
            layer=layer,
            kind=kinds[layer],
            dimensions=scored.dimensions,
            svm_accuracy=scored.svm_accuracy,
            logistic_accuracy=scored.logistic_accuracy,
            seconds=time.monotonic() - began,
        )
        report(score)
        scores.append(score)
        if layer == task.cut:
            chosen = scored
            if len(test) >= MIN_PROJECTED:  # a few own photos hold out only 1 or 2 a class
                projection = project(test, task.config.projection, task.config.seed)
    if chosen is None:  # stopped before the cut layer
        return MethodResult("features", 0.0, _confusion([], [], task), 0.0, stopped=True)
    return MethodResult(
        method="features",
        accuracy=chosen.svm_accuracy,
        confusion_matrix=_confusion(task.y_test, chosen.svm_predictions, task),
        seconds=time.monotonic() - start,
        layer_scores=scores,
        projection=None if projection is None else projection.astype(np.float32),
        stopped=len(scores) < len(task.body),
    )


def freeze_method(task: _Task, report: Report, should_stop) -> MethodResult:
    """The source's layers up to the cut frozen, the rest and a new head trained."""
    start = time.monotonic()
    model = _transferred(task)
    _freeze(model, frozen_layers(task.network, task.config))
    history = _fit(model, task, "freeze", 1, (0, task.config.epochs), report, should_stop)
    return _trained_result("freeze", model, task, history, start, task.config.epochs)


def fine_tune_method(task: _Task, report: Report, should_stop) -> MethodResult:
    """Phase 1: the layers up to the cut frozen, the head after it trained. Phase 2: the last
    layers before the cut unfrozen too (`unfrozen_in_phase_2`), trained again with the
    learning rate divided by `FINE_TUNE_DIVISOR`."""
    start, config = time.monotonic(), task.config
    model = _transferred(task)
    base = task.reused
    _freeze(model, base)
    history = _fit(model, task, "fine-tune", 1, (0, config.epochs), report, should_stop)
    total = config.epochs + config.fine_tune_epochs
    if len(history) == config.epochs:
        unfrozen = set(unfrozen_in_phase_2(task.network, config))
        _freeze(model, [name for name in base if name not in unfrozen])
        rate = config.learning_rate / FINE_TUNE_DIVISOR
        history += _fit(
            model, task, "fine-tune", 2, (config.epochs, total), report, should_stop, rate
        )
    result = _trained_result("fine-tune", model, task, history, start, total)
    return replace(result, phase_boundary=config.epochs)


def scratch_method(task: _Task, report: Report, should_stop) -> MethodResult:
    """The same architecture from random weights, for as many epochs as fine-tuning."""
    start, config = time.monotonic(), task.config
    keras.utils.set_random_seed(config.seed)
    model = build_cnn(task.network)
    total = config.epochs + config.fine_tune_epochs
    history = _fit(model, task, "scratch", 1, (0, total), report, should_stop)
    return _trained_result("scratch", model, task, history, start, total)


_METHODS = {
    "features": features_method,
    "freeze": freeze_method,
    "fine-tune": fine_tune_method,
    "scratch": scratch_method,
}


def _transferred(task: _Task) -> keras.Model:
    """The target network with the source's weights up to the cut; the layers after it, the
    new head, keep their random weights."""
    keras.utils.set_random_seed(task.config.seed)
    model = build_cnn(task.network)
    for name in task.reused:
        model.get_layer(name).set_weights(task.source_model.get_layer(name).get_weights())
    return model


def _freeze(model: keras.Model, frozen) -> None:
    """Make exactly the layers named in `frozen` non-trainable."""
    frozen = set(frozen)
    for layer in model.layers:
        layer.trainable = layer.name not in frozen


class _EpochReporter(keras.callbacks.Callback):
    """Reports a `TransferEpoch` per epoch and stops within a batch when asked."""

    def __init__(self, method, phase, epochs, rate, report, should_stop):
        super().__init__()
        self.method, self.phase, self.epochs, self.rate = method, phase, epochs, rate
        self.report, self.should_stop = report, should_stop
        self.history, self.stopped, self.began = [], False, time.monotonic()

    def on_train_batch_end(self, batch, logs=None):
        if self.should_stop():
            self.stopped, self.model.stop_training = True, True

    def on_epoch_begin(self, epoch, logs=None):
        self.began = time.monotonic()

    def on_epoch_end(self, epoch, logs=None):
        if self.stopped:
            return  # a partly trained epoch is not reported
        logs = logs or {}
        event = TransferEpoch(
            method=self.method,
            phase=self.phase,
            epoch=epoch + 1,
            epochs=self.epochs,
            loss=_logged(logs, "loss"),
            accuracy=_logged(logs, "accuracy"),
            test_loss=_logged(logs, "val_loss"),
            test_accuracy=_logged(logs, "val_accuracy"),
            learning_rate=self.rate,
            seconds=time.monotonic() - self.began,
        )
        self.history.append(event)
        self.report(event)


def _logged(logs, key):
    return finite(logs[key]) if key in logs else None


def _fit(model, task, method, phase, epochs, report, should_stop, rate=None) -> list:
    """Compile (after any change of trainable layers) and train from epoch `epochs[0]` to
    `epochs[1]`; return the epochs completed."""
    config = task.config
    rate = config.learning_rate if rate is None else rate
    model.compile(
        optimizer=keras.optimizers.Adam(learning_rate=rate),
        loss="sparse_categorical_crossentropy",
        metrics=["accuracy"],
    )
    total = config.epochs + config.fine_tune_epochs if method == "fine-tune" else epochs[1]
    reporter = _EpochReporter(method, phase, total, rate, report, should_stop)
    model.fit(
        task.x_train,
        task.y_train,
        batch_size=config.batch_size,
        epochs=epochs[1],
        initial_epoch=epochs[0],
        validation_data=(task.x_test, task.y_test),
        validation_batch_size=512,
        callbacks=[reporter],
        shuffle=True,
        verbose=0,
    )
    return reporter.history


def _trained_result(method, model, task, history, start, epochs) -> MethodResult:
    chunks = [
        model(task.x_test[i : i + 1000], training=False) for i in range(0, len(task.x_test), 1000)
    ]
    predicted = np.concatenate([keras.ops.convert_to_numpy(c) for c in chunks]).argmax(axis=1)
    return MethodResult(
        method=method,
        accuracy=float(np.mean(predicted == task.y_test)),
        confusion_matrix=_confusion(task.y_test, predicted, task),
        seconds=time.monotonic() - start,
        history=history,
        layers=keras_layer_table(model, () if method == "scratch" else task.reused),
        weights=[np.asarray(w) for w in model.get_weights()],
        stopped=len(history) < epochs,
    )


def keras_layer_table(model: keras.Model, reused=None) -> list[LayerTableRow]:
    """The model's layers with their trainable and non-trainable counts, as Keras has them
    (what `model.summary(show_trainable=True)` prints); the layers not in `reused` (default:
    all but the last) are marked new."""
    reused = {layer.name for layer in model.layers[:-1]} if reused is None else set(reused)
    return [
        LayerTableRow(
            name=layer.name,
            kind=type(layer).__name__,
            output_shape=tuple(layer.output.shape),
            trainable_params=sum(int(np.prod(w.shape)) for w in layer.trainable_weights),
            non_trainable_params=sum(int(np.prod(w.shape)) for w in layer.non_trainable_weights),
            trainable=bool(layer.trainable),
            new=layer.name not in reused,
        )
        for layer in model.layers
    ]


def _confusion(truth, predicted, task) -> np.ndarray:
    size = task.data.num_classes
    matrix = np.zeros((size, size), dtype=np.int64)
    np.add.at(matrix, (np.asarray(truth, dtype=np.int64), np.asarray(predicted, dtype=np.int64)), 1)
    return matrix


def _without_weights(result: MethodResult) -> MethodResult:
    return replace(result, weights=None)


def save_job(params: dict, report: Report, should_stop: Callable[[], bool]) -> dict:
    """Save a network a transfer job trained, from its weights, as a run.

    Args:
        params: `{"network": CNNConfig.to_dict(), "weights": [arrays], "manifest": dict,
            "run_name": str}`, optionally `"owner"` and `"replace"` (as a training job's); the
            engine adds `"save_dir"` and `"bundled_dir"`.

    Returns:
        `{"run_name": the name used, "paths": {"model", "weights", "manifest"}}`.

    Raises:
        ValueError: On bad params, or weights that do not fit the network.
    """
    needed = {"network", "weights", "manifest", "run_name", "save_dir"}
    if not isinstance(params, dict) or needed - params.keys():
        raise ValueError(
            f"Save params must be a dict with keys {', '.join(sorted(needed))}. "
            f"Received {params!r}."
        )
    model = build_cnn(CNNConfig.from_dict(params["network"]))
    model.set_weights([np.asarray(w) for w in params["weights"]])
    catalog = ModelCatalog(params.get("bundled_dir", BUNDLED_MODELS_DIR), params["save_dir"])
    policy = catalog.save_policy(params.get("owner"), params.get("replace", "own"))
    manifest = dict(params["manifest"])
    manifest.setdefault("parameters", model.count_params())
    saved = save_run(model, manifest, catalog.models_dir, sanitise_name(params["run_name"]), policy)
    paths = {"model": saved.path, "weights": saved.weights}
    paths["manifest"] = str(run_paths(catalog.models_dir, saved.name)["manifest"])
    return {"run_name": saved.name, "paths": paths}
