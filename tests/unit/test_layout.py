"""The project's layout holds: the library knows nothing of Streamlit or a browser, pages hold no numpy work,
the navigation lists exactly the pages there are, and test files share helpers only through tests/helpers.py."""

from __future__ import annotations

import ast
import re
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

LIBRARY = sorted((ROOT / "attention").rglob("*.py"))
PAGE_FILES = sorted((ROOT / "pages").glob("*.py"))
TEST_FILES = sorted(path for path in (ROOT / "tests").rglob("*.py") if "data" not in path.parts)
TEST_GROUPS = ("unit", "app", "browser", "load")  # what a test needs: the library, AppTest, Chromium, servers
FRONT_END = {"streamlit", "playwright"}
SHARED_TEST_MODULES = {"tests.helpers", "tests.hostile_strings"}


def imported_modules(path: Path, package: str | None = None) -> set[str]:
    """Every name ``path`` imports, at the top or inside a function, in full: ``import a.b`` gives ``a.b``,
    ``from a.b import c`` gives ``a.b`` and ``a.b.c``; relative imports are resolved against ``package``
    (by default the file's own package in the repository)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    if package is None:
        package = ".".join(path.relative_to(ROOT).parent.parts)
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parent = package.split(".")[: len(package.split(".")) - (node.level - 1)]
                base = ".".join([*parent, base] if base else parent)
            names.add(base)
            names |= {f"{base}.{alias.name}" for alias in node.names}
    return names


def top_level(names: set[str]) -> set[str]:
    return {name.split(".")[0] for name in names}


def test_the_files_are_found():
    assert len(LIBRARY) >= 10 and any(path.parent.name == "i18n" for path in LIBRARY)
    assert len(PAGE_FILES) >= 5 and len(TEST_FILES) >= 15


@pytest.mark.parametrize("path", LIBRARY, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_library_imports_neither_streamlit_nor_playwright(path):
    assert not top_level(imported_modules(path)) & FRONT_END, imported_modules(path) & FRONT_END


def test_the_check_sees_imports_inside_functions(tmp_path):
    """The import check above would catch a lazy import too, and a relative one."""
    module = tmp_path / "lazy.py"
    module.write_text("def f():\n    import streamlit as st\n    from playwright.sync_api import sync_playwright\n")
    assert {"streamlit", "playwright"} <= top_level(imported_modules(module, package="attention"))
    module.write_text("from . import embeddings\nfrom ..webapp import cache\n")
    assert imported_modules(module, package="attention.i18n") >= {"attention.i18n.embeddings", "attention.webapp.cache"}


def test_importing_the_library_and_its_command_line_loads_no_streamlit():
    code = (
        "import sys, attention, attention.cli, attention.settings_table, attention.examples\n"
        "loaded = sorted(m for m in sys.modules if m.split('.')[0] in ('streamlit', 'playwright'))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr


@pytest.mark.parametrize("path", PAGE_FILES, ids=lambda p: p.name)
def test_pages_do_no_numpy_work(path):
    """A page lays out what the library and webapp compute; arrays are made elsewhere."""
    assert not top_level(imported_modules(path)) & {"numpy", "torch", "pandas"}, imported_modules(path)


def test_every_page_is_in_the_navigation_and_every_listed_page_exists():
    from webapp.navigation import PAGES

    listed = [path for path, *_ in PAGES]
    assert len(listed) == len(set(listed))
    for path in listed:
        assert (ROOT / path).is_file(), path
    assert {str(path.relative_to(ROOT)) for path in PAGE_FILES} == set(listed)
    urls = [url for _, url, *_ in PAGES]
    assert urls[:5] == ["", "Cross_Attention", "Self_Attention", "Step_by_Step", "Model_Heads"]  # links keep working


def foreign_test_imports(path: Path) -> list[str]:
    """What ``path`` imports from test modules other than the shared ones: another test file, conftest."""
    found = []
    for name in imported_modules(path, package="tests"):
        first = name.split(".")[0]
        if first == "conftest" or first.startswith("test_"):
            found.append(name)
        elif first == "tests" and name != "tests":
            if not any(name == shared or name.startswith(shared + ".") for shared in SHARED_TEST_MODULES):
                found.append(name)
    return sorted(found)


@pytest.mark.parametrize("path", TEST_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_test_files_share_only_the_helpers(path):
    """No test module imports another test module or conftest: shared code is in tests/helpers.py
    (and the hostile-string corpus in tests/hostile_strings.py)."""
    assert foreign_test_imports(path) == []


@pytest.mark.parametrize(
    "source",
    [
        "from tests.conftest import chart_spec",
        "from tests.test_pages import run",
        "import conftest",
        "from tests import test_pages",
        "from test_pages import run",
        "def f():\n    from tests.browser import ARTIFACTS",
    ],
)
def test_the_check_catches_a_test_importing_another(tmp_path, source):
    module = tmp_path / "test_x.py"
    module.write_text(source + "\n")
    assert foreign_test_imports(module)
    module.write_text("from tests.helpers import run\nfrom tests import hostile_strings\n")
    assert foreign_test_imports(module) == []


# --- the settings table is a leaf -----------------------------------------------------------------------

SETTINGS_LEAVES = {"attention.examples", "attention.i18n", "attention.models", "attention.options"}
DRAWING_AND_PAGES = (
    "plotly",
    "attention.figures",
    "attention.style",
    "attention.heatmap_payload",
    "attention.compare",
    "attention.views",
    "attention.translation",
    "torch",
    "transformers",
    "streamlit",
    "webapp",
    "pages",
)


def test_the_settings_table_imports_no_drawing_or_page_code():
    """attention.settings_table, imported alone, loads none of the code that computes or draws: its choices and
    defaults come from leaves (attention.options, the model registry attention.models)."""
    code = (
        "import sys, attention.settings_table\n"
        f"heavy = {DRAWING_AND_PAGES!r}\n"
        "loaded = sorted(m for m in sys.modules if any(m == h or m.startswith(h + '.') for h in heavy))\n"
        "assert not loaded, loaded\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr


def test_the_app_never_imports_sentence_transformers():
    """sentence-transformers is a reference for the tests and bench/headview.py only: the app reads model folders
    with transformers (attention.embeddings); importing sentence-transformers would add its import, scikit-learn's
    with it, to every cold start."""
    app = [ROOT / "app.py", *LIBRARY, *PAGE_FILES, *sorted((ROOT / "webapp").rglob("*.py"))]
    app += sorted((ROOT / "deploy").rglob("*.py"))
    assert len(app) > len(LIBRARY) + len(PAGE_FILES) + 2
    importing = [
        str(path.relative_to(ROOT)) for path in app if "sentence_transformers" in top_level(imported_modules(path))
    ]
    assert importing == []


def test_the_settings_table_and_its_leaves_import_only_leaves():
    """Statically: settings_table.py imports only the leaf modules (and the standard library), and they import no
    other part of the library at the top (a model's loader imports its package only when it loads)."""
    table = ROOT / "attention" / "settings_table.py"
    settings = {name for name in imported_modules(table) if name.startswith("attention")}
    assert {name.rsplit(".", 1)[0] if name not in SETTINGS_LEAVES else name for name in settings} <= SETTINGS_LEAVES
    for leaf in SETTINGS_LEAVES - {"attention.i18n"}:
        tree = ast.parse((ROOT / (leaf.replace(".", "/") + ".py")).read_text())
        top = {node.module for node in tree.body if isinstance(node, ast.ImportFrom)}
        top |= {alias.name for node in tree.body if isinstance(node, ast.Import) for alias in node.names}
        assert {name for name in top if name.startswith("attention")} <= SETTINGS_LEAVES, leaf


def test_the_colour_scale_names_are_the_styles():
    """The settings table offers the colour scales by name (attention.options); attention.style holds their
    colours and must have the same names, in the same order."""
    from attention import options, style

    assert tuple(style.WEIGHT_SCALES) == options.WEIGHT_SCALE_NAMES


# --- bench/ and deploy/: deploy/ runs without bench/, and no import cycle passes through either

TOOL_PACKAGES = ("bench", "deploy")
HARNESS_NAMES = ("CHROMIUM_FLAGS", "find_chromium", "free_port", "rss_mb", "StreamlitServer", "AppSession")


def package_imports(package: str) -> set[str]:
    """The repository's other top-level packages that any module of ``package`` imports."""
    found: set[str] = set()
    for path in sorted((ROOT / package).rglob("*.py")):
        found |= top_level(imported_modules(path))
    return {name for name in found if (ROOT / name / "__init__.py").is_file()} - {package}


def reaches(start: str, goal: str) -> bool:
    """Whether ``goal`` is imported by ``start`` or by any package ``start`` imports, and so on."""
    seen, todo = set(), [start]
    while todo:
        for name in package_imports(todo.pop()) - seen:
            if name == goal:
                return True
            seen.add(name)
            todo.append(name)
    return False


@pytest.mark.parametrize("path", sorted((ROOT / "deploy").rglob("*.py")), ids=lambda p: p.name)
def test_deploy_imports_nothing_from_bench(path):
    assert "bench" not in top_level(imported_modules(path)), imported_modules(path)


@pytest.mark.parametrize("package", TOOL_PACKAGES)
def test_no_import_cycle_passes_through_bench_or_deploy(package):
    assert package_imports("bench") >= {"deploy"}  # the one direction: bench uses deploy's harness
    assert not reaches(package, package), package_imports(package)


def test_the_harness_is_written_once():
    """Starting the app, finding Chromium and the websocket client live in deploy/harness.py only."""
    for folder in ("bench", "deploy", "tests"):
        for path in sorted((ROOT / folder).rglob("*.py")):
            if path == ROOT / "deploy" / "harness.py":
                continue
            defined = {
                target.id if isinstance(target, ast.Name) else getattr(target, "name", None)
                for node in ast.parse(path.read_text()).body
                for target in (node.targets if isinstance(node, ast.Assign) else [node])
            }
            assert not defined & set(HARNESS_NAMES), (path, defined & set(HARNESS_NAMES))


def test_deploy_runs_where_bench_cannot_be_imported():
    """A machine with the app and deploy/ but no bench/: the hall, its harness and its --help still work."""
    code = (
        "import runpy, sys\n"
        "class NoBench:\n"
        "    def find_spec(self, name, path=None, target=None):\n"
        "        if name.split('.')[0] == 'bench':\n"
        "            raise ModuleNotFoundError(f'{name} is blocked')\n"
        "sys.meta_path.insert(0, NoBench())\n"
        "try:\n"
        "    import bench\n"
        "    raise SystemExit('the blocker let bench through')\n"
        "except ModuleNotFoundError:\n"
        "    pass\n"
        "import deploy.harness, deploy.lecture_hall\n"
        "deploy.harness.AppSession('http://127.0.0.1:1')\n"
        "sys.argv = ['lecture_hall', '--help']\n"
        "try:\n"
        "    runpy.run_module('deploy.lecture_hall', run_name='__main__')\n"
        "except SystemExit as done:\n"
        "    assert done.code == 0, done.code\n"
        "assert not [m for m in sys.modules if m.split('.')[0] == 'bench']\n"
    )
    done = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=240)
    assert done.returncode == 0, done.stderr
    assert "--processes" in done.stdout and "--allow-models" in done.stdout, done.stdout


