"""Shared fixtures: the real embedded model, loaded once per test run."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

from attention import load_encoder


@pytest.fixture(scope="session")
def encoder():
    """The embedded all-MiniLM-L6-v2, the same model the app uses by default."""
    return load_encoder()


def decode_array(value) -> np.ndarray:
    """A Plotly figure field as numpy: Plotly 7 sends numpy arrays as typed arrays
    ({"dtype", "bdata", "shape"}) and plain lists as lists."""
    if isinstance(value, dict) and "bdata" in value:
        array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=np.dtype(value["dtype"]))
        shape = value.get("shape")
        if shape:
            array = array.reshape([int(s) for s in str(shape).split(",")])
        return array
    return np.asarray(value, dtype=float)


def chart_spec(app_test) -> dict:
    """The JSON figure of the first Plotly chart on an AppTest page."""
    charts = app_test.get("plotly_chart")
    assert charts, "the page shows no chart"
    return json.loads(charts[0].proto.spec)


@pytest.fixture(scope="session")
def server():
    """One `streamlit run app.py` for every browser test (skips, or fails in CI, without chromium)."""
    from tests.browser import ARTIFACTS, StreamlitServer, chromium_path

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    chromium_path()
    server = StreamlitServer()
    yield server
    server.stop()


@pytest.fixture(scope="module")
def browser():
    """Debian's Chromium driven by Playwright, closed after each module: Playwright's sync API keeps an
    event loop running meanwhile, and other modules (the load test) start event loops of their own."""
    from playwright.sync_api import sync_playwright

    from tests.browser import CHROMIUM_FLAGS, chromium_path

    executable = chromium_path()
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()
