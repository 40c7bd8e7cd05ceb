"""The app's own HTTP routes, beside Streamlit's (``app.py`` makes the server an ``st.App`` that serves them):
``answer_new_sentence``, a new sentence drawn ahead of its rerun (``webapp.new_sentence``).

This module is imported before Streamlit's runtime starts, so it imports nothing with cached functions at
its top (their storage is chosen at their first call, in a run or a request; Streamlit's guide to ``st.App``):
what answers a request is imported when the first one comes.
"""

from __future__ import annotations

import json
import logging
import time

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route

NEW_SENTENCE = "attention-api/new-sentence"  # after the app's base path, as the page's own URL has it
MAX_BODY = 64 * 1024  # bytes of a request: a sentence the model reads is far shorter
_log = logging.getLogger(__name__)


async def answer_new_sentence(request: Request) -> Response:
    """POST {"token", "role", "text"}: 200 with the live heatmap's bytes for the page's new sentence
    (``webapp.new_sentence.component_data``), or 204 (no content) where the page's rerun must draw it;
    400 for a request that is not one. Its ``Server-Timing`` header says how long the drawing's numbers took."""
    from webapp import new_sentence as drawn  # imports the models' caches

    body = await request.body()
    try:
        asked = json.loads(body) if len(body) <= MAX_BODY else None
        fields = [asked[name] for name in ("token", "role", "text")] if isinstance(asked, dict) else None
    except (ValueError, KeyError):
        fields = None
    if not fields or not all(isinstance(value, str) for value in fields):
        return Response(status_code=400)
    started = time.perf_counter()
    try:
        data = await run_in_threadpool(drawn.component_data, *fields)
    except Exception:  # the rerun draws the page and says there what went wrong
        _log.exception("a new sentence could not be drawn ahead of its rerun")
        data = None
    timing = {"Server-Timing": f"view;dur={(time.perf_counter() - started) * 1000:.1f}", "Cache-Control": "no-store"}
    if data is None:
        return Response(status_code=204, headers=timing)
    return Response(data, media_type="application/octet-stream", headers=timing)


# The page's URL is the app's base path and the page's name, and the chart asks at the base path it is under:
# none, ``server.baseUrlPath`` or a proxy's.
ROUTES = [
    Route(f"/{NEW_SENTENCE}", answer_new_sentence, methods=["POST"]),
    Route(f"/{{base:path}}/{NEW_SENTENCE}", answer_new_sentence, methods=["POST"]),
]
