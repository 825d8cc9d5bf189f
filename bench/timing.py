"""Timing helpers shared by the benchmark scripts."""

import time
from collections.abc import Callable


def best_times(functions: dict[str, Callable[[], object]], repeats: int = 7):
    """Best wall-clock time of each function, in seconds, over `repeats` interleaved rounds.

    Interleaving (a, b, c, a, b, c, ...) after one warm-up round keeps drifts in machine load
    and memory state from favouring whichever function ran first.
    """
    best = dict.fromkeys(functions, float("inf"))
    for round_number in range(repeats + 1):
        for name, function in functions.items():
            start = time.perf_counter()
            function()
            elapsed = time.perf_counter() - start
            if round_number:
                best[name] = min(best[name], elapsed)
    return best
