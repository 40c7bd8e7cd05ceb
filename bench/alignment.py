"""python -m bench.alignment: how well each layer's vectors line up words with their translations.

For each embedded model and each layer, the evaluation of ``attention.alignment`` on the hand-annotated
pairs of ``attention/data/alignment_pairs.json``: how often a word's darkest key is its gold
translation, and the mean weight it puts there. Also, for the self-attention page, how much of each
column stays on the token itself (the diagonal) at each layer. Prints Markdown tables.

    python -m bench.alignment [--models multilingual-e5-small,all-MiniLM-L6-v2]
"""

from __future__ import annotations

import argparse
import sys

import numpy as np

from attention.alignment import best_layer, evaluate, load_pairs
from attention.core import scaled_dot_product_attention
from attention.embeddings import load_encoder
from attention.examples import EXAMPLES
from attention.models import DEFAULT_LAYERS, EMBEDDED_MODELS

GROUP_NAMES = ("ja", "ko", "zh", "eu")


def self_attention_diagonal(encoder, sentences: list[str]) -> list[tuple[float, float]]:
    """Per layer: the mean weight a token gives itself, and the mean of its largest weight on another token."""
    encoded = [encoder.encode_layers(sentence) for sentence in sentences]
    rows = []
    for layer in range(encoder.n_layers + 1):
        own, other = [], []
        for text in encoded:
            vectors = text.at_layer(layer).without_special_tokens().vectors  # (n, d)
            weights = scaled_dot_product_attention(vectors, vectors, vectors).weights  # (n, n)
            own.append(float(np.diag(weights).mean()))
            off = weights - np.diag(np.diag(weights))
            other.append(float(off.max(axis=1).mean()))
        rows.append((float(np.mean(own)), float(np.mean(other))))
    return rows


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.alignment", description=__doc__.splitlines()[0])
    parser.add_argument("--models", default=",".join(EMBEDDED_MODELS), help="comma-separated model names")
    args = parser.parse_args(argv)
    pairs = load_pairs()
    n_links = sum(len(pair.links) for pair in pairs)
    self_sentences = [first for kind, first, _, _ in EXAMPLES.values() if kind == "self"]
    print(f"{len(pairs)} pairs, {n_links} gold links (attention/data/alignment_pairs.json)\n")
    for name in args.models.split(","):
        encoder = load_encoder(name)
        scores = evaluate(encoder, pairs)
        diagonal = self_attention_diagonal(encoder, self_sentences)
        chosen = DEFAULT_LAYERS.get(name)
        best = best_layer(scores).layer
        print(f"### {name} ({encoder.n_layers} layers; default layer {chosen}, best measured {best})\n")
        groups = " | ".join(GROUP_NAMES)
        print(f"| layer | darkest on the translation | mean weight there | {groups} | self: own | self: top other |")
        print("|---:|---:|---:|" + "---:|" * len(GROUP_NAMES) + "---:|---:|")
        for score, (own, other) in zip(scores, diagonal, strict=True):
            groups = []
            for group in GROUP_NAMES:
                hits, total = score.by_group.get(group, (0, 0))
                groups.append(f"{hits}/{total}")
            mark = " (default)" if score.layer == chosen else ""
            print(
                f"| {score.layer}{mark} | {score.hits}/{score.links} ({score.accuracy:.0%}) | {score.weight:.2f} | "
                + " | ".join(groups)
                + f" | {own:.2f} | {other:.2f} |"
            )
        print()
    return 0


if __name__ == "__main__":
    sys.exit(main())
