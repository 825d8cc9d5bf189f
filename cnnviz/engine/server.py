"""The engine process: listens for clients, serves each connection in its own thread.

TensorFlow is imported on the first model request (through `keras_side.store`), so the engine
answers `ping` and runs jobs at once. The engine exits on SIGTERM, on SIGINT and when
the process that started it dies, taking its job workers with it.
"""

from __future__ import annotations

import logging
import os
import pickle
import shutil
import signal
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from importlib import metadata
from multiprocessing import AuthenticationError, connection
from pathlib import Path

from cnnviz.engine.protocol import (
    PROTOCOL_VERSION,
    EngineInfo,
    ProtocolMismatchError,
    error_reply,
)
from cnnviz.engine.scheduler import JobManager
from cnnviz.locations import BUNDLED_MODELS_DIR, DEFAULT_MODELS_DIR
from cnnviz.training.checkpoints import jobs_folder
from cnnviz.training.config import TrainingConfig
from cnnviz.training.runs import ModelCatalog

_PARENT_CHECK_SECONDS = 0.5
_BACKLOG = 64
_LOG = logging.getLogger("cnnviz.engine")


# Job kinds that save runs, or read them (a transfer job's source), in the models folder.
RUN_FOLDER_KINDS = frozenset({"train", "transfer", "save-transfer"})


@dataclass(frozen=True)
class EngineConfig:
    """How an engine is set up (see `python -m cnnviz.engine --help`)."""

    bundled_dir: Path = BUNDLED_MODELS_DIR
    models_dir: Path = DEFAULT_MODELS_DIR
    max_jobs: int = 1
    lease_seconds: float = 30.0
    address: tuple[str, int] | None = None  # None: a Unix socket in a private directory
    parent_pid: int | None = None


