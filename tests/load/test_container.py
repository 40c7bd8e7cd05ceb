"""The container image and the Kubernetes recipe, checked with the field's own tools and on this machine.

No image is built here (no container engine runs on the development machines): hadolint reads the
Dockerfile, kubernetes-validate checks every manifest against Kubernetes' own schemas, and the image's
entrypoint script runs outside a container the way the image runs it: from a copy of the build context
(the checkout filtered by .dockerignore), with the Dockerfile's own ENV lines (paths moved into a temporary
folder, PORT a free port), models prepared by the same `entrypoint.sh prepare` the build runs. Then
Chromium opens the cross page through it. docs/cluster.md says what this covers and what it does not.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from deploy.harness import free_port, rss_mb, wait_for_health
from tests.helpers import ARTIFACTS, ROOT, wait_for_ticks

DOCKERFILE = ROOT / "Dockerfile"
ENTRYPOINT = ROOT / "deploy" / "entrypoint.sh"
KUBERNETES = ROOT / "deploy" / "kubernetes"
CPU_INDEX = "https://download.pytorch.org/whl/cpu"


def tool(name: str) -> str:
    """A command-line tool from requirements-dev.txt (next to this Python, or on the PATH); skips where it is
    missing, except in CI, where that is a failure."""
    found = shutil.which(name, path=os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")]))
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail(f"{name} is not installed, and CI must run it (pip install -r requirements-dev.txt)")
    pytest.skip(f"{name} is not installed (pip install -r requirements-dev.txt)")


def instructions(dockerfile: Path = DOCKERFILE) -> list[tuple[str, str]]:
    """The Dockerfile's instructions in order, as (KEYWORD, arguments), continuation lines joined."""
    result, pending = [], ""
    for line in dockerfile.read_text().splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        if line.rstrip().endswith("\\"):
            pending += line.rstrip()[:-1] + " "
            continue
        whole = (pending + line).strip()
        pending = ""
        keyword, _, arguments = whole.partition(" ")
        result.append((keyword.upper(), arguments.strip()))
    return result


def image_environment(before_run: str | None = None) -> dict[str, str]:
    """The variables the Dockerfile's ENV lines set, in order; with ``before_run``, only those set before the
    first RUN that contains it (what that build step sees)."""
    env = {}
    for keyword, arguments in instructions():
        if keyword == "RUN" and before_run and before_run in arguments:
            return env
        if keyword == "ENV":
            env.update(item.split("=", 1) for item in shlex.split(arguments))
    assert before_run is None, f"no RUN containing {before_run!r}"
    return env


def pip_install(command_line: str) -> list[str]:
    """The ``pip install ...`` part of a shell line (``a && pip install ... && b``), as words."""
    for part in command_line.split("&&"):
        words = shlex.split(part)
        if words[:2] == ["pip", "install"]:
            return words
    raise AssertionError(f"no pip install in {command_line!r}")


def readme_cpu_routes() -> set[tuple[str, ...]]:
    """The README's CPU-only install command(s), as pip words: every `pip install` that names PyTorch's CPU
    index, in a code block's line or in inline code (the README has had it both ways)."""
    text = (ROOT / "README.md").read_text()
    lines = [line for line in text.splitlines() if line.lstrip().startswith("pip install")]
    spans = re.findall(r"`(pip install [^`]*)`", text)
    return {tuple(pip_install(command)) for command in lines + spans if CPU_INDEX in command}


def manifests() -> list[Path]:
    return sorted(path for path in KUBERNETES.glob("*.yaml") if path.name != "kustomization.yaml")


def documents() -> dict[str, dict]:
    """Every manifest's resource by kind."""
    found = {}
    for path in manifests():
        for document in yaml.safe_load_all(path.read_text()):
            found[document["kind"]] = document
    return found


# --- the field's linters -------------------------------------------------------------------------------


def test_hadolint_passes_the_dockerfile_with_no_warning():
    result = subprocess.run([tool("hadolint"), "--no-color", str(DOCKERFILE)], capture_output=True, text=True)
    assert (result.returncode, result.stdout + result.stderr) == (0, "")


def test_every_manifest_validates_strictly_against_kubernetes_schemas():
    validate = tool("kubernetes-validate")
    for path in manifests():
        result = subprocess.run([validate, "--strict", str(path)], capture_output=True, text=True)
        said = result.stdout + result.stderr
        assert result.returncode == 0, said
        assert "passed for resource" in said and "ERROR" not in said and "WARN" not in said, said


