"""A CNN in plain Python: its config, its layers and their sizes, and its arithmetic by hand.

- `config`: `CNNConfig` (conv blocks, regularisers, dense head), the lecture's model and its
  regularised variants, and the checks that say which layer cannot be built.
- `layers`: the layers `model.summary()` lists, their shapes, parameters and receptive fields.
- `design`: the memory a training step takes, the lecture's remedies, design hints.
- `forward_pass`: `LayerActivation`, the one representation of a forward pass every view reads.
- `arithmetic`: activation functions, batch normalisation and receptive windows, in NumPy.
- `worked_example`: one value of a trained network rebuilt by hand and checked against it;
  `explanations` holds what such a worked example shows.
- `robustness`: the same digit shifted, turned, scaled and noisy, and what the model says.

No TensorFlow: the engine (`cnnviz.engine.keras_side`) builds and runs what these describe.
"""

from cnnviz.network.arithmetic import ACTIVATION_FUNCTIONS, activate, relu
from cnnviz.network.config import (
    CONV_ACTIVATIONS,
    POOLINGS,
    CNNConfig,
    ConvBlock,
    feature_map_shapes,
    lecture_config,
    regularised_config,
    regularised_wide_config,
    validate_config,
)
from cnnviz.network.design import (
    OPTIMIZERS,
    MemoryEstimate,
    Remedy,
    design_hints,
    memory_remedies,
    training_memory,
)
from cnnviz.network.explanations import (
    ActivationExplanation,
    ChainStep,
    DenseExplanation,
    Explanation,
    PoolingExplanation,
    WeightedSum,
    WindowPosition,
)
from cnnviz.network.forward_pass import LayerActivation, find_layer
from cnnviz.network.layers import (
    LayerRow,
    PlannedLayer,
    ShapeSeries,
    batch_norm_parameters,
    conv_layer_parameters,
    layer_plan,
    mlp_first_layer_parameters,
    parameter_totals,
    shape_series,
    summary_rows,
    summary_table,
)
from cnnviz.network.robustness import ProbeRow, probe_inputs, probe_table
from cnnviz.network.worked_example import explain_activation, explainable_layers

__all__ = [
    "ACTIVATION_FUNCTIONS",
    "CONV_ACTIVATIONS",
    "OPTIMIZERS",
    "POOLINGS",
    "ActivationExplanation",
    "ChainStep",
    "CNNConfig",
    "ConvBlock",
    "DenseExplanation",
    "Explanation",
    "LayerActivation",
    "LayerRow",
    "MemoryEstimate",
    "PlannedLayer",
    "PoolingExplanation",
    "ProbeRow",
    "Remedy",
    "ShapeSeries",
    "WeightedSum",
    "WindowPosition",
    "activate",
    "batch_norm_parameters",
    "conv_layer_parameters",
    "design_hints",
    "explain_activation",
    "explainable_layers",
    "feature_map_shapes",
    "find_layer",
    "layer_plan",
    "lecture_config",
    "memory_remedies",
    "mlp_first_layer_parameters",
    "parameter_totals",
    "probe_inputs",
    "probe_table",
    "regularised_config",
    "regularised_wide_config",
    "relu",
    "shape_series",
    "summary_rows",
    "summary_table",
    "training_memory",
    "validate_config",
]
