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
from pathlib import Path

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
    return string.Template(TEMPLATE_FILE.read_text(encoding="utf-8")).substitute(values)


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

# The script itself, a `string.Template` ($names filled in), in a file of its own: it is
# text for the learner, not code of this package (nothing here imports Keras).
TEMPLATE_FILE = Path(__file__).with_name("keras_script.tmpl")
