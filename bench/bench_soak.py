"""A soak: a class on one laptop for 10 minutes, with hostile uploads, one training job, and the
model engine killed half way; then whether anything broke, leaked, was lost or was left behind.

Trains one tiny run into a private, temporary folder of saved runs (`CNNVIZ_MODELS_DIR`) and
notes the SHA-256 of its files. Starts the served app (`app.py`) on a loopback port with
Streamlit's agent API on and, at once:
- N agent sessions (as in `bench_classroom.py`) on Feature maps, Convolution, Pooling and Home,
  each picking a new dataset digit every ~2 s;
- Chromium (Playwright) uploading hostile files on Home and Feature maps: a crafted TIFF, a
  truncated PNG, an empty file, HTML and SVG named .png, a PNG that declares 100,000 x 100,000
  pixels, and the heaviest legal uploads (40-megapixel RGBA and 16-bit grey PNGs, and a
  1 x 40,000,000 one); each must show the image or a message;
- one training job on the Training page, polled every ~2 s as its page would be;
- at half time, the engine SIGKILLed: how long until Feature maps answers again from a new
  engine, and what the Training page then says about the job.
Checks: no traceback on any page; the server's RSS, 30 s after the sessions stop, within 15 % of
its warm level (the last minute before the engine was killed: every cache in use); the training
job's completed epochs saved as its run after the engine kill; the run saved before is intact;
no process of the app left 10 s after SIGTERM, nor after SIGKILL of a second server with the
engine and a training worker running. Prints the figures; exits 1 if a check failed.

Run: `python bench/bench_soak.py` (about 12 minutes); `--seconds 60 --users 10` for a short run.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import io
import os
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from PIL import Image
from playwright.sync_api import Error as PlaywrightError
from playwright.sync_api import sync_playwright

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))  # run as a script from anywhere

from bench import bench_classroom as classroom  # noqa: E402
from bench.bench_classroom import EXAMPLES, Server, failed, interact, milliseconds  # noqa: E402
from cnnviz.locations import MODELS_DIR_ENV  # noqa: E402
from tests.e2e.conftest import CHROMIUM, CHROMIUM_ARGS  # noqa: E402
from tests.images.test_decode import (  # noqa: E402
    png_declaring,
    tiff_with_strip_offsets_of_type_rational,
)

PAGES = ("feature_maps", "convolution", "pooling", "")  # "": Home, the default page
# Each page an upload is tried on, and what it shows once it shows the image.
UPLOAD_PAGES = (
    ("", 'h3:has-text("What computers see")'),
    ("feature_maps", '[data-testid=stMetric]:has-text("Prediction")'),
)
# While any of these is on the page, a run is going (or about to).
BUSY = (
    "[data-test-script-state=running], [data-test-script-state=rerunRequested], "
    "[data-stale=true], [data-testid=stSpinner], [data-testid=stFileChipIconSpinner]"
)
MESSAGES = ("error", "warning", "info", "success")
MEMORY_TOLERANCE = 0.15
TRAINING = {"training_train_size": 0, "training_epochs": 200, "training_run_name": "soak-run"}


def elements(node, types: tuple[str, ...]) -> list[dict]:
    """The elements of a snapshot's tree whose type is one of `types`, in page order."""
    if not isinstance(node, dict):
        return []
    found = [node] if node.get("type") in types else []
    for child in node.get("children", []):
        found += elements(child, types)
    return found


def problem(snapshot: dict) -> str | None:
    """Why a snapshot is not a clean, finished run, verbatim where the page says it; or None."""
    if "error" in snapshot:  # the agent API's own error, such as a run that timed out
        return f"agent API: {snapshot['error']}"
    for node in elements(snapshot.get("tree"), ("exception",)):
        props = node.get("props", {})
        where = (props.get("stack_trace") or ["?"])[-1].strip().replace("\n", " ")
        return f"{props.get('type')}: {props.get('message')} ({where})"
    return failed(snapshot)


