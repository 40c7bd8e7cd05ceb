"""See attention: scaled dot-product attention over real token embeddings, drawn as the lecture does.

from attention import scaled_dot_product_attention, load_encoder, attention_figure
"""

from __future__ import annotations

from attention.core import AttentionResult, causal_mask, scaled_dot_product_attention, softmax
from attention.embeddings import (
    DEFAULT_MODEL,
    EMBEDDED_MODELS,
    ENGLISH_MODEL,
    Encoder,
    ModelLoadError,
    TokenEmbeddings,
    load_encoder,
)
from attention.figures import FigureOptions, attention_figure
from attention.heads import compare_heads, head_projections, model_attention
from attention.rollout import attention_rollout
from attention.views import AttentionView, Projection, Settings, attend, compute_view

__all__ = [
    "DEFAULT_MODEL",
    "EMBEDDED_MODELS",
    "ENGLISH_MODEL",
    "AttentionResult",
    "AttentionView",
    "Encoder",
    "FigureOptions",
    "ModelLoadError",
    "Projection",
    "Settings",
    "TokenEmbeddings",
    "attend",
    "attention_rollout",
    "compare_heads",
    "attention_figure",
    "head_projections",
    "model_attention",
    "causal_mask",
    "compute_view",
    "load_encoder",
    "scaled_dot_product_attention",
    "softmax",
]
