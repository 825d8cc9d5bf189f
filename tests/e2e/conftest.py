"""Browser tests: a Streamlit server on a free loopback port, driven by Debian's Chromium."""

import contextlib
import os
import shutil
import socket
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = os.environ.get("CNNVIZ_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-dev-shm-usage",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
    "--no-first-run",
]


def _require_chromium() -> None:
    if Path(CHROMIUM).exists() or shutil.which(CHROMIUM):
        return
    reason = f"Chromium not found at {CHROMIUM} (install Debian's chromium package)"
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"{reason}; CI must run the browser tests.")
    pytest.skip(reason)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wait_until_healthy(process, url: str, log) -> None:
    deadline = time.monotonic() + 60
    # A self-signed certificate (the HTTPS test) is not checked: only the server's health is.
    insecure = ssl._create_unverified_context() if url.startswith("https") else None
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(
                f"{url}/_stcore/health", timeout=2, context=insecure
            ) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    process.kill()
    log.seek(0)
    output = log.read().decode(errors="replace")
    pytest.fail(f"Streamlit did not start on {url}:\n{output}")


@contextlib.contextmanager
def streamlit_server(*options: str, scheme: str = "http"):
    """`streamlit run app.py` (with `options`) on a free loopback port; its URL, until the
    block ends (`scheme` "https" with the `server.ssl*` options).

    The server's output goes to a file, never to a pipe nobody reads: a full pipe blocks the
    server's next log line, and with it the server.
    """
    port = _free_port()
    url = f"{scheme}://127.0.0.1:{port}"
    command = [sys.executable, "-m", "streamlit", "run", "app.py", "--server.port", str(port)]
    command += ["--server.address", "127.0.0.1", "--server.headless", "true", *options]
    with tempfile.TemporaryFile() as log:
        process = subprocess.Popen(command, cwd=REPO, stdout=log, stderr=subprocess.STDOUT)
        try:
            _wait_until_healthy(process, url, log)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


@pytest.fixture(scope="session")
def server_url():
    """One server for the whole browser session."""
    _require_chromium()
    with streamlit_server() as url:
        yield url


@pytest.fixture
def page(browser, server_url):
    context = browser.new_context(viewport={"width": 1400, "height": 1000})
    page = context.new_page()
    page.set_default_timeout(30_000)
    yield page
    context.close()
