"""Golden pages: every page's visible text, widgets and figures, saved before a change that must not change what
the app shows, and compared after it.

    python -m tests.golden save DIR       # before: one JSON file per page, language and mode
    python -m tests.golden compare DIR    # after: every page whose text, widgets or figures differ, and where

Each page is opened under AppTest as a link opens it (the default model; English and Korean; plain and
presentation mode). Figures are the ones ``tests.helpers.charts`` reads (the live heatmap drawn by Python's
renderer, then the Plotly charts); the other components (head maps, Next Word, the screen's measure) are kept
as the data they receive, hashed.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from pathlib import Path

from streamlit.testing.v1 import AppTest

from tests.helpers import charts, open_app
from webapp.navigation import PAGES

TEXTS = ("title", "header", "subheader", "markdown", "caption", "info", "warning", "error", "success", "exception")
WIDGETS = ("text_input", "text_area", "selectbox", "multiselect", "radio", "toggle", "checkbox", "slider", "button")
WIDGETS += ("number_input", "select_slider", "download_button")
MODES = {
    "en": {},
    "ko": {"lang": "ko"},
    "en-present": {"present": "true"},
    "ko-present": {"lang": "ko", "present": "true"},
}


def cases() -> dict[str, tuple[str, dict[str, str]]]:
    """Case name -> (page file, link parameters): every page in every language and mode."""
    return {f"{Path(path).stem}.{mode}": (path, query) for path, *_ in PAGES for mode, query in MODES.items()}


def record(at: AppTest) -> dict:
    """What the page shows: its texts, its widgets (kind, key, label, value, options), its figures, and the data
    each other component received (hashed)."""
    texts = [[kind, str(element.value)] for kind in TEXTS for element in at.get(kind)]
    widgets = []
    for kind in WIDGETS:
        for element in at.get(kind):
            value = getattr(element, "value", None)
            options = getattr(element, "options", None)
            widgets.append([kind, element.key, getattr(element, "label", None), _plain(value), _plain(options)])
    components = [
        [element.key, _component_data(bytes(element.proto.bytes or b""))] for element in at.get("bidi_component")
    ]
    figures = json.loads(json.dumps(charts(at), default=_plain, sort_keys=True))
    return {"texts": texts, "widgets": widgets, "components": components, "figures": figures}


def _component_data(data: bytes) -> dict:
    """A component's data: the app's components frame theirs as a 4-byte length, a JSON head, then a payload
    (kept as its hash); anything else is hashed whole."""
    length = int.from_bytes(data[:4], "little") if len(data) >= 4 else 0
    if 0 < length <= len(data) - 4:
        try:
            head = json.loads(data[4 : 4 + length])
        except ValueError:
            head = None
        if head is not None:
            return {"head": head, "payload": hashlib.sha256(data[4 + length :]).hexdigest()[:16]}
    return {"bytes": hashlib.sha256(data).hexdigest()[:16]}


def _plain(value):
    """A JSON-able form of a widget's value or a figure's array."""
    if value is None or isinstance(value, str | int | float | bool):
        return value
    if hasattr(value, "tolist"):
        return value.tolist()
    if isinstance(value, list | tuple):
        return [_plain(item) for item in value]
    return str(value)


def save(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    for name, (path, query) in cases().items():
        at = open_app(path, query=query, model=None)
        (folder / f"{name}.json").write_text(json.dumps(record(at), ensure_ascii=False, indent=1), encoding="utf-8")
        print(f"saved {name}", flush=True)


def first_difference(before, after, where: str = "") -> str | None:
    """The path of the first place where two JSON values differ, with both values (shortened)."""
    if type(before) is not type(after):
        return f"{where}: {str(before)[:120]!r} -> {str(after)[:120]!r}"
    if isinstance(before, dict):
        for key in sorted(set(before) | set(after)):
            if key not in before or key not in after:
                return f"{where}.{key}: only {'after' if key in after else 'before'}"
            found = first_difference(before[key], after[key], f"{where}.{key}")
            if found:
                return found
        return None
    if isinstance(before, list):
        for index, (a, b) in enumerate(zip(before, after, strict=False)):
            found = first_difference(a, b, f"{where}[{index}]")
            if found:
                return found
        if len(before) != len(after):
            return f"{where}: {len(before)} items -> {len(after)}"
        return None
    return None if before == after else f"{where}: {str(before)[:120]!r} -> {str(after)[:120]!r}"


def compare(folder: Path) -> int:
    """Print every case that differs from its saved page; the number of differing cases."""
    differing = 0
    for name, (path, query) in cases().items():
        saved = folder / f"{name}.json"
        if not saved.exists():
            print(f"{name}: not saved before")
            differing += 1
            continue
        before = json.loads(saved.read_text(encoding="utf-8"))
        after = json.loads(json.dumps(record(open_app(path, query=query, model=None)), ensure_ascii=False))
        found = first_difference(before, after)
        print(f"{name}: {'same' if found is None else 'DIFFERS at ' + found}", flush=True)
        differing += found is not None
    print(f"{differing} of {len(cases())} pages differ")
    return differing


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.golden", description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=("save", "compare"))
    parser.add_argument("folder", type=Path)
    args = parser.parse_args(argv)
    if args.action == "save":
        save(args.folder)
        return 0
    return 1 if compare(args.folder) else 0


if __name__ == "__main__":
    sys.exit(main())
