"""What one script run knows beyond its widgets: the page's frame, whether the whole page is running or only a
fragment, whether the link was offered already. One mechanism for all of them.

Streamlit runs each session's script in a thread of its own, so a value kept for the thread is the run's own.
``during`` sets values for a block and puts back what was there before (a fragment inside a run, or a run
that fails half-way, leaves nothing behind); ``value`` reads one; ``mark`` sets one until the run ends.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

_local = threading.local()


@contextmanager
def during(**values: object) -> Iterator[None]:
    """Within the block, ``value(name)`` is ``values[name]``; afterwards it is what it was."""
    before = {name: getattr(_local, name, None) for name in values}
    for name, given in values.items():
        setattr(_local, name, given)
    try:
        yield
    finally:
        for name, old in before.items():
            setattr(_local, name, old)


def value(name: str, default: object = None) -> object:
    """The run's value of ``name`` (``default`` where none was set or it was put back to None)."""
    found = getattr(_local, name, None)
    return default if found is None else found


def mark(name: str, given: object) -> None:
    """Set ``name`` for the rest of the run (``take`` reads it and clears it at the run's end)."""
    setattr(_local, name, given)


def take(name: str, default: object = None) -> object:
    """The run's value of ``name``, cleared: the next run starts without it."""
    found = value(name, default)
    setattr(_local, name, None)
    return found
