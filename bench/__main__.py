"""python -m bench: the benchmark (see bench/run.py), and the page it writes from its JSON.

    python -m bench --json docs/bench.json --plot docs/bench.png --markdown docs/performance.md   # measure, write all
    python -m bench --from-json docs/bench.json --markdown docs/performance.md    # a past run's page, nothing measured

``--markdown PATH`` renders the run's JSON into a Markdown page (``bench.report.markdown_report``); with
``--from-json PATH`` nothing is measured: the page is rendered from that JSON alone.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from bench.report import markdown_report


def markdown_from_json(json_path: str | Path, markdown_path: str | Path, plot: str | Path | None = None) -> str:
    """The Markdown page of the benchmark JSON at ``json_path``, as ``--markdown markdown_path`` writes it.

    The plot linked is ``plot`` if given, else a ``bench.png`` beside the JSON where one exists (the full
    run writes both); paths in the page are relative to the page's folder.
    """
    json_path, markdown_path = Path(json_path), Path(markdown_path)
    if plot is None and (json_path.parent / "bench.png").is_file():
        plot = json_path.parent / "bench.png"
    folder = markdown_path.parent
    link = os.path.relpath(plot, folder) if plot is not None else None
    return markdown_report(
        json.loads(json_path.read_text()),
        source=json_path.as_posix(),
        target=markdown_path.as_posix(),
        plot=Path(link).as_posix() if link else None,
    )


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    options = argparse.ArgumentParser(prog="python -m bench", add_help=False)
    options.add_argument("--markdown", metavar="PATH", help="write the run's figures as a Markdown page")
    options.add_argument("--from-json", metavar="PATH", help="measure nothing: render this JSON (with --markdown)")
    known, rest = options.parse_known_args(argv)
    if known.from_json:
        if not known.markdown or rest:
            options.error("--from-json takes --markdown PATH and nothing else")
        Path(known.markdown).write_text(markdown_from_json(known.from_json, known.markdown))
        print(f"wrote {known.markdown}", file=sys.stderr)
        return 0
    from bench.run import main as run
    from bench.run import parse_args

    if "-h" in rest or "--help" in rest:
        print(__doc__)
        parse_args(rest)  # argparse prints the benchmark's own options and exits
    if not known.markdown:
        return run(rest)
    args = parse_args(rest)
    if not args.json:
        options.error("--markdown needs --json PATH: the page is rendered from the run's JSON")
    code = run(rest)
    plot = args.plot if args.plot and Path(args.plot).is_file() else None
    Path(known.markdown).write_text(markdown_from_json(args.json, known.markdown, plot))
    print(f"wrote {known.markdown}", file=sys.stderr)
    return code


if __name__ == "__main__":
    sys.exit(main())
