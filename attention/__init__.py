"""See attention: scaled dot-product attention over real token embeddings, drawn as the lecture does.

from attention import scaled_dot_product_attention, load_encoder, attention_figure

The names below are imported on first use, so that importing a light part of the library
(``attention.settings_table``, ``attention.models``) does not load torch or plotly.
"""

from __future__ import annotations

import importlib

# Each public name and the module that defines it.
_SOURCES = {
    "AttentionResult": "attention.core",
    "causal_mask": "attention.core",
    "scaled_dot_product_attention": "attention.core",
    "softmax": "attention.core",
    "DEFAULT_MODEL": "attention.models",
    "EMBEDDED_MODELS": "attention.models",
    "ENGLISH_MODEL": "attention.models",
    "Encoder": "attention.embeddings",
    "ModelLoadError": "attention.embeddings",
    "TokenEmbeddings": "attention.embeddings",
    "load_encoder": "attention.embeddings",
    "FigureOptions": "attention.options",
    "Projection": "attention.options",
    "Settings": "attention.options",
    "attention_figure": "attention.figures",
    "compare_heads": "attention.heads",
    "head_projections": "attention.heads",
    "model_attention": "attention.heads",
    "attention_rollout": "attention.rollout",
    "AttentionView": "attention.views",
    "attend": "attention.views",
    "compute_view": "attention.views",
}
__all__ = list(_SOURCES)


def __getattr__(name: str):
    if name not in _SOURCES:
        raise AttributeError(f"module 'attention' has no attribute {name!r}")
    return getattr(importlib.import_module(_SOURCES[name]), name)


def __dir__() -> list[str]:
    return sorted([*globals(), *_SOURCES])
