"""Train a CNN from the command line and save it as a run: `python -m cnnviz.train`.

The same code path as the app's training page (the engine's `keras_side.fit.train`, then
`keras_side.save.save_run`), with the page's presets and a one-line progress bar on stderr.
Ctrl-C stops after the current batch and saves the best epoch so far; a second Ctrl-C aborts.

Examples:

    python -m cnnviz.train --preset lecture --out assets/models
    python -m cnnviz.train --preset over-fitting
    python -m cnnviz.train --preset over-fitting-regularised --seed 1
    python -m cnnviz.train --preset regularised --epochs 80 --patience 15 --name regularised
    python -m cnnviz.train --preset digits-0-4 --out assets/models
    python -m cnnviz.train --classes 5-9 --name digits-5-9
"""

from __future__ import annotations

import argparse
import shlex
import signal
import sys
import threading
import time
from dataclasses import replace
from pathlib import Path

from cnnviz.datasets.offline import DATASET_NAMES
from cnnviz.formatting import format_number
from cnnviz.locations import BUNDLED_MODELS_DIR
from cnnviz.network.config import validate_config
from cnnviz.network.design import OPTIMIZERS
from cnnviz.training.config import SCHEDULES, STANDARD_AUGMENTATION, Augmentation
from cnnviz.training.events import BatchEvent, EpochEvent, seconds_left
from cnnviz.training.presets import PRESETS, training_preset
from cnnviz.training.run_owners import SavePolicy
from cnnviz.training.runs import ModelCatalog, run_paths, sanitise_name


def build_parser() -> argparse.ArgumentParser:
    """The command line's arguments; overrides default to None (keep the preset's value)."""
    parser = argparse.ArgumentParser(
        prog="python -m cnnviz.train",
        description="Train the lecture's CNN (or a variant: regularised, on some classes, on "
        "Fashion-MNIST) and save it as a run in "
        "--out: NAME.json (the manifest) and the model and weights files it names. A run of the "
        "same name is replaced; a bundled model's name is not taken (NAME-2 instead).",
    )
    # argparse formats help with %: a lesson's "100 %" must reach it as "100 %%".
    presets = "; ".join(f"{name}: {preset.lesson}" for name, preset in PRESETS.items())
    presets = presets.replace("%", "%%")
    parser.add_argument(
        "--preset", choices=PRESETS, default="lecture", help=f"default: lecture. {presets}"
    )
    parser.add_argument("--dataset", choices=DATASET_NAMES, help="default: mnist-sample (bundled)")
    parser.add_argument(
        "--classes",
        help="train on these labels only, relabelled 0, 1, ... in this order, with one output "
        "per label: a range or a list, e.g. 0-4 or 0,1,2,3,4 (default: the preset's, mostly all)",
    )
    parser.add_argument("--epochs", type=int, help="1 to 200")
    parser.add_argument("--batch-size", type=int, help="1 to 4096")
    parser.add_argument("--learning-rate", type=float, help="in (0, 1]")
    parser.add_argument("--learning-rate-schedule", choices=SCHEDULES)
    parser.add_argument("--optimizer", choices=OPTIMIZERS)
    parser.add_argument("--seed", type=int)
    parser.add_argument("--train-size", type=int, help="train on this many images (>= 10)")
    parser.add_argument("--validation-size", type=int, help="images held out for validation")
    parser.add_argument(
        "--augment",
        action=argparse.BooleanOptionalAction,
        help="random rotation, translation and zoom of training images "
        "(--augment: the preset's, or 0.05 / 0.1 / 0.1 if it has none)",
    )
    parser.add_argument(
        "--patience", type=int, help="early stopping after N epochs without improvement; 0: off"
    )
    parser.add_argument(
        "--filters", help="filters of each conv block, comma-separated (default: the preset's)"
    )
    parser.add_argument("--dense-units", help="hidden dense layers, comma-separated")
    parser.add_argument("--name", help="run name (default: the preset's name)")
    parser.add_argument("--out", default="models", help="output folder (default: models/)")
    parser.add_argument("--quiet", action="store_true", help="no progress bar")
    return parser


