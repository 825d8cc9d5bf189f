"""Each page's shareable settings: what its link carries, under which short names.

`PAGES` maps a page's name to a function that builds its `PageShare` (read by
`cnnviz.ui.share`). The image picker's settings (`share_picker`) are shared by every page
that draws it.
"""

from __future__ import annotations

from cnnviz.convolution import KERNELS, PADDINGS, POOL_METHODS
from cnnviz.datasets import DATASET_NAMES
from cnnviz.images import CHANNELS
from cnnviz.network import CONV_ACTIVATIONS, OPTIMIZERS
from cnnviz.training import SCHEDULES
from cnnviz.training.config import MAX_LEARNING_RATE
from cnnviz.transfer.config import METHODS, TARGETS, TransferConfig
from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS
from cnnviz.ui import architecture_editor, training_setup, transfer_setup
from cnnviz.ui.convolution import OPERATIONS
from cnnviz.ui.language import t
from cnnviz.ui.model_engine import available_models
from cnnviz.ui.picker import BUILTIN, UPLOAD
from cnnviz.ui.pooling import POOLING_SOURCES
from cnnviz.ui.share_codecs import (
    Choice,
    Flag,
    KernelCells,
    Name,
    Number,
    Position,
    Several,
    Text,
    Whole,
)
from cnnviz.ui.share_picker import picked, picker_settings, upload_note
from cnnviz.ui.share_settings import PageShare, Setting
from cnnviz.ui.widgets import CUSTOM_KERNEL, LINKED_POSITION
from cnnviz.ui.worked_example import CHANNEL_KEY, COL_KEY, LAYER_KEY, ROW_KEY

KERNEL_NAMES = (*KERNELS, CUSTOM_KERNEL)
DIRECTIONS = ("right", "down", "diagonal")  # the Pooling page's shift experiment


def _position(page: str) -> Setting:
    """The explained output position; written once the learner moved it from where it starts."""
    rows, cols = f"{page}_row", f"{page}_col"

    def read(state):
        if rows not in state or cols not in state:
            return None
        where = (int(state[rows]), int(state[cols]))
        return None if where == state.get(f"{page}_position_start") else where

    def seed(state, where):
        state[rows], state[cols] = where
        state[f"{page}_position_for"] = LINKED_POSITION

    return Setting("pos", rows, Position(), read=read, seed=seed)


def _channel(page: str) -> Setting:
    codes = {channel.lower(): channel for channel in CHANNELS}
    return Setting(
        "channel", f"{page}_channel", Choice(codes), "Gray", when=picked(UPLOAD, BUILTIN)
    )


def _kernel(page: str) -> tuple[Setting, ...]:
    """The kernel: its preset, a custom kernel's size, and its cells once edited."""
    preset_key = f"{page}_preset"

    def seed_cells(state, cells):
        preset = state.get(preset_key, KERNEL_NAMES[0])
        if preset == CUSTOM_KERNEL:
            state[f"{page}_size"] = len(cells)
        state[f"{page}_kernel_seed"] = (preset, cells)
        state[f"{page}_kernel_cells"] = cells  # in the link until the editor says otherwise

    custom = lambda state: state.get(preset_key) == CUSTOM_KERNEL  # noqa: E731
    return (
        Setting("kernel", preset_key, Choice.named(KERNEL_NAMES), KERNEL_NAMES[0]),
        Setting("size", f"{page}_size", Choice({"3": 3, "5": 5, "7": 7}), 3, when=custom),
        Setting("weights", f"{page}_kernel_cells", KernelCells(), seed=seed_cells),
        Setting("normalise", f"{page}_normalise", Flag(), False),
    )


def _padding(key: str) -> Setting:
    return Setting("padding", key, Choice({name: name for name in PADDINGS}), PADDINGS[0])


def home() -> PageShare:
    settings = (
        *picker_settings(),
        Setting("top", "home_window_top", Whole(0, 10_000), 0),
        Setting("left", "home_window_left", Whole(0, 10_000), 0),
        Setting("normalised", "home_normalise", Flag(), False),
    )
    return PageShare(settings, upload_note)


def convolution() -> PageShare:
    operations = {"convolution": OPERATIONS[0], "correlation": OPERATIONS[1]}
    settings = (
        *picker_settings(),
        _channel("convolution"),
        *_kernel("convolution"),
        Setting("strides", "convolution_strides", Whole(1, 3), 1),
        _padding("convolution_padding"),
        Setting("operation", "convolution_operation", Choice(operations), OPERATIONS[0]),
        Setting("relu", "convolution_relu", Flag(), False),
        _position("convolution"),
    )
    return PageShare(settings, upload_note)


