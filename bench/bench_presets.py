"""The training presets: what each one teaches, and what it costs, on each offline dataset.

Trains every preset the Training page offers (and, with `--with-bundled`, the bundled
`regularised` model's recipe) as the engine would, then prints one row per preset, dataset and
seed, with its ratios against the named baseline, the `lecture` preset on the same dataset and
seed:
- held-out (test) accuracy, and errors on the test images as a ratio of the lecture's errors;
- the generalisation gap at the best epoch (validation loss − training loss, and training
  accuracy − validation accuracy): over-fitting shows as a large positive gap;
- the epoch of the lowest validation loss and how far the last epoch's rose above it;
- training time, as a ratio of the lecture's.

A last block checks the over-fitting lesson the page states: for each dataset and seed, its
regularised twin must score higher on the held-out images with a smaller gap.

Run: `python bench/bench_presets.py` (mnist-sample and, when Debian's dataset-fashion-mnist is
installed, Fashion-MNIST; seed 0; about 3 minutes on 2 cores). `--seeds 0,1,2`,
`--datasets mnist-sample`, `--presets regularised` (with the lecture, the baseline),
`--with-bundled` (adds the bundled model's recipe: 5-10 minutes on mnist-sample, about an hour
on Fashion-MNIST's 59,000 images).
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

BASELINE = "lecture"
TWINS = ("over-fitting", "over-fitting-regularised")


@dataclass(frozen=True)
class Row:
    preset: str
    dataset: str
    seed: int
    test_accuracy: float
    test_images: int
    loss_gap: float
    accuracy_gap: float
    best_epoch: int
    epochs: int
    lowest_val_loss_epoch: int
    val_loss_rise: float
    seconds: float

    @property
    def errors(self) -> int:
        return round((1 - self.test_accuracy) * self.test_images)


def measure(preset: str, dataset: str, seed: int) -> Row:
    from cnnviz.engine.keras_side.fit import train
    from cnnviz.training import training_preset

    config = replace(training_preset(preset), dataset=dataset, seed=seed)
    start = time.monotonic()
    result = train(config)
    seconds = time.monotonic() - start
    best = next(event for event in result.history if event.epoch == result.best_epoch)
    losses = [event.val_loss for event in result.history]
    lowest = min(range(len(losses)), key=losses.__getitem__)
    return Row(
        preset=preset,
        dataset=dataset,
        seed=seed,
        test_accuracy=result.test_accuracy,
        test_images=int(result.confusion_matrix.sum()),
        loss_gap=best.val_loss - best.loss,
        accuracy_gap=best.accuracy - best.val_accuracy,
        best_epoch=result.best_epoch,
        epochs=result.epochs_completed,
        lowest_val_loss_epoch=lowest + 1,
        val_loss_rise=losses[-1] - losses[lowest],
        seconds=seconds,
    )


def available_datasets(asked: list[str]) -> list[str]:
    from cnnviz.datasets import DatasetUnavailable, load_dataset

    usable = []
    for name in asked:
        try:
            load_dataset(name)
        except DatasetUnavailable as error:
            print(f"skipping {name}: {error}")
            continue
        usable.append(name)
    return usable


def main() -> None:
    from cnnviz.training.presets import PRESETS

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--datasets", default="mnist-sample,fashion-mnist")
    parser.add_argument("--seeds", default="0")
    parser.add_argument("--with-bundled", action="store_true")
    parser.add_argument("--presets", help="only these (the lecture, the baseline, always runs)")
    args = parser.parse_args()
    presets = [name for name, preset in PRESETS.items() if preset.on_page]
    if args.with_bundled:
        presets.append("regularised")
    if args.presets:
        presets = [BASELINE] + [name for name in args.presets.split(",") if name != BASELINE]
    seeds = [int(seed) for seed in args.seeds.split(",")]
    rows = {}
    header = (
        f"{'preset':26} {'dataset':13} seed  test acc  errors (×lecture)  loss gap  acc gap  "
        f"best/epochs  lowest val loss (rise)  time (×lecture)"
    )
    print(header)
    for dataset in available_datasets(args.datasets.split(",")):
        for seed in seeds:
            for preset in presets:
                row = rows[preset, dataset, seed] = measure(preset, dataset, seed)
                base = rows[BASELINE, dataset, seed]
                print(
                    f"{preset:26} {dataset:13} {seed:4}  {row.test_accuracy:7.2%}  "
                    f"{row.errors:6} ({row.errors / max(base.errors, 1):5.2f}×)    "
                    f"{row.loss_gap:+8.3f}  {row.accuracy_gap:+7.3f}  "
                    f"{row.best_epoch:4}/{row.epochs:<6}  "
                    f"epoch {row.lowest_val_loss_epoch:3} ({row.val_loss_rise:+.3f})        "
                    f"{row.seconds:7.1f} s ({row.seconds / base.seconds:5.1f}×)",
                    flush=True,
                )
    print("\nThe over-fitting lesson (regularised twin against over-fitting, same images):")
    for (preset, dataset, seed), plain in rows.items():
        if preset != TWINS[0] or (TWINS[1], dataset, seed) not in rows:
            continue
        twin = rows[TWINS[1], dataset, seed]
        holds = twin.test_accuracy > plain.test_accuracy and twin.loss_gap < plain.loss_gap
        points = 100 * (twin.test_accuracy - plain.test_accuracy)
        print(
            f"  {dataset:13} seed {seed}: test {plain.test_accuracy:.2%} → "
            f"{twin.test_accuracy:.2%} ({points:+.2f} points), "
            f"loss gap {plain.loss_gap:+.3f} → {twin.loss_gap:+.3f}: "
            f"{'holds' if holds else 'DOES NOT HOLD'}"
        )


if __name__ == "__main__":
    main()
