"""Shapes, settings and images shared by the convolution and pooling tests."""

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st

IMAGE_SHAPES = [(7, 7), (8, 9), (28, 28)]
FAST = settings(max_examples=50, deadline=None)
sizes = st.integers(1, 12)
paddings = st.sampled_from(["valid", "same"])


def random_image(shape, dtype=np.uint8):
    return np.random.default_rng(sum(shape)).integers(0, 256, shape).astype(dtype)
