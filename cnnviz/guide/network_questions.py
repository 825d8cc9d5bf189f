"""The guided lesson's questions on networks, each answer computed by `cnnviz.network`.

Parameters of a Conv2D layer, the length Flatten hands to the dense layers of the lecture's
model, how much of the digit a unit sees (receptive fields), which bundled model does better on
digits it never saw (their manifests), where the lecture's parameters are, and what transfer
learning trains when the layers up to Flatten are frozen.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace

from cnnviz import i18n
from cnnviz.guide.questions import Question, format_count, format_decimal, numeric_choices
from cnnviz.network import (
    CNNConfig,
    ConvBlock,
    conv_layer_parameters,
    lecture_config,
    mlp_first_layer_parameters,
    parameter_totals,
    summary_rows,
)
from cnnviz.transfer import layer_table, parameter_counts
from cnnviz.transfer.config import reused_layers, target_network
from cnnviz.validation import is_real, is_whole

# The lecture model's layers that keep a picture (the receptive-field experiment's choices).
RECEPTIVE_LAYERS = ("conv2d_1", "max_pooling2d_1", "conv2d_2", "max_pooling2d_2")


def parameters_question(
    filters: int = 32, kernel_size: int = 3, channels: int = 1, language: str = "en"
) -> Question:
    """How many parameters `Conv2D(filters, kernel_size×kernel_size)` has on `channels` inputs.

    Raises:
        ValueError: If a size is not a whole number of at least 1.
    """
    correct = conv_layer_parameters(kernel_size, channels, filters)
    one_filter = conv_layer_parameters(kernel_size, channels, 1)
    dense = mlp_first_layer_parameters(28, 28, filters, channels)
    values, answer = numeric_choices(correct, (correct - filters, one_filter, dense))
    sizes = dict(filters=filters, size=kernel_size, channels=channels)
    return Question(
        prompt=i18n.translate(language, "guided.parameters.prompt", **sizes),
        choices=tuple(format_count(value, language) for value in values),
        answer=answer,
        explanation=i18n.translate(
            language,
            "guided.parameters.why",
            weights=kernel_size * kernel_size * channels,
            per_filter=one_filter,
            total=format_count(correct, language),
            dense=format_count(dense, language),
            **sizes,
        ),
    )


def _flatten_length(config: CNNConfig) -> int:
    return next(row.output_shape[1] for row in summary_rows(config) if row.kind == "Flatten")


def _without_pooling(config: CNNConfig, blocks: tuple[int, ...]) -> CNNConfig:
    """`config` with the pooling of the conv blocks numbered in `blocks` (1 first) removed."""
    changed = tuple(
        replace(block, pooling=None) if number in blocks else block
        for number, block in enumerate(config.conv_blocks, start=1)
    )
    return replace(config, conv_blocks=changed)


def flatten_question(language: str = "en") -> Question:
    """How many values the lecture's model flattens for its dense layers (`summary_rows`)."""
    config = lecture_config()
    correct = _flatten_length(config)
    height, width, channels = config.input_shape
    others = (
        _flatten_length(_without_pooling(config, (2,))),
        _flatten_length(_without_pooling(config, (1, 2))),
        height * width * channels,
    )
    values, answer = numeric_choices(correct, others)
    spatial = [row for row in summary_rows(config) if len(row.output_shape) == 4]
    chain = " → ".join(
        [f"{height}×{width}×{channels}"]
        + [f"`{row.name}` {'×'.join(map(str, row.output_shape[1:]))}" for row in spatial]
    )
    return Question(
        prompt=i18n.translate(language, "guided.mnist.prompt"),
        choices=tuple(format_count(value, language) for value in values),
        answer=answer,
        explanation=i18n.translate(
            language,
            "guided.mnist.why",
            chain=chain,
            last="×".join(map(str, spatial[-1].output_shape[1:])),
            count=format_count(correct, language),
            total=format_count(sum(parameter_totals(config)), language),
            unpooled=format_count(others[0], language),
        ),
    )


def receptive_fields(config: CNNConfig | None = None) -> dict[str, int]:
    """The side of the input patch one unit of each spatial layer sees: `{layer: side}`.

    Example:
        >>> receptive_fields()
        {'conv2d_1': 3, 'max_pooling2d_1': 4, 'conv2d_2': 8, 'max_pooling2d_2': 10}
    """
    rows = summary_rows(config or lecture_config())
    return {row.name: row.receptive_field for row in rows if row.receptive_field is not None}


def receptive_field_question(layer: str = "conv2d_2", language: str = "en") -> Question:
    """How large a patch of the digit one unit of `layer` of the lecture's model sees.

    Raises:
        ValueError: If `layer` is not one of the lecture model's spatial layers.
    """
    fields = receptive_fields()
    if layer not in fields:
        raise ValueError(f"Choose one of {', '.join(fields)}. Received {layer!r}.")
    unpooled = receptive_fields(_without_pooling(lecture_config(), (1,)))
    others = (fields["conv2d_1"], unpooled.get(layer, fields["conv2d_1"]), max(fields.values()))
    values, answer = numeric_choices(fields[layer], others)
    return Question(
        prompt=i18n.translate(language, "guided.filters.prompt", layer=layer),
        choices=tuple(f"{side}×{side}" for side in values),
        answer=answer,
        explanation=i18n.translate(
            language,
            "guided.filters.why",
            layer=layer,
            first=fields["conv2d_1"],
            side=fields[layer],
            unpooled=unpooled.get(layer, fields["conv2d_1"]),
        ),
    )


