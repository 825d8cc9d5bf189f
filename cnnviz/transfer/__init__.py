"""Transfer learning, the lecture's last part: reusing a network trained on one task on another.

- `tasks`: the source and target tasks (digits 0–4 and 5–9, scikit-learn's handwriting made
  28×28) and a task cut down to a few examples per class.
- `features`: the first way, a layer's outputs as features for an SVM (and a logistic
  regression to compare), and their 2-D picture (PCA, or t-SNE on request).

No TensorFlow: the engine (`cnnviz.engine.keras_side`) computes the layers' outputs.
"""

from cnnviz.transfer.features import PROJECTIONS, FeatureScores, project, score_features
from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS, digit_subset, few_shot, sklearn_digits

__all__ = [
    "EXAMPLES_PER_CLASS",
    "PROJECTIONS",
    "FeatureScores",
    "digit_subset",
    "few_shot",
    "project",
    "score_features",
    "sklearn_digits",
]
