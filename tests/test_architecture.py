"""The house rules that keep the app fast and the core testable, checked."""

import ast
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
# Every module of the core, that is everything in cnnviz/ but the cnnviz/ui/ package.
CORE = sorted(p for p in (REPO / "cnnviz").rglob("*.py") if p.relative_to(REPO).parts[1] != "ui")
NO_TENSORFLOW = (
    "cnnviz.images",
    "cnnviz.data",
    "cnnviz.plots",
    "cnnviz.pixels",
    "cnnviz.ui",
    "cnnviz.kernels",
    "cnnviz.convolution",
    "cnnviz.pooling",
    "cnnviz.downloads",
    "cnnviz.digits",
    "cnnviz.samples",
    "cnnviz.filtering",
    "cnnviz.models",
    "cnnviz.design",
    "cnnviz.engine",
    "cnnviz.engine.client",
    "cnnviz.engine.catalog",
)


def imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text())
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name.split(".")[0] for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            names.add(node.module.split(".")[0])
    return names


@pytest.mark.parametrize("path", CORE, ids=lambda p: p.name)
def test_core_modules_do_not_import_streamlit(path):
    assert "streamlit" not in imported_modules(path), f"{path.name} imports streamlit"


def run_python(code: str) -> str:
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=300
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_core_imports_pull_in_neither_streamlit_nor_tensorflow():
    core = [m for m in NO_TENSORFLOW if m != "cnnviz.ui"]
    out = run_python(
        f"import sys\nfor m in {core!r}: __import__(m)\n"
        "print('streamlit' in sys.modules, 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert out == "False False False"


def test_ui_module_does_not_import_tensorflow():
    out = run_python(
        "import sys, cnnviz.ui\nprint('tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert out == "False False"


def test_running_every_page_leaves_tensorflow_unimported():
    pages = ["app.py", *sorted(str(p.relative_to(REPO)) for p in (REPO / "pages").glob("*.py"))]
    out = run_python(
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"for page in {pages!r}:\n"
        "    at = AppTest.from_file('app.py', default_timeout=120)\n"
        "    if page != 'app.py':\n"
        "        at.switch_page(page)\n"
        "    at.run()\n"
        "    assert not at.exception, (page, at.exception)\n"
        "print(len(" + repr(pages) + "), 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    assert out.splitlines()[-1] == f"{len(pages)} False False"
