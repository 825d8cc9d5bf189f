"""Training memory, the lecture's remedies and design hints, checked against the config's rows."""

import math
from dataclasses import replace

import pytest

from cnnviz.network.config import CNNConfig, ConvBlock, lecture_config, regularised_config
from cnnviz.network.design import (
    OPTIMIZER_SLOTS,
    MemoryEstimate,
    design_hints,
    memory_remedies,
    training_memory,
)
from cnnviz.network.layers import parameter_totals, summary_rows

LECTURE_PARAMETERS = 30_762


# Memory: basic figures and how they scale.


def test_lecture_memory_counts_every_weight_once_and_adam_twice_more():
    memory = training_memory(lecture_config(), 32)
    assert isinstance(memory, MemoryEstimate)
    assert memory.parameters == 4 * LECTURE_PARAMETERS
    assert memory.gradients == 4 * LECTURE_PARAMETERS
    assert memory.optimizer_state == 2 * 4 * LECTURE_PARAMETERS
    assert memory.total == 4 * 4 * LECTURE_PARAMETERS + memory.activation_total


@pytest.mark.parametrize(("optimizer", "slots"), [("adam", 2), ("rmsprop", 1), ("sgd", 0)])
def test_optimizer_state_has_its_slots_per_trainable_weight(optimizer, slots):
    config = regularised_config()
    trainable, non_trainable = parameter_totals(config)
    memory = training_memory(config, 8, optimizer)
    assert OPTIMIZER_SLOTS[optimizer] == slots
    assert memory.optimizer_state == 4 * slots * trainable
    assert memory.gradients == 4 * trainable  # BatchNorm's moving statistics get no gradient
    assert memory.parameters == 4 * (trainable + non_trainable)


def test_activations_are_the_input_and_every_layer_output_for_the_batch():
    config = regularised_config()
    memory = training_memory(config, 16)
    rows = summary_rows(config)
    assert [name for name, _ in memory.activations] == ["input", *(row.name for row in rows)]
    assert memory.activations[0][1] == 4 * 16 * 28 * 28
    assert dict(memory.activations)["conv2d_1"] == 4 * 16 * 26 * 26 * 16
    for row in rows:
        assert dict(memory.activations)[row.name] == 4 * 16 * math.prod(row.output_shape[1:])


@pytest.mark.parametrize("config", [lecture_config(), regularised_config()])
def test_activations_grow_linearly_with_the_batch_and_weights_do_not(config):
    one, many = training_memory(config, 1), training_memory(config, 100)
    assert many.activation_total == 100 * one.activation_total
    assert (many.parameters, many.gradients, many.optimizer_state) == (
        one.parameters,
        one.gradients,
        one.optimizer_state,
    )


@pytest.mark.parametrize(
    ("arguments", "match"),
    [
        ((0,), r"`batch_size` must be a whole number of at least 1\. Received 0"),
        ((2.0,), r"`batch_size`.*Received 2\.0"),
        ((True,), r"`batch_size`.*Received True"),
        (
            (32, "adamw"),
            r"`optimizer` must be one of \('adam', 'sgd', 'rmsprop'\)\. Received 'adamw'",
        ),
    ],
)
def test_memory_refuses_bad_batch_sizes_and_optimizers(arguments, match):
    with pytest.raises(ValueError, match=match):
        training_memory(lecture_config(), *arguments)
    with pytest.raises(ValueError, match=match):
        memory_remedies(lecture_config(), *arguments)


def test_memory_validates_the_config():
    with pytest.raises(ValueError, match=r"Block 1's Conv2D `filters`.*Received 0"):
        training_memory(CNNConfig(conv_blocks=(ConvBlock(0),)), 32)


# Remedies: each re-measured on its own config.


@pytest.mark.parametrize("batch_size", [1, 32, 512])
@pytest.mark.parametrize("optimizer", ["adam", "sgd"])
def test_each_remedy_saves_what_its_config_measures(batch_size, optimizer):
    current = training_memory(lecture_config(), batch_size, optimizer).total
    remedies = memory_remedies(lecture_config(), batch_size, optimizer)
    assert remedies
    assert [r.saves for r in remedies] == sorted((r.saves for r in remedies), reverse=True)
    for remedy in remedies:
        after = training_memory(remedy.config, remedy.batch_size, optimizer).total
        assert remedy.saves == current - after > 0


