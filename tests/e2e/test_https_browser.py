"""Serving a class over HTTPS, as the README says: the browser then allows the webcam.

Browsers give `navigator.mediaDevices` (and with it `st.camera_input`) only to secure pages:
localhost, or HTTPS. A teacher serving the room's network over plain HTTP gets no camera, so
the README shows `server.sslCertFile` / `server.sslKeyFile`; this test follows it with a
self-signed certificate made by `openssl`, as the README does.
"""

import shutil
import ssl
import subprocess
import urllib.request

import pytest

from tests.e2e.conftest import streamlit_server


@pytest.fixture(scope="module")
def certificate(tmp_path_factory):
    if shutil.which("openssl") is None:
        pytest.skip("openssl is not installed (apt-get install openssl)")
    folder = tmp_path_factory.mktemp("tls")
    cert, key = folder / "cert.pem", folder / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "1"]
        + ["-keyout", str(key), "-out", str(cert), "-subj", "/CN=127.0.0.1"]
        + ["-addext", "subjectAltName=IP:127.0.0.1"],
        check=True,
        capture_output=True,
    )
    return cert, key


def test_the_app_served_over_https_is_a_secure_page_with_a_camera(certificate, browser):
    cert, key = certificate
    with streamlit_server(
        "--server.sslCertFile", str(cert), "--server.sslKeyFile", str(key), scheme="https"
    ) as url:
        assert url.startswith("https://")
        context = ssl.create_default_context(cafile=str(cert))
        with urllib.request.urlopen(f"{url}/_stcore/health", context=context) as response:
            assert response.read() == b"ok"
        page = browser.new_context(ignore_https_errors=True).new_page()
        page.goto(url)
        page.get_by_role("heading", level=1).first.wait_for(timeout=60_000)
        assert page.evaluate("window.isSecureContext") is True
        assert page.evaluate("typeof navigator.mediaDevices?.getUserMedia") == "function"
        page.context.close()