def train_first_run(folder: Path) -> None:
    """One epoch on 200 images, saved in `folder` by the command line, as a teacher would."""
    command = [sys.executable, "-m", "cnnviz.train", "--out", str(folder), "--name", "before"]
    command += ["--epochs", "1", "--train-size", "200", "--quiet"]
    subprocess.run(command, cwd=REPO, check=True, capture_output=True)


def fingerprints(folder: Path) -> dict[str, str]:
    """SHA-256 of every file in `folder` (not in its subfolders), by name."""
    return {
        path.name: hashlib.sha256(path.read_bytes()).hexdigest()
        for path in sorted(folder.iterdir())
        if path.is_file() and not path.name.startswith(".")
    }


def start_server(folder: Path) -> Server:
    """The served app with `folder` as its saved runs. `app.py`, not the bench's app: Home's
    links to the other pages only resolve from the repository's root."""
    classroom.APP = "app.py"
    os.environ[MODELS_DIR_ENV] = str(folder)  # for the server only: Server copies os.environ
    try:
        return Server()
    finally:
        del os.environ[MODELS_DIR_ENV]


def process_table() -> list[tuple[int, int, bytes]]:
    """(pid, parent pid, command line and environment) of every process we may read."""
    table = []
    for entry in Path("/proc").iterdir():
        try:
            parent = int((entry / "stat").read_text().rsplit(")", 1)[1].split()[1])
            text = (entry / "cmdline").read_bytes() + (entry / "environ").read_bytes()
            table.append((int(entry.name), parent, text))
        except (OSError, ValueError, IndexError):
            continue  # not a process, gone, or not ours to read
    return table


def engine_pids(server_pid: int) -> list[int]:
    table = process_table()
    return [pid for pid, parent, text in table if parent == server_pid and b"cnnviz.engine" in text]


def naming(folder: Path) -> list[int]:
    """The processes whose command line or environment names `folder` (this one aside)."""
    mark = str(folder).encode()
    return [pid for pid, _, text in process_table() if mark in text and pid != os.getpid()]


def left_behind(folder: Path, seconds: float = 10) -> list[int]:
    """The processes that still name `folder` after up to `seconds`; SIGKILLed once listed."""
    deadline = time.monotonic() + seconds
    while (pids := naming(folder)) and time.monotonic() < deadline:
        time.sleep(0.5)
    for pid in pids:
        with contextlib.suppress(OSError):
            print(f"  left behind: {pid} {Path(f'/proc/{pid}/cmdline').read_bytes()[:150]!r}")
            os.kill(pid, signal.SIGKILL)
    return pids