class EngineServer:
    """Answers requests `(version, method, kwargs)` with `("ok", result)` or an error reply.

    Args:
        config: Directories, job limits, address and the parent to watch.
        authkey: The secret every client must prove it knows.
        jobs: Who runs the jobs; None: a `JobManager` with worker processes on this machine
            (the Ray backend passes one whose workers are Ray tasks).
    """

    def __init__(self, config: EngineConfig, authkey: bytes, jobs: JobManager | None = None):
        self.config, self._authkey = config, authkey
        checkpoints = jobs_folder(config.models_dir)
        self.jobs = jobs or JobManager(
            config.max_jobs, config.lease_seconds, checkpoints_dir=checkpoints
        )
        self.catalog = ModelCatalog(config.bundled_dir, config.models_dir)
        self._store = None
        self._store_lock = threading.Lock()
        self._imagenet = None
        self._started = time.monotonic()
        self._socket_dir: str | None = None
        self._methods = {
            "ping": self.ping,
            "list_models": self.catalog.list_models,
            "predict": lambda model, images: self.store().predict(model, images),
            "layer_activations": lambda model, image: self.store().layer_activations(model, image),
            "layer_outputs": lambda model, images, layers: self.store().layer_outputs(
                model, images, layers
            ),
            "activation_maximisation": lambda model, layer, steps=64, seed=0: (
                self.store().activation_maximisation(model, layer, steps, seed)
            ),
            "grad_cam": lambda model, image, class_index=None: self.store().grad_cam(
                model, image, class_index
            ),
            "saliency": lambda model, image, class_index=None, smoothgrad=0: self.store().saliency(
                model, image, class_index, smoothgrad
            ),
            "augmentation_preview": _augmentation_preview,
            "imagenet_classify": lambda image, top=5: self.imagenet().classify(image, top),
            "imagenet_features": lambda images: self.imagenet().features(images),
            "prepare_job": lambda kind: self.jobs.prepare(kind),
            "submit_job": lambda kind, params, session: self.jobs.submit(
                kind, self.job_params(kind, params), session
            ),
            "job_status": lambda job_id, since=0: self.jobs.status(job_id, since),
            "stop_job": lambda job_id: self.jobs.stop(job_id),
            "jobs": lambda session=None: self.jobs.list(session),
        }

    def store(self):
        """The model store, importing TensorFlow the first time it is needed."""
        with self._store_lock:
            if self._store is None:
                from cnnviz.engine.keras_side.store import ModelStore  # imports TensorFlow

                self._store = ModelStore(self.catalog)
            return self._store

    def imagenet(self):
        """VGG16 with ImageNet's weights from the Keras cache, importing TensorFlow the first
        time it is needed; its models are built on their first request."""
        with self._store_lock:
            if self._imagenet is None:
                from cnnviz.engine.keras_side.imagenet import ImageNetVGG16  # imports TensorFlow

                self._imagenet = ImageNetVGG16()
            return self._imagenet

    def ping(self) -> EngineInfo:
        """Who the engine is and how busy it is."""
        running, queued = self.jobs.counts()
        loaded = self._store.loaded_names() if self._store is not None else []
        uptime = time.monotonic() - self._started
        return EngineInfo(
            pid=os.getpid(),
            protocol_version=PROTOCOL_VERSION,
            tensorflow_version=_tensorflow_version(),
            uptime_seconds=uptime,
            models_loaded=loaded,
            jobs_running=running,
            jobs_queued=queued,
            max_jobs=self.config.max_jobs,
            models_dir=str(self.config.models_dir),
            bundled_dir=str(self.config.bundled_dir),
        )

    def job_params(self, kind: str, params):
        """A job's params as the engine runs them: a job that saves or reads runs does so in
        the engine's own models folder, never under a bundled model's name, whatever the
        client sent.

        Raises:
            ValueError: If such a job's `save_dir` is another folder (leaving it out is fine:
                the engine's folder is used).
        """
        if kind not in RUN_FOLDER_KINDS or not isinstance(params, dict):
            return params
        models_dir = Path(self.config.models_dir)
        sent = params.get("save_dir", str(models_dir))
        try:
            same = Path(sent).resolve() == models_dir.resolve()
        except (TypeError, ValueError, OSError):  # not a path at all
            same = False
        if not same:
            raise ValueError(
                f"The engine saves runs only in its models folder, {models_dir}. Received "
                f"save_dir {sent!r}: leave it out, or send the folder `ping()` gives."
            )
        return params | {"save_dir": str(models_dir), "bundled_dir": str(self.config.bundled_dir)}

    def clean_models(self) -> list[Path]:
        """Remove what interrupted saves left in the models folder, saying so in the log."""
        try:
            removed = self.catalog.clean()
        except OSError as error:  # a read-only folder, say: serve the runs there are anyway
            _LOG.warning("could not clean up %s: %s", self.config.models_dir, error)
            return []
        for path in removed:
            _LOG.info("removed %s, left by an interrupted save", path)
        return removed

    def handle(self, request) -> tuple:
        """The reply to one request; never raises."""
        try:
            if not (isinstance(request, tuple) and len(request) == 3):
                raise ProtocolMismatchError(
                    f"A request must be (version, method, kwargs). Received {request!r}."
                )
            version, method, kwargs = request
            if version != PROTOCOL_VERSION:
                raise ProtocolMismatchError(
                    f"The model engine speaks protocol {PROTOCOL_VERSION}; this client sent "
                    f"{version!r}. Restart the app so both come from the same version."
                )
            if method not in self._methods or not isinstance(kwargs, dict):
                raise ProtocolMismatchError(f"The model engine has no method {method!r}.")
            return ("ok", self._methods[method](**kwargs))
        except Exception as error:
            return error_reply(error)

    def serve(self, ready_fd: int) -> None:
        """Listen, write `READY <address>` to `ready_fd`, then serve until told to stop."""
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: self.shutdown(0))
        if self.config.address is None:
            self._socket_dir = tempfile.mkdtemp(prefix="cnnviz-engine-")  # mode 0700
            address = os.path.join(self._socket_dir, "engine.sock")
            listener = connection.Listener(address, "AF_UNIX", backlog=_BACKLOG)
            shown = address
        else:
            listener = connection.Listener(self.config.address, "AF_INET", backlog=_BACKLOG)
            shown = "{}:{}".format(*listener.address)
        self._watch_parent()
        self.clean_models()
        self.jobs.recover_interrupted()  # jobs a previous engine was running when it died
        _LOG.info(
            "engine (pid %d, protocol %d) listening on %s; saved runs in %s",
            *(os.getpid(), PROTOCOL_VERSION, shown, self.config.models_dir),
        )
        os.write(ready_fd, f"READY {shown}\n".encode())
        os.close(ready_fd)
        while True:
            try:
                client = listener.accept()  # authenticated in the connection's own thread
            except OSError as error:  # say, out of file descriptors: keep serving the others
                _LOG.warning("could not accept a connection: %s", error)
                time.sleep(0.1)
                continue
            threading.Thread(target=self._serve_connection, args=(client,), daemon=True).start()

    def shutdown(self, code: int) -> None:
        """Stop the workers, remove the socket and exit the process."""
        _LOG.info("engine stopping (exit code %d)", code)
        self.jobs.shutdown()
        if self._socket_dir is not None:
            shutil.rmtree(self._socket_dir, ignore_errors=True)
        sys.stderr.flush()
        os._exit(code)

    def _serve_connection(self, client) -> None:
        try:
            connection.deliver_challenge(client, self._authkey)
            connection.answer_challenge(client, self._authkey)
            while True:
                reply = self.handle(client.recv())
                try:
                    payload = pickle.dumps(reply, protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as error:  # a result that cannot travel is the engine's bug
                    payload = pickle.dumps(error_reply(error))
                client.send_bytes(payload)
        except (EOFError, OSError, AuthenticationError):
            pass  # the client went away (or never proved the key): nothing left to answer
        finally:
            client.close()

    def _watch_parent(self) -> None:
        parent = self.config.parent_pid or os.getppid()

        def watch():
            while os.getppid() == parent:
                time.sleep(_PARENT_CHECK_SECONDS)
            print("The process that started the engine is gone; exiting.", file=sys.stderr)
            self.shutdown(0)

        threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _augmentation_preview(config: dict, n: int = 16):
    """`keras_side.fit.augmentation_preview` for a `TrainingConfig.to_dict()`."""
    from cnnviz.engine.keras_side.fit import augmentation_preview  # imports TensorFlow

    return augmentation_preview(TrainingConfig.from_dict(config), n)


def _tensorflow_version() -> str:
    """The installed TensorFlow's version, read without importing it.

    Another request thread may be importing TensorFlow at this moment: its half-initialised
    module is already in `sys.modules` but has no `__version__` yet.
    """
    for distribution in ("tensorflow", "tensorflow-cpu"):
        try:
            return metadata.version(distribution)
        except metadata.PackageNotFoundError:
            continue
    module = sys.modules.get("tensorflow")
    return getattr(module, "__version__", "not installed")
