"""Uploads at the size limit: peak memory and decode time, against the previous decoder.

Run from the repository root: `python bench/bench_uploads.py` (about three minutes; Linux, as it
reads the peak from /proc). Each file kind of issue 12 is made at the limit (40 megapixels, or
a side of 40,000,000 pixels for the two strips the previous decoder accepted), then decoded in a
fresh Python process by `cnnviz.images.decode_image` and by the baseline: `load_image` as it was
at commit fc1aa1f (`git show fc1aa1f:cnnviz/images/decode.py`), which decoded every upload at
full resolution. Each line gives the peak memory above what the process held before the call
(MB, Linux's VmHWM reset just before) and the best decode time of `--repeats` runs, with both
ratios (after / before). The last lines decode five RGBA uploads at once, in five threads of one
process, as five students would on one server: target under 2 GB.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

from PIL import Image

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
# The files at the limit are the memory test's, made the same way.
from tests.images.test_decode_memory import (  # noqa: E402
    encode,
    palette_with_transparency,
    with_a_square,
)

BASELINE_COMMIT = "fc1aa1f"
NEW = "cnnviz.images.decode"
WIDTH, HEIGHT = 8000, 5000  # exactly 40 megapixels
TARGET_MB, TARGET_SECONDS, TARGET_FIVE_MB = 300, 1.5, 2000

CHILD = """
import gc, importlib, importlib.util, json, sys, threading, time
from pathlib import Path

source, path, repeats, uploads = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
if source.endswith(".py"):
    spec = importlib.util.spec_from_file_location("baseline_decode", source)
    decoder = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = decoder
    spec.loader.exec_module(decoder)
else:
    decoder = importlib.import_module(source)

def resident_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

def decode(data, results, index):
    try:
        results[index] = decoder.load_image(data)  # kept, as the server keeps it
    except decoder.ImageError:
        results[index] = "refused from the header"

files = [Path(path).read_bytes() for _ in range(uploads)]  # each upload its own bytes
gc.collect()
before = resident_mb("VmRSS")
Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
times = []
for run in range(repeats):
    results = [None] * uploads
    threads = [
        threading.Thread(target=decode, args=(data, results, index))
        for index, data in enumerate(files)
    ]
    start = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    times.append(time.perf_counter() - start)
    if run == 0:
        peak, first = resident_mb("VmHWM") - before, results[0]
        outcome = first if isinstance(first, str) else f"{first.shape[1]}×{first.shape[0]}"
        del first
    del results
    gc.collect()
print(json.dumps({"peak_mb": peak, "seconds": min(times), "outcome": outcome}))
"""


def rgba_png() -> bytes:
    rgba = with_a_square("RGBA", (WIDTH, HEIGHT), (200, 30, 40, 128), (0, 0, 255, 255))
    return encode(rgba, "PNG", compress_level=1)


KINDS: dict[str, Callable[[], bytes]] = {
    "RGBA PNG 8000×5000": rgba_png,
    "16-bit grey PNG 8000×5000": lambda: encode(
        with_a_square("I;16", (WIDTH, HEIGHT), 30000, 60000), "PNG"
    ),
    "RGB PNG 8000×5000": lambda: encode(
        with_a_square("RGB", (WIDTH, HEIGHT), (200, 30, 40), (0, 0, 255)), "PNG"
    ),
    "1-bit PNG 8000×5000": lambda: encode(with_a_square("1", (WIDTH, HEIGHT), 1, 0), "PNG"),
    "palette PNG 8000×5000, transparent": lambda: encode(
        palette_with_transparency(), "PNG", transparency=0
    ),
    "RGB JPEG 8000×5000": lambda: encode(
        with_a_square("RGB", (WIDTH, HEIGHT), (200, 30, 40), (0, 0, 255)), "JPEG"
    ),
    "RGB PNG 65535×610": lambda: encode(Image.new("RGB", (65535, 610), (10, 20, 30)), "PNG"),
    "RGB PNG 1×40,000,000": lambda: encode(Image.new("RGB", (1, 40_000_000), 9), "PNG"),
    "RGB PNG 40,000,000×1": lambda: encode(Image.new("RGB", (40_000_000, 1), 9), "PNG"),
}


def measure(source: str, path: Path, repeats: int, uploads: int = 1) -> dict:
    """Peak MB above the start and best seconds of `uploads` decodes at once, fresh process."""
    out = subprocess.run(
        [sys.executable, "-c", CHILD, source, str(path), str(repeats), str(uploads)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    return json.loads(out)


def line(label: str, after: dict, before: dict, note: str) -> str:
    return (
        f"{label}: peak {after['peak_mb']:.0f} MB (baseline {BASELINE_COMMIT} "
        f"{before['peak_mb']:.0f} MB, ratio {after['peak_mb'] / before['peak_mb']:.3f}); "
        f"decode {after['seconds']:.2f} s (baseline {before['seconds']:.2f} s, ratio "
        f"{after['seconds'] / before['seconds']:.3f}){note}"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3, help="decodes per process (best time)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        baseline = Path(folder) / "baseline_decode.py"
        baseline.write_text(
            subprocess.run(
                ["git", "show", f"{BASELINE_COMMIT}:cnnviz/images/decode.py"],
                cwd=REPO,
                capture_output=True,
                text=True,
                check=True,
            ).stdout
        )
        print(f"target: at most {TARGET_MB} MB and {TARGET_SECONDS} s per accepted upload")
        for kind, make in KINDS.items():
            path = Path(folder) / "upload"
            path.write_bytes(make())
            after = measure(NEW, path, args.repeats)
            before = measure(str(baseline), path, args.repeats)
            print(line(kind, after, before, f"; now {after['outcome']}"), flush=True)
        path = Path(folder) / "upload"
        path.write_bytes(rgba_png())
        after = measure(NEW, path, 1, uploads=5)
        before = measure(str(baseline), path, 1, uploads=5)
        print(
            line("five RGBA PNG 8000×5000 at once (5 threads)", after, before, "")
            + f"; target under {TARGET_FIVE_MB} MB"
        )


if __name__ == "__main__":
    main()
