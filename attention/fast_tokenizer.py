"""A model folder's ``tokenizer.json`` run by the tokenizers library, called as transformers' fast tokenizer.

transformers' ``AutoTokenizer`` wraps the very same Rust tokenizer (for both embedded models it keeps
``tokenizer.json`` as it is), but importing transformers costs about a second and a half of a cold
start. This wrapper gives the part of its interface the app uses: calling it on one text (ids, attention
mask, offsets, word ids, a cut at ``max_length``, torch tensors), ``convert_ids_to_tokens``,
``get_vocab``, ``backend_tokenizer`` and ``model_max_length``. ``tests/unit/test_fast_tokenizer.py``
holds every answer equal to ``AutoTokenizer``'s on the embedded models, in several scripts.
"""

from __future__ import annotations

import json
from pathlib import Path

from tokenizers import Tokenizer

# The tokenizer classes whose transformers tokenizer is tokenizer.json as it is, with nothing rebuilt
# (checked for both embedded models in the tests).
PLAIN_CLASSES = ("PreTrainedTokenizerFast", "BertTokenizer", "BertTokenizerFast")
ALL_INPUTS = ("input_ids", "token_type_ids", "attention_mask")


class Encoded(dict):
    """One text's tokens, as a transformers ``BatchEncoding`` of one text: a dict of lists (or of (1, n)
    tensors), and ``word_ids()``."""

    def __init__(self, fields: dict, word_ids: list[int | None]):
        super().__init__(fields)
        self._word_ids = word_ids

    def word_ids(self) -> list[int | None]:
        """For each token, the index of the word it belongs to (None for a special token)."""
        return list(self._word_ids)


class FastTokenizer:
    """``backend_tokenizer`` (a ``tokenizers.Tokenizer``) called as transformers calls it.

    Not safe to call from two threads at once (the Rust tokenizer raises "Already borrowed"), exactly as
    transformers' is not: the Encoder calls it under its lock.
    """

    is_fast = True

    def __init__(self, backend: Tokenizer, model_max_length: int, model_input_names=ALL_INPUTS):
        self.backend_tokenizer = backend
        self.model_max_length = int(model_max_length)
        self.model_input_names = [name for name in ALL_INPUTS if name in model_input_names]

    def __call__(
        self,
        text: str,
        add_special_tokens: bool = True,
        return_offsets_mapping: bool = False,
        truncation: bool = False,
        max_length: int | None = None,
        return_tensors: str | None = None,
        verbose: bool = True,  # noqa: ARG002 (transformers' warning of a text longer than the model, never given here)
    ) -> Encoded:
        encoding = self._encode(text, add_special_tokens, max_length if truncation else None)
        fields = {
            "input_ids": encoding.ids,
            "token_type_ids": encoding.type_ids,
            "attention_mask": encoding.attention_mask,
        }
        fields = {name: fields[name] for name in self.model_input_names}
        if return_tensors == "pt":
            import torch

            fields = {name: torch.tensor([values]) for name, values in fields.items()}
        elif return_tensors is not None:
            raise ValueError(f"return_tensors={return_tensors!r}: only 'pt' or None")
        if return_offsets_mapping:
            fields["offset_mapping"] = list(encoding.offsets)
        return Encoded(fields, encoding.word_ids)

    def _encode(self, text: str, add_special_tokens: bool, max_length: int | None):
        """The Rust encoding, cut to ``max_length`` tokens (special ones kept) as transformers cuts it:
        the backend's truncation on for this one call."""
        backend = self.backend_tokenizer
        if max_length is None:
            return backend.encode(text, add_special_tokens=add_special_tokens)
        backend.enable_truncation(max_length)
        try:
            return backend.encode(text, add_special_tokens=add_special_tokens)
        finally:
            backend.no_truncation()

    def convert_ids_to_tokens(self, ids) -> list[str]:
        return [self.backend_tokenizer.id_to_token(int(i)) for i in ids]

    def get_vocab(self) -> dict[str, int]:
        return self.backend_tokenizer.get_vocab(with_added_tokens=True)

    def __len__(self) -> int:
        return self.backend_tokenizer.get_vocab_size(with_added_tokens=True)


def load(folder: Path, model_max_length: int | None = None) -> FastTokenizer | None:
    """The tokenizer of ``folder`` (its ``tokenizer.json``, cut at ``model_max_length``, else at its
    ``tokenizer_config.json``'s), or None where transformers might build it otherwise: no tokenizer.json,
    or a tokenizer class outside ``PLAIN_CLASSES``. The caller then asks transformers."""
    config_path, tokenizer_path = Path(folder, "tokenizer_config.json"), Path(folder, "tokenizer.json")
    if not (config_path.is_file() and tokenizer_path.is_file()):
        return None
    config = json.loads(config_path.read_text(encoding="utf-8"))
    if config.get("tokenizer_class") not in PLAIN_CLASSES:
        return None
    limit = model_max_length or config.get("model_max_length") or 512
    names = config.get("model_input_names") or ALL_INPUTS
    backend = Tokenizer.from_file(str(tokenizer_path))
    # A tokenizer.json may say to pad or cut every text (all-MiniLM-L6-v2's pads to 128); transformers
    # turns both off for a call that does not ask for them, and so does this.
    backend.no_padding()
    backend.no_truncation()
    return FastTokenizer(backend, limit, names)
