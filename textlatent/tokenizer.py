"""SentencePiece wrapper: text <-> token ids with fixed special ids and byte fallback."""

from __future__ import annotations

import io
import re
from pathlib import Path

import sentencepiece as spm

from .atomic import write_bytes_atomic

PAD_ID, UNK_ID, BOS_ID, EOS_ID = 0, 1, 2, 3
META = "\u2581"  # SentencePiece's visible space: in input text it would read as " "
_SURROGATES = re.compile("[\ud800-\udfff]")


def replace_surrogates(text: str) -> str:
    """Lone surrogates (undecodable bytes, broken UTF-16) -> U+FFFD, so the text is valid UTF-8."""
    return _SURROGATES.sub("\ufffd", text)


class Tokenizer:
    """Lossless text <-> ids. Any string round-trips: unknown characters fall back to bytes.

    (Lone surrogates, which no UTF-8 text can hold, come back as U+FFFD.)
    """

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
        """Text -> ids without BOS/EOS. Lone surrogates are encoded as U+FFFD."""
        text = replace_surrogates(text)
        if META not in text:
            return list(self.sp.EncodeAsIds(text))
        return self._encode_with_meta(text)

    def encode_batch(self, texts: list[str]) -> list[list[int]]:
        texts = [replace_surrogates(t) for t in texts]
        plain = [list(ids) for ids in self.sp.EncodeAsIds([t for t in texts if META not in t])]
        plain.reverse()
        return [self._encode_with_meta(t) if META in t else plain.pop() for t in texts]

    def _encode_with_meta(self, text: str) -> list[int]:
        """Encode U+2581 as its UTF-8 bytes: SentencePiece would otherwise decode it as a space.

        Each segment after a U+2581 is encoded on its own, minus the dummy "▁" prefix that
        SentencePiece puts in front of every input.
        """
        meta_bytes = self._byte_ids(META)
        out: list[int] = []
        for k, segment in enumerate(text.split(META)):
            if k:
                out.extend(meta_bytes)
            if not segment:
                continue
            ids = list(self.sp.EncodeAsIds(segment))
            first = self.sp.IdToPiece(ids[0])
            if k and first.startswith(META):
                ids[:1] = [i for c in first[len(META):] for i in self._char_ids(c)]
            out.extend(ids)
        return out

    def _char_ids(self, char: str) -> list[int]:
        piece = self.sp.PieceToId(char)
        if self.sp.IsUnknown(piece) or self.sp.IsControl(piece):
            return self._byte_ids(char)
        return [piece]

    def _byte_ids(self, text: str) -> list[int]:
        return [self.sp.PieceToId(f"<0x{b:02X}>") for b in text.encode("utf-8")]

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
    with open(corpus, encoding="utf-8", errors="replace") as fh:
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
    write_bytes_atomic(out, buf.getvalue())
    return out