def test_lecture_remedies_at_a_large_batch():
    remedies = {r.description: r for r in memory_remedies(lecture_config(), 512)}
    assert set(remedies) == {
        "Halve the batch size (512 → 256)",
        "Halve the channels of every conv block (16, 32 → 8, 16)",
        "Drop the last conv block (block 2)",
        "Use strides 2 in the first Conv2D (about a quarter of its output map)",
    }
    halved = remedies["Halve the batch size (512 → 256)"]
    assert halved.saves == training_memory(lecture_config(), 512).activation_total // 2
    assert remedies["Drop the last conv block (block 2)"].config.conv_blocks == (ConvBlock(16),)
    strided = remedies["Use strides 2 in the first Conv2D (about a quarter of its output map)"]
    assert summary_rows(strided.config)[0].output_shape == (None, 13, 13, 16)


def test_remedies_that_would_not_save_or_would_break_the_network_are_left_out():
    # At batch 32, dropping block 2 leaves a 13x13x16 Flatten: the Dense layer grows by more
    # than the activations shrink.
    small_batch = [r.description for r in memory_remedies(lecture_config(), 32)]
    assert not any(d.startswith("Drop the last conv block") for d in small_batch)
    batch_of_one = memory_remedies(lecture_config(), 1)
    assert not any(r.description.startswith("Halve the batch") for r in batch_of_one)
    # 10 -> 8 -> 4 -> 2 -> 1 fits; with strides 2 first, 10 -> 4 -> 2 -> 0 does not.
    tight = CNNConfig(input_shape=(10, 10, 1))
    assert not any("strides 2" in r.description for r in memory_remedies(tight, 256))
    single = CNNConfig(conv_blocks=(ConvBlock(1, strides=2),))
    assert [r.description for r in memory_remedies(single, 1)] == []


# Hints.


def test_common_practice_configs_get_no_hints():
    assert design_hints(lecture_config()) == []
    assert design_hints(regularised_config()) == []
    assert (
        design_hints(CNNConfig((32, 32, 3), (ConvBlock(32), ConvBlock(64), ConvBlock(128)))) == []
    )


@pytest.mark.parametrize(
    ("config", "words"),
    [
        (CNNConfig(conv_blocks=(ConvBlock(16, 4), ConvBlock(32))), ["Block 1", "even 4×4"]),
        (CNNConfig(conv_blocks=(ConvBlock(32), ConvBlock(16))), ["Block 2", "fewer filters"]),
        (CNNConfig(conv_blocks=(ConvBlock(16, 9), ConvBlock(32))), ["9×9", "3×3"]),
        (CNNConfig(conv_blocks=(ConvBlock(16, pool_size=4), ConvBlock(32))), ["pools 4×4"]),
        (CNNConfig(conv_blocks=(ConvBlock(activation="sigmoid"), ConvBlock(32))), ["sigmoid"]),
        (CNNConfig(conv_blocks=(ConvBlock(16),)), ["Flatten passes 2,704 values", "Dense"]),
        (
            CNNConfig(conv_blocks=(ConvBlock(8, pooling=None), ConvBlock(8, pooling=None))),
            ["No block shrinks"],
        ),
        (replace(lecture_config(), dropout=0.6), ["Dropout at 0.6"]),
        (replace(lecture_config(), spatial_dropout=0.5), ["SpatialDropout2D at 0.5"]),
        (replace(lecture_config(), l2=0.1), ["L2 of 0.1"]),
    ],
)
def test_departures_from_common_practice_get_a_hint(config, words):
    hints = design_hints(config)
    assert len(hints) >= 1
    assert any(all(word in hint for word in words) for hint in hints), hints


def test_hints_validate_the_config():
    with pytest.raises(ValueError, match=r"`dropout`.*Received 1\.5"):
        design_hints(replace(lecture_config(), dropout=1.5))


def test_memory_parts_list_what_the_chart_shows():
    memory = training_memory(lecture_config(), 32, "rmsprop")
    parts = memory.parts("rmsprop")
    assert list(parts)[:3] == ["weights", "gradients", "rmsprop state"]
    assert sum(parts.values()) == memory.total
    assert parts["activations: conv2d_1"] == 4 * 32 * 26 * 26 * 16