def test_the_kustomization_lists_every_manifest_and_builds():
    kustomization = yaml.safe_load((KUBERNETES / "kustomization.yaml").read_text())
    assert sorted(kustomization["resources"]) == sorted(path.name for path in manifests())
    kubectl = shutil.which("kubectl")
    if not kubectl:
        pytest.skip("kubectl is not installed: the kustomize build was not checked")
    built = subprocess.run([kubectl, "kustomize", str(KUBERNETES)], capture_output=True, text=True, check=True).stdout
    kinds = sorted(document["kind"] for document in yaml.safe_load_all(built))
    assert kinds == sorted(documents())
    result = subprocess.run([tool("kubernetes-validate"), "--strict", "-"], input=built, capture_output=True, text=True)
    assert result.returncode == 0 and "ERROR" not in result.stdout + result.stderr, result.stdout + result.stderr


# --- what the image and the manifests promise ------------------------------------------------------------


def test_the_image_installs_exactly_the_readmes_cpu_only_route():
    runs = [arguments for keyword, arguments in instructions() if keyword == "RUN" and "pip install" in arguments]
    assert len(runs) == 1
    readme = readme_cpu_routes()
    assert len(readme) == 1, f"the README should give one CPU-only route, found {readme}"
    assert tuple(pip_install(runs[0])) in readme
    assert f"--extra-index-url {CPU_INDEX}" in runs[0]


def test_the_dockerfile_follows_streamlits_pattern():
    steps = instructions()
    keywords = dict(steps)  # the last of each
    assert steps[0] == ("FROM", "python:3.11-slim")
    assert keywords["WORKDIR"] == "/app"
    assert keywords["EXPOSE"] == "8501"
    assert re.fullmatch(r"\d+:\d+", keywords["USER"]) and not keywords["USER"].startswith("0:")
    assert "entrypoint.sh" in keywords["HEALTHCHECK"] and "health" in keywords["HEALTHCHECK"]
    assert "/_stcore/health" in ENTRYPOINT.read_text()
    assert keywords["ENTRYPOINT"] == '["/app/deploy/entrypoint.sh"]'
    env = image_environment()
    assert env["ATTENTION_ALLOWED_MODELS"] == ""  # closed to models the image does not ship
    assert env["OMP_NUM_THREADS"] == "1" and env["HF_HUB_OFFLINE"] == "1"
    assert env["ATTENTION_CACHE_DIR"].startswith("/app/")
    assert all(env[name].startswith("/tmp") for name in ("HOME", "XDG_CACHE_HOME", "HF_HOME"))
    prepare = image_environment(before_run="entrypoint.sh prepare")
    assert prepare["ATTENTION_CACHE_DIR"] == env["ATTENTION_CACHE_DIR"]  # the models go where the app reads them


def test_the_manifests_keep_sessions_on_one_pod_and_the_pod_locked_down():
    found = documents()
    assert set(found) == {"Deployment", "Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget"}
    notes = found["Ingress"]["metadata"]["annotations"]
    prefix = "nginx.ingress.kubernetes.io/"
    assert notes[prefix + "affinity"] == "cookie" and notes[prefix + "affinity-mode"] == "persistent"
    assert notes[prefix + "session-cookie-name"]
    assert int(notes[prefix + "proxy-read-timeout"]) >= 3600 and int(notes[prefix + "proxy-send-timeout"]) >= 3600
    assert found["HorizontalPodAutoscaler"]["apiVersion"] == "autoscaling/v2"

    pod = found["Deployment"]["spec"]["template"]["spec"]
    (container,) = pod["containers"]
    user = instructions()
    assert str(pod["securityContext"]["runAsUser"]) == dict(user)["USER"].split(":")[0]
    assert pod["securityContext"]["runAsNonRoot"] is True
    security = container["securityContext"]
    assert security["allowPrivilegeEscalation"] is False and security["readOnlyRootFilesystem"] is True
    assert security["capabilities"]["drop"] == ["ALL"]
    mounts = {mount["mountPath"]: mount["name"] for mount in container["volumeMounts"]}
    assert "emptyDir" in next(volume for volume in pod["volumes"] if volume["name"] == mounts["/tmp"])
    assert container["startupProbe"]["exec"]["command"] == ["/app/deploy/entrypoint.sh", "warm"]
    for probe in ("readinessProbe", "livenessProbe"):
        assert container[probe]["httpGet"]["path"] == "/_stcore/health"
    sleep = int(container["lifecycle"]["preStop"]["exec"]["command"][-1])
    assert pod["terminationGracePeriodSeconds"] > sleep
    limits, requests = container["resources"]["limits"], container["resources"]["requests"]
    assert requests["cpu"] == "1" and limits["cpu"] == "2"  # one torch thread + the event loop (OMP_NUM_THREADS=1)
    env = {item["name"]: item["value"] for item in container["env"]}
    assert env["OMP_NUM_THREADS"] == "1" and env["ATTENTION_ALLOWED_MODELS"] == ""


