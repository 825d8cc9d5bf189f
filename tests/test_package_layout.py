"""The house plan, kept: who may import what, no import cycles, no side effects on import.

Every module is found by walking `cnnviz/` (and `lessons/`), never from a hand-kept list, so a new
module is checked the moment it exists. The rules (see `cnnviz/__init__.py`):

- only `cnnviz.ui` imports Streamlit; only `cnnviz.engine.keras_side` imports TensorFlow or Keras;
- the core (everything but `engine`, `ui` and the command line) imports neither the engine nor
  `ui`; the engine never imports `ui`;
- the Streamlit side (`ui`, pages, the engine's `protocol`, `client` and `launcher`) never
  imports the engine's server side;
- no cycles between modules, and no module or package shares its name with a function;
- importing a module prints nothing, starts no thread, touches no network, and changes neither
  the environment, the working folder nor the temporary folder.
"""

from __future__ import annotations

import ast
import importlib.util
import json
import os
import re
import subprocess
import sys
from functools import cache
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "cnnviz"
KERAS_SIDE = "cnnviz.engine.keras_side"
RAY_SIDE = "cnnviz.engine.ray_side"  # the optional backend: imports Ray
# The engine's modules the Streamlit process loads: they must not reach the engine's server side.
ENGINE_CLIENT_SIDE = ("cnnviz.engine", "cnnviz.engine.protocol", "cnnviz.engine.client")
ENGINE_CLIENT_SIDE += (
    "cnnviz.engine.api",
    "cnnviz.engine.backends",
    "cnnviz.engine.connection",
    "cnnviz.engine.launcher",
    "cnnviz.engine.logfile",
    # The Ray backend's client: the board and the Serve app are made by a task in the cluster.
    "cnnviz.engine.ray_side",
    "cnnviz.engine.ray_side.client",
)
COMMAND_LINE = ("cnnviz.train",)


def module_name(path: Path) -> str:
    parts = path.relative_to(REPO).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}
PAGES = [REPO / "app.py", *sorted((REPO / "lessons").glob("*.py"))]


def is_within(module: str, prefix: str) -> bool:
    return module == prefix or module.startswith(prefix + ".")


def is_core(module: str) -> bool:
    return not any(is_within(module, p) for p in ("cnnviz.engine", "cnnviz.ui", *COMMAND_LINE))