class Soak:
    """Agent sessions, the training session and the engine kill, with what each saw."""

    def __init__(self, url: str, stop_at: float):
        self.url, self.stop_at = url, stop_at
        self.latencies: dict[str, list[float]] = {}  # by page
        self.problems: list[str] = []
        self.tracebacks = 0
        self.error_messages = 0  # st.error on a page (expected while the engine restarts)
        self.training_said: list[str] = []
        self.training_progress = "-"  # the progress bar's text, last seen
        self.lock = threading.Lock()

    def request(self, page: str, body: dict) -> dict | None:
        """One interaction, waited for past the agent API's 30 s; None if it failed."""
        start, snapshot, trouble = time.monotonic(), None, None
        try:
            _, snapshot = interact(self.url, body)
            waiting = time.monotonic() - start < 300  # then it is a problem, not a wait
            while snapshot.get("error", {}).get("code") == "wait_timed_out" and waiting:
                _, snapshot = interact(self.url, {"session_id": snapshot["session_id"]})
            trouble = problem(snapshot)
        except OSError as error:  # HTTPError and timeouts included
            detail = error.read()[:300].decode(errors="replace") if hasattr(error, "read") else ""
            trouble = f"{error} {detail}"
        with self.lock:
            if trouble:
                self.problems.append(f"{page or 'home'}: {trouble}")
                self.tracebacks += bool(elements((snapshot or {}).get("tree"), ("exception",)))
                return None
            self.latencies.setdefault(page or "home", []).append(time.monotonic() - start)
            self.error_messages += bool(elements(snapshot["tree"], ("error",)))
        return snapshot

    def student(self, seed: int) -> None:
        page, rng, session_id = PAGES[seed % len(PAGES)], random.Random(seed), None
        time.sleep(rng.uniform(0, 2))
        while time.monotonic() < self.stop_at:
            body = {"page": page} if session_id is None else {"session_id": session_id}
            if session_id:
                body["widget_state"] = {"picker_index": rng.randrange(EXAMPLES)}
            snapshot = self.request(page, body)
            session_id = session_id or (snapshot or {}).get("session_id")
            time.sleep(2 * rng.uniform(0.8, 1.2))

    def trainer(self) -> None:
        """Train, then rerun the page every ~2 s (the agent API runs no `run_every` fragment)."""
        session_id = (self.request("training", {"page": "training"}) or {}).get("session_id")
        if session_id is None:
            return
        self.request("training", {"session_id": session_id, "widget_state": TRAINING})
        body = {"session_id": session_id, "trigger": {"key": "training_train"}}
        while time.monotonic() < self.stop_at:
            snapshot = self.request("training", body)
            for node in elements((snapshot or {}).get("tree"), ("progress",)):
                self.training_progress = node.get("props", {}).get("text", "")
            for node in elements((snapshot or {}).get("tree"), MESSAGES):
                said = f"{node['type']}: {node.get('props', {}).get('body', '')}"
                if said not in self.training_said:
                    self.training_said.append(said)
            body = {"session_id": session_id}
            time.sleep(2)

    def kill_engine(self, server_pid: int, limit: float = 180) -> float | None:
        """SIGKILL the engine; seconds until Feature maps shows a new digit from a new engine."""
        opened = self.request("feature_maps", {"page": "feature_maps"}) or {}
        session_id, old = opened.get("session_id"), engine_pids(server_pid)
        for pid in old:
            os.kill(pid, signal.SIGKILL)
        print(f"  engine {old} SIGKILLed; training was at: {self.training_progress}")
        killed_at, index = time.monotonic(), 0
        while time.monotonic() - killed_at < limit:
            index += 1
            body = {"session_id": session_id, "widget_state": {"picker_index": 7 * index}}
            snapshot = self.request("feature_maps", body)
            fresh = set(engine_pids(server_pid)) - set(old)
            if snapshot and fresh and not elements(snapshot["tree"], ("error", "exception")):
                return time.monotonic() - killed_at
            time.sleep(0.5)
        return None


def png(array: np.ndarray) -> bytes:
    buffer = io.BytesIO()
    Image.fromarray(array).save(buffer, "PNG", compress_level=1)
    return buffer.getvalue()


