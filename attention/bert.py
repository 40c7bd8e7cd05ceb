"""BERT's forward pass in plain torch, for the encoder models whose config says ``model_type: bert``.

Both embedded models (multilingual-e5-small and all-MiniLM-L6-v2) are BERTs. transformers' own
``BertModel`` computes the same numbers, but importing it pulls in most of transformers' model
machinery (torch.distributed's tensors, torch._dynamo, scipy.optimize, accelerate): about 2 s of a
cold start, more than the model's forward pass takes all day. So the app runs this one. It is
transformers' BERT module for module: the same parameter names (a checkpoint loads as it is), the
same operations in the same order (``tests/unit/test_bert.py`` holds the hidden states equal to
transformers' bit for bit, and the attention maps to float precision), and the same attributes
that the rest of the app reads (``config``, ``embeddings``, ``encoder.layer[L].attention.self.query``).

One layer, as the lecture draws it (h is (batch, n, d_model), n tokens):

    q, k, v = h W_Qᵀ + b_Q, h W_Kᵀ + b_K, h W_Vᵀ + b_V        split into heads of d_head
    a = softmax(q kᵀ / sqrt(d_head)) v                          each head attends on its own
    h = LayerNorm(h + a W_Oᵀ + b_O)                             the heads joined again, added to h
    h = LayerNorm(h + gelu(h W_1ᵀ + b_1) W_2ᵀ + b_2)            the feed-forward part

Only what an encoder needs is here: no pooler (its output is not a token vector), no decoder, no
cache, no dropout (eval only). ``load`` refuses a config or checkpoint outside that, and the caller
then loads the model with transformers as before.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, fields
from pathlib import Path

import torch
from torch import nn

WEIGHTS_FILE = "model.safetensors"
# Checkpoint entries that are not weights of the encoder: the pooler, a masked-LM or NSP head, a buffer
# older transformers saved.
NOT_ENCODER = ("pooler.", "cls.", "embeddings.position_ids")


@dataclass
class Config:
    """The fields of a BERT ``config.json`` that the forward pass reads, with transformers' ``BertConfig``
    defaults for those a file leaves out. ``read`` takes them from the file, so that loading an embedded
    model needs no transformers at all (its import is about a second and a half of a cold start)."""

    vocab_size: int = 30522
    hidden_size: int = 768
    num_hidden_layers: int = 12
    num_attention_heads: int = 12
    intermediate_size: int = 3072
    hidden_act: str = "gelu"
    max_position_embeddings: int = 512
    type_vocab_size: int = 2
    layer_norm_eps: float = 1e-12
    pad_token_id: int = 0
    model_type: str = "bert"
    position_embedding_type: str = "absolute"
    is_decoder: bool = False
    add_cross_attention: bool = False
    chunk_size_feed_forward: int = 0
    _attn_implementation: str = "sdpa"

    @classmethod
    def read(cls, folder: Path) -> Config | None:
        """The config of ``folder/config.json``, or None where the folder has none."""
        path = Path(folder, "config.json")
        if not path.is_file():
            return None
        given = json.loads(path.read_text(encoding="utf-8"))
        names = {f.name for f in fields(cls)} - {"_attn_implementation"}
        return cls(**{k: v for k, v in given.items() if k in names})


@dataclass(frozen=True)
class BertOutputs:
    """What a forward pass returns, named as transformers names it.

    Attributes:
        last_hidden_state: (batch, n, d_model), the last layer's output.
        hidden_states: the embeddings' output then each layer's, n_layers + 1 of (batch, n, d_model),
            when asked for; else None.
        attentions: each layer's weights, n_layers of (batch, n_heads, n, n), when asked for; else None.
    """

    last_hidden_state: torch.Tensor
    hidden_states: tuple[torch.Tensor, ...] | None = None
    attentions: tuple[torch.Tensor, ...] | None = None


def table(rows: int, dim: int, padding_idx: int | None = None) -> nn.Embedding:
    """An embedding table of ``rows`` vectors, not initialised (filled by ``load``)."""
    return nn.Embedding(rows, dim, padding_idx=padding_idx, _weight=torch.empty(rows, dim))


class Embeddings(nn.Module):
    """Each token's vector: its word piece's, plus its segment's (always 0 here), plus its position's."""

    def __init__(self, config):
        super().__init__()
        # Tables left empty: a Bert is only ever filled from a checkpoint, and a random start would cost a
        # second of torch's first-use setup on the meta device. (padding_idx only matters in training.)
        self.word_embeddings = table(config.vocab_size, config.hidden_size, config.pad_token_id)
        self.position_embeddings = table(config.max_position_embeddings, config.hidden_size)
        self.token_type_embeddings = table(config.type_vocab_size, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, input_ids: torch.Tensor, token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        positions = torch.arange(input_ids.shape[1]).unsqueeze(0)
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        # the order of transformers' sum, so that float rounding is the same too
        embeddings = self.word_embeddings(input_ids) + self.token_type_embeddings(token_type_ids)
        embeddings = embeddings + self.position_embeddings(positions)
        return self.LayerNorm(embeddings)


class SelfAttention(nn.Module):
    """Every head's queries, keys and values, and its attention: the lecture's formula, once per head."""

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.num_attention_heads = int(config.num_attention_heads)
        self.attention_head_size = int(config.hidden_size) // self.num_attention_heads
        self.scaling = self.attention_head_size**-0.5
        self.query = nn.Linear(config.hidden_size, config.hidden_size)
        self.key = nn.Linear(config.hidden_size, config.hidden_size)
        self.value = nn.Linear(config.hidden_size, config.hidden_size)

    def forward(
        self, hidden: torch.Tensor, mask: torch.Tensor | None = None, weights_wanted: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """(batch, n, d_model) attended, and the weights (batch, n_heads, n, n) if wanted. ``mask``: a
        (batch, 1, 1, n) boolean, True where a key may be attended to (None: every key)."""
        batch, n, _ = hidden.shape

        def heads(projection: nn.Linear) -> torch.Tensor:  # (batch, n_heads, n, d_head)
            return projection(hidden).view(batch, n, -1, self.attention_head_size).transpose(1, 2)

        q, k, v = heads(self.query), heads(self.key), heads(self.value)
        if weights_wanted or self.config._attn_implementation == "eager":
            # the weights written out, as the lecture computes them (torch's fused kernel never forms them)
            scores = torch.matmul(q, k.transpose(2, 3)) * self.scaling
            if mask is not None:
                scores = scores.masked_fill(~mask, torch.finfo(scores.dtype).min)
            weights = nn.functional.softmax(scores, dim=-1)
            attended = torch.matmul(weights, v)
        else:
            weights = None
            attended = nn.functional.scaled_dot_product_attention(q, k, v, attn_mask=mask, scale=self.scaling)
        return attended.transpose(1, 2).reshape(batch, n, -1).contiguous(), weights


class AddAndNorm(nn.Module):
    """``LayerNorm(residual + x W_ᵀ + b)``: how both halves of a layer hand their result on."""

    def __init__(self, config, d_in: int):
        super().__init__()
        self.dense = nn.Linear(d_in, config.hidden_size)
        self.LayerNorm = nn.LayerNorm(config.hidden_size, eps=config.layer_norm_eps)

    def forward(self, x: torch.Tensor, residual: torch.Tensor) -> torch.Tensor:
        return self.LayerNorm(self.dense(x) + residual)


class Attention(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.self = SelfAttention(config)
        self.output = AddAndNorm(config, config.hidden_size)


class Intermediate(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.dense = nn.Linear(config.hidden_size, config.intermediate_size)

    def forward(self, hidden: torch.Tensor) -> torch.Tensor:
        return nn.functional.gelu(self.dense(hidden))


class Layer(nn.Module):
    """One transformer layer: self-attention, then the feed-forward part, each added and normalised."""

    def __init__(self, config):
        super().__init__()
        self.attention = Attention(config)
        self.intermediate = Intermediate(config)
        self.output = AddAndNorm(config, config.intermediate_size)

    def forward(self, hidden: torch.Tensor, mask: torch.Tensor | None = None) -> torch.Tensor:
        """The layer's output (batch, n, d_model)."""
        return self.attend(hidden, mask)[0]

    def attend(
        self, hidden: torch.Tensor, mask: torch.Tensor | None = None, weights_wanted: bool = False
    ) -> tuple[torch.Tensor, torch.Tensor | None]:
        """The layer's output and, if wanted, its attention weights (batch, n_heads, n, n)."""
        attended, weights = self.attention.self(hidden, mask, weights_wanted)
        hidden = self.attention.output(attended, hidden)
        hidden = self.output(self.intermediate(hidden), hidden)
        return hidden, weights


