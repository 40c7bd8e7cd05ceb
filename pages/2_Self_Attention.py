"""Self attention: one sentence on both axes; every token asks every token, itself included."""

from __future__ import annotations

from webapp import attention_page

attention_page.show("self")
