"""Design practice for a CNN config: memory for training, remedies when it is short, and hints.

The lecture's practical advice, computed: how much memory training a `CNNConfig` takes (weights,
their gradients, the optimizer's slots and the activations every layer keeps for
backpropagation), what each of its remedies (a smaller batch, fewer channels, one block less,
strides 2 early) would save, and where a config departs from common practice.

Plain Python on `cnnviz.network.layers.summary_rows`: no TensorFlow. The memory figures are
estimates in float32 bytes; a framework adds workspace and fuses or frees some buffers, so
measured peaks differ, but the proportions (activations grow with the batch, weights do not)
hold.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from cnnviz import i18n
from cnnviz.network.config import CNNConfig, validate_config
from cnnviz.network.layers import parameter_totals, summary_rows
from cnnviz.validation import check_choice, check_whole

BYTES_PER_VALUE = 4  # float32
# Values the optimizer keeps per trainable weight: Adam's two moments, RMSprop's one running
# average, and none for plain SGD (Keras's default momentum=0; momentum would add one).
OPTIMIZER_SLOTS = {"adam": 2, "sgd": 0, "rmsprop": 1}
OPTIMIZERS = tuple(OPTIMIZER_SLOTS)  # the optimizers a learner can train with
_LARGE_FLATTEN = 2048
_SATURATING = ("sigmoid", "tanh")


@dataclass(frozen=True)
class MemoryEstimate:
    """Bytes for one training step: weights, gradients, optimizer state and activations.

    `activations` holds `(layer name, bytes for the whole batch)` for the input and every
    layer's output, all kept from the forward pass for backpropagation.
    """

    parameters: int
    gradients: int
    optimizer_state: int
    activations: tuple[tuple[str, int], ...]

    @property
    def activation_total(self) -> int:
        """Bytes of all the activations together."""
        return sum(size for _, size in self.activations)

    @property
    def total(self) -> int:
        """Bytes of everything together."""
        return self.parameters + self.gradients + self.optimizer_state + self.activation_total

    def parts(self, optimizer: str, *, language: str = "en") -> dict[str, int]:
        """Bytes by part, as the memory chart lists them (in `language`): weights, gradients,
        the state of `optimizer`, then the activations of the input and of every layer."""

        def word(key: str, **values) -> str:
            return i18n.translate(language, f"network.memory.{key}", **values)

        fixed = {word("weights"): self.parameters, word("gradients"): self.gradients}
        fixed[word("optimizer_state", optimizer=optimizer)] = self.optimizer_state
        names = {"input": word("input")}
        return fixed | {
            word("activations", name=names.get(name, name)): size for name, size in self.activations
        }


@dataclass(frozen=True)
class Remedy:
    """One way to need less memory: what to do, the bytes it saves, and the result."""

    description: str
    saves: int
    config: CNNConfig
    batch_size: int


def training_memory(config: CNNConfig, batch_size: int, optimizer: str = "adam") -> MemoryEstimate:
    """Estimate the memory one training step of `config` takes, in float32 bytes.

    Weights count once, gradients once per trainable weight, the optimizer's slots
    (`OPTIMIZER_SLOTS`) per trainable weight, and activations once per value of the input and
    of every layer's output for each image of the batch.

    Args:
        config: The network; validated first.
        batch_size: Images per training step, at least 1.
        optimizer: One of `OPTIMIZERS`: "adam", "sgd" or "rmsprop".

    Returns:
        A `MemoryEstimate`; its `total` is the sum.

    Raises:
        ValueError: If `batch_size` is below 1, `optimizer` unknown or `config` refused.

    Example:
        >>> from cnnviz.network.config import lecture_config
        >>> training_memory(lecture_config(), 32).parameters  # 30,762 float32 weights
        123048
    """
    batch_size = check_whole(batch_size, "`batch_size`", low=1)
    check_choice(optimizer, "`optimizer`", OPTIMIZERS)
    rows = summary_rows(config)
    trainable, non_trainable = parameter_totals(config)
    per_image = [("input", math.prod(config.input_shape))]
    per_image += [(row.name, math.prod(row.output_shape[1:])) for row in rows]
    return MemoryEstimate(
        parameters=BYTES_PER_VALUE * (trainable + non_trainable),
        gradients=BYTES_PER_VALUE * trainable,
        optimizer_state=BYTES_PER_VALUE * OPTIMIZER_SLOTS[optimizer] * trainable,
        activations=tuple((name, BYTES_PER_VALUE * batch_size * n) for name, n in per_image),
    )


def memory_remedies(
    config: CNNConfig, batch_size: int, optimizer: str = "adam", *, language: str = "en"
) -> list[Remedy]:
    """The lecture's remedies for running out of memory, each with the bytes it would save.

    Halve the batch size; halve the channels of every conv block; drop the last conv block;
    use strides 2 in the first Conv2D. Each is measured by re-running `training_memory` on the
    changed config. Remedies that do not apply, would make an invalid network, or would not
    save memory are left out: dropping a block can cost memory, because the larger map it
    leaves makes the first Dense layer bigger.

    Args:
        config: The network; validated first.
        batch_size: Images per training step, at least 1.
        optimizer: One of `OPTIMIZERS`: "adam", "sgd" or "rmsprop".
        language: The language of the remedies' descriptions ("en" or "es").

    Returns:
        `Remedy` objects, the largest saving first.

    Raises:
        ValueError: If `training_memory` refuses the arguments.
    """
    current = training_memory(config, batch_size, optimizer).total
    remedies = []
    for description, changed, batch in _remedy_candidates(config, batch_size, language):
        try:
            saves = current - training_memory(changed, batch, optimizer).total
        except ValueError:
            continue
        if saves > 0:
            remedies.append(Remedy(description, saves, changed, batch))
    return sorted(remedies, key=lambda remedy: -remedy.saves)


def _remedy_candidates(config: CNNConfig, batch_size: int, language: str):
    """`(description, config, batch_size)` for every remedy that applies, not yet checked."""

    def word(key: str, **values) -> str:
        return i18n.translate(language, f"network.remedies.{key}", **values)

    blocks = config.conv_blocks
    if batch_size > 1:
        description = word("halve_batch", before=batch_size, after=batch_size // 2)
        yield description, config, batch_size // 2
    fewer = tuple(replace(block, filters=max(1, block.filters // 2)) for block in blocks)
    if fewer != blocks:
        before = ", ".join(str(block.filters) for block in blocks)
        after = ", ".join(str(block.filters) for block in fewer)
        description = word("halve_channels", before=before, after=after)
        yield description, replace(config, conv_blocks=fewer), batch_size
    if len(blocks) > 1:
        description = word("drop_block", block=len(blocks))
        yield description, replace(config, conv_blocks=blocks[:-1]), batch_size
    if blocks[0].strides == 1:
        first = (replace(blocks[0], strides=2), *blocks[1:])
        description = word("first_strides")
        yield description, replace(config, conv_blocks=first), batch_size


def design_hints(config: CNNConfig, *, language: str = "en") -> list[str]:
    """Plain-language hints where `config` departs from common practice (none for the lecture's).

    Checks even kernels (no centre pixel), kernels above 7x7, pools above 3x3, saturating
    activations in conv blocks, channels that shrink from one block to the next, maps that
    never shrink, a Flatten so large that the first Dense layer dominates, and heavy dropout,
    spatial dropout or L2.

    Args:
        config: The network; validated first.
        language: The hints' language ("en" or "es").

    Returns:
        Hints in the order of the network, each a sentence or two; empty when nothing stands out.

    Raises:
        ValueError: If `validate_config` refuses `config`.
    """
    validate_config(config)

    def hint(key: str, **values) -> str:
        return i18n.translate(language, f"network.hints.{key}", **values)

    hints = []
    for number in range(1, len(config.conv_blocks) + 1):
        hints += _block_hints(config, number, hint)
    return hints + _network_hints(config, hint)


def _block_hints(config: CNNConfig, number: int, hint) -> list[str]:
    block = config.conv_blocks[number - 1]
    k, hints = block.kernel_size, []
    if k % 2 == 0:
        hints.append(hint("even_kernel", number=number, k=k))
    if k > 7:
        hints.append(hint("large_kernel", number=number, k=k))
    if block.pooling is not None and block.pool_size > 3:
        size = block.pool_size
        hints.append(hint("large_pool", number=number, size=size, kept=size**2))
    if block.activation in _SATURATING:
        hints.append(hint("saturating", number=number, activation=block.activation))
    previous = config.conv_blocks[number - 2].filters if number > 1 else None
    if previous is not None and block.filters < previous:
        hints.append(
            hint(
                "fewer_filters",
                number=number,
                filters=block.filters,
                previous=number - 1,
                previous_filters=previous,
            )
        )
    return hints


def _network_hints(config: CNNConfig, hint) -> list[str]:
    rows, hints = summary_rows(config), []
    if all(block.pooling is None and block.strides == 1 for block in config.conv_blocks):
        hints.append(hint("no_shrinking"))
    flatten = next(index for index, row in enumerate(rows) if row.kind == "Flatten")
    features = rows[flatten].output_shape[1]
    dense = next(row for row in rows[flatten:] if row.kind == "Dense")
    share = dense.trainable / sum(row.trainable for row in rows)
    if features > _LARGE_FLATTEN:
        hints.append(hint("large_flatten", features=features, share=share))
    if config.spatial_dropout >= 0.5:
        hints.append(hint("spatial_dropout", rate=config.spatial_dropout))
    if config.dropout >= 0.6:
        hints.append(hint("dropout", rate=config.dropout))
    if config.l2 > 0.01:
        hints.append(hint("l2", l2=config.l2))
    return hints