class Layers(nn.Module):
    def __init__(self, config):
        super().__init__()
        self.layer = nn.ModuleList(Layer(config) for _ in range(config.num_hidden_layers))


class Bert(nn.Module):
    """A BERT encoder: ``embeddings``, then ``encoder.layer[0]`` to ``encoder.layer[n_layers - 1]``.

    Called as transformers' ``BertModel`` is called (``model(**tokenizer(text, return_tensors="pt"))``)
    and answering as it answers (``BertOutputs``). ``config`` is the ``Config`` (or the transformers config)
    it was made from; its ``_attn_implementation`` ("sdpa" unless set) says whether attention runs in
    torch's fused kernel or written out ("eager"). Asked for attention weights, every layer writes them out.
    """

    def __init__(self, config):
        super().__init__()
        self.config = config
        self.embeddings = Embeddings(config)
        self.encoder = Layers(config)

    def set_attn_implementation(self, implementation: str) -> None:
        """As transformers' models: "eager" writes the weights out, "sdpa" uses torch's fused kernel."""
        if implementation not in ("eager", "sdpa"):
            raise ValueError(f"attention implementation {implementation!r}: only 'eager' and 'sdpa' are here")
        self.config._attn_implementation = implementation

    def forward(
        self,
        input_ids: torch.Tensor,
        attention_mask: torch.Tensor | None = None,
        token_type_ids: torch.Tensor | None = None,
        output_attentions: bool = False,
        output_hidden_states: bool = False,
    ) -> BertOutputs:
        mask = None  # every key, as when the mask is all ones (one sentence, no padding)
        if attention_mask is not None and not bool(attention_mask.all()):
            mask = attention_mask.bool()[:, None, None, :]
        hidden = self.embeddings(input_ids, token_type_ids)
        states, weights = [hidden], []
        for layer in self.encoder.layer:
            hidden, layer_weights = layer.attend(hidden, mask, weights_wanted=output_attentions)
            states.append(hidden)
            weights.append(layer_weights)
        return BertOutputs(
            last_hidden_state=hidden,
            hidden_states=tuple(states) if output_hidden_states else None,
            attentions=tuple(weights) if output_attentions else None,
        )


