"""Sentence sets of one shape for attribute directions, by pattern matching a corpus.

The shipped directions are built from `textlatent.edit_pairs` (every shape, lexical verbs
included); this module's auxiliary-statement pattern still picks the held-out sentences
`python -m textlatent.transform_eval directions` measures on.

`python -m textlatent.direction_sets --corpus data/corpus.txt --out DIR` finds simple
statements — "<subject> <auxiliary> <rest>." such as "The dog is in the garden." — and writes,
for each direction, a pair of files DIR/NAME.pos.txt and DIR/NAME.neg.txt whose lines are
paired: the same statement with and without the attribute.

- question: "Is the dog in the garden?" vs the statement
- negation: "The dog is not in the garden." vs the statement
- past:     "The dog was in the garden." vs "The dog is in the garden." (is/are/am/has/have)

`textlatent direction build --pos DIR/NAME.pos.txt --neg DIR/NAME.neg.txt --out NAME` then makes
the direction (the mean latent difference; with paired lines, the mean of the pair
differences). The same patterns pick the held-out sentences a direction is measured on
(`python -m textlatent.transform_eval directions`).
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections.abc import Callable
from pathlib import Path

SUBJECTS = ("The|This|That|These|Those|It|He|She|They|We|You|I|My|His|Her|Our|Their|Its|Your|"
            "A|An|Some|Many|Most|All|Every|Each")
AUX = "is|are|am|was|were|can|will|should|could|would|has|have|must|may|might|does|do|did"
STATEMENT = re.compile(rf"^(?P<subj>(?:{SUBJECTS})(?: [a-z][a-z'-]*){{0,2}}) (?P<aux>{AUX}) "
                       rf"(?P<rest>(?!not\b|n't\b|never\b)[a-z0-9][^?!;:\"()]*[a-z0-9])\.$")
PAST = {"is": "was", "are": "were", "am": "was", "has": "had", "have": "had"}
NEGATIONS = {"not", "never", "no", "cannot", "nothing", "none", "nobody", "neither", "nor"}
PAST_WORDS = {"was", "were", "had", "did"}
QUESTION_OPENERS = set(AUX.split("|")) | {"shall", "what", "who", "where", "when", "why", "how",
                                          "which", "isn't", "aren't", "don't", "doesn't",
                                          "didn't", "can't", "won't", "wasn't", "weren't"}
DESCRIPTIONS = {
    "question": "statement -> yes/no question (The dog is here. -> Is the dog here?)",
    "negation": "statement -> its negation (The dog is here. -> The dog is not here.)",
    "past": "present -> past tense (The dog is here. -> The dog was here.)",
}


def statement(sentence: str) -> re.Match | None:
    """The parts of a simple statement of 4-20 words, or None."""
    s = sentence.strip()
    if not 4 <= len(s.split()) <= 20:
        return None
    return STATEMENT.match(s)


def _lower_subject(subj: str) -> str:
    return subj if subj.split()[0] == "I" else subj[0].lower() + subj[1:]


def to_question(m: re.Match) -> str:
    return f"{m['aux'].capitalize()} {_lower_subject(m['subj'])} {m['rest']}?"


def to_negation(m: re.Match) -> str:
    neg = "cannot" if m["aux"] == "can" else f"{m['aux']} not"
    return f"{m['subj']} {neg} {m['rest']}."


def to_past(m: re.Match) -> str | None:
    if m["aux"] not in PAST:
        return None
    return f"{m['subj']} {PAST[m['aux']]} {m['rest']}."


MAKERS: dict[str, Callable[[re.Match], str | None]] = {
    "question": to_question, "negation": to_negation, "past": to_past}


def applies(name: str, sentence: str) -> bool:
    """Whether a sentence is one the direction `name` can be measured on."""
    m = statement(sentence)
    return m is not None and MAKERS[name](m) is not None


def moved(name: str, source: str, output: str) -> bool:
    """Whether `output` has the attribute that `source` lacks (question: ends with "?" and
    opens with an auxiliary or a wh-word)."""
    src = re.findall(r"[a-z']+", source.lower())
    out = re.findall(r"[a-z']+", output.lower())
    if name == "question":  # a question mark and an inverted (or wh-) opening, not just "?"
        return output.strip().endswith("?") and bool(out) and out[0] in QUESTION_OPENERS
    if name == "negation":
        def count(ws):
            return sum(w in NEGATIONS or w.endswith("n't") for w in ws)
        return count(out) > count(src)
    if name == "past":
        return sum(w in PAST_WORDS for w in out) > sum(w in PAST_WORDS for w in src)
    raise ValueError(f"unknown direction {name!r}")


def pairs(corpus: Path, name: str, limit: int, seed: int = 0) -> list[tuple[str, str]]:
    """Up to `limit` (with attribute, without) pairs from the corpus's simple statements."""
    found = []
    seen = set()
    with open(corpus, encoding="utf-8") as f:
        for line in f:
            m = statement(line)
            if m is None or m.string in seen:
                continue
            seen.add(m.string)
            made = MAKERS[name](m)
            if made is not None:
                found.append((made, m.string))
    random.Random(seed).shuffle(found)
    return found[:limit]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m textlatent.direction_sets",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--corpus", required=True, type=Path)
    p.add_argument("--out", required=True, type=Path, help="folder for NAME.pos/neg.txt")
    p.add_argument("--limit", type=int, default=4000, help="pairs per direction")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for name in MAKERS:
        found = pairs(args.corpus, name, args.limit, args.seed)
        (args.out / f"{name}.pos.txt").write_text("".join(f"{a}\n" for a, _ in found),
                                                  encoding="utf-8")
        (args.out / f"{name}.neg.txt").write_text("".join(f"{b}\n" for _, b in found),
                                                  encoding="utf-8")
        print(f"{name}: {len(found)} pairs -> {args.out}/{name}.pos.txt / .neg.txt")
    return 0


if __name__ == "__main__":
    sys.exit(main())
