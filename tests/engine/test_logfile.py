"""The engine's log: stderr of the process and its children, owner-only, bounded in size."""

import stat
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
WRITER = """
import os, subprocess, sys, time
from cnnviz.engine.logfile import capture_stderr
thread = capture_stderr(sys.argv[1], 10_000)
for number in range(300):
    os.write(2, f"line {number:04d} ".encode() + b"x" * 90 + b"\\n")
subprocess.run([sys.executable, "-c", "import sys; sys.stderr.write('from a child\\\\n')"])
os.close(2)  # the pipe's last writer: the copying thread sees the end and stops
thread.join(5)
"""


def test_stderr_lands_in_a_bounded_owner_only_log(tmp_path):
    log = tmp_path / "engine.log"
    done = subprocess.run(
        [sys.executable, "-c", WRITER, str(log)], cwd=REPO, capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    older = log.with_name("engine.log.1")
    assert log.stat().st_size <= 10_000 and older.stat().st_size <= 10_000
    assert stat.S_IMODE(log.stat().st_mode) == 0o600 == stat.S_IMODE(older.stat().st_mode)
    text = log.read_text()
    assert text.endswith("from a child\n") and "line 0299 " in text
    assert "line 0000 " not in text + older.read_text()  # the oldest lines were let go