@cache
def imports(path: Path) -> frozenset[str]:
    """Every module a file imports, anywhere in it (functions too): cnnviz modules resolved
    to the module named (`from cnnviz.x import y` is `cnnviz.x.y` when that is a module),
    others by their top-level name."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        if isinstance(node, ast.Import):
            found.update(_resolve(alias.name, None) for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.update(_resolve(node.module, alias.name) for alias in node.names)
    return frozenset(found)


def _resolve(module: str, name: str | None) -> str:
    if not is_within(module, "cnnviz"):
        return module.split(".")[0]
    if name is not None and f"{module}.{name}" in MODULES:
        return f"{module}.{name}"
    return module


def own_imports(path: Path) -> set[str]:
    return {name for name in imports(path) if is_within(name, "cnnviz")}


@pytest.mark.parametrize("module", MODULES)
def test_only_the_ui_imports_streamlit(module):
    if "streamlit" in imports(MODULES[module]):
        assert is_within(module, "cnnviz.ui"), f"{module} imports streamlit"


@pytest.mark.parametrize("module", MODULES)
def test_only_the_keras_side_of_the_engine_imports_tensorflow(module):
    heavy = imports(MODULES[module]) & {"tensorflow", "keras"}
    assert not heavy or is_within(module, KERAS_SIDE), f"{module} imports {sorted(heavy)}"


@pytest.mark.parametrize("module", MODULES)
def test_the_core_imports_neither_the_engine_nor_the_ui(module):
    if is_core(module):
        wrong = [n for n in own_imports(MODULES[module]) if not is_core(n)]
        assert not wrong, f"the core module {module} imports {wrong}"


@pytest.mark.parametrize("module", MODULES)
def test_the_engine_never_imports_the_ui(module):
    if is_within(module, "cnnviz.engine"):
        wrong = [n for n in own_imports(MODULES[module]) if is_within(n, "cnnviz.ui")]
        assert not wrong, f"{module} imports {wrong}"


@pytest.mark.parametrize("module", MODULES)
def test_the_streamlit_side_reaches_only_the_engines_client(module):
    if is_within(module, "cnnviz.ui") or module in ENGINE_CLIENT_SIDE:
        engine = [n for n in own_imports(MODULES[module]) if is_within(n, "cnnviz.engine")]
        wrong = [n for n in engine if n not in ENGINE_CLIENT_SIDE]
        assert not wrong, f"{module} imports the engine's server side: {wrong}"


@pytest.mark.parametrize("page", PAGES, ids=lambda path: path.name)
def test_pages_use_the_ui_and_the_core_only(page):
    names = imports(page)
    wrong = [n for n in names if is_within(n, "cnnviz.engine") or n in ("tensorflow", "keras")]
    assert not wrong, f"{page.name} imports {wrong}"
    assert len(page.read_text().splitlines()) <= 110, f"{page.name} is longer than a lesson"


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components of a directed graph."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in graph.get(node, ()):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            found.append(component)

    for node in graph:
        if node not in index:
            visit(node)
    return found


def test_there_are_no_import_cycles():
    graph = {module: own_imports(path) & MODULES.keys() for module, path in MODULES.items()}
    cycles = [c for c in strongly_connected(graph) if len(c) > 1 or c[0] in graph[c[0]]]
    assert not cycles, f"import cycles: {cycles}"


def test_the_cycle_finder_finds_a_cycle():
    assert sorted(map(sorted, strongly_connected({"a": {"b"}, "b": {"a"}, "c": {"a"}}))) == [
        ["a", "b"],
        ["c"],
    ]


@pytest.mark.parametrize("package", [m for m, p in MODULES.items() if p.name == "__init__.py"])
def test_no_package_exports_a_name_that_is_also_one_of_its_modules(package):
    exported = set()
    for node in ast.walk(ast.parse(MODULES[package].read_text())):
        if isinstance(node, ast.ImportFrom) and is_within(node.module or "", package):
            exported.update(alias.asname or alias.name for alias in node.names)
    modules = {m.rsplit(".", 1)[-1] for m in MODULES if m.rsplit(".", 1)[0] == package != m}
    assert not exported & modules, f"{package} exports {sorted(exported & modules)}, which are "
    "also its modules' names: `package.name` would mean two things"


# Importing has no side effects: one interpreter imports every module in turn (Keras's side in
# a second one, as TensorFlow is slow to load) and reports what each import changed.
PROBE = r"""
import io, json, logging, os, socket, sys, tempfile, threading, warnings

modules = json.loads(sys.argv[1])
for heavy in json.loads(sys.argv[2]):
    __import__(heavy)  # third-party libraries first: only cnnviz's own effects are measured
logging.getLogger("streamlit").setLevel(logging.ERROR)  # Streamlit's "no runtime" notices


def refuse(*args, **kwargs):
    raise OSError("network access while importing")


socket.socket.connect = refuse
socket.create_connection = refuse
results = {}
for module in modules:
    environment, folder = dict(os.environ), os.getcwd()
    temporary = set(os.listdir(tempfile.gettempdir()))
    threads = {thread.ident for thread in threading.enumerate()}
    out, err = io.StringIO(), io.StringIO()
    real = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = out, err
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            __import__(module)
        error = None
    except BaseException as exception:
        error = f"{type(exception).__name__}: {exception}"
    finally:
        sys.stdout, sys.stderr = real
    problems = []
    if error:
        problems.append(error)
    if out.getvalue() or err.getvalue():
        problems.append(f"printed {(out.getvalue() + err.getvalue())[:200]!r}")
    if caught:
        problems.append(f"warned {[str(w.message)[:120] for w in caught]}")
    changed = {k for k in environment.keys() | os.environ.keys()
               if environment.get(k) != os.environ.get(k)}
    if changed:
        problems.append(f"changed the environment: {sorted(changed)}")
    if os.getcwd() != folder:
        problems.append("changed the working folder")
    if set(os.listdir(tempfile.gettempdir())) != temporary:
        problems.append("wrote to the temporary folder")
    if {thread.ident for thread in threading.enumerate()} - threads:
        problems.append("started a thread")
    results[module] = problems
