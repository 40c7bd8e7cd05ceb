"""A new sentence drawn ahead of its rerun (webapp/new_sentence.py, served by webapp/server.py through app.py).

The browser draws what the route answers and then lets the page rerun; the rerun's bytes must be the very bytes
drawn, or the picture would change under the user's eyes a moment later. So the contract tested here, with the
real models: the route's answer for a sentence equals, byte for byte, what the page's own run sends for it.
"""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest
from streamlit.web.server.app_discovery import discover_asgi_app

from attention.examples import LECTURE_SOURCE
from tests.helpers import APP, CROSS, SELF, live_charts, open_app, set_widgets
from webapp import new_sentence, server


def chart_bytes(at) -> bytes:
    (chart,) = live_charts(at)
    return chart.proto.bytes


def token_of(at) -> str:
    return at.session_state[new_sentence._TOKEN_KEY]


@pytest.mark.parametrize(
    ("page", "model", "role", "text"),
    [
        (CROSS, None, "target", "이것은 예시 문장이다"),  # the multilingual model, Hangul
        (CROSS, "all-MiniLM-L6-v2", "source", "the cat sat on the mat"),
        (SELF, None, "sentence", "猫がマットの上に座った"),  # kana and kanji, on self attention
    ],
)
def test_the_answer_is_the_bytes_the_rerun_sends(page, model, role, text):
    at = open_app(page, model=model) if model else open_app(page, model=None)
    token = token_of(at)
    answered = new_sentence.component_data(token, role, text)
    assert answered is not None
    set_widgets(at, **{role: text})
    assert chart_bytes(at) == answered


def test_the_answer_follows_the_pages_settings():
    """The page's own settings (a real head, a causal mask, presentation size, Korean labels) go into the answer:
    what the rerun would draw, not a default figure."""
    at = open_app(SELF, query={"lang": "ko", "causal": "true", "projection": "head", "layer": "2", "head": "7"})
    text = "the bank of the river"
    answered = new_sentence.component_data(token_of(at), "sentence", text)
    set_widgets(at, sentence=text)
    assert chart_bytes(at) == answered
    chrome = json.loads(answered[4 : 4 + int.from_bytes(answered[:4], "little")])["chrome"]
    assert chrome["new_sentence"]["roles"] == ["sentence"]
    assert chrome["labels"]["temperature"] == "온도"  # the page's language


def test_no_drawing_where_the_rerun_must_speak_or_the_page_is_not_known():
    at = open_app(CROSS)
    token = token_of(at)
    assert new_sentence.component_data(token, "source", "   ") is None  # blank: the rerun says why
    assert new_sentence.component_data(token, "sentence", "a dog") is None  # not a field of this page
    assert new_sentence.component_data("not-a-token", "source", "a dog") is None
    assert new_sentence.component_data(token, "source", LECTURE_SOURCE) is not None


def test_each_session_has_its_own_token_and_its_own_page():
    first, second = open_app(CROSS), open_app(SELF)
    assert token_of(first) != token_of(second)
    assert new_sentence.component_data(token_of(first), "sentence", "a dog") is None  # the other page's field
    assert new_sentence.component_data(token_of(second), "sentence", "a dog") is not None


def test_the_oldest_pages_are_forgotten_first():
    page = new_sentence.DrawnPage("m", {"sentence": "s"}, None, None, "en", {}, {})
    saved = dict(new_sentence._pages)
    try:
        for index in range(new_sentence.MAX_PAGES + 5):
            new_sentence.remember(f"t{index}", page)
        assert len(new_sentence._pages) == new_sentence.MAX_PAGES
        assert "t4" not in new_sentence._pages and f"t{new_sentence.MAX_PAGES + 4}" in new_sentence._pages
    finally:
        new_sentence._pages.clear()
        new_sentence._pages.update(saved)


# --- the route itself, as an ASGI call ----------------------------------------------------------------


def post(path: str, body: bytes) -> tuple[int, dict[str, str], bytes]:
    """POST ``body`` to ``path`` through the app's routes (what the server serves); (status, headers, body)."""
    from starlette.routing import Router

    scope = {
        "type": "http",
        "method": "POST",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "headers": [(b"content-type", b"application/json")],
        "scheme": "http",
        "server": ("testserver", 80),
        "root_path": "",
    }
    sent = []
    received = [{"type": "http.request", "body": body, "more_body": False}]

    async def receive():
        return received.pop(0) if received else {"type": "http.disconnect"}

    async def send(message):
        sent.append(message)

    asyncio.run(Router(routes=server.ROUTES)(scope, receive, send))
    start = next(m for m in sent if m["type"] == "http.response.start")
    headers = {k.decode(): v.decode() for k, v in start["headers"]}
    return start["status"], headers, b"".join(m.get("body", b"") for m in sent if m["type"] == "http.response.body")


def test_the_route_answers_the_bytes_at_any_base_path():
    at = open_app(CROSS)
    asked = json.dumps({"token": token_of(at), "role": "source", "text": "a dog ran"}).encode()
    expected = new_sentence.component_data(token_of(at), "source", "a dog ran")
    for path in (f"/{server.NEW_SENTENCE}", f"/hall/app/{server.NEW_SENTENCE}"):
        status, headers, body = post(path, asked)
        assert (status, body) == (200, expected)
        assert headers["content-type"] == "application/octet-stream" and headers["cache-control"] == "no-store"
        assert float(headers["server-timing"].split("dur=")[1]) > 0


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"token": "t", "role": "source"}).encode(),  # no text
        json.dumps({"token": "t", "role": "source", "text": 3}).encode(),
        json.dumps({"token": "t", "role": "source", "text": "a" * server.MAX_BODY}).encode(),  # too long
    ],
)
def test_a_request_that_is_not_one_is_refused(body):
    assert post(f"/{server.NEW_SENTENCE}", body)[0] == 400


def test_an_unknown_page_gets_no_drawing():
    asked = json.dumps({"token": "nobody", "role": "source", "text": "<b>a dog</b>"}).encode()
    status, _, body = post(f"/{server.NEW_SENTENCE}", asked)
    assert (status, body) == (204, b"")


def test_streamlit_run_app_py_serves_the_route():
    """``streamlit run app.py`` serves ``app`` (an st.App with the routes) where it finds one in the file; the
    page script itself runs as ``__main__`` (every AppTest here)."""
    found = discover_asgi_app(Path(APP))
    assert found.is_asgi_app and found.app_name == "app"
    source = Path(APP).read_text(encoding="utf-8")
    assert "st.App(__file__, routes=server.ROUTES)" in source
