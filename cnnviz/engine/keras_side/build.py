"""A `CNNConfig` built as a `keras.Sequential`, layer for layer as `summary_rows` lists it."""

from __future__ import annotations

import keras

from cnnviz.network.config import CNNConfig, lecture_config
from cnnviz.network.layers import layer_plan


def build_cnn(config: CNNConfig | None = None) -> keras.Sequential:
    """A `keras.Sequential` for `config` (the lecture's model when None), not compiled.

    Starts with an explicit `keras.Input(shape=config.input_shape)`, so every layer is built
    and `model.summary()` matches `cnnviz.network.layers.summary_rows(config)` name for name.

    Args:
        config: The network, or None for `lecture_config()`.

    Returns:
        An uncompiled `keras.Sequential` named "cnn".

    Raises:
        ValueError: If `validate_config` refuses `config`.
    """
    config = lecture_config() if config is None else config
    layers = [keras.Input(shape=config.input_shape, name="input")]
    for planned in layer_plan(config):
        options = dict(planned.options)
        if options.get("kernel_regularizer"):
            options["kernel_regularizer"] = keras.regularizers.L2(options["kernel_regularizer"])
        layers.append(getattr(keras.layers, planned.row.kind)(name=planned.row.name, **options))
    return keras.Sequential(layers, name="cnn")
