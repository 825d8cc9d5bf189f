"""What a trained CNN looks for, and where it looked: three techniques, model and array in.

- Activation maximisation (Erhan et al. 2009; the regularisers after Olah et al.'s "Feature
  Visualization", 2017): gradient ascent on the input until one filter's mean activation, or
  one class's logit, is as large as it gets. Small random jitter each step, a Gaussian blur now
  and then, an L2 penalty that pulls unused pixels back to black and clipping to 0..1 keep the
  result readable instead of high-frequency noise.
- Grad-CAM (Selvaraju et al. 2017): the last convolution's feature maps weighted by the mean
  gradient of the class score over each map, rectified and upsampled to the image.
- Saliency (Simonyan et al. 2014) and SmoothGrad (Smilkov et al. 2017): the size of the class
  score's gradient per pixel, averaged over noisy copies of the image for SmoothGrad.

Class scores are the logits before the softmax: a softmax probability can rise by pushing the
other classes down, which says little about the class itself. This module imports TensorFlow:
it runs in the engine.
"""

from __future__ import annotations

from collections.abc import Callable

import keras
import numpy as np
import tensorflow as tf

from cnnviz.engine.keras_side.extract import input_shape, layer_tensors, prepare_images
from cnnviz.network.forward_pass import last_conv_block_end
from cnnviz.validation import check_real, check_whole, is_whole

LEARNING_RATE = 0.05
# Weight decay on the pixels, per step and relative to the learning rate. On the lecture model
# 1.0 turns conv2d_2's saturated blobs into oriented stripes and keeps the classes' strokes;
# 0.05 to 0.5 leave mostly white squares.
L2_PENALTY = 1.0
BLUR_EVERY = 4  # steps between Gaussian blurs
JITTER = 2  # pixels of random shift, either way, each step
# A 3x3 Gaussian (sigma 0.5): enough to damp checkerboard noise without erasing strokes.
_BLUR = np.outer(*[np.exp(-(np.arange(-1, 2) ** 2) / (2 * 0.5**2))] * 2)
_BLUR /= _BLUR.sum()


