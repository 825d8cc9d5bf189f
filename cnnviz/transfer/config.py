"""What a transfer-learning run does: `TransferConfig`, its targets, methods and layer table.

The lecture's three ways to reuse a trained network on a new task, and the baseline they are
measured against:
- "features": cut the network at a layer and train an SVM on that layer's outputs;
- "freeze": keep the layers up to the cut frozen, put a new classifier on top (the layers
  after the cut, with random weights), train;
- "fine-tune": train the new classifier with the layers up to the cut frozen (phase 1), then
  unfreeze the last layers before the cut and train again with the learning rate divided by
  10 (phase 2);
- "scratch": the same architecture trained from random weights on the same few images.

The new classifier, the head, is the source network's layers after the cut rebuilt with
random weights, its output layer for the target's classes; so every model a run trains is a
`cnnviz.network.CNNConfig` (the source's, with `num_classes` changed) and saves and reloads
like any run of the Training page. No TensorFlow.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace

from cnnviz import i18n
from cnnviz.messages import Invalid, Phrase
from cnnviz.network.config import CNNConfig
from cnnviz.network.layers import LayerRow, summary_rows
from cnnviz.training.config import MAX_BATCH_SIZE, MAX_EPOCHS, MAX_LEARNING_RATE
from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS
from cnnviz.validation import check_choice, check_known_keys, check_real, check_whole

METHODS = ("features", "freeze", "fine-tune", "scratch")
# The English names; `method_label` and `target_label` give them in any language (catalog
# `transfer`, whose English a test keeps equal to these).
METHOD_LABELS = {
    "features": "Features + SVM",
    "freeze": "Frozen layers + new head",
    "fine-tune": "Fine-tuning in two phases",
    "scratch": "From scratch (baseline)",
}
# The targets a run can transfer to; "own" is the learner's classes, sent with the job.
TARGETS = {
    "digits-5-9": "Digits 5–9 (the bundled MNIST sample)",
    "sklearn-digits": "Handwriting from another source (scikit-learn's 8×8 digits)",
    "fashion-mnist": "Fashion-MNIST (clothes)",
    "own": "Your own classes (photos)",
}
TARGET_CLASSES = {"digits-5-9": 5, "sklearn-digits": 10, "fashion-mnist": 10}
# Fine-tuning's second phase trains with the learning rate divided by this, as the lecture does.
FINE_TUNE_DIVISOR = 10
# Test images scored per run, at most (a seeded choice from the target's test split).
MAX_TEST_IMAGES = 2000
MAX_EXAMPLES_PER_CLASS = max(EXAMPLES_PER_CLASS)


def method_label(method: str, *, language: str = "en") -> str:
    """The name of `method` (a key of `METHODS`) as the page says it, in `language`.

    Example:
        >>> method_label("features"), method_label("scratch", language="es")
        ('Features + SVM', 'Desde cero (referencia)')
    """
    return i18n.translate(language, f"transfer.methods.{method}")


def target_label(target: str, *, language: str = "en") -> str:
    """The name of `target` (a key of `TARGETS`) as the page says it, in `language`."""
    return i18n.translate(language, f"transfer.targets.{target}")


@dataclass(frozen=True)
class TransferConfig:
    """Everything that decides a transfer-learning run; the same config gives the same run.

    Args:
        source: The trained network to reuse: a bundled model or a saved run, by name.
        target: The new task, a key of `TARGETS`.
        methods: Which of `METHODS` to run, in order (each on the same images).
        cut_layer: The layer to cut at: the features method uses its outputs; the freeze
            method and fine-tuning's phase 1 keep it and every layer before it frozen (the
            layers after it, the head, train). None: the Flatten layer (the convolutional
            part is reused, the dense layers after it learn the new task).
        frozen: The freeze method's frozen layers, by name, when the learner switched them
            one by one among the layers up to the cut (None: all of them).
        per_class: Training images per class of the target (1 to 500).
        unfreeze: How many of the layers with weights up to the cut fine-tuning's phase 2
            unfreezes, counting back from the cut (None: all of them).
        epochs: Epochs of the new head (freeze, and fine-tuning's phase 1).
        fine_tune_epochs: Epochs of fine-tuning's phase 2. The baseline trains for
            `epochs + fine_tune_epochs`, as many as fine-tuning in all.
        learning_rate: Adam's step size; phase 2 uses a tenth of it.
        batch_size: Images per step.
        seed: Seeds the choice of images, the new weights and the shuffles.
        projection: How the features' 2-D picture is made: "pca" or "tsne".

    Raises:
        ValueError: naming the field and the received value when one is out of range.
    """

    source: str = "digits-0-4"
    target: str = "digits-5-9"
    methods: tuple[str, ...] = METHODS
    cut_layer: str | None = None
    frozen: tuple[str, ...] | None = None
    unfreeze: int | None = None
    per_class: int = 10
    epochs: int = 20
    fine_tune_epochs: int = 20
    learning_rate: float = 3e-3
    batch_size: int = 16
    seed: int = 0
    projection: str = "pca"

    def __post_init__(self):
        validate_transfer_config(self)

    def to_dict(self) -> dict:
        """The config as plain values, ready for `json.dumps`."""
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        data["methods"] = list(self.methods)
        data["frozen"] = None if self.frozen is None else list(self.frozen)
        return data

    @classmethod
    def from_dict(cls, data: Mapping) -> TransferConfig:
        """A validated config from `to_dict`'s format; missing keys take their defaults.

        Raises:
            ValueError: on unknown keys or a value out of range, naming it.
        """
        values = check_known_keys(data, cls, Phrase("errors.names.transfer_config"))
        for key in ("methods", "frozen"):
            if isinstance(values.get(key), list):
                values[key] = tuple(values[key])
        return cls(**values)


def validate_transfer_config(config: TransferConfig) -> None:
    """Raise ValueError, naming the field, what was received and what is accepted, if needed."""
    if not isinstance(config.source, str) or not config.source:
        raise Invalid("errors.transfer.source", received=repr(config.source))
    check_choice(config.target, Phrase("errors.names.target"), TARGETS)
    methods = config.methods
    if not isinstance(methods, tuple) or not methods or len(set(methods)) != len(methods):
        raise Invalid(
            "errors.transfer.methods", accepted=", ".join(METHODS), received=repr(methods)
        )
    for method in methods:
        check_choice(method, Phrase("errors.names.method"), METHODS)
    for name in ("cut_layer",):
        value = getattr(config, name)
        if value is not None and not (isinstance(value, str) and value):
            raise Invalid("errors.transfer.layer_name", name=name, received=repr(value))
    if config.frozen is not None and not (
        isinstance(config.frozen, tuple) and all(isinstance(n, str) for n in config.frozen)
    ):
        raise Invalid("errors.transfer.frozen", received=repr(config.frozen))
    if config.unfreeze is not None:
        every = Phrase("errors.validation.or_none_all")
        check_whole(config.unfreeze, "`unfreeze`", 1, alternative=every)
    check_whole(config.per_class, Phrase("errors.names.per_class"), 1, MAX_EXAMPLES_PER_CLASS)
    check_whole(config.epochs, "`epochs`", 1, MAX_EPOCHS)
    check_whole(config.fine_tune_epochs, "`fine_tune_epochs`", 1, MAX_EPOCHS)
    check_real(config.learning_rate, "`learning_rate`", 0.0, MAX_LEARNING_RATE, open_low=True)
    check_whole(config.batch_size, "`batch_size`", 1, MAX_BATCH_SIZE)
    check_whole(config.seed, "`seed`", 0, 2**32 - 1)
    check_choice(config.projection, Phrase("errors.names.projection"), ("pca", "tsne"))


def body_layers(source: CNNConfig) -> list[LayerRow]:
    """The source network's layers a target reuses: all but its output layer."""
    return summary_rows(source)[:-1]


def resolve_cut(source: CNNConfig, cut_layer: str | None) -> str:
    """`cut_layer` checked against the source's reusable layers (None: its Flatten layer, or
    the last of them when it has none).

    Raises:
        ValueError: If the network has no such layer before its output (the message lists
            the layers it has).
    """
    rows = body_layers(source)
    names = [row.name for row in rows]
    if cut_layer is None:
        flatten = [row.name for row in rows if row.kind == "Flatten"]
        return (flatten or names)[-1]
    if cut_layer not in names:
        raise Invalid(
            "errors.transfer.cut_layer", layers=", ".join(names), received=repr(cut_layer)
        )
    return cut_layer


def reused_layers(source: CNNConfig, cut_layer: str | None) -> tuple[str, ...]:
    """The layers whose weights a target reuses: the source's layers up to the cut. The
    layers after it are the new head.

    Example:
        >>> from cnnviz.network import lecture_config
        >>> reused_layers(lecture_config(), "max_pooling2d_1")
        ('conv2d_1', 'max_pooling2d_1')
    """
    names = [row.name for row in body_layers(source)]
    return tuple(names[: names.index(resolve_cut(source, cut_layer)) + 1])


def frozen_layers(source: CNNConfig, config: TransferConfig) -> tuple[str, ...]:
    """The layers the freeze method keeps frozen: `config.frozen`, or all layers up to the cut.

    Raises:
        ValueError: If a frozen name is not a layer up to the cut (the new head always trains).
    """
    reused = reused_layers(source, config.cut_layer)
    if config.frozen is None:
        return reused
    unknown = [name for name in config.frozen if name not in reused]
    if unknown:
        raise Invalid(
            "errors.transfer.frozen_reused", layers=", ".join(reused), received=", ".join(unknown)
        )
    return tuple(name for name in reused if name in config.frozen)


def unfrozen_in_phase_2(source: CNNConfig, config: TransferConfig) -> tuple[str, ...]:
    """The layers fine-tuning's phase 2 unfreezes: the last `config.unfreeze` layers with
    weights up to the cut (all of them when None), with the weightless layers between them.

    Example:
        >>> from cnnviz.network import lecture_config
        >>> unfrozen_in_phase_2(lecture_config(), TransferConfig(unfreeze=1))
        ('conv2d_2', 'max_pooling2d_2', 'flatten')
    """
    rows = body_layers(source)
    names = [row.name for row in rows]
    base = rows[: names.index(resolve_cut(source, config.cut_layer)) + 1]
    weighted = [i for i, row in enumerate(base) if row.parameters]
    if not weighted:
        return ()
    count = len(weighted) if config.unfreeze is None else min(config.unfreeze, len(weighted))
    return tuple(row.name for row in base[weighted[-count] :])


def target_network(source: CNNConfig, num_classes: int) -> CNNConfig:
    """The source's architecture with an output layer for the target's `num_classes`."""
    check_whole(num_classes, Phrase("errors.names.target_classes"), 2)
    return replace(source, num_classes=num_classes)


@dataclass(frozen=True)
class LayerTableRow:
    """A layer as `model.summary(show_trainable=True)` shows it, plus whether it is new."""

    name: str
    kind: str
    output_shape: tuple
    trainable_params: int
    non_trainable_params: int
    trainable: bool
    new: bool


def layer_table(network: CNNConfig, frozen, reused=None) -> list[LayerTableRow]:
    """Every layer of `network` with the layers named in `frozen` frozen, as Keras counts them.

    A frozen layer's weights all become non-trainable; batch normalisation's moving mean and
    variance are non-trainable in any case. The layers not in `reused` (default: all but the
    output layer) are the new head.

    Example:
        >>> from cnnviz.network import lecture_config
        >>> rows = layer_table(target_network(lecture_config(), 5), {"conv2d_1", "conv2d_2"})
        >>> [(r.name, r.trainable_params, r.non_trainable_params) for r in rows[::2]]
        [('conv2d_1', 0, 160), ('conv2d_2', 0, 4640), ('flatten', 0, 0), ('output', 165, 0)]
    """
    frozen, rows = set(frozen), summary_rows(network)
    reused = {row.name for row in rows[:-1]} if reused is None else set(reused)
    table = []
    for row in rows:
        is_frozen = row.name in frozen
        table.append(
            LayerTableRow(
                name=row.name,
                kind=row.kind,
                output_shape=row.output_shape,
                trainable_params=0 if is_frozen else row.trainable,
                non_trainable_params=row.non_trainable + (row.trainable if is_frozen else 0),
                trainable=not is_frozen,
                new=row.name not in reused,
            )
        )
    return table


def parameter_counts(table: list[LayerTableRow]) -> dict[str, int]:
    """The summary's last lines: total, trainable and non-trainable parameters."""
    trainable = sum(row.trainable_params for row in table)
    frozen = sum(row.non_trainable_params for row in table)
    return {"total": trainable + frozen, "trainable": trainable, "non_trainable": frozen}