def supports(config) -> bool:
    """Whether ``Bert`` computes what transformers' ``BertModel`` computes for this config: an encoder
    with absolute positions and the exact GELU, nothing else."""
    return (
        config.model_type == "bert"
        and getattr(config, "position_embedding_type", "absolute") == "absolute"
        and config.hidden_act == "gelu"
        and not getattr(config, "is_decoder", False)
        and not getattr(config, "add_cross_attention", False)
        and not getattr(config, "chunk_size_feed_forward", 0)
        and int(config.hidden_size) % int(config.num_attention_heads) == 0
    )


def load(folder: Path, config) -> Bert | None:
    """The ``Bert`` of ``folder``'s float32 safetensors checkpoint, in eval mode; None where this module
    would not compute what transformers does (see ``supports``), or the checkpoint is not a plain float32
    BERT (a ``.bin`` file, another dtype, a weight missing), so that the caller loads it with transformers.

    The parameters are views of the file's pages (safetensors maps the file), as with transformers, so
    processes that share the file share its memory.
    """
    from safetensors import safe_open

    path = Path(folder, WEIGHTS_FILE)
    if not supports(config) or not path.is_file():
        return None
    config._attn_implementation = "sdpa"
    with torch.device("meta"):  # no memory and no random initialisation for weights about to be replaced
        model = Bert(config)
    wanted = model.state_dict().keys()
    weights = {}
    with safe_open(str(path), framework="pt") as checkpoint:
        for key in checkpoint.keys():  # noqa: SIM118 (a safetensors file is not a dict)
            name = key.removeprefix("bert.")  # a BertForMaskedLM-style checkpoint names its encoder "bert."
            if name in wanted:
                weights[name] = checkpoint.get_tensor(key)
    if weights.keys() != wanted or any(t.dtype != torch.float32 for t in weights.values()):
        return None
    model.load_state_dict(weights, assign=True)
    return model.eval()
