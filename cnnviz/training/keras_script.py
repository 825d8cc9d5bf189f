"""A training run as a short plain-Keras script that rebuilds and trains the same model.

`keras_script(config)` writes a Python script, in the manner of the keras-io examples (it reads
top to bottom and its comments say why), that builds the network of `config.model` layer for
layer as the engine builds it (`cnnviz.network.layers.layer_plan`, the same names, shapes and
parameters) and trains it with the run's settings: dataset and classes, validation and
training sizes, optimizer, learning rate and schedule, batch size, epochs, seed, augmentation,
early stopping and keeping the best epoch's weights. The script needs Keras and NumPy only.

The data: `keras.datasets.mnist.load_data()` (or Fashion-MNIST's) as the lecture does, or
`--data FILE.npz` with `x_train`, `y_train`, `x_test`, `y_test` (`dataset_npz` writes one, such
as the app's bundled MNIST sample); a download that fails ends with a message saying this,
not a traceback. `--epochs`, `--limit N` (the first N training images) and `--save FILE.keras`
let a learner try it quickly and keep what it trained. No TensorFlow is imported here.
"""

from __future__ import annotations

import io
import json
import string

import numpy as np

from cnnviz.datasets.offline import Dataset
from cnnviz.exports.tables import file_stem
from cnnviz.network.layers import PlannedLayer, layer_plan
from cnnviz.training.config import MIN_TRAIN_SIZE, TrainingConfig, validate_training_config

# How the script gets each dataset when no --data file is given.
DOWNLOADS = {
    "mnist-sample": ("mnist", "MNIST"),
    "mnist": ("mnist", "MNIST"),
    "fashion-mnist": ("fashion_mnist", "Fashion-MNIST"),
}
LINE_LENGTH = 100
OPTIMIZER_CLASSES = {"adam": "Adam", "sgd": "SGD", "rmsprop": "RMSprop"}
# Keras's defaults, left out of the layer calls so that they read like the lecture's.
DEFAULT_OPTIONS = {"strides": 1, "padding": "valid", "activation": None}
WHY = {
    "Conv2D": "{filters} filters of {kernel_size}×{kernel_size}, one feature map each",
    "BatchNormalization": "each map rescaled over the batch: steadier training",
    "Activation": "the nonlinearity, after batch normalisation",
    "MaxPooling2D": "the largest value of each {pool_size}×{pool_size} window",
    "AveragePooling2D": "the mean of each {pool_size}×{pool_size} window",
    "SpatialDropout2D": "drops whole maps at random while training",
    "Flatten": "the maps in one line, for the dense layers",
    "Dropout": "drops units at random while training, against over-fitting",
    "Dense": "{units} units, each connected to every input",
}


def _literal(value) -> str:
    """Python source for a setting: strings in double quotes, tuples as tuples."""
    if isinstance(value, str):
        return json.dumps(value)
    if isinstance(value, tuple):
        return "(" + ", ".join(map(_literal, value)) + ("," if len(value) == 1 else "") + ")"
    if isinstance(value, float):
        return repr(float(value))
    return repr(value)


def _layer_lines(planned: PlannedLayer) -> list[str]:
    """A layer of the plan as a comment saying what it does and the `layers.X(...)` call,
    its arguments one to a line when they would not fit on one (as `ruff format` does)."""
    row, options = planned.row, planned.options
    arguments = []
    for name, value in options.items():
        if name == "kernel_regularizer":
            arguments.append(f"kernel_regularizer=keras.regularizers.L2({_literal(value)})")
        elif not (name in DEFAULT_OPTIONS and DEFAULT_OPTIONS[name] == value):
            arguments.append(f"{name}={_literal(value)}")
    arguments.append(f"name={_literal(row.name)}")
    shape = "×".join(str(side) for side in row.output_shape[1:])
    why = WHY[row.kind].format(**options)
    if row.kind == "Dense" and options.get("activation") == "softmax":
        why = "one probability per class (softmax)"
    indent = " " * 12
    call = f"{indent}layers.{row.kind}({', '.join(arguments)}),"
    if len(call) > LINE_LENGTH:
        inner = "".join(f"{indent}    {argument},\n" for argument in arguments)
        call = f"{indent}layers.{row.kind}(\n{inner}{indent}),"
    return [f"{indent}# {row.name} → {shape}: {why}.", call]


