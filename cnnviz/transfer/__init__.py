"""Transfer learning, the lecture's last part: reusing a network trained on one task on another.

- `tasks`: the source and target tasks (digits 0–4 and 5–9, scikit-learn's handwriting made
  28×28, Fashion-MNIST) and a task cut down to a few examples per class.
- `own_classes`: the learner's own classes (uploads, webcam snapshots) as a task.
- `config`: what a run does (`TransferConfig`): the methods, the cut, the frozen layers and
  their parameter counts.
- `features`: the first way, a layer's outputs as features for an SVM (and a logistic
  regression to compare), and their 2-D picture (PCA, or t-SNE on request).
- `results`: what a run reports and returns, the results table and a saved run's manifest.
- `imagenet`: VGG16's ImageNet weights in the Keras cache, and what is missing.
- `network_cost`: what a network's size means for memory and arithmetic (VGG16 against the
  lecture's CNN).

No TensorFlow: the engine (`cnnviz.engine.keras_side.transfer_job`) runs the methods.
"""

from cnnviz.transfer.config import (
    METHOD_LABELS,
    METHODS,
    TARGETS,
    TransferConfig,
    layer_table,
    parameter_counts,
)
from cnnviz.transfer.features import PROJECTIONS, FeatureScores, project, score_features
from cnnviz.transfer.results import (
    LayerScore,
    MethodResult,
    TransferEpoch,
    TransferOutcome,
    results_table,
    run_manifest,
)
from cnnviz.transfer.tasks import (
    EXAMPLES_PER_CLASS,
    digit_subset,
    few_shot,
    limit_test,
    sklearn_digits,
    target_task,
)

__all__ = [
    "EXAMPLES_PER_CLASS",
    "METHODS",
    "METHOD_LABELS",
    "PROJECTIONS",
    "TARGETS",
    "FeatureScores",
    "LayerScore",
    "MethodResult",
    "TransferConfig",
    "TransferEpoch",
    "TransferOutcome",
    "digit_subset",
    "few_shot",
    "layer_table",
    "limit_test",
    "parameter_counts",
    "project",
    "results_table",
    "run_manifest",
    "score_features",
    "sklearn_digits",
    "target_task",
]
