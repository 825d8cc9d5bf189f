"""The Streamlit side of the model engine: start it, talk to it, restart it if it died.

This module imports neither TensorFlow nor Keras. One `EngineClient` is shared by every session
of the server and is safe to call from many threads at once: each call borrows a connection
from a small pool, and the engine serves each connection in its own thread.

Example:
    >>> engine = EngineClient.start(models_dir="models")
    >>> engine.predict("lecture", images).shape    # images (n, 28, 28) floats in 0..1
    (n, 10)
    >>> job_id = engine.submit_job("sleep", {"steps": 3}, session="abc")
    >>> engine.job_status(job_id).state
    'running'
"""

from __future__ import annotations

import dataclasses
import threading
import time
import weakref
from multiprocessing.connection import Connection

import numpy as np

from cnnviz.engine.connection import HUNG_MESSAGE, EngineHungError, connect
from cnnviz.engine.launcher import EngineOptions, EngineProcess
from cnnviz.engine.protocol import (
    PROTOCOL_VERSION,
    EngineError,
    EngineInfo,
    EngineRestarted,
    JobStatus,
    error_from_reply,
)
from cnnviz.network.forward_pass import LayerActivation
from cnnviz.training.runs import ModelInfo

# What a dead engine looks like from here, on connecting or in the middle of a request.
DEAD_ENGINE_ERRORS = (
    EOFError,
    ConnectionRefusedError,
    ConnectionResetError,
    BrokenPipeError,
    FileNotFoundError,
)
_IDLE_CONNECTIONS = 16
# Requests that may legitimately compute for minutes: they get `long_request_timeout`.
LONG_REQUESTS = frozenset(
    {"activation_maximisation", "saliency", "augmentation_preview", "layer_outputs"}
    | {"imagenet_classify", "imagenet_features"}
)