def _held_out(manifest: Mapping, name: str) -> tuple[float, int]:
    """A run's held-out accuracy and the number of held-out images, checked."""
    accuracy = manifest.get("test_accuracy") if isinstance(manifest, Mapping) else None
    size = manifest.get("test_size") if isinstance(manifest, Mapping) else None
    if not (is_real(accuracy) and 0 <= accuracy <= 1 and is_whole(size) and size > 0):
        raise ValueError(
            f"The run {name!r} must give its held-out accuracy (0 to 1) and its number of "
            f"held-out images. Received test_accuracy={accuracy!r}, test_size={size!r}."
        )
    return float(accuracy), int(size)


def _whole_or_zero(value) -> int:
    return int(value) if is_whole(value) and value > 0 else 0


def generalisation_question(
    lecture: Mapping, regularised: Mapping, language: str = "en"
) -> Question:
    """Which bundled model does better on digits it never saw: the lecture's or the
    regularised one (from their manifests' held-out accuracy).

    Raises:
        ValueError: If a manifest lacks its held-out accuracy or size.
    """
    runs = {"lecture": _held_out(lecture, "lecture")}
    runs["regularised"] = _held_out(regularised, "regularised")
    winner = max(runs, key=lambda name: runs[name][0])
    words = {}
    for name, manifest in (("lecture", lecture), ("regularised", regularised)):
        accuracy, size = runs[name]
        words[name] = format_decimal(100 * accuracy, 2, language)
        words[f"{name}_wrong"] = format_count(round((1 - accuracy) * size), language)
        parameters = _whole_or_zero(manifest.get("parameters"))
        words[f"{name}_parameters"] = format_count(parameters, language)
    return Question(
        prompt=i18n.translate(
            language,
            "guided.regularisation.prompt",
            train=format_count(_whole_or_zero(lecture.get("train_size")), language),
            size=format_count(runs["lecture"][1], language),
        ),
        choices=tuple(i18n.translate(language, f"guided.regularisation.{name}") for name in runs),
        answer=list(runs).index(winner),
        explanation=i18n.translate(
            language,
            "guided.regularisation.why",
            size=format_count(runs["lecture"][1], language),
            winner=i18n.translate(language, f"guided.regularisation.{winner}_short"),
            **words,
        ),
    )


def deeper_config() -> CNNConfig:
    """The lecture's model with a third conv block of 64 filters (the design step's remedy)."""
    config = lecture_config()
    return replace(config, conv_blocks=(*config.conv_blocks, ConvBlock(64)))


def design_question(language: str = "en") -> Question:
    """Which layer of the lecture's model holds the most parameters (`summary_rows`)."""
    config = lecture_config()
    weighted = [row for row in summary_rows(config) if row.parameters]
    largest = max(weighted, key=lambda row: row.parameters)
    total = sum(row.parameters for row in weighted)
    deeper = deeper_config()
    return Question(
        prompt=i18n.translate(language, "guided.design.prompt"),
        choices=tuple(f"`{row.name}`" for row in weighted),
        answer=weighted.index(largest),
        explanation=i18n.translate(
            language,
            "guided.design.why",
            layer=largest.name,
            count=format_count(largest.parameters, language),
            total=format_count(total, language),
            share=round(100 * largest.parameters / total),
            flatten=format_count(_flatten_length(config), language),
            filters=deeper.conv_blocks[-1].filters,
            deeper_flatten=format_count(_flatten_length(deeper), language),
            deeper_total=format_count(sum(parameter_totals(deeper)), language),
        ),
    )


def transfer_question(num_classes: int = 5, language: str = "en") -> Question:
    """How many parameters train when the lecture's network (reused for `num_classes` new
    classes) is frozen up to Flatten and gets a new head.

    Raises:
        ValueError: If `num_classes` is not a whole number of at least 2.
    """
    source = lecture_config()
    table = layer_table(target_network(source, num_classes), reused_layers(source, None))
    counts = parameter_counts(table)
    output = next(row.trainable_params for row in table if row.name == "output")
    others = (counts["total"], counts["non_trainable"], output)
    values, answer = numeric_choices(counts["trainable"], others)
    return Question(
        prompt=i18n.translate(language, "guided.transfer.prompt", classes=num_classes),
        choices=tuple(format_count(value, language) for value in values),
        answer=answer,
        explanation=i18n.translate(
            language,
            "guided.transfer.why",
            frozen=format_count(counts["non_trainable"], language),
            trained=format_count(counts["trainable"], language),
            total=format_count(counts["total"], language),
            output=format_count(output, language),
        ),
    )
