"""SentencePiece wrapper: text <-> token ids with fixed special ids and byte fallback."""

from __future__ import annotations

import io
from pathlib import Path

import sentencepiece as spm

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3


class Tokenizer:
    """Lossless text <-> ids. Any string round-trips: unknown characters fall back to bytes."""

    def __init__(self, model_file: str | Path):
        path = Path(model_file)
        if not path.is_file():
            raise FileNotFoundError(f"tokenizer model not found: {path}")
        self.sp = spm.SentencePieceProcessor()
        try:
            self.sp.Load(str(path))
        except (OSError, RuntimeError) as exc:
            raise ValueError(f"not a valid SentencePiece model: {path}") from exc
        if (self.sp.pad_id(), self.sp.unk_id(), self.sp.bos_id(), self.sp.eos_id()) != (
            PAD_ID, UNK_ID, BOS_ID, EOS_ID,
        ):
            raise ValueError(f"tokenizer {path} does not use ids pad=0 unk=1 bos=2 eos=3")
        self.path = path

    @property
    def vocab_size(self) -> int:
        return self.sp.GetPieceSize()

    def encode(self, text: str) -> list[int]:
        """Text -> ids without BOS/EOS."""
        return list(self.sp.EncodeAsIds(text))

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        return [list(ids) for ids in self.sp.EncodeAsIds(texts)]

    def decode(self, ids: list[int]) -> str:
        """Ids -> text; special ids are skipped."""
        return self.sp.DecodeIds([i for i in ids if i > EOS_ID])

    def pieces(self, text: str) -> list[str]:
        return list(self.sp.EncodeAsPieces(text))


def train_tokenizer(corpus: str | Path, out: str | Path, vocab_size: int = 8000,
                    max_sentences: int = 2_000_000, seed: int = 0) -> Path:
    """Train a unigram SentencePiece model on a one-sentence-per-line file -> `out` path."""
    out = Path(out)
    out.parent.mkdir(parents=True, exist_ok=True)
    buf = io.BytesIO()
    spm.set_random_generator_seed(seed)
    with open(corpus, encoding="utf-8") as fh:
        spm.SentencePieceTrainer.Train(
            sentence_iterator=(line.rstrip("\n") for line in fh),
            model_writer=buf,
            model_type="unigram",
            vocab_size=vocab_size,
            normalization_rule_name="identity",
            remove_extra_whitespaces=False,
            byte_fallback=True,
            split_digits=True,
            character_coverage=0.9995,
            input_sentence_size=max_sentences,
            shuffle_input_sentence=True,
            pad_id=PAD_ID, unk_id=UNK_ID, bos_id=BOS_ID, eos_id=EOS_ID,
            hard_vocab_limit=False,
            num_threads=2,
            minloglevel=2,
        )
    tmp = out.with_suffix(".tmp")
    tmp.write_bytes(buf.getvalue())
    tmp.replace(out)
    return out
