"""Sentence text: normalising, splitting prose into sentences, and rejecting unusable lines."""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Iterator

MAX_WORDS = 60
MAX_CHARS = 300
MIN_WORDS = 3

_ABBREV = (
    "Mr Mrs Ms Dr St Jr Sr Prof Gen Col Capt Lt Sgt Rev Gov Sen Rep Hon Mt Ft vs etc "
    "Inc Ltd Co Corp No Jan Feb Mar Apr Jun Jul Aug Sep Sept Oct Nov Dec approx cf al"
).split()
_ABBREV_RE = re.compile(r"\b(" + "|".join(_ABBREV) + r"|[A-Z]|e\.g|i\.e|a\.m|p\.m|U\.S)\.")
_SPLIT_RE = re.compile(r"(?<=[.!?])([\"')\]]*)\s+(?=[\"'(\[]?[A-Z0-9])")
_DOT = "\u2024"

_TRANSLATE = str.maketrans(
    dict.fromkeys("\u2018\u2019\u201a\u201b\u2032", "'")
    | dict.fromkeys("\u201c\u201d\u201e\u201f\u2033\u00ab\u00bb", '"')
    | dict.fromkeys("\u2013\u2212", "-")
    | dict.fromkeys("\u2014\u2015", " - ")
    | dict.fromkeys("\u00a0\u2009", " ")
    | dict.fromkeys("\u200b\ufeff\u00ad", "")
    | {"\u2026": "..."}
)


def normalize_text(text: str) -> str:
    """NFC-normalize, map curly quotes/dashes to ASCII and collapse whitespace."""
    text = unicodedata.normalize("NFC", text).translate(_TRANSLATE)
    return " ".join(text.split())


def split_sentences(paragraph: str) -> list[str]:
    """Split a prose paragraph into sentences, respecting common abbreviations."""
    text = _ABBREV_RE.sub(lambda m: m.group(0)[:-1] + _DOT, normalize_text(paragraph))
    text = re.sub(r"\.(?=[a-z]\.)", _DOT, text)
    parts = _SPLIT_RE.sub(lambda m: m.group(1) + "\n", text).split("\n")
    return [p.replace(_DOT, ".").strip() for p in parts if p.strip()]


def normalize_key(sentence: str) -> str:
    """Comparison key: lowercase, no final punctuation, collapsed whitespace."""
    key = " ".join(normalize_text(sentence).lower().split())
    return key.rstrip(" .!?;:,\"'").lstrip("\"' ")


_CONTROL_RE = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f\ufffd]")
_URL_RE = re.compile(r"https?:|www\.|ftp:|\S@\S|\.(com|org|net|html?|py|js|txt)\b", re.I)
_CODE_RE = re.compile(r"[{}<>|\\^~=_#*`$]|\w\(\)|::|->|/\w+/|\w/\w+/")
_DIGIT_RE = re.compile(r"\d")


def reject_reason(line: str, max_words: int = MAX_WORDS) -> str | None:
    """Return why ``line`` is not a usable sentence, or None if it is."""
    if not line.strip():
        return "empty"
    if _CONTROL_RE.search(line):
        return "control_chars"
    words = line.split()
    if len(words) > max_words or len(line) > MAX_CHARS:
        return "too_long"
    if len(words) < MIN_WORDS:
        return "too_short"
    if _URL_RE.search(line):
        return "url_email"
    if _CODE_RE.search(line):
        return "code_symbols"
    if line.count('"') % 2 or line.count("(") != line.count(")") or "[" in line:
        return "unbalanced"
    letters = sum(c.isalpha() for c in line)
    if letters < 0.6 * len(line.replace(" ", "")):
        return "symbols"
    if len(_DIGIT_RE.findall(line)) > 4:
        return "digits"
    if sum(not c.isascii() for c in line) > 2:
        return "non_ascii"
    upper = sum(c.isupper() for c in line)
    if upper > 0.5 * letters and letters > 3:
        return "uppercase"
    return None


def tidy_sentence(line: str) -> str:
    """Normalize text, drop list numbering and unbalanced outer quotes."""
    line = normalize_text(line)
    line = re.sub(r"^(\d{1,2}[:.)]|[-*\u2022])\s+", "", line)
    if line.count('"') % 2 == 1:
        if line.startswith('"'):
            line = line[1:].lstrip()
        elif line.endswith('"'):
            line = line[:-1].rstrip()
    return line


def clean_lines(
    lines: Iterable[str], max_words: int = MAX_WORDS
) -> tuple[list[str], dict[str, int]]:
    """Normalize lines and drop unusable ones; return kept lines and drop counts by reason."""
    kept: list[str] = []
    counts: Counter[str] = Counter()
    for raw in lines:
        line = tidy_sentence(raw) if not _CONTROL_RE.search(raw) else raw
        reason = reject_reason(line, max_words)
        if reason is None:
            kept.append(line)
        else:
            counts[reason] += 1
    return kept, dict(counts)


def is_sentence_like(text: str) -> bool:
    """True for text that starts like a sentence and ends with final punctuation."""
    return bool(re.match(r"[\"'(]?[A-Z0-9]", text)) and bool(re.search(r"[.!?][\"')]*$", text))


def prose_sentences(lines: Iterable[str]) -> Iterator[str]:
    """Group blank-line separated lines into paragraphs and split them into sentences."""
    para: list[str] = []
    for line in [*lines, ""]:
        if line.strip():
            para.append(line.strip())
            continue
        if para:
            text = re.sub(r"(?<!\w)_|_(?!\w)", "", " ".join(para))
            for sent in split_sentences(text):
                if is_sentence_like(sent):
                    yield sent
        para = []