print(json.dumps(results))
"""
LIGHT_LIBRARIES = ["numpy", "cv2", "PIL.Image", "scipy", "plotly.graph_objects", "pandas"]
LIGHT_LIBRARIES += ["streamlit", "sklearn"]
RAY_LIBRARIES = [*LIGHT_LIBRARIES, "ray", "ray.serve", "grpc"]


@cache
def import_effects() -> dict[str, list[str]]:
    light = [m for m in MODULES if not is_within(m, KERAS_SIDE) and not is_within(m, RAY_SIDE)]
    heavy = [m for m in MODULES if is_within(m, KERAS_SIDE)]
    groups = [(light, LIGHT_LIBRARIES), (heavy, ["tensorflow", "keras"])]
    if importlib.util.find_spec("ray") is not None:  # the optional backend's own interpreter
        groups.append(([m for m in MODULES if is_within(m, RAY_SIDE)], RAY_LIBRARIES))
    results = {}
    for modules, libraries in groups:
        done = subprocess.run(
            [sys.executable, "-c", PROBE, json.dumps(modules), json.dumps(libraries)],
            cwd=REPO,
            capture_output=True,
            text=True,
            timeout=300,
            env={**os.environ, "TF_CPP_MIN_LOG_LEVEL": "3"},
        )
        assert done.returncode == 0, done.stderr[-2000:]
        results |= json.loads(done.stdout.strip().splitlines()[-1])
    return results


@pytest.mark.slow
@pytest.mark.parametrize("module", MODULES)
def test_importing_a_module_has_no_side_effects(module):
    if is_within(module, RAY_SIDE) and importlib.util.find_spec("ray") is None:
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail("CI installs requirements-ray.txt")
        pytest.skip("Ray is not installed: pip install -r requirements-ray.txt")
    assert import_effects()[module] == [], f"importing {module}: {import_effects()[module]}"


@pytest.mark.slow
def test_running_every_page_leaves_tensorflow_unimported():
    pages = [str(path.relative_to(REPO)) for path in PAGES[1:]]
    code = (
        "import sys\n"
        "from streamlit.testing.v1 import AppTest\n"
        f"for page in {pages!r}:\n"
        "    at = AppTest.from_file('app.py', default_timeout=120)\n"
        "    at.switch_page(page)\n"
        "    at.run()\n"
        "    assert not at.exception, (page, at.exception)\n"
        "print(len(" + repr(pages) + "), 'tensorflow' in sys.modules, 'keras' in sys.modules)"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip().splitlines()[-1] == f"{len(pages)} False False"


DOCUMENTS = [*MODULES.values(), *PAGES, REPO / "README.md", REPO / "assets" / "README.md"]
DOCUMENTS += sorted((REPO / "bench").rglob("*.py"))


def named_in(text: str) -> set[str]:
    """Every dotted `cnnviz...` name a text mentions."""
    return set(re.findall(r"\bcnnviz(?:\.[A-Za-z_][A-Za-z0-9_]*)+", text))


def names_something(dotted: str) -> bool:
    """Whether `dotted` is a module of cnnviz, or a name defined at the top of one."""
    if dotted in MODULES:
        return True
    module, _, name = dotted.rpartition(".")
    if module not in MODULES:
        return False
    tree = ast.parse(MODULES[module].read_text())
    for node in tree.body:
        targets = []
        if isinstance(node, ast.FunctionDef | ast.ClassDef):
            targets = [node.name]
        elif isinstance(node, ast.Assign):
            targets = [t.id for t in node.targets if isinstance(t, ast.Name)]
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            targets = [node.target.id]
        elif isinstance(node, ast.ImportFrom):
            targets = [alias.asname or alias.name for alias in node.names]
        if name in targets:
            return True
    return False


@pytest.mark.parametrize("document", DOCUMENTS, ids=lambda p: str(p.relative_to(REPO)))
def test_every_module_a_text_names_exists(document):
    wrong = sorted(d for d in named_in(document.read_text()) if not names_something(d))
    assert not wrong, f"{document.relative_to(REPO)} names what the tree does not have: {wrong}"