def make_config(args):
    """The preset's `TrainingConfig` with the command line's overrides applied.

    Raises:
        ValueError: if an override is out of range (the message names it).
    """
    config = training_preset(args.preset)
    overrides = {
        "dataset": args.dataset,
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "learning_rate_schedule": args.learning_rate_schedule,
        "optimizer": args.optimizer,
        "seed": args.seed,
        "train_size": args.train_size,
        "validation_size": args.validation_size,
    }
    overrides = {key: value for key, value in overrides.items() if value is not None}
    if args.augment is False:
        overrides["augmentation"] = Augmentation()
    elif args.augment and not config.augmentation.enabled:
        overrides["augmentation"] = STANDARD_AUGMENTATION
    if args.patience is not None:
        overrides["early_stopping_patience"] = args.patience or None
    model = _model_overrides(config.model, args)
    if args.classes is not None:
        overrides["classes"] = parse_classes(args.classes)
        model = replace(model, num_classes=len(overrides["classes"]))
    if model != config.model:
        overrides["model"] = model
    return replace(config, **overrides)


def parse_classes(text: str) -> tuple[int, ...]:
    """The labels `--classes` names: ranges and single labels separated by commas.

    Example:
        >>> parse_classes("0-4"), parse_classes("5,7,9"), parse_classes("0-2, 8")
        ((0, 1, 2, 3, 4), (5, 7, 9), (0, 1, 2, 8))

    Raises:
        ValueError: If a part is neither a label nor a range from a smaller label to a larger.
    """
    labels = []
    for part in text.split(","):
        low, dash, high = (side.strip() for side in part.partition("-"))
        high = high if dash else low
        if not (low.isdecimal() and high.isdecimal() and int(low) <= int(high)):
            raise ValueError(
                "--classes takes labels as a range or separated by commas, e.g. 0-4 or "
                f"0,1,2,3,4. Received {text!r}."
            )
        labels.extend(range(int(low), int(high) + 1))
    return tuple(labels)


def _whole_numbers(text: str, option: str) -> tuple[int, ...]:
    try:
        values = tuple(int(part) for part in text.split(","))
    except ValueError:
        raise ValueError(
            f"{option} takes whole numbers separated by commas, e.g. 16,32. Received {text!r}."
        ) from None
    return values


def _model_overrides(model, args):
    """The preset's network with `--filters` and `--dense-units` applied (validated)."""
    if args.filters is None and args.dense_units is None:
        return model
    blocks = model.conv_blocks
    if args.filters is not None:
        filters = _whole_numbers(args.filters, "--filters")
        if len(filters) != len(blocks):
            raise ValueError(
                f"--filters needs one number per conv block ({len(blocks)} in this preset). "
                f"Received {args.filters!r}."
            )
        blocks = tuple(replace(block, filters=n) for block, n in zip(blocks, filters, strict=True))
    units = model.dense_units
    if args.dense_units is not None:
        units = _whole_numbers(args.dense_units, "--dense-units")
    changed = replace(model, conv_blocks=blocks, dense_units=units)
    validate_config(changed)
    return changed


class ProgressBar:
    """Draws training events on one line of `stream`, one permanent line per epoch."""

    def __init__(self, config, stream=sys.stderr, enabled=True):
        self.config, self.stream, self.enabled = config, stream, enabled
        self.live = enabled and stream.isatty()

    def __call__(self, event):
        if not self.enabled:
            return
        if isinstance(event, BatchEvent) and self.live:
            done = event.batch / event.batches
            bar = "#" * round(20 * done) + "-" * (20 - round(20 * done))
            left = seconds_left(event, self.config.epochs)
            left = "estimating the time left" if left is None else f"~{left:.0f} s left"
            line = (
                f"\repoch {event.epoch}/{self.config.epochs} [{bar}] "
                f"batch {event.batch}/{event.batches}  loss {_number(event.loss)}  "
                f"acc {_number(event.accuracy)}  {event.samples_per_second:,.0f} img/s  "
                f"{left} "
            )
            self.stream.write(line)
        elif isinstance(event, EpochEvent):
            self.stream.write(
                f"\repoch {event.epoch}/{event.epochs}: loss {_number(event.loss)}  "
                f"acc {_number(event.accuracy)}  val_loss {_number(event.val_loss)}  "
                f"val_acc {_number(event.val_accuracy)}  "
                f"{event.samples_per_second:,.0f} img/s  "
                f"{event.elapsed:.1f} s{' ' * 20}\n"
            )
        self.stream.flush()


