"""The lecture hall (deploy/lecture_hall.py): two app processes behind Debian's nginx.

Correctness only: every session's updates arrive, each session sticks to one process (nginx's
X-Upstream on its page, health check, websocket handshake and upload), and XSRF protection is still
on behind the proxy (an upload without the token is refused with 403). Skips where nginx is not
installed, except in CI (CI=true), where a missing nginx is a failure.
"""

from __future__ import annotations

import asyncio
import os
import subprocess

import pytest

from deploy.lecture_hall import LectureHall, find_nginx, render_config
from tests.helpers import ARTIFACTS


def nginx_path() -> str:
    found = find_nginx()
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("nginx is not installed; CI must install it (.ci/run's apt-get line)")
        pytest.skip("nginx is not installed (apt-get install nginx)")
    return found


def test_the_config_is_valid_nginx(tmp_path):
    nginx = nginx_path()
    for sub in ("client_body", "proxy", "fastcgi", "uwsgi", "scgi"):
        (tmp_path / "temp" / sub).mkdir(parents=True)
    config = render_config([40001, 40002], tmp_path, "127.0.0.1:40000")
    assert "server 127.0.0.1:40001 max_fails=3 fail_timeout=10s;" in config
    assert "hash $hall_seat consistent;" in config and "{{" not in config
    (tmp_path / "nginx.conf").write_text(config)
    done = subprocess.run(
        [nginx, "-t", "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path), "-e", "stderr"],
        capture_output=True,
        text=True,
    )
    assert done.returncode == 0, done.stderr


@pytest.mark.slow
@pytest.mark.timeout(900)
def test_two_processes_behind_nginx_are_sticky_and_keep_xsrf():
    from bench.hall import load_through

    nginx = nginx_path()
    run_dir = ARTIFACTS / "lecture-hall"
    with LectureHall(2, run_dir=run_dir, nginx=nginx, log=lambda message: None) as hall:
        result, checks = asyncio.run(
            load_through(hall.url, 5, 3, tokens=16, think_s=(0.1, 0.5), update_timeout_s=120, deadline_s=600)
        )
        logs = "\n".join(server.log_tail() for server in hall.servers) + hall.nginx_errors()
    assert result.errors == [], f"{result.errors}\n--- logs ---\n{logs}"
    assert result.completed == 15, result.summary()
    assert checks["stickiness_problems"] == [], checks
    assert checks["sticky_sessions"] == 5, checks
    # both processes exist behind nginx (which of them gets how many of 5 seats is the hash's business)
    assert len(hall.servers) == 2
