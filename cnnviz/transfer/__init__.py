"""Transfer learning, the lecture's last part: reusing a network trained on one task on another.

- `tasks`: the source and target tasks (digits 0–4 and 5–9, scikit-learn's handwriting made
  28×28) and a task cut down to a few examples per class.

No TensorFlow: the engine (`cnnviz.engine.keras_side`) trains and extracts what these describe.
"""

from cnnviz.transfer.tasks import EXAMPLES_PER_CLASS, digit_subset, few_shot, sklearn_digits

__all__ = ["EXAMPLES_PER_CLASS", "digit_subset", "few_shot", "sklearn_digits"]
