"""Images as a computer sees them: an upload decoded safely, pixels as numbers, digits as MNIST.

- `decode`: `decode_image` turns uploaded bytes into RGB uint8 (reduced to at most 4096 pixels
  a side, saying so in a `DecodedImage`), or an `ImageError` that says why; `load_image` returns
  the array alone.
- `reduction`: any colour mode of a decoded image to RGB, each block of pixels averaged, in tiles.
- `convert`: luma as Pillow computes it, 0..1 floats to bytes, display and working copies.
- `pixels`: windows of pixel values, `x / 255`, and tensors `[images, height, width, channels]`.
- `digits`: a drawing or photo of a digit to the 28×28 input of an MNIST model, step by step.
- `samples`: built-in teaching images (lines, a checkerboard, a circle) and two photos.

NumPy, OpenCV and Pillow only.
"""

from cnnviz.images.convert import (
    CHANNELS,
    DisplayImage,
    WorkingImage,
    as_uint8,
    fit_for_display,
    to_grayscale,
    working_image,
)
from cnnviz.images.decode import (
    ACCEPTED_FORMATS,
    MAX_DECODED_SIDE,
    MAX_PIXELS,
    MAX_RLE_BMP_PIXELS,
    MAX_SIDE,
    MAX_UPLOAD_BYTES,
    MAX_WEBP_PIXELS,
    UPLOAD_EXTENSIONS,
    DecodedImage,
    ImageError,
    decode_image,
    load_image,
)
from cnnviz.images.digits import MIN_INK_CONTRAST, MnistSteps, to_mnist
from cnnviz.images.pixels import (
    LECTURE_TENSOR_SHAPE,
    PixelWindow,
    normalise,
    pixel_window,
    tensor_bytes,
    tensor_shape,
)
from cnnviz.images.samples import builtin_images, sample_photos, synthetic_images

__all__ = [
    "ACCEPTED_FORMATS",
    "CHANNELS",
    "LECTURE_TENSOR_SHAPE",
    "MAX_DECODED_SIDE",
    "MAX_PIXELS",
    "MAX_RLE_BMP_PIXELS",
    "MAX_SIDE",
    "MAX_UPLOAD_BYTES",
    "MAX_WEBP_PIXELS",
    "MIN_INK_CONTRAST",
    "UPLOAD_EXTENSIONS",
    "DecodedImage",
    "DisplayImage",
    "ImageError",
    "MnistSteps",
    "PixelWindow",
    "WorkingImage",
    "as_uint8",
    "builtin_images",
    "decode_image",
    "fit_for_display",
    "load_image",
    "normalise",
    "pixel_window",
    "sample_photos",
    "synthetic_images",
    "tensor_bytes",
    "tensor_shape",
    "to_grayscale",
    "to_mnist",
    "working_image",
]
