"""Rebuild this folder: a tiny random Bottleneck-T5 stand-in with its own modeling code.

Run from the repository root (needs `pip install -e '.[hf]'`):
    python tests/data/hf_tiny/make.py
It writes spiece.model (a SentencePiece tokenizer trained on tests/data/tiny_corpus.txt),
tokenizer_config.json, special_tokens_map.json, config.json (model_type t5, auto_map pointing at
modeling_tiny_bottleneck.py) and pytorch_model.bin (random weights, seed 0, about 1 MB).
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

import sentencepiece as spm
import torch

HERE = Path(__file__).resolve().parent
CORPUS = HERE.parent / "tiny_corpus.txt"


def make_tokenizer() -> None:
    buf = io.BytesIO()
    spm.set_random_generator_seed(0)
    spm.SentencePieceTrainer.Train(
        input=str(CORPUS), model_writer=buf, model_type="unigram", vocab_size=300,
        pad_id=0, eos_id=1, unk_id=2, bos_id=-1, hard_vocab_limit=False, num_threads=1,
        minloglevel=2,
    )
    (HERE / "spiece.model").write_bytes(buf.getvalue())


def main() -> None:
    sys.path.insert(0, str(HERE))
    from modeling_tiny_bottleneck import TinyBottleneckT5
    from transformers import T5Config, T5TokenizerFast

    make_tokenizer()
    tok = T5TokenizerFast(vocab_file=str(HERE / "spiece.model"), extra_ids=0, legacy=False,
                          model_max_length=32)  # short outputs keep the tests quick
    tok.save_pretrained(str(HERE))
    config = T5Config(
        vocab_size=len(tok), d_model=64, d_kv=16, d_ff=128, num_layers=2,
        num_decoder_layers=2, num_heads=4, feed_forward_proj="gated-gelu",
        tie_word_embeddings=False, decoder_start_token_id=tok.pad_token_id,
        pad_token_id=tok.pad_token_id, eos_token_id=tok.eos_token_id, dropout_rate=0.0,
    )
    config.architectures = ["TinyBottleneckT5"]
    config.auto_map = {"AutoModelForCausalLM": "modeling_tiny_bottleneck.TinyBottleneckT5"}
    torch.manual_seed(0)
    model = TinyBottleneckT5(config).eval()
    model.save_pretrained(str(HERE), safe_serialization=False)
    size = (HERE / "pytorch_model.bin").stat().st_size
    print(f"wrote {HERE}: {sum(p.numel() for p in model.parameters()):,} parameters, "
          f"pytorch_model.bin {size / 1e6:.2f} MB")


if __name__ == "__main__":
    main()
