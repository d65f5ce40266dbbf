"""Text helpers for drawing: terminal-safe text and how a fidelity is written (no Textual)."""

from __future__ import annotations

import difflib
import math
import unicodedata

from textlatent.fidelity import VERIFIED_AT


def printable(text: str) -> str:
    """Text safe to draw in a terminal, one cell per cell that terminals agree on.

    Control characters become visible symbols; emoji variation selectors are dropped,
    because terminals disagree on whether they widen the character before them (tmux does
    not, Rich does), which shifts everything after them by a column.
    """
    out = []
    for ch in text:
        if ch in "\t\n\r":
            out.append(" ")
        elif ch in "\ufe0e\ufe0f":
            continue
        elif unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Co", "Cn"):
            out.append("\N{REPLACEMENT CHARACTER}")
        else:
            out.append(ch)
    return "".join(out)


def fidelity_mark(fidelity: float | None, *, words: bool = False, rounds: int = 0) -> str:
    """How a decode's fidelity is written, everywhere in the app.

    ✓ for a verified decode (its text encodes back to its latent), else the cosine rounded down
    ('0.97', never 1.00 unverified); '' when unknown. `words=True` writes it out: '✓ verified'
    or 'fidelity 0.97', with 'after N correction rounds' when `rounds`.
    """
    if fidelity is None or math.isnan(fidelity):
        return ""
    mark = "✓" if fidelity >= VERIFIED_AT else f"{math.floor(fidelity * 100) / 100:.2f}"
    if not words:
        return mark
    said = "✓ verified" if mark == "✓" else f"fidelity {mark}"
    if rounds:
        said += f" after {rounds} correction round{'s' * (rounds > 1)}"
    return said


ENGLISH_SHARE_WARNING = 0.7
"""Below this share of words in the English word list (3 words or more): probably not English."""


def english_share(text: str) -> float | None:
    """The share of a text's words found in the shipped English word list; None for fewer than
    three words (too few to tell)."""
    from textlatent.evaluate import english_words, is_valid_word

    vocabulary = english_words()
    verdicts = [v for v in (is_valid_word(w, vocabulary) for w in text.split()) if v is not None]
    if len(verdicts) < 3:
        return None
    return sum(verdicts) / len(verdicts)


def changed_words(before: str, after: str) -> set[int]:
    """Indices of the words in `after` that are new compared with `before`."""
    old, new = before.split(), after.split()
    out: set[int] = set()
    for tag, _, _, j1, j2 in difflib.SequenceMatcher(a=old, b=new).get_opcodes():
        if tag in ("replace", "insert"):
            out.update(range(j1, j2))
    return out
