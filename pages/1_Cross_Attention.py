"""Cross attention: the source sentence's tokens ask, the target sentence's tokens answer."""

from __future__ import annotations

from webapp import attention_page

attention_page.show("cross")