def hostile_files() -> list[tuple[str, bytes]]:
    """(name, bytes) of the uploads to try, made here; only the two 40 MP PNGs are acceptable."""
    rows = np.arange(5000, dtype=np.uint16)[:, None]
    columns = np.arange(8000, dtype=np.uint16)[None, :]
    rgba = np.empty((5000, 8000, 4), np.uint8)
    rgba[..., 0], rgba[..., 1], rgba[..., 2], rgba[..., 3] = columns, rows, rows + columns, 200
    whole = png(np.full((40, 40, 3), 90, np.uint8))
    return [
        ("crafted.tiff", tiff_with_strip_offsets_of_type_rational()),
        ("truncated.png", whole[: len(whole) // 2]),
        ("empty.png", b""),
        ("page.png", b"<!DOCTYPE html><html><body><script>alert(1)</script></body></html>"),
        ("drawing.png", b'<svg xmlns="http://www.w3.org/2000/svg" width="9" height="9"/>'),
        ("bomb.png", png_declaring(100_000, 100_000)),
        ("rgba-40mp.png", png(rgba)),
        ("grey16-40mp.png", png(rows * 13 + columns)),
        ("line-1x40m.png", png(np.zeros((1, 40_000_000), np.uint8))),
    ]


class Uploads:
    """Chromium on Home and Feature maps, uploading the hostile files in turn until `stop_at`."""

    def __init__(self, url: str, files: list[tuple[str, bytes]], stop_at: float):
        self.url, self.files, self.stop_at = url, files, stop_at
        self.outcomes: list[tuple[str, str, str]] = []  # page, file, outcome

    def run(self) -> None:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
            tabs = [self.open(browser, path) for path, _ in UPLOAD_PAGES]
            turn = 0
            while time.monotonic() < self.stop_at:
                (path, shown), tab = UPLOAD_PAGES[turn % 2], tabs[turn % 2]
                name, data = self.files[turn // 2 % len(self.files)]
                try:
                    outcome = self.upload(tab, name, data, shown)
                except PlaywrightError as error:  # the page never settled, or Chromium failed
                    outcome = f"nothing: {error}"
                self.outcomes.append((path or "home", name, outcome))
                turn += 1
            browser.close()

    def open(self, browser, path: str):
        tab = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
        tab.set_default_timeout(60_000)
        tab.goto(f"{self.url}/{path}")
        tab.get_by_text("Upload a photo", exact=True).click()
        tab.get_by_text("Upload a photo or a scan").wait_for()
        return tab

    @staticmethod
    def upload(tab, name: str, data: bytes, shown: str) -> str:
        """Upload one file; once the page settled: "shown", or "refused: <its message>",
        "nothing: <the page's messages>" or "traceback: <its text>"."""
        file = {"name": name, "mimeType": "application/octet-stream", "buffer": data}
        tab.locator("[data-testid=stFileUploaderDropzoneInput]").set_input_files(file)
        tab.wait_for_timeout(1000)
        settled_at = time.monotonic() + 2  # quiet for 2 s: nothing stale, no spinner
        deadline = time.monotonic() + 180
        while time.monotonic() < min(settled_at, deadline):
            if tab.locator(BUSY).count():
                settled_at = time.monotonic() + 2
            tab.wait_for_timeout(250)
        if tab.locator("[data-testid=stException]").count():
            return "traceback: " + tab.locator("[data-testid=stException]").first.inner_text()
        refusal = tab.get_by_text(f"Could not use '{name}'")
        if refusal.count():
            return "refused: " + refusal.first.inner_text()
        if tab.locator(shown).count():
            return "shown"
        return "nothing: " + " | ".join(tab.locator("[data-testid=stAlert]").all_inner_texts())


def sample_memory(server: Server, start: float, warm_at: float, done: threading.Event, out: list):
    """(seconds, RSS MB) at `warm_at`, then every minute, until `done`."""
    at = warm_at
    while not done.wait(max(0.0, start + at - time.monotonic())):
        out.append((at, server.memory_mb()))
        print(f"  {at:4.0f} s  RSS {out[-1][1]:6.0f} MB", flush=True)
        at = 60 * (int(at // 60) + 1)


def run(server: Server, folder: Path, seconds: float, users: int, files: list) -> tuple:
    """Sessions, uploads and training for `seconds`, the engine killed half way; then 30 s idle.

    Returns:
        The `Soak`, the `Uploads`, the seconds Feature maps took to come back (None: it did
        not), and the RSS figures: at start, samples from the warm one on, peak, idle.
    """
    rss_start, start = server.memory_mb(), time.monotonic()
    soak, uploads = Soak(server.url, start + seconds), Uploads(server.url, files, start + seconds)
    threads = [threading.Thread(target=soak.student, args=(seed,)) for seed in range(users)]
    threads += [threading.Thread(target=soak.trainer), threading.Thread(target=uploads.run)]
    samples, done, warm_at = [], threading.Event(), min(60.0, seconds / 4)
    sampler = threading.Thread(target=sample_memory, args=(server, start, warm_at, done, samples))
    for thread in [*threads, sampler]:
        thread.start()
    time.sleep(seconds / 2)
    kept = [str(path.relative_to(folder)) for path in folder.glob("*/**/*") if path.is_file()]
    print(f"  checkpoints in the runs folder at half time: {kept or 'none'}")
    recovery = soak.kill_engine(server.process.pid)
    for thread in threads:
        thread.join()
    done.set()
    sampler.join()
    time.sleep(30)
    rss_idle = server.memory_mb()
    print(f"  {time.monotonic() - start:4.0f} s  RSS {rss_idle:6.0f} MB (30 s after the sessions)")
    return soak, uploads, recovery, (rss_start, samples, server.memory_mb("VmHWM"), rss_idle)


def sigkill_leaves(folder: Path) -> list[int]:
    """A second server with the engine and a training job running, SIGKILLed: who is left."""
    server = start_server(folder)
    soak = Soak(server.url, time.monotonic() + 60)
    soak.request("feature_maps", {"page": "feature_maps"})  # starts the engine
    threading.Thread(target=soak.trainer, daemon=True).start()
    deadline = time.monotonic() + 60  # the server, the engine and at least one worker
    while time.monotonic() < deadline and len(naming(folder)) < 3:
        time.sleep(0.5)
    time.sleep(3)  # the job is running
    print(f"  {len(naming(folder))} processes name the runs folder; SIGKILL the server")
    server.process.kill()
    server.process.wait()
    server.log.close()
    return left_behind(folder)


@dataclass
class Figures:
    """What the soak saw: the sessions, uploads, engine kill, memory, files and processes."""

    soak: Soak
    uploads: Uploads
    recovery: float | None  # seconds until Feature maps answered from a new engine
    memory: tuple  # RSS MB: at start, (seconds, MB) samples from the warm one on, peak, idle
    before: dict[str, str]  # file name -> SHA-256, before the soak and after it
    after: dict[str, str]
    after_term: list[int]  # processes left after SIGTERM, and after SIGKILL
    after_kill: list[int]
    seconds: float  # how long the sessions ran


def soak_and_check(folder: Path, seconds: float, users: int) -> Figures:
    """Everything in the module's docstring, with `folder` as the saved runs."""
    train_first_run(folder)
    before, files = fingerprints(folder), hostile_files()
    server = start_server(folder)
    print(f"server on {server.url}, saved runs in {folder}")
    soak, uploads, recovery, memory = run(server, folder, seconds, users, files)
    print(f"{len(naming(folder))} processes name the runs folder; SIGTERM the server")
    try:
        server.stop()
    except subprocess.TimeoutExpired:
        print("  the server did not stop within 20 s of SIGTERM")
    after_term, after = left_behind(folder), fingerprints(folder)
    print("second server, SIGKILLed:")
    after_kill = sigkill_leaves(folder)
    return Figures(soak, uploads, recovery, memory, before, after, after_term, after_kill, seconds)


def checks(figures: Figures) -> dict[str, bool]:
    outcomes = [outcome for *_, outcome in figures.uploads.outcomes]
    _, samples, _, rss_idle = figures.memory
    return {
        "no traceback or failed run on an agent session": bool(figures.soak.latencies)
        and not figures.soak.problems,
        "no traceback in the browser": not any(o.startswith("traceback") for o in outcomes),
        "every upload shows the image or a message": bool(outcomes)
        and all(outcome.startswith(("refused", "shown")) for outcome in outcomes),
        "Feature maps back after the engine kill": figures.recovery is not None,
        f"RSS back within {MEMORY_TOLERANCE:.0%} of warm": bool(samples)
        and rss_idle <= warm_rss(samples, figures.seconds) * (1 + MEMORY_TOLERANCE),
        "the training run's epochs saved after the engine kill": any(
            "were kept" in said and "saved as run" in said for said in figures.soak.training_said
        ),
        "the files saved before are intact": not lost(figures),
        "no process left after SIGTERM": not figures.after_term,
        "no process left after SIGKILL": not figures.after_kill,
    }


def warm_rss(samples: list, seconds: float) -> float:
    """The RSS the server settled at with every cache in use: the last sample before the
    engine was killed at half time (the first minute is still filling the caches)."""
    before_kill = [mb for at, mb in samples if at <= seconds / 2] or [samples[0][1]]
    return before_kill[-1]


def lost(figures: Figures) -> list[str]:
    return sorted(name for name, sha in figures.before.items() if figures.after.get(name) != sha)


def report(figures: Figures) -> None:
    soak, uploads = figures.soak, figures.uploads
    for page, times in sorted(soak.latencies.items()):
        times = sorted(times)
        p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
        print(
            f"  {page:12s} updates {len(times):5d}  p50 {milliseconds(statistics.median(times))}"
            f"  p95 {milliseconds(p95)}  max {milliseconds(times[-1])}"
        )
    print(
        f"  agent problems {len(soak.problems)}, tracebacks among them {soak.tracebacks}; "
        f"updates that showed an error message {soak.error_messages}"
    )
    for line in soak.problems[:5]:
        print(f"    {line[:400]}")
    kinds = [outcome.split(":")[0] for *_, outcome in uploads.outcomes]
    counts = ", ".join(f"{kind} {kinds.count(kind)}" for kind in dict.fromkeys(kinds))
    print(f"  hostile uploads tried {len(kinds)}: {counts}")
    for page, name, outcome in dict.fromkeys(uploads.outcomes):
        print(f"    {page:12s} {name:16s} {outcome[:300]}")
    back = "not within 180 s" if figures.recovery is None else f"after {figures.recovery:.1f} s"
    print(f"  engine SIGKILLed at half time: Feature maps answered by a new engine {back}")
    print("  the Training page said, in order:")
    for said in soak.training_said:
        print(f"    {said[:300]}")
    rss_start, samples, peak, rss_idle = figures.memory
    minutes = ", ".join(f"{at:.0f} s {mb:.0f}" for at, mb in samples)
    print(f"  RSS MB: start {rss_start:.0f}; {minutes}; peak {peak:.0f}; 30 s idle {rss_idle:.0f}")
    saved = sorted(name for name in figures.after.keys() - figures.before.keys())
    print(
        f"  files saved before: {len(figures.before)}, lost or changed: {lost(figures) or 'none'}"
    )
    print(f"  files saved during the soak: {saved or 'none'}")
    print(
        f"  processes left after SIGTERM: {figures.after_term or 'none'}, "
        f"after SIGKILL: {figures.after_kill or 'none'}"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=600, help="length of the soak")
    parser.add_argument("--users", type=int, default=30, help="agent sessions")
    arguments = parser.parse_args()
    print(
        f"{arguments.users} sessions, {arguments.seconds:g} s; load average "
        f"{os.getloadavg()[0]:.2f} on {os.cpu_count()} CPUs"
    )
    folder = Path(tempfile.mkdtemp(prefix="cnnviz-soak-"))
    try:
        figures = soak_and_check(folder, arguments.seconds, arguments.users)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(
        f"\nSummary: {arguments.users} agent sessions, 1 training, 2 browser tabs, "
        f"{arguments.seconds:g} s; load average at the end {os.getloadavg()[0]:.2f}"
    )
    report(figures)
    verdicts = checks(figures)
    for check, held in verdicts.items():
        print(f"  [{'ok' if held else 'FAILED'}] {check}")
    return 0 if all(verdicts.values()) else 1


if __name__ == "__main__":
    sys.exit(main())
