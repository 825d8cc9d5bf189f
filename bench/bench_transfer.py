"""Transfer learning: how much each way of reusing a network beats training from scratch.

The classic Keras transfer example, on the bundled MNIST sample: the source is the bundled
`digits-0-4` (the lecture's CNN trained on digits 0–4), the target digits 5–9 with only a few
training images per class, scored on the held-out 5–9 digits of the sample's test split. For
each number of examples per class and each seed, every method runs as the page runs it (the
engine's transfer job, in this process), with the page's default settings. Prints a table
(method × examples per class × seed: accuracy and time), then one line per target with its
ratio against the named baseline, from scratch:
- with 10 examples per class, each transfer method beats from scratch by at least 10 points;
- with 50, by at least 3 points;
- features + SVM (the cut layer's features extracted and the SVM trained) under 5 s at 50;
- fine-tuning's phase 2 improves on its phase 1 (test accuracy at the boundary vs the end).

Exits 1 if a target is missed. Run: `python bench/bench_transfer.py` (about 5 minutes on 2
cores; `--seeds 1 --per-class 10` for a quick look).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

TARGET_GAIN = {10: 10.0, 50: 3.0}
FEATURES_SECONDS = 5.0


def run(per_class: int, seed: int):
    from cnnviz.engine.keras_side.transfer_job import run_job
    from cnnviz.transfer import TransferConfig

    config = TransferConfig(
        source="digits-0-4", target="digits-5-9", per_class=per_class, seed=seed
    )
    return run_job({"config": config.to_dict()}, lambda event: None, lambda: False)


def phase_accuracies(result) -> tuple[float, float]:
    """Fine-tuning's test accuracy at the end of phase 1 and at the end of phase 2."""
    first = [e for e in result.history if e.phase == 1][-1].test_accuracy
    return first, result.history[-1].test_accuracy


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--per-class", type=int, nargs="+", default=[10, 50])
    args = parser.parse_args()
    rows, failures = [], []
    header = f"{'per class':>9} {'seed':>4}  {'method':<28} {'accuracy':>8} {'time':>7}"
    print(header + "  (features + SVM: at the cut)")
    for per_class in args.per_class:
        for seed in range(args.seeds):
            outcome = run(per_class, seed)
            for result in outcome.results:
                seconds = result.seconds
                if result.method == "features":
                    cut = next(s for s in result.layer_scores if s.layer == outcome.cut_layer)
                    seconds = cut.seconds  # the cut layer's features and its SVM
                rows.append((per_class, seed, result.method, result.accuracy, seconds, result))
                cut = f"  ({seconds:.2f} s)" if result.method == "features" else ""
                print(
                    f"{per_class:>9} {seed:>4}  {result.label:<28} "
                    f"{100 * result.accuracy:>7.2f}% {result.seconds:>6.1f}s{cut}",
                    flush=True,
                )
    print()
    for per_class in args.per_class:
        scratch = {seed: acc for n, seed, m, acc, _, _ in rows if n == per_class and m == "scratch"}
        print(
            f"{per_class} per class: from scratch (baseline) "
            f"{100 * statistics.mean(scratch.values()):.2f}% over {len(scratch)} seed(s)"
        )
        for method in ("features", "freeze", "fine-tune"):
            mine = {seed: acc for n, seed, m, acc, _, _ in rows if n == per_class and m == method}
            gains = [100 * (mine[seed] - scratch[seed]) for seed in mine]
            ratio = statistics.mean(mine.values()) / statistics.mean(scratch.values())
            needed = TARGET_GAIN.get(per_class)
            verdict = ""
            if needed is not None:
                ok = min(gains) >= needed
                verdict = f" (target: every seed +{needed:g}) {'ok' if ok else 'MISSED'}"
                failures += [] if ok else [f"{method} at {per_class}"]
            print(
                f"  {method:<10} vs scratch: ratio {ratio:.2f}, gain per seed "
                + ", ".join(f"{g:+.1f}" for g in gains)
                + " points"
                + verdict
            )
        features = [s for n, _, m, _, s, _ in rows if n == per_class and m == "features"]
        fast = max(features) < FEATURES_SECONDS
        note = f" (target < {FEATURES_SECONDS:g} s) {'ok' if fast else 'MISSED'}"
        note = note if per_class == 50 else ""
        print(f"  features + SVM at the cut: worst {max(features):.2f} s{note}")
        if per_class == 50 and not fast:
            failures.append("features time at 50")
        phases = [
            phase_accuracies(r) for n, _, m, _, _, r in rows if n == per_class and m == "fine-tune"
        ]
        better = all(end > first for first, end in phases)
        print(
            "  fine-tuning phase 2 vs phase 1: "
            + ", ".join(f"{100 * a:.1f}% → {100 * b:.1f}% (ratio {b / a:.3f})" for a, b in phases)
            + (" ok" if better else " MISSED")
        )
        failures += [] if better else [f"phase 2 at {per_class}"]
    print("all targets met" if not failures else f"targets missed: {', '.join(failures)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
