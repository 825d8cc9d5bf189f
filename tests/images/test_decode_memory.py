"""cnnviz.images.decode at the size limit: the peak memory of one upload, in a fresh process.

Each file is made here, then decoded by a new Python process that reports how far its resident
memory rose above what it held before the call (Linux's peak, VmHWM, reset just before). The
target of issue 12: any accepted upload costs at most about 300 MB.
"""

import io
import subprocess
import sys
from pathlib import Path

import pytest
from PIL import Image

from cnnviz.images import MAX_PIXELS, MAX_SIDE
from tests.images.test_decode import png_declaring

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not Path("/proc/self/clear_refs").exists(), reason="Linux /proc only"),
]

REPO = Path(__file__).resolve().parents[2]
LIMIT_MB = 300
WIDTH, HEIGHT = 8000, 5000  # exactly MAX_PIXELS

DECODE = """
import gc, sys
from pathlib import Path
from cnnviz.images import ImageError, decode_image

def resident_mb(field):
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024

data = Path(sys.argv[1]).read_bytes()
gc.collect()
before = resident_mb("VmRSS")
Path("/proc/self/clear_refs").write_text("5")  # the peak starts again from here
try:
    decoded = decode_image(data)
    outcome = "x".join(str(n) for n in decoded.image.shape)
except ImageError:
    outcome = "refused"
print(resident_mb("VmHWM") - before, outcome)
"""


def encode(img: Image.Image, image_format: str, **options) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, image_format, **options)
    return buffer.getvalue()


def with_a_square(mode: str, size: tuple[int, int], background, square) -> Image.Image:
    img = Image.new(mode, size, background)
    img.paste(square, (size[0] // 8, size[1] // 5, size[0] // 2, size[1] // 2))
    return img


def palette_with_transparency() -> Image.Image:
    img = with_a_square("P", (WIDTH, HEIGHT), 1, 0)
    img.putpalette([0, 0, 0, 200, 30, 40] + [0] * 762)
    return img


KINDS = {
    # kind: (how to make the file, the decoded shape or "refused")
    "RGBA PNG": (
        lambda: encode(
            with_a_square("RGBA", (WIDTH, HEIGHT), (200, 30, 40, 128), (0, 0, 255, 255)),
            "PNG",
            compress_level=1,
        ),
        "2500x4000x3",
    ),
    "16-bit grey PNG": (
        lambda: encode(with_a_square("I;16", (WIDTH, HEIGHT), 30000, 60000), "PNG"),
        "2500x4000x3",
    ),
    "1-bit PNG": (
        lambda: encode(with_a_square("1", (WIDTH, HEIGHT), 1, 0), "PNG"),
        "2500x4000x3",
    ),
    "palette PNG with transparency": (
        lambda: encode(palette_with_transparency(), "PNG", transparency=0),
        "2500x4000x3",
    ),
    "RGB JPEG": (
        lambda: encode(with_a_square("RGB", (WIDTH, HEIGHT), (200, 30, 40), (0, 0, 255)), "JPEG"),
        "2500x4000x3",
    ),
    "65535×610 PNG": (
        lambda: encode(Image.new("RGB", (65535, 610), (10, 20, 30)), "PNG", compress_level=1),
        "39x4096x3",
    ),
    "610×65535 PNG": (
        lambda: encode(Image.new("L", (610, 65535), 90), "PNG", compress_level=1),
        "4096x39x3",
    ),
    "1×40,000,000 PNG": (lambda: png_declaring(1, 40_000_000), "refused"),
    "40,000,000×1 PNG": (lambda: png_declaring(40_000_000, 1), "refused"),
}


@pytest.mark.parametrize("kind", list(KINDS))
def test_an_upload_at_the_limit_costs_at_most_300_mb(kind, tmp_path):
    make, expected = KINDS[kind]
    path = tmp_path / "upload"
    path.write_bytes(make())
    result = subprocess.run(
        [sys.executable, "-c", DECODE, str(path)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    peak_mb, outcome = result.stdout.split()
    assert outcome == expected
    assert float(peak_mb) <= LIMIT_MB, f"{kind}: {float(peak_mb):.0f} MB"


def test_the_files_are_at_the_limits():
    assert WIDTH * HEIGHT == MAX_PIXELS and MAX_SIDE == 65535 and MAX_PIXELS >= 65535 * 610