def test_the_front_ends_map_lists_exactly_its_files():
    """webapp/__init__.py's map of the package names every file in webapp/ and no file that is gone."""
    map_text = (ROOT / "webapp" / "__init__.py").read_text()
    listed = set(re.findall(r"^ {4}(\S+\.(?:py|js|css)) ", map_text, re.M))
    files = {path.name for path in (ROOT / "webapp").iterdir() if path.suffix in (".py", ".js", ".css")}
    assert listed == files - {"__init__.py"}, (listed, files)


@pytest.mark.parametrize(
    "path",
    [path for path in TEST_FILES if path.name.startswith("test_") and path.name != "test_layout.py"],  # not the checker
    ids=lambda p: str(p.relative_to(ROOT)),
)
def test_each_test_file_is_in_the_group_of_what_it_needs(path):
    """tests/unit needs the library only, tests/app runs pages under AppTest, tests/browser drives Chromium,
    tests/load starts servers (and nginx) or runs long (soak): a file sits in the group of the most it needs."""
    group = path.relative_to(ROOT / "tests").parts[0]
    assert group in TEST_GROUPS, path
    source = path.read_text()
    needs = {
        "load": bool(re.search(r"LectureHall|run_load|StreamlitServer\(|wait_for_health\(|pytest\.mark\.slow", source)),
        "browser": bool(re.search(r"pytest\.mark\.browser|chromium_path\(", source)),
        "app": bool(re.search(r"\bopen_app\(|\bAppTest\b|\brun\((CROSS|SELF|STEPS|HEADS)", source)),
    }
    most = next((name for name in ("load", "browser", "app") if needs[name]), "unit")
    assert group == most, f"{path.name} needs {most} but sits in tests/{group}"