def _augmentation_lines(config: TrainingConfig) -> str:
    augmentation = config.augmentation
    if not augmentation.enabled:
        return "AUGMENTATION = None  # the app trained on the images as they are\n"
    kinds = (
        ("RandomRotation", augmentation.rotation, "SEED"),
        ("RandomTranslation", augmentation.translation, "SEED + 1"),
        ("RandomZoom", augmentation.zoom, "SEED + 2"),
    )
    lines = []
    for kind, factor, seed in kinds:
        if factor:
            factors = f"{factor!r}, {factor!r}" if kind == "RandomTranslation" else repr(factor)
            lines.append(f'        layers.{kind}({factors}, fill_mode="constant", seed={seed}),')
    return (
        "# Random turns, shifts and zooms, new for every batch: the network never sees the same\n"
        "# picture twice, so it learns the digit rather than the pixels. Keras runs these layers\n"
        "# only while training (model.fit), never when evaluating or predicting.\n"
        "AUGMENTATION = keras.Sequential(\n    [\n" + "\n".join(lines) + "\n    ],\n"
        '    name="augmentation",\n)\n'
    )


def keras_script(config: TrainingConfig, run_name: str | None = None) -> str:
    """A runnable plain-Keras script that rebuilds and trains `config`'s model.

    Args:
        config: The run's settings.
        run_name: The run's name, for the script's title (None: a new run).

    Returns:
        The script's source, ready to save as a `.py` file.

    Raises:
        ValueError: If `config` is not a valid `TrainingConfig`.

    Example:
        >>> source = keras_script(TrainingConfig(epochs=3))
        >>> "EPOCHS = 3" in source and "layers.Conv2D(filters=16" in source
        True
    """
    validate_training_config(config)
    module, data_name = DOWNLOADS[config.dataset]
    layers = [line for planned in layer_plan(config.model) for line in _layer_lines(planned)]
    schedule = "cosine" if config.learning_rate_schedule == "cosine" else "constant"
    values = {
        "title": f"run `{run_name}`" if run_name else "a new run",
        "file_name": script_file_name(run_name),
        "dataset": config.dataset,
        "data_name": data_name,
        "module": module,
        "sample_note": SAMPLE_NOTE if config.dataset == "mnist-sample" else "",
        "seed": config.seed,
        "epochs": config.epochs,
        "batch_size": config.batch_size,
        "optimizer": OPTIMIZER_CLASSES[config.optimizer],
        "learning_rate": repr(float(config.learning_rate)),
        "schedule": _literal(schedule),
        "classes": _literal(config.classes),
        "validation_size": _literal(config.validation_size),
        "train_size": _literal(config.train_size),
        "patience": _literal(config.early_stopping_patience),
        "min_train": MIN_TRAIN_SIZE,
        "input_shape": _literal(tuple(config.model.input_shape)),
        "num_classes": config.model.num_classes,
        "layers": "\n".join(layers),
        "augmentation": _augmentation_lines(config),
    }
    return string.Template(TEMPLATE).substitute(values)


def script_file_name(run_name: str | None) -> str:
    """The script's file name for a run: `lecture-keras.py`.

    Example:
        >>> script_file_name("digits-0-4"), script_file_name(None)
        ('digits-0-4-keras.py', 'cnn-keras.py')
    """
    return f"{file_stem(run_name or 'cnn', 'keras')}.py"


def dataset_npz(data: Dataset) -> bytes:
    """`data` as the `.npz` file a generated script reads with `--data`: `x_train`, `y_train`,
    `x_test`, `y_test` (uint8), the split the app trains on."""
    buffer = io.BytesIO()
    arrays = {"x_train": data.x_train, "y_train": data.y_train}
    arrays |= {"x_test": data.x_test, "y_test": data.y_test}
    np.savez_compressed(buffer, **{name: np.asarray(a, np.uint8) for name, a in arrays.items()})
    return buffer.getvalue()


