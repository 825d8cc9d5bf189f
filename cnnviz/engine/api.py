"""What the pages ask of the model engine, whichever backend answers: `EngineAPI`.

Two backends implement it: `EngineClient` (the default: one engine process on this machine,
`python -m cnnviz.engine`) and `cnnviz.engine.ray_side.client.RayEngineClient` (forward passes
on Ray Serve, jobs as Ray tasks, chosen by `CNNVIZ_ENGINE=ray://host:port`). Every request is
one `_call(method, **kwargs)`; the answers, errors and job behaviour are the same, so the pages
cannot tell the backends apart. This module imports neither TensorFlow, Keras nor Ray.
"""

from __future__ import annotations

from abc import ABC, abstractmethod

import numpy as np

from cnnviz.engine.protocol import EngineInfo, EngineRestarted, JobStatus
from cnnviz.network.forward_pass import LayerActivation
from cnnviz.training.runs import ModelInfo

# Requests that may legitimately compute for minutes: they get `long_request_timeout`.
LONG_REQUESTS = frozenset(
    {"activation_maximisation", "saliency", "augmentation_preview", "layer_outputs"}
    | {"imagenet_classify", "imagenet_features"}
)
# Requests about jobs (and `ping`, which counts them): the rest are forward passes and lookups.
JOB_REQUESTS = frozenset({"prepare_job", "submit_job", "job_status", "stop_job", "jobs", "ping"})