# --- the build context --------------------------------------------------------------------------------------


def ignored(relative: str, patterns: list[str]) -> bool:
    """Whether .dockerignore keeps ``relative`` (a path inside the context) out, by Docker's rules: the last
    matching pattern decides, ``!`` lets a path back in, a pattern matching a folder covers what is inside,
    ``**/`` matches any depth (also none)."""
    parts = relative.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for pattern in patterns:
        negated = pattern.startswith("!")
        pattern = pattern.lstrip("!").strip("/")
        candidates = [pattern, pattern[3:]] if pattern.startswith("**/") else [pattern]
        if any(fnmatch.fnmatchcase(prefix, candidate) for prefix in prefixes for candidate in candidates):
            verdict = not negated
    return verdict


def build_context(into: Path) -> Path:
    """Copy what `docker build .` would send from this checkout: every file .dockerignore does not exclude."""
    lines = (ROOT / ".dockerignore").read_text().splitlines()
    patterns = [line.strip() for line in lines if line.strip() and not line.startswith("#")]
    for folder, subfolders, files in os.walk(ROOT):
        here = Path(folder).relative_to(ROOT)
        subfolders[:] = [name for name in subfolders if not ignored((here / name).as_posix(), patterns)]
        for name in files:
            relative = (here / name).as_posix()
            if not ignored(relative, patterns):
                (into / relative).parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(ROOT / relative, into / relative)
    return into


def test_the_build_context_holds_the_app_and_nothing_of_the_workshop(tmp_path):
    context = build_context(tmp_path)
    for needed in ("app.py", "requirements.txt", ".streamlit/config.toml", "deploy/entrypoint.sh", "pages"):
        assert (context / needed).exists(), needed
    assert os.access(context / "deploy" / "entrypoint.sh", os.X_OK)
    for left_out in (".venv", ".git", "tests", "bench", "docs", "static/plotly.min.js", "Dockerfile"):
        assert not (context / left_out).exists(), left_out
    assert not list(context.rglob("__pycache__"))


# --- the entrypoint, run as the image runs it ------------------------------------------------------------


def snapshot(*folders: Path) -> dict[str, tuple[int, int]]:
    """Every file and folder under ``folders`` (symlinks not followed) with its size and modification time."""
    seen = {}
    for top in folders:
        for folder, subfolders, files in os.walk(top):
            for name in subfolders + files:
                path = Path(folder) / name
                status = path.lstat()
                seen[str(path)] = (status.st_size, status.st_mtime_ns)
    return seen