class EngineClient:
    """A thread-safe handle on the engine process; restarts it once if a request finds it dead
    or hung.

    Nothing waits on the engine without a bound: connecting and proving the key take at most
    `connect_timeout`; an answer that takes longer than `health_after` makes the client `ping`
    the engine on a connection of its own, and an engine that does not answer that within
    `health_timeout` is hung: it is killed, started again and the request sent once more (a
    hung engine is noticed within about `health_after + health_timeout` seconds). A healthy
    engine may compute for up to `request_timeout` (`long_request_timeout` for
    `LONG_REQUESTS`).

    Create one with `EngineClient.start(...)`. `restarts` counts the restarts so far; the UI
    shows `restart_notice(seen)` as a warning.
    """

    def __init__(self, options: EngineOptions):
        self.options = options
        self.restarts = 0
        self.restart_reason = ""
        self._engine = EngineProcess(options)
        self._generation = 0
        self._idle: list[Connection] = []
        self._lock = threading.Lock()
        self._restart_lock = threading.Lock()
        self._closed = False
        # Stops the engine when the client is collected or the interpreter exits normally;
        # the engine also exits by itself when this process dies.
        self._finalizer = weakref.finalize(self, _terminate, [self._engine])

    @classmethod
    def start(cls, options: EngineOptions | None = None, /, **fields) -> EngineClient:
        """Launch the engine (`python -m cnnviz.engine`) and wait until it listens.

        Args:
            options: How to launch it; any `EngineOptions` field may also be given by name,
                for example `EngineClient.start(models_dir=path, max_jobs=2, log_path=log)`.

        Returns:
            A client connected to the new engine.

        Raises:
            TypeError: If a field name is not an `EngineOptions` field.
            EngineError: If the engine exits or is not listening within `timeout` seconds.
        """
        return cls(dataclasses.replace(options or EngineOptions(), **fields))

    @property
    def pid(self) -> int:
        """The engine's process id."""
        return self._engine.process.pid

    @property
    def address(self) -> str | tuple[str, int]:
        """Where the engine listens: a Unix socket path or `(host, port)`."""
        return self._engine.address

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

    def close(self) -> None:
        """Terminate the engine and its jobs (the app instead relies on the engine noticing
        that the server is gone)."""
        with self._lock:
            self._closed = True
            idle, self._idle = self._idle, []
        for connection in idle:
            connection.close()
        self._finalizer()

    def _call(self, method: str, **kwargs):
        """Send one request and return its result; on a dead or hung engine restart it once
        and send the request again."""
        request = (PROTOCOL_VERSION, method, kwargs)
        generation = self._generation
        try:
            reply = self._exchange(request)
        except (*DEAD_ENGINE_ERRORS, EngineHungError) as error:
            self._restart(generation, hung=isinstance(error, EngineHungError))
            try:
                reply = self._exchange(request)
            except (*DEAD_ENGINE_ERRORS, EngineHungError) as error:
                log = self.options.log_path
                where = f"Its log, {log}, says why." if log else "It was started without a log."
                raise EngineError(
                    f"The model engine stopped while answering {method!r}, even after a "
                    f"restart. {where}"
                ) from error
        if reply[0] == "ok":
            return reply[1]
        raise error_from_reply(*reply[1:])

    def _exchange(self, request: tuple) -> tuple:
        """One request and its reply over a pooled connection (closed if anything goes wrong).

        Raises:
            EngineHungError: If the engine stopped answering even a health check.
            EngineError: If a healthy engine took longer than the request's bound.
        """
        generation, connection = self._acquire()
        try:
            connection.send(request)
            self._wait_for_reply(connection, request[1])
            reply = connection.recv()
        except BaseException:
            connection.close()
            raise
        self._release(generation, connection)
        return reply

    def _wait_for_reply(self, connection: Connection, method: str) -> None:
        """Wait until `connection` has the reply, checking the engine's health while it lasts."""
        options = self.options
        bound = options.long_request_timeout if method in LONG_REQUESTS else options.request_timeout
        start = time.monotonic()
        next_check = start + options.health_after
        while not connection.poll(max(0.0, min(next_check, start + bound) - time.monotonic())):
            now = time.monotonic()
            if now >= start + bound:
                raise EngineError(
                    f"The model engine did not answer {method!r} within {bound:g} s. Try "
                    "again with less work (fewer steps or images)."
                )
            if now >= next_check:
                self._check_health()
                next_check = time.monotonic() + options.health_after

    def _check_health(self) -> None:
        """Raise `EngineHungError` unless the engine answers a `ping` within `health_timeout`."""
        with self._lock:
            engine = self._engine
        timeout = self.options.health_timeout
        connection = connect(engine.address, engine.authkey, self.options.connect_timeout)
        try:
            connection.send((PROTOCOL_VERSION, "ping", {}))
            if not connection.poll(timeout):
                raise EngineHungError(HUNG_MESSAGE.format(seconds=timeout))
            connection.recv()
        finally:
            connection.close()

    def _acquire(self) -> tuple[int, Connection]:
        with self._lock:
            if self._closed:
                raise EngineError("This engine client was closed.")
            generation, engine = self._generation, self._engine
            if self._idle:
                return generation, self._idle.pop()
        return generation, connect(engine.address, engine.authkey, self.options.connect_timeout)

    def _release(self, generation: int, connection: Connection) -> None:
        with self._lock:
            keep = not self._closed and generation == self._generation
            if keep and len(self._idle) < _IDLE_CONNECTIONS:
                self._idle.append(connection)
                return
        connection.close()

    def _restart(self, generation: int, hung: bool = False) -> None:
        """Replace a dead (or hung: killed at once) engine, unless another thread already did
        since `generation`."""
        with self._restart_lock:
            if generation != self._generation:
                return
            self._engine.terminate(grace=0 if hung else 5)
            engine = EngineProcess(self.options)
            with self._lock:
                stale, self._idle = self._idle, []
                self._engine, self._generation = engine, self._generation + 1
                self.restarts += 1
                timeout = self.options.health_timeout
                self.restart_reason = HUNG_MESSAGE.format(seconds=timeout) if hung else ""
                self._finalizer.detach()
                self._finalizer = weakref.finalize(self, _terminate, [engine])
        for connection in stale:
            connection.close()


def _terminate(engines: list[EngineProcess]) -> None:
    for engine in engines:
        engine.terminate()