class StopOnInterrupt:
    """`should_stop` for `train`: the first Ctrl-C asks for a stop, the second aborts."""

    def __init__(self):
        self.requested = False

    def __call__(self):
        return self.requested

    def handle(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        sys.stderr.write("\nStopping after this batch (Ctrl-C again to abort)...\n")


def main(argv=None) -> int:
    """Parse `argv`, train, save, print the held-out test accuracy; return the exit code."""
    parser = build_parser()
    args = parser.parse_args(argv)
    # Here, not at the top: --help stays instant (these import TensorFlow).
    from cnnviz.engine.keras_side.fit import train
    from cnnviz.engine.keras_side.save import save_run

    try:
        config = make_config(args)
        name = sanitise_name(args.name or args.preset)
        stop = StopOnInterrupt()
        on_main_thread = threading.current_thread() is threading.main_thread()
        previous = signal.signal(signal.SIGINT, stop.handle) if on_main_thread else None
        try:
            start = time.monotonic()
            result = train(config, ProgressBar(config, enabled=not args.quiet), stop)
        finally:
            if on_main_thread:
                signal.signal(signal.SIGINT, previous)
    except ValueError as error:
        parser.error(str(error))  # exits with code 2
    except KeyboardInterrupt:
        sys.stderr.write("\nAborted: nothing saved.\n")
        return 130
    print(_summary(result, time.monotonic() - start))
    if not result.epochs_completed:
        print("Stopped before the first epoch ended: nothing saved.")
        return 1
    arguments = sys.argv[1:] if argv is None else argv
    command = shlex.join(["python", "-m", "cnnviz.train", *arguments])
    try:
        saved = save_run(result, {"command": command}, args.out, name, _save_policy(args.out))
    except OSError as error:
        parser.error(f"Could not save the run in {args.out}: {error}. Received --out {args.out}.")
    if saved.name != name:
        print(f"Saved as {saved.name!r}: {name!r} is a bundled model's name.")
    manifest = run_paths(args.out, saved.name)["manifest"]
    for kind, file in (("model", saved.path), ("weights", saved.weights), ("manifest", manifest)):
        print(f"Saved {kind:8s} {file} ({Path(file).stat().st_size:,} bytes)")
    return 0


def _save_policy(out) -> SavePolicy:
    """The command line replaces a run of the same name (it is the teacher's tool) but takes no
    bundled model's name, unless it rebuilds the bundled models (`--out assets/models`)."""
    if Path(out).resolve() == BUNDLED_MODELS_DIR.resolve():
        return SavePolicy(replace="any")
    return ModelCatalog(BUNDLED_MODELS_DIR, out).save_policy(replace="any")


def _summary(result, seconds):
    test = result.sizes["test_size"]
    right = round(result.test_accuracy * test)
    stop = {None: "", "user": ", stopped by the user", "early_stopping": ", stopped early"}
    only = "" if result.config.classes is None else f" of {', '.join(result.class_names)}"
    return (
        f"Held-out test accuracy: {result.test_accuracy:.2%} ({right:,}/{test:,} images of "
        f"{result.config.dataset}'s test split{only}), loss {_number(result.test_loss)}. "
        f"Best epoch {result.best_epoch} of {result.epochs_completed}{stop[result.stopped_by]}; "
        f"{seconds:.1f} s, {result.samples_per_second:,.0f} training images/s."
    )


def _number(value):
    return format_number(value, ".4f")


if __name__ == "__main__":
    sys.exit(main())
