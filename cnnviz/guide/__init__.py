"""The guided lesson: the lecture as nine steps, each with a question asked before its answer.

- `steps`: the nine steps in the lecture's order (`STEPS`), each with its full page, the step
  a link asks for (`?step=3`), and the learner's score.
- `questions`: `Question` (choices, the computed answer, why) and the questions on images:
  how many numbers a digit is, which kernel lights up on an edge, what pooling gives.
- `network_questions`: the questions on networks: parameters, the lecture's model, receptive
  fields, regularisation, where the parameters are, what transfer learning trains.

Every answer is computed by the core (`convolution`, `network`, `transfer`) from the bundled
MNIST sample and the bundled models' manifests, never written down; every word comes from the
`guided` catalogs in the language asked for. No Streamlit.
"""

from cnnviz.guide.network_questions import (
    RECEPTIVE_LAYERS,
    design_question,
    flatten_question,
    generalisation_question,
    parameters_question,
    receptive_field_question,
    receptive_fields,
    transfer_question,
)
from cnnviz.guide.questions import (
    EDGE_KERNELS,
    SEVEN_INDEX,
    Question,
    format_count,
    format_decimal,
    kernel_question,
    left_edge,
    left_edge_responses,
    pixels_question,
    pooling_question,
)
from cnnviz.guide.steps import STEPS, Step, find_step, score, step_number

__all__ = [
    "EDGE_KERNELS",
    "RECEPTIVE_LAYERS",
    "SEVEN_INDEX",
    "STEPS",
    "Question",
    "Step",
    "design_question",
    "find_step",
    "flatten_question",
    "format_count",
    "format_decimal",
    "generalisation_question",
    "kernel_question",
    "left_edge",
    "left_edge_responses",
    "parameters_question",
    "pixels_question",
    "pooling_question",
    "receptive_field_question",
    "receptive_fields",
    "score",
    "step_number",
    "transfer_question",
]