class EngineAPI(ABC):
    """The engine's requests, each sent as one `_call`; a backend implements `_call` and
    `close`.

    `restarts` counts the times the backend had to start its engine again (a backend that
    never restarts one keeps 0), and `restart_reason` says why the last one happened.
    """

    restarts: int = 0
    restart_reason: str = ""

    def restart_notice(self, seen_restarts: int = 0) -> EngineRestarted | None:
        """A notice to show if the engine restarted more often than `seen_restarts` times: why
        the last restart happened (it had stopped, or it stopped answering)."""
        if self.restarts <= seen_restarts:
            return None
        return EngineRestarted(self.restart_reason) if self.restart_reason else EngineRestarted()

    def ping(self) -> EngineInfo:
        """The engine's pid, protocol and TensorFlow versions, uptime, models and jobs."""
        return self._call("ping")

    def list_models(self) -> list[ModelInfo]:
        """Every model the engine can serve: bundled ones first, then saved runs."""
        return self._call("list_models")

    def predict(self, model: str, images: np.ndarray) -> np.ndarray:
        """Class probabilities `(n, classes)` for `images` `(n, 28, 28)` or `(n, 28, 28, 1)`.

        Args:
            model: A name from `list_models`.
            images: Floats in 0..1, shaped like the model's input, with a batch axis.

        Returns:
            float32 array whose rows sum to 1.

        Raises:
            UnknownModel: If no model has that name (the message lists the names there are).
            ValueError: If the images have the wrong shape or dtype, or lie outside 0..1.
            EngineError: If the engine fails.
        """
        return self._call("predict", model=model, images=np.asarray(images))

    def layer_activations(self, model: str, image: np.ndarray) -> list[LayerActivation]:
        """Every layer's output for one image `(28, 28)` or `(28, 28, 1)`, from one pass.

        Each `LayerActivation` carries the layer's name, Keras class name, output (no batch
        axis), weights and plain settings (`config`: strides, padding, activation, epsilon,
        ...): all `cnnviz.network.worked_example` needs.

        Raises:
            UnknownModel: If no model has that name.
            ValueError: If the image does not fit the model's input or lies outside 0..1.
            EngineError: If the engine fails.
        """
        return self._call("layer_activations", model=model, image=np.asarray(image))

    def layer_outputs(self, model: str, images: np.ndarray, layers: list[str]) -> dict:
        """Some layers' outputs for a batch of images: transfer learning's features.

        Args:
            model: A name from `list_models`.
            images: `(n, 28, 28)` or `(n, 28, 28, 1)`: floats in 0..1 or uint8 pixels.
            layers: Names of the model's layers.

        Returns:
            `{layer: float32 array (n, *that layer's output shape)}`.

        Raises:
            UnknownModel: If no model has that name.
            ValueError: For unknown layers (the message lists them), images that do not fit,
                or more than 100 million numbers in all.
            EngineError: If the engine fails.
        """
        return self._call("layer_outputs", model=model, images=np.asarray(images), layers=layers)

    def activation_maximisation(self, model: str, layer: str, *, steps=64, seed=0) -> np.ndarray:
        """Images `(n, 28, 28)` in 0..1 that excite each map (or unit, or class) of `layer` most.

        Gradient ascent on the input, all maps in one batch (`keras_side.attribute.maximise_all`):
        under a second for the lecture model's 32 filters. The engine keeps the result until the
        model's file changes, so asking again with the same layer, steps and seed is instant.

        Args:
            model: A name from `list_models`.
            layer: A layer with feature maps or units (`output`: one image per class).
            steps: Gradient steps (0 gives the random starting images).
            seed: Seeds the starting images and the jitter.

        Raises:
            UnknownModel: If no model has that name.
            ValueError: For an unknown layer (the message lists them), steps or seed.
            EngineError: If the engine fails.
        """
        return self._call(
            "activation_maximisation", model=model, layer=layer, steps=steps, seed=seed
        )

    def grad_cam(self, model: str, image, class_index: int | None = None) -> np.ndarray:
        """Grad-CAM `(28, 28)` in 0..1: where the last convolution's maps speak for a class.

        `image` is `(28, 28)` or `(28, 28, 1)` floats in 0..1; `class_index` None takes the
        predicted class. Raises like `saliency`.
        """
        return self._call("grad_cam", model=model, image=np.asarray(image), class_index=class_index)

    def saliency(self, model: str, image, class_index=None, smoothgrad: int = 0) -> np.ndarray:
        """The size of the class score's gradient per pixel, `(28, 28)` in 0..1.

        Args:
            model: A name from `list_models`.
            image: `(28, 28)` or `(28, 28, 1)` floats in 0..1.
            class_index: The class; None takes the predicted one.
            smoothgrad: 0 for the plain gradient, else how many noisy copies SmoothGrad
                averages (20 to 50 is usual).

        Raises:
            UnknownModel: If no model has that name.
            ValueError: For a bad image, class index or smoothgrad.
            EngineError: If the engine fails.
        """
        image = np.asarray(image)
        kwargs = {"class_index": class_index, "smoothgrad": smoothgrad}
        return self._call("saliency", model=model, image=image, **kwargs)

    def augmentation_preview(self, config: dict, n: int = 16) -> np.ndarray:
        """The first `n` training images as the augmentation of `config` changes them.

        Args:
            config: A `TrainingConfig.to_dict()`: its dataset, seed and augmentation count.
            n: Number of images, 1 to 256.

        Returns:
            float32 array `(n, height, width)` in 0..1; the same config gives the same images.

        Raises:
            ValueError: For a bad config or `n`, or a dataset that is not on this machine.
            EngineError: If the engine fails.
        """
        return self._call("augmentation_preview", config=config, n=n)

    def imagenet_classify(self, image: np.ndarray, top: int = 5) -> list[tuple[str, str, float]]:
        """ImageNet's `top` most probable classes for a photo, by VGG16 with ImageNet's weights.

        The engine builds VGG16 from the Keras cache's files the first time (a few seconds),
        never downloading them; the photo's shorter side is scaled to 224 and the centred
        224×224 square classified (under half a second on two cores).

        Args:
            image: uint8 RGB `(height, width, 3)` (or grey `(height, width)`), any size:
                sending it at 224 pixels on its shorter side already saves time.
            top: How many classes, 1 to 1,000.

        Returns:
            `[(wordnet_id, class_name, probability), ...]`, most probable first.

        Raises:
            ValueError: If the weights or class names are not on this machine (the message
                gives their size and where they would be cached), or for a bad image.
            EngineError: If the engine fails.
        """
        return self._call("imagenet_classify", image=np.asarray(image), top=top)

    def imagenet_features(self, images) -> np.ndarray:
        """Photos as VGG16's 512 ImageNet features each (its convolutional base, averaged over
        positions): the features an SVM learns the learner's own classes from.

        Args:
            images: A list of photos (uint8, any sizes) or one array `(n, height, width[, 3])`;
                each is made 224×224 as `imagenet_classify` makes it. At most 1,000.

        Returns:
            float32 array `(n, 512)`.

        Raises:
            ValueError: If the convolutional base's weights are not on this machine (the
                message gives their size and where they would be cached), or for bad images.
            EngineError: If the engine fails.
        """
        if isinstance(images, np.ndarray):
            return self._call("imagenet_features", images=images)
        return self._call("imagenet_features", images=[np.asarray(image) for image in images])

    def prepare_job(self, kind: str) -> None:
        """Start a worker for `kind` ahead of time, so the next such job starts at once (a
        training job's first batch comes seconds sooner: TensorFlow is already loaded).

        Raises:
            ValueError: If the kind is unknown.
        """
        self._call("prepare_job", kind=kind)

    def submit_job(self, kind: str, params: dict, *, session: str) -> str:
        """Queue a job (a kind from `JOB_KINDS`) for `session`; returns the job's id.

        Raises:
            JobRefused: If the session already has a job queued or running.
            ValueError: If the kind is unknown or `params` is not a dict of plain values.
        """
        return self._call("submit_job", kind=kind, params=params, session=session)

    def job_status(self, job_id: str, since: int = 0) -> JobStatus:
        """The job's state, with its progress events from index `since` on.

        Pass the previous status's `event_count` as `since` to receive only new events.
        Polling also renews the lease of the job's session.

        Raises:
            UnknownJob: If the job ended long ago or the engine restarted since.
        """
        return self._call("job_status", job_id=job_id, since=since)

    def stop_job(self, job_id: str) -> None:
        """Ask a job to stop; a running one ends within about a second.

        Raises:
            UnknownJob: If no job has this id.
        """
        self._call("stop_job", job_id=job_id)

    def jobs(self, session: str | None = None) -> list[JobStatus]:
        """All jobs, or one session's (renewing its lease), oldest first, without events."""
        return self._call("jobs", session=session)

    @abstractmethod
    def close(self) -> None:
        """Let go of the engine (the local backend stops its process)."""

    @abstractmethod
    def _call(self, method: str, **kwargs):
        """Send one request and return its result, raising the engine's error."""
