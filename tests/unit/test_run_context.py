"""One mechanism for what a script run knows beyond its widgets (webapp.run_context): values last for their block
or their run, never leak into another thread (another session's run)."""

from __future__ import annotations

import threading

import pytest

from webapp import run_context


def test_a_value_lasts_for_its_block_and_nests():
    assert run_context.value("frame") is None
    with run_context.during(frame="outer"):
        assert run_context.value("frame") == "outer"
        with run_context.during(frame="inner"):
            assert run_context.value("frame") == "inner"
        assert run_context.value("frame") == "outer"
    assert run_context.value("frame", "none") == "none"


def test_a_failing_run_leaves_nothing_behind():
    with pytest.raises(RuntimeError), run_context.during(whole_page=True):
        raise RuntimeError("the page failed half-way")
    assert run_context.value("whole_page", False) is False


def test_a_mark_lasts_until_taken():
    run_context.mark("link_shared", True)
    assert run_context.value("link_shared") is True
    assert run_context.take("link_shared", False) is True
    assert run_context.take("link_shared", False) is False


def test_another_sessions_run_does_not_see_this_ones_values():
    seen = []
    with run_context.during(frame="mine"):
        other = threading.Thread(target=lambda: seen.append(run_context.value("frame")))
        other.start()
        other.join()
    assert seen == [None]