def activation_maximisation(
    model,
    layer: str,
    index: int | None = None,
    *,
    steps: int = 64,
    learning_rate: float = LEARNING_RATE,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """An input that excites one filter (or class) of `layer` as strongly as it can.

    Gradient ascent on the input from a seeded dark random image: for a convolution (or any
    layer with feature maps) it maximises the mean activation of map `index`; for a Dense
    layer, unit `index` (the class's logit for the output layer). Layers with an activation
    function (Conv2D, Dense, Activation) are taken before it, so a ReLU cannot stall the
    ascent at zero.

    The first convolution is linear in the pixels, so the mean of its map is largest for a
    flat white (or black) image: show its kernels (`keras_side.extract.conv_filters`) instead.

    Args:
        model: A built Keras model with one image input.
        layer: The name of the layer.
        index: The feature map or unit; None maximises the mean over all of them.
        steps: Gradient steps, at least 0 (0 returns the starting image).
        learning_rate: Step size on a gradient scaled to unit root-mean-square.
        seed: Seeds the starting image and the jitter: the same seed gives the same image.
        progress: Called with the fraction done (0..1) after each step.

    Returns:
        float32 `(H, W)` (or `(H, W, C)` for colour models) in 0..1.

    Raises:
        ValueError: For an unknown layer (the message lists the names), an index outside the
            layer's maps or units, or steps, learning rate or seed out of range.
    """
    target, size = _target(model, layer)
    if index is not None and not (is_whole(index) and 0 <= index < size):
        raise ValueError(
            f"Layer {layer!r} has {size} maps or units, so index must be 0 to {size - 1} or "
            f"None. Received index={index!r}."
        )
    weights = np.full((1, size), 1.0 / size, np.float32)
    if index is not None:
        weights = np.eye(size, dtype=np.float32)[[index]]
    starts = [-1 if index is None else index]
    return _ascend(model, target, weights, starts, (steps, learning_rate, seed), progress)[0]


def maximise_all(
    model,
    layer: str,
    *,
    steps: int = 64,
    learning_rate: float = LEARNING_RATE,
    seed: int = 0,
    progress: Callable[[float], None] | None = None,
) -> np.ndarray:
    """`activation_maximisation` for every map (or unit) of `layer` at once, in one batch.

    One compiled step moves the whole batch, so all 32 filters of a layer cost about as much
    as a few. Image `i` equals `activation_maximisation(model, layer, i, ...)` with the same
    arguments, up to float rounding.

    Returns:
        float32 `(n, H, W)` (or `(n, H, W, C)`), one image per map or unit, in 0..1.

    Raises:
        ValueError: As `activation_maximisation`.
    """
    target, size = _target(model, layer)
    weights = np.eye(size, dtype=np.float32)
    return _ascend(
        model, target, weights, list(range(size)), (steps, learning_rate, seed), progress
    )


def grad_cam(model, image, class_index: int | None = None, layer: str | None = None) -> np.ndarray:
    """Where the model looked for a class: the Grad-CAM heat map, upsampled to the image.

    Args:
        model: A built Keras model with one image input ending in a Dense layer.
        image: `(H, W)` or `(H, W, C)`, floats in 0..1 or uint8.
        class_index: The class to explain; None takes the predicted one.
        layer: The layer whose maps are weighted; None takes the last Conv2D's output after
            its BatchNormalization and Activation, if they follow.

    Returns:
        float32 `(H, W)` in 0..1 (all zeros when no map speaks for the class).

    Raises:
        ValueError: For a bad image, class index or layer, or a layer without feature maps.
    """
    target = _grad_cam_layer(model, layer)
    batch = prepare_images(image, input_shape(model))
    features, head = _logits(model, extra=target)
    with tf.GradientTape() as tape:
        maps, before = features(batch)
        logits = head(before)
        score = logits[:, _class(class_index, logits)]
    gradients = tape.gradient(score, maps)
    weights = tf.reduce_mean(gradients, axis=(1, 2), keepdims=True)
    cam = tf.nn.relu(tf.reduce_sum(weights * maps, axis=-1, keepdims=True))
    cam = tf.image.resize(cam, batch.shape[1:3], method="bilinear")
    return _normalise(cam.numpy()[0, ..., 0])


def saliency(
    model,
    image,
    class_index: int | None = None,
    smoothgrad: int = 0,
    noise: float = 0.1,
    seed: int = 0,
) -> np.ndarray:
    """How much each pixel sways a class's score: `|d logit / d pixel|`, max over channels.

    Args:
        model: A built Keras model with one image input ending in a Dense layer.
        image: `(H, W)` or `(H, W, C)`, floats in 0..1 or uint8.
        class_index: The class; None takes the predicted one.
        smoothgrad: 0 for the plain gradient, else the number of noisy copies to average
            (SmoothGrad; 20 to 50 is usual).
        noise: Standard deviation of SmoothGrad's Gaussian noise, in pixel units (0..1).
        seed: Seeds the noise.

    Returns:
        float32 `(H, W)` in 0..1.

    Raises:
        ValueError: For a bad image or class index, or smoothgrad or noise out of range.
    """
    check_whole(smoothgrad, "`smoothgrad`", 0, 1024)
    check_real(noise, "`noise`", 0.0, 1.0)
    batch = prepare_images(image, input_shape(model))
    features, head = _logits(model)
    chosen = _class(class_index, head(features(batch)[0]))
    if smoothgrad:
        shape = (smoothgrad, *batch.shape[1:])
        batch = batch + np.random.default_rng(seed).normal(0, noise, shape).astype(np.float32)
    inputs = tf.convert_to_tensor(batch)
    with tf.GradientTape() as tape:
        tape.watch(inputs)
        score = tf.reduce_sum(head(features(inputs)[0])[:, chosen])
    gradients = np.abs(tape.gradient(score, inputs).numpy()).max(axis=-1)
    return _normalise(gradients.mean(axis=0))


def _ascend(model, target, weights, starts, settings, progress) -> np.ndarray:
    """Gradient ascent on a batch of images, image `i` maximising `weights[i]` of `target`."""
    steps, learning_rate, seed = settings
    check_whole(steps, "`steps`", 0, 100_000)
    check_real(learning_rate, "`learning_rate`", 0.0, 10.0, open_low=True)
    check_whole(seed, "`seed`", low=0)
    shape = input_shape(model)
    # Each image's start comes from its own seed, so one filter alone starts where it would
    # in the batch; the jitter is shared by the batch.
    images = np.stack(
        [np.random.default_rng([seed, start + 1]).uniform(0, 0.2, shape) for start in starts]
    ).astype(np.float32)
    step = _compile_step(model, target, learning_rate)
    shifts = np.random.default_rng([seed, 0]).integers(-JITTER, JITTER + 1, (steps, 2))
    images, weights = tf.constant(images), tf.constant(weights)
    for number, shift in enumerate(shifts, start=1):
        blur = tf.constant(number % BLUR_EVERY == 0)
        images = step(images, weights, tf.constant(shift, tf.int32), blur)
        if progress is not None:
            progress(number / steps)
    images = images.numpy()
    return images[..., 0] if shape[2] == 1 else images


def _compile_step(model, target, learning_rate: float):
    """One traced ascent step for batches of any size: jitter, gradient, L2, blur, clip."""
    shape = input_shape(model)
    features = layer_tensors(model, [(target.name, "input")])
    head = _without_activation(target)
    blur = tf.constant(np.tile(_BLUR[:, :, None, None], (1, 1, shape[2], 1)), tf.float32)

    def step(images, weights, shift, do_blur):
        jittered = tf.roll(images, shift, axis=[1, 2])
        with tf.GradientTape() as tape:
            tape.watch(jittered)
            outputs = head(features(jittered)[0])
            if len(outputs.shape) == 4:  # feature maps: their spatial means
                outputs = tf.reduce_mean(outputs, axis=(1, 2))
            score = tf.reduce_sum(weights * outputs)
        gradients = tf.roll(tape.gradient(score, jittered), -shift, axis=[1, 2])
        scale = tf.sqrt(tf.reduce_mean(tf.square(gradients), axis=(1, 2, 3), keepdims=True))
        images = images + learning_rate * (gradients / (scale + 1e-8) - L2_PENALTY * images)
        images = tf.cond(
            do_blur,
            lambda: tf.nn.depthwise_conv2d(images, blur, [1, 1, 1, 1], "SAME"),
            lambda: images,
        )
        return tf.clip_by_value(images, 0.0, 1.0)

    signature = [
        tf.TensorSpec((None, *shape), tf.float32),
        tf.TensorSpec((None, None), tf.float32),
        tf.TensorSpec((2,), tf.int32),
        tf.TensorSpec((), tf.bool),
    ]
    return tf.function(step, input_signature=signature, autograph=False)


def _without_activation(layer):
    """A callable computing `layer` from its input, before its activation function.

    A Conv2D or Dense with a non-linear activation gets a twin with a linear one and the same
    weights; any other layer is itself.
    """
    activation = getattr(layer, "activation", None)
    if activation is None or getattr(activation, "__name__", "") == "linear":
        return layer
    twin = type(layer).from_config({**layer.get_config(), "activation": "linear"})
    twin.build(layer.input.shape)
    twin.set_weights(layer.get_weights())
    return twin


def _logits(model, extra=None):
    """`images -> [extra's output,] last layer's input` (`layer_tensors`), and the logit head."""
    last = model.layers[-1]
    softmax = isinstance(last, keras.layers.Softmax) or (
        isinstance(last, keras.layers.Activation)
        and getattr(last.activation, "__name__", "") == "softmax"
    )
    head = (lambda x: x) if softmax else _without_activation(last)
    wanted = [(last.name, "input")]
    wanted = wanted if extra is None else [(extra.name, "output"), *wanted]
    return layer_tensors(model, wanted), head


def _target(model, layer: str):
    """The layer called `layer` and its number of maps or units."""
    names = [item.name for item in model.layers]
    if not isinstance(layer, str) or layer not in names:
        raise ValueError(f"No layer named {layer!r}. The layers are: {', '.join(names)}.")
    target = model.get_layer(layer)
    if len(target.output.shape) not in (2, 4):
        raise ValueError(
            f"Layer {layer!r} outputs shape {tuple(target.output.shape)}; activation "
            "maximisation needs feature maps (batch, rows, cols, channels) or units (batch, n)."
        )
    return target, int(target.output.shape[-1])


def _grad_cam_layer(model, layer: str | None):
    """The layer Grad-CAM weights: `layer`, or the end of the last Conv2D's block."""
    if layer is not None:
        target, _ = _target(model, layer)
        if len(target.output.shape) != 4:
            raise ValueError(
                f"Grad-CAM needs a layer with feature maps. Received layer={layer!r} with "
                f"output shape {tuple(target.output.shape)}."
            )
        return target
    layers = list(model.layers)
    return layers[last_conv_block_end([type(layer).__name__ for layer in layers])]


def _class(class_index, logits) -> int:
    classes = int(logits.shape[-1])
    if class_index is None:
        return int(np.argmax(np.asarray(logits)[0]))
    if not (is_whole(class_index) and 0 <= class_index < classes):
        raise ValueError(
            f"The model has {classes} classes, so class_index must be 0 to {classes - 1} or "
            f"None (the predicted class). Received class_index={class_index!r}."
        )
    return int(class_index)


def _normalise(heat: np.ndarray) -> np.ndarray:
    """`heat` scaled to 0..1 by its maximum (zeros stay zeros), as float32."""
    peak = float(np.max(heat)) if heat.size else 0.0
    return (heat / peak if peak > 0 else np.zeros_like(heat)).astype(np.float32)