SAMPLE_NOTE = """
The app trained on its bundled sample of 10,000 MNIST digits (8,000 to train, 2,000 to test):
download mnist-sample.npz beside this script on the Training page and pass `--data
mnist-sample.npz` to train on exactly those. Without it, the script trains on full MNIST.
"""

TEMPLATE = '''"""Train a cnnviz network again, in plain Keras.

Written by cnnviz from the settings of $title: the same network, layer for layer,
trained on $dataset with the same optimizer, learning rate, batch size, epochs, seed,
augmentation and regularisation. The weights will differ a little (the batches come in
another order), the lesson will not.
$sample_note
Run it. The first line downloads $data_name the first time; --data trains on a file of
x_train, y_train, x_test and y_test instead, offline; the others try it quickly and keep it:
    python $file_name
    python $file_name --data FILE.npz
    python $file_name --epochs 1 --limit 500
    python $file_name --save model.keras
"""

import argparse
import math
import sys

import keras
import numpy as np
from keras import layers

# The run's settings, as the app's Training page had them.
SEED = $seed  # the same seed gives the same weights, split and augmentation
EPOCHS = $epochs
BATCH_SIZE = $batch_size
LEARNING_RATE = $learning_rate
LEARNING_RATE_SCHEDULE = $schedule  # "cosine": big steps first, fine ones at the end
CLASSES = $classes  # None: every class; else these labels only, renumbered 0, 1, ...
VALIDATION_SIZE = $validation_size  # images (or a fraction) held back to pick the best epoch
TRAIN_SIZE = $train_size  # None: every training image that is not held back
EARLY_STOPPING_PATIENCE = $patience  # None: train every epoch
MIN_TRAIN_SIZE = $min_train
INPUT_SHAPE = $input_shape
NUM_CLASSES = $num_classes


def parse_arguments():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", help="an .npz file with x_train, y_train, x_test, y_test")
    parser.add_argument("--epochs", type=int, default=EPOCHS, help="passes over the images")
    parser.add_argument("--limit", type=int, help="use only the first N training images")
    parser.add_argument("--save", help="save the trained model to this .keras file")
    return parser.parse_args()


def load_data(path):
    """((x_train, y_train), (x_test, y_test)): from `path`, or downloaded by Keras."""
    if path is None:
        try:
            return keras.datasets.$module.load_data()
        except Exception as error:  # Keras wraps every network failure in a plain Exception
            sys.exit(
                f"$data_name could not be downloaded ({error}).\\n"
                f"Train on a file instead: python {sys.argv[0]} --data FILE.npz, where "
                "FILE.npz holds x_train, y_train, x_test and y_test (the app's Training page "
                "offers mnist-sample.npz beside this script)."
            )
    try:
        with np.load(path) as data:
            return (data["x_train"], data["y_train"]), (data["x_test"], data["y_test"])
    except (OSError, KeyError, ValueError) as error:
        sys.exit(
            f"{path} could not be read as training data ({error}). It must be an .npz file "
            "with the arrays x_train, y_train, x_test and y_test."
        )


def prepare(images, labels):
    """uint8 images (n, 28, 28) in 0..255 become floats (n, 28, 28, 1) in 0..1; with
    CLASSES, only those labels are kept, renumbered 0, 1, ... in their order."""
    images, labels = np.asarray(images), np.asarray(labels).astype("int64").ravel()
    if images.shape[1:3] != INPUT_SHAPE[:2] or len(images) != len(labels):
        sys.exit(
            f"Expected {INPUT_SHAPE[0]}×{INPUT_SHAPE[1]} images with one label each. "
            f"Received images of shape {images.shape} and {len(labels)} labels."
        )
    if CLASSES is not None:
        keep = np.isin(labels, CLASSES)
        renumber = {label: index for index, label in enumerate(CLASSES)}
        images, labels = images[keep], np.array([renumber[y] for y in labels[keep]], "int64")
    images = images.reshape(len(images), *INPUT_SHAPE).astype("float32") / 255.0
    return images, labels


def split(images, labels):
    """Hold back VALIDATION_SIZE images to choose the best epoch; train on TRAIN_SIZE of the
    rest. One seeded shuffle, as the app does, so the test images stay untouched."""
    available = len(images)
    held_back = VALIDATION_SIZE
    if isinstance(held_back, float):
        held_back = max(1, round(held_back * available))
    if available - held_back < MIN_TRAIN_SIZE:  # a --limit smaller than the settings
        held_back = available // 5
        print(f"Only {available} training images: holding back {held_back} for validation.")
    wanted = available - held_back if TRAIN_SIZE is None else TRAIN_SIZE
    if wanted > available - held_back:
        wanted = available - held_back
        print(f"Only {available} training images: training on {wanted}.")
    order = np.random.default_rng(SEED).permutation(available)
    fit, val = order[held_back : held_back + wanted], order[:held_back]
    return (images[fit], labels[fit]), (images[val], labels[val])


def build_model():
    """The network, layer for layer as cnnviz builds it."""
    return keras.Sequential(
        [
            keras.Input(shape=INPUT_SHAPE, name="input"),
$layers
        ],
        name="cnn",
    )


$augmentation

def main():
    arguments = parse_arguments()
    keras.utils.set_random_seed(SEED)
    (x_train, y_train), (x_test, y_test) = load_data(arguments.data)
    x_train, y_train = prepare(x_train, y_train)
    x_test, y_test = prepare(x_test, y_test)
    if arguments.limit is not None:
        x_train, y_train = x_train[: arguments.limit], y_train[: arguments.limit]
    (x_train, y_train), (x_val, y_val) = split(x_train, y_train)
    print(f"{len(x_train)} images to train on, {len(x_val)} to validate, {len(x_test)} to test.")

    model = build_model()
    model.summary()

    # The learning rate, constant or falling along half a cosine to 1 % of it by the end.
    learning_rate = LEARNING_RATE
    if LEARNING_RATE_SCHEDULE == "cosine":
        steps = arguments.epochs * math.ceil(len(x_train) / BATCH_SIZE)
        learning_rate = keras.optimizers.schedules.CosineDecay(
            LEARNING_RATE, decay_steps=steps, alpha=0.01
        )
    # Augmentation goes in front of the network in a training model only: `model` stays the
    # network above, and what --save keeps.
    trainer = model
    if AUGMENTATION is not None:
        trainer = keras.Sequential([keras.Input(shape=INPUT_SHAPE), AUGMENTATION, model])
    trainer.compile(
        optimizer=keras.optimizers.$optimizer(learning_rate=learning_rate),
        loss="sparse_categorical_crossentropy",  # the labels are class numbers, not one-hot
        metrics=["accuracy"],
    )
    # Keep the weights of the epoch with the best validation accuracy, as the app does, and
    # stop early when it has not improved for EARLY_STOPPING_PATIENCE epochs.
    best_epoch = keras.callbacks.EarlyStopping(
        monitor="val_accuracy",
        mode="max",
        patience=EARLY_STOPPING_PATIENCE or arguments.epochs,
        restore_best_weights=True,
    )
    trainer.fit(
        x_train,
        y_train,
        batch_size=BATCH_SIZE,
        epochs=arguments.epochs,
        validation_data=(x_val, y_val),
        callbacks=[best_epoch],
        verbose=2,
    )

    # The test images were never used to train or to choose: this is the honest score
    # (augmentation is off when evaluating, so the trainer scores the network itself).
    loss, accuracy = trainer.evaluate(x_test, y_test, verbose=0)
    print(f"Test accuracy: {accuracy:.4f} (loss {loss:.4f}) on {len(x_test)} test images")
    if arguments.save:
        model.save(arguments.save)
        print(f"Saved the trained model to {arguments.save}")


if __name__ == "__main__":
    main()
'''