def pooling() -> PageShare:
    # The Convolution page's own map stays in its session: a link offers the other two.
    sources = {"lecture": POOLING_SOURCES[0], "image": POOLING_SOURCES[2]}
    own_strides = lambda state: not state.get("pooling_default_strides", True)  # noqa: E731
    settings = (
        *picker_settings(),
        _channel("pooling"),
        Setting("pool", "pooling_source", Choice(sources), POOLING_SOURCES[0]),
        Setting("method", "pooling_method", Choice({m: m for m in POOL_METHODS}), "max"),
        Setting("size", "pooling_size", Whole(2, 4), 2),
        Setting("keras_strides", "pooling_default_strides", Flag(), True),
        Setting("strides", "pooling_strides", Whole(1, 4), 1, when=own_strides),
        _padding("pooling_padding"),
        Setting("shift", "pooling_shift", Whole(1, 3), 1),
        Setting("direction", "pooling_direction", Choice({d: d for d in DIRECTIONS}), "right"),
        _position("pooling"),
    )

    def notes(state):
        from_convolution = state.get("pooling_source") == POOLING_SOURCES[1]
        return upload_note(state) + ([t("share.feature_map_note")] if from_convolution else [])

    return PageShare(settings, notes)


def _model_names() -> list[str]:
    return [info.name for info in available_models()]


def feature_maps() -> PageShare:
    settings = (
        *picker_settings(),
        Setting("model", "feature_maps_model", Name(_model_names), "lecture"),
        Setting("compare", "feature_maps_compare", Name(_model_names), "—"),
        Setting("layer", LAYER_KEY, Text()),
        Setting("unit", CHANNEL_KEY, Whole(0, 4_095)),
        Setting(
            "at",
            ROW_KEY,
            Position(),
            read=lambda state: (state[ROW_KEY], state[COL_KEY]) if COL_KEY in state else None,
            seed=lambda state, where: state.update({ROW_KEY: where[0], COL_KEY: where[1]}),
        ),
        Setting("per_map", "feature_maps_per_map", Flag(), False),
    )
    return PageShare(settings, upload_note)


def architecture() -> PageShare:
    """Every setting of the network editor, each block's only while the block is used."""
    page = "architecture"
    defaults = architecture_editor.editor_defaults(page)
    inputs = dict(zip(("mnist", "cifar", "photo"), architecture_editor.INPUTS, strict=True))
    prefix = f"{page}_net"
    settings = [
        Setting("input", f"{prefix}_input", Choice(inputs)),
        Setting("blocks", f"{prefix}_blocks", Whole(1, 4)),
        Setting("classes", f"{prefix}_classes", Whole(2, 1000)),
        Setting("units", f"{prefix}_units", Whole(1, 4096)),
        Setting("units2", f"{prefix}_units2", Whole(0, 4096)),
        Setting("l2", f"{prefix}_l2", Number(0.0, 1.0)),
        Setting("batch_norm", f"{prefix}_bn", Flag()),
        Setting("spatial_dropout", f"{prefix}_spatial", Number(0.0, 0.5)),
        Setting("dropout", f"{prefix}_dropout", Number(0.0, 0.8)),
    ]
    sizes = {str(size): size for size in architecture_editor.KERNEL_SIZES}
    poolings = {name: name for name in (*POOL_METHODS, architecture_editor.NO_POOLING)}
    for number in range(1, 5):
        key, name = f"{prefix}_block{number - 1}", f"b{number}"
        settings += [
            Setting(f"{name}_filters", f"{key}_filters", Whole(1, 512)),
            Setting(f"{name}_kernel", f"{key}_kernel", Choice(sizes)),
            Setting(f"{name}_strides", f"{key}_strides", Choice({"1": 1, "2": 2, "3": 3})),
            Setting(f"{name}_padding", f"{key}_padding", Choice({p: p for p in PADDINGS})),
            Setting(
                f"{name}_activation", f"{key}_activation", Choice({a: a for a in CONV_ACTIVATIONS})
            ),
            Setting(f"{name}_pooling", f"{key}_pooling", Choice(poolings)),
            Setting(f"{name}_pool_size", f"{key}_pool_size", Choice({"2": 2, "3": 3})),
        ]
    settings = [_with_default(setting, defaults) for setting in settings]
    return PageShare(tuple(settings))


