"""Files a page offers to download: what each button makes, made only when it is clicked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial

from attention.compare import Comparison
from attention.export import MIME_TYPES, comparison_metas, difference_csv, difference_json, export_view
from attention.i18n import text


@dataclass(frozen=True)
class Download:
    """One file a page offers: its button's label, its name, its type and how to make it."""

    label: str
    file_name: str
    mime: str
    data: Callable[[], bytes]


def comparison_files(comparison: Comparison, stem: str, lang: str = "en") -> list[Download]:
    """CSV and JSON of A and of B (``attention.export``; the JSON meta names each side's model and
    settings) and, when comparable, of the difference (its meta holds both sides'); labels in ``lang``."""
    metas = comparison_metas(comparison)
    files = []
    for name, view, meta in (("A", comparison.a, metas[0]), ("B", comparison.b, metas[1])):
        if view.result is not None:
            files += [
                Download(
                    text("compare.file_side", lang, side=name, fmt=fmt.upper()),
                    f"{stem}_{name}.{fmt}",
                    MIME_TYPES[fmt],
                    partial(export_view, view, fmt, meta=meta),
                )
                for fmt in ("csv", "json")
            ]
    if comparison.comparable:
        both = {"a": metas[0], "b": metas[1]}
        files += [
            Download(
                text("compare.file_difference", lang, fmt="CSV"),
                f"{stem}_B-A.csv",
                MIME_TYPES["csv"],
                lambda: difference_csv(comparison).encode("utf-8"),
            ),
            Download(
                text("compare.file_difference", lang, fmt="JSON"),
                f"{stem}_B-A.json",
                MIME_TYPES["json"],
                lambda: difference_json(comparison, both).encode("utf-8"),
            ),
        ]
    return files
