"""Convolution and pooling, the two operations of a CNN's feature extractor, done by hand.

- `kernels`: the lecture's gallery (lines, Sobel, Laplacian, LoG) and typed-in kernels checked
  cell by cell.
- `windows`: padding, output sizes and the window behind an output pixel, as TensorFlow has them.
- `convolve`: true convolution and Keras's cross-correlation, and one output pixel explained.
- `pooling`: max and average pooling, and one pooled cell explained.
- `invariance`: how much less a pooled map changes than its feature map when the image moves.
- `gallery`: every lecture kernel on one image, the Sobel magnitude, the 180° flip.

NumPy and OpenCV only; every result is checked in the tests against SciPy and Keras.
"""

from cnnviz.convolution.convolve import (
    PixelExplanation,
    convolve2d,
    describe_pixel,
    explain_pixel,
)
from cnnviz.convolution.gallery import (
    EDGE_MAGNITUDE,
    VALID_MARGIN,
    edge_magnitude,
    filter_gallery,
    flip_comparison,
    flip_difference,
    lecture_gallery,
)
from cnnviz.convolution.invariance import (
    SHIFT_DIRECTIONS,
    TranslationReport,
    describe_invariance,
    shift_image,
    shift_vector,
    translation_invariance,
)
from cnnviz.convolution.kernels import (
    KERNELS,
    LECTURE_KERNEL_NAMES,
    KernelError,
    NamedKernel,
    find_preset,
    flip_kernel,
    is_blur,
    kernel_description,
    kernel_key,
    kernel_label,
    normalise_by_sum,
    read_kernel,
    validate_kernel,
)
from cnnviz.convolution.pooling import (
    POOL_METHODS,
    PoolExplanation,
    PoolSettings,
    describe_pool,
    explain_pool,
    pool2d,
)
from cnnviz.convolution.windows import (
    PADDINGS,
    check_image_size,
    cut_window,
    output_grid,
    output_size,
    output_size_formula,
    padding_amounts,
    strongest_position,
    window_origin,
)

__all__ = [
    "EDGE_MAGNITUDE",
    "KERNELS",
    "LECTURE_KERNEL_NAMES",
    "PADDINGS",
    "POOL_METHODS",
    "SHIFT_DIRECTIONS",
    "VALID_MARGIN",
    "KernelError",
    "NamedKernel",
    "PixelExplanation",
    "PoolExplanation",
    "PoolSettings",
    "TranslationReport",
    "check_image_size",
    "convolve2d",
    "cut_window",
    "describe_invariance",
    "describe_pixel",
    "describe_pool",
    "edge_magnitude",
    "explain_pixel",
    "explain_pool",
    "filter_gallery",
    "find_preset",
    "flip_comparison",
    "flip_difference",
    "flip_kernel",
    "is_blur",
    "kernel_description",
    "kernel_key",
    "kernel_label",
    "lecture_gallery",
    "normalise_by_sum",
    "output_grid",
    "output_size",
    "output_size_formula",
    "padding_amounts",
    "pool2d",
    "read_kernel",
    "shift_image",
    "shift_vector",
    "strongest_position",
    "translation_invariance",
    "validate_kernel",
    "window_origin",
]