def _with_default(setting: Setting, defaults: dict) -> Setting:
    """The setting with the editor's default, written only while its block is used."""
    block = setting.parameter.split("_")[0]
    when = setting.when
    if block.startswith("b") and block[1:].isdigit():
        number = int(block[1:])
        prefix = setting.key.split("_block")[0]
        when = lambda state: int(state.get(f"{prefix}_blocks", 2)) >= number  # noqa: E731
    return Setting(setting.parameter, setting.key, setting.codec, defaults[setting.key], when=when)


def training() -> PageShare:
    defaults = training_setup.DEFAULTS
    rate = Number(0.0, 0.9)
    fields = (
        ("dataset", "training_dataset", Choice({name: name for name in DATASET_NAMES})),
        ("train_size", "training_train_size", Whole(0, 70_000)),
        ("epochs", "training_epochs", Whole(1, 200)),
        ("batch_size", "training_batch_size", Whole(1, 4096)),
        ("patience", "training_patience", Whole(0, 200)),
        ("optimizer", "training_optimizer", Choice({name: name for name in OPTIMIZERS})),
        ("learning_rate", "training_learning_rate", Number(0.0001, MAX_LEARNING_RATE)),
        ("schedule", "training_schedule", Choice({name: name for name in SCHEDULES})),
        ("seed", "training_seed", Whole(0, 2**32 - 1)),
        ("batch_norm", "training_batch_norm", Flag()),
        ("spatial_dropout", "training_spatial_dropout", rate),
        ("dropout", "training_dropout", rate),
        ("l2", "training_l2", Number(0.0, 1.0)),
        ("rotation", "training_rotation", Number(0.0, 0.5)),
        ("translation", "training_translation", Number(0.0, 0.5)),
        ("zoom", "training_zoom", Number(0.0, 0.5)),
    )
    defaults = {**defaults, "training_dataset": DATASET_NAMES[0]}
    settings = tuple(
        Setting(parameter, key, codec, defaults[key]) for parameter, key, codec in fields
    )

    def notes(state):
        own_network = state.get("training_model_source") == training_setup.MODEL_SOURCES[1]
        return [t("share.architecture_note")] if own_network else []

    return PageShare(settings, notes)


def transfer() -> PageShare:
    defaults = TransferConfig()
    sources = lambda: list(transfer_setup.source_networks())  # noqa: E731
    rates = {format(rate, "g"): rate for rate in (1e-4, 3e-4, 1e-3, 3e-3, 1e-2)}
    settings = (
        Setting("source", "transfer_source", Name(sources), defaults.source),
        Setting("target", "transfer_target", Choice({n: n for n in TARGETS}), defaults.target),
        Setting("methods", "transfer_methods", Several({m: m for m in METHODS}), list(METHODS)),
        Setting("cut", "transfer_cut", Text()),
        Setting(
            "per_class",
            "transfer_per_class",
            Choice({str(n): n for n in EXAMPLES_PER_CLASS}),
            defaults.per_class,
        ),
        Setting("epochs", "transfer_epochs", Whole(1, 200), defaults.epochs),
        Setting("phase2_epochs", "transfer_fine_tune_epochs", Whole(1, 200), 20),
        Setting("learning_rate", "transfer_learning_rate", Choice(rates), defaults.learning_rate),
        Setting(
            "batch_size",
            "transfer_batch_size",
            Choice({str(n): n for n in (8, 16, 32, 64, 128)}),
            defaults.batch_size,
        ),
        Setting("seed", "transfer_seed", Whole(0, 2**32 - 1), defaults.seed),
        Setting("unfreeze", "transfer_unfreeze", Choice({str(n): n for n in range(4)}), 0),
        Setting(
            "projection",
            "transfer_projection_method",
            Choice({"pca": "pca", "tsne": "tsne"}),
            "pca",
        ),
    )

    def notes(state):
        return [t("share.own_classes_note")] if state.get("transfer_target") == "own" else []

    return PageShare(settings, notes)


PAGES = {
    "home": home,
    "convolution": convolution,
    "pooling": pooling,
    "architecture": architecture,
    "training": training,
    "feature_maps": feature_maps,
    "transfer": transfer,
}