class Served:
    """The entrypoint serving a copy of the build context; see the ``served`` fixture."""

    def __init__(self, root: Path):
        self.app = build_context(root / "app")
        self.cache = root / "cache"
        self.home = root / "home"
        self.tmp = root / "tmp"
        for folder in (self.cache, self.home, self.tmp):
            folder.mkdir()
        from attention.decoder import decoder_folder, is_fetched

        if is_fetched():  # the user cache's language model (517 MB), instead of fetching it again
            (self.cache / decoder_folder().name).symlink_to(decoder_folder())
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ARTIFACTS / "container-entrypoint.log"
        ARTIFACTS.mkdir(exist_ok=True)

    def environment(self, image_env: dict[str, str]) -> dict[str, str]:
        """This process's environment with the image's variables on top, its paths moved here."""
        env = {**os.environ, **image_env}
        for name, value in image_env.items():
            if value.startswith("/tmp"):
                env[name] = str(self.home) + value[len("/tmp") :]
        env["ATTENTION_CACHE_DIR"] = str(self.cache)
        env["PORT"] = str(self.port)
        env["TMPDIR"] = str(self.tmp)
        env["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])
        return env

    def run(self, *arguments: str, timeout: float = 600) -> subprocess.CompletedProcess:
        return subprocess.run(
            [str(self.app / "deploy" / "entrypoint.sh"), *arguments],
            cwd=self.tmp,
            env=self.environment(image_environment()),
            capture_output=True,
            text=True,
            timeout=timeout,
        )


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """`entrypoint.sh prepare` into an empty cache, then `entrypoint.sh` serving on a free port, from a copy of
    the build context, with the Dockerfile's environment; stopped (SIGTERM) by the last test or at the end."""
    served = Served(tmp_path_factory.mktemp("container"))
    prepare = subprocess.run(
        [str(served.app / "deploy" / "entrypoint.sh"), "prepare"],
        cwd=served.tmp,
        env=served.environment(image_environment(before_run="entrypoint.sh prepare")),
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert prepare.returncode == 0, prepare.stdout + prepare.stderr
    assert "prepared:" in prepare.stdout
    served.prepared = snapshot(served.app, served.cache)
    with served.log.open("w") as log:
        served.process = subprocess.Popen(
            [str(served.app / "deploy" / "entrypoint.sh")],
            cwd=served.tmp,
            env=served.environment(image_environment()),
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    try:
        assert wait_for_health(served.url, served.process, timeout=120), served.log.read_text()[-3000:]
        yield served
    finally:
        if served.process.poll() is None:
            served.process.kill()
            served.process.wait(timeout=15)


@pytest.mark.load  # starts a server, as the lecture-hall tests do: outside the quick tier
def test_prepare_made_every_model_into_the_cache_and_nothing_into_home(served):
    from attention.decoder import is_fetched
    from attention.multilingual import MARKER

    assert is_fetched(served.cache)
    assert [path.parent.name for path in served.cache.glob("multilingual-e5-small-*/" + MARKER)]
    assert (served.app / "static" / "plotly.min.js").is_file()  # the live heatmap's plotly.js, copied at build time
    assert not list(served.home.rglob("*")), "prepare wrote into HOME"


@pytest.mark.load  # starts a server, as the lecture-hall tests do: outside the quick tier
def test_health_and_warm_answer_as_the_probes_expect(served):
    health = served.run("health", timeout=30)
    assert health.returncode == 0, health.stderr
    warm = served.run("warm", timeout=120)  # the startup probe: the cross page run once, the model loaded
    assert warm.returncode == 0, warm.stderr[-2000:]
    nobody = subprocess.run(
        [str(served.app / "deploy" / "entrypoint.sh"), "health"],
        env={**served.environment(image_environment()), "PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=30,
    )
    assert nobody.returncode != 0  # nothing listens there


@pytest.mark.browser
@pytest.mark.load
def test_chromium_sees_the_cross_pages_heatmap_through_the_entrypoint(served, browser):
    from tests.helpers import watched_page

    with watched_page(browser) as page:
        page.goto(f"{served.url}/Cross_Attention")
        page.wait_for_selector(".js-plotly-plot .heatmaplayer", timeout=120_000)
        wait_for_ticks(page, "x", ["this", "is", "an", "example"], timeout=60_000)
        wait_for_ticks(page, "y", ["これは", "例", "です"])
        page.wait_for_timeout(500)
        page.screenshot(path=ARTIFACTS / "container_cross.png", full_page=True)
        assert page.errors == []
    print(f"entrypoint's process after the page: {rss_mb(served.process.pid):.0f} MiB resident")


@pytest.mark.load  # starts a server, as the lecture-hall tests do: outside the quick tier
def test_the_server_stops_on_sigterm_and_wrote_nothing_but_tmp(served):
    served.process.send_signal(signal.SIGTERM)  # what Kubernetes sends after the preStop sleep
    # app.py is an st.App, which `streamlit run` serves with uvicorn: uvicorn shuts down cleanly on SIGTERM, then
    # raises the signal again so that the exit status says what stopped it (143 in a shell, -15 here)
    assert served.process.wait(timeout=20) == -signal.SIGTERM
    log = served.log.read_text()
    assert "Traceback" not in log, log[-3000:]
    assert "external IP" not in log  # no welcome banner, so no call to checkip.amazonaws.com
    assert snapshot(served.app, served.cache) == served.prepared  # read-only: the app and its models unchanged
    assert not list(served.home.rglob("*")), f"the server wrote into HOME: {list(served.home.rglob('*'))[:5]}"
