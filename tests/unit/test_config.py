"""The server's protections stay on, and no code path lets user text become HTML or a model run its own code."""

from __future__ import annotations

import re
import tomllib

import pytest

from tests.helpers import ROOT

CONFIG = ROOT / ".streamlit" / "config.toml"
APP_FILES = sorted(
    [ROOT / "app.py", *(path for folder in ("pages", "webapp", "attention") for path in (ROOT / folder).glob("*.py"))]
)


@pytest.fixture(scope="module")
def config() -> dict:
    return tomllib.loads(CONFIG.read_text())


def test_xsrf_protection_is_on(config):
    """Streamlit checks an XSRF token on uploads and websocket messages; off, another site could drive a session."""
    assert config.get("server", {}).get("enableXsrfProtection") is True


def test_cors_protection_is_on(config):
    """enableCORS = true is Streamlit's protection (only the app's own origin); false opens the server to all."""
    assert config.get("server", {}).get("enableCORS") is True


def test_the_app_files_are_all_checked():
    names = {path.name for path in APP_FILES}
    expected = {"app.py", "embeddings.py", "figures.py", "settings_table.py", "page_figures.py", "controls.py"}
    expected |= {"session.py"}
    assert expected <= names
    assert {"pages", "webapp", "attention"} <= {path.parent.name for path in APP_FILES}


@pytest.mark.parametrize("path", APP_FILES, ids=lambda p: str(p.relative_to(ROOT)))
def test_no_file_lets_text_through_as_html(path):
    source = path.read_text()
    assert "unsafe_allow_html" not in source
    # st.html of one of the app's own style sheets (a Path constant named *_CSS) injects CSS, never text
    source = re.sub(r"\bst\.html\(\s*[A-Z_]+_CSS\s*\)", "", source)
    assert not re.search(r"\bst\.html\s*\(|components\.v1|\.html\(\s*f?[\"']", source), "raw HTML output"


@pytest.mark.parametrize(
    "path", sorted([*(ROOT / "attention").glob("*.py"), *(ROOT / "webapp").glob("*.py")]), ids=lambda p: p.name
)
def test_no_model_is_loaded_with_its_own_code(path):
    assert not re.search(r"trust_remote_code\s*=\s*True", path.read_text())


def test_static_serving_publishes_plotly_js_only(config):
    """Static serving publishes ./static to anyone who can reach the server: it holds plotly.js
    (copied there for the live heatmap) and nothing else, and git keeps nothing else there either."""
    assert config["server"]["enableStaticServing"] is True
    static = ROOT / "static"
    assert {p.name for p in static.iterdir()} <= {".gitignore", "plotly.min.js"}
    assert (static / ".gitignore").read_text().splitlines()[1:] == ["*", "!.gitignore"]
