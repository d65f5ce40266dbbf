"""Paired sentence sets for the edit directions, from corpus statements, checked by rule.

`python -m textlatent.edit_pairs --out DIR [--sentences FILE ...]` parses simple statements —
"<subject> <verb> <rest>." — and writes, for each direction, `DIR/NAME.pairs.tsv` with lines
`plain<TAB>edited<TAB>cell<TAB>verb`: the cell is the statement's shape, tense and number
(e.g. `lexical/present/singular`), the verb the plain side's verb word. A direction built from
the file keeps both, so an edit averages pairs of its sentence's own cell, with its own verb
where there are some. The shapes:

- lexical: a lexical verb, present or past ("She reads books.", "They built a bridge.");
  negation and questions take do / does / did support, past inflects the verb;
- copula: is / are / am / was / were;
- aux: a modal (can, will, should, ...) or have + past participle ("She has finished.").

Inflections come from `lemminflect` (a build-time dependency: the `edits` extra). Every pair is
checked by rule (`check`) before it is written. The builtin model's index sentences are
parsed, then those of `--sources` (corpus sources by name, fetched into `--cache`) and of
`--sentences` files. The evaluation, held-out and edit dev files are always excluded. Pronoun
subjects are also swapped (He -> They, with the verb agreeing) to add pairs of the same shapes.
`textlatent direction build --pairs DIR/NAME.pairs.tsv --out NAME` makes the direction.
"""

from __future__ import annotations

import argparse
import random
import re
import sys
from collections import Counter
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from importlib import resources
from pathlib import Path

DETERMINERS = {"The", "This", "That", "These", "Those", "My", "His", "Her", "Our", "Their",
               "Its", "Your", "A", "An", "Some", "Many", "Most", "All", "Every", "Each", "No"}
SINGULAR_PRONOUNS = {"He", "She", "It"}
PLURAL_PRONOUNS = {"I", "You", "We", "They"}
COPULA = {"is": "was", "are": "were", "am": "was", "was": None, "were": None}
MODALS = {"can", "will", "should", "could", "would", "must", "may", "might"}
HAVE = {"has", "have", "had"}
SKIP_VERBS = {"do", "does", "did", "be", "been", "being", "ought", "dare", "need", "let", "say",
              "says", "said", "shall", "am", "is", "are", "was", "were"}
"""Verbs left out of the lexical shape: do (support itself), be, semi-modals, and reporting
verbs (their statements are mostly quotations)."""
PLURAL_NOUNS = {"people", "children", "men", "women", "police", "cattle", "feet", "teeth",
                "mice", "geese"}
FUNCTION_WORDS = {"and", "or", "but", "of", "in", "on", "at", "to", "with", "for", "by", "from",
                  "as", "that", "which", "who", "whom", "whose", "not", "than", "so", "if"}
"""Words that end a subject noun phrase before its head: "The health and housing needs ..."
is not "<subject> <verb>"."""
NEGATIVE_WORDS = {"not", "never", "n't", "no", "nothing", "nobody", "none", "neither", "nor"}
REST = re.compile(r"[a-z0-9][^?!;:\"()\[\]]*[a-z0-9]")
DIRECTIONS = ("negation", "question", "past")


@dataclass(frozen=True)
class Statement:
    """A parsed simple statement."""

    subject: str
    verb: str
    rest: str
    shape: str
    """"lexical", "copula" or "aux"."""
    plural: bool
    tense: str
    """"present" or "past"."""
    lemma: str = ""

    @property
    def text(self) -> str:
        return f"{self.subject} {self.verb} {self.rest}."

    @property
    def cell(self) -> str:
        """shape/tense/number, e.g. "lexical/present/singular"."""
        return f"{self.shape}/{self.tense}/{'plural' if self.plural else 'singular'}"


def _lemmas(word: str, upos: str) -> tuple[str, ...]:
    from lemminflect import getAllLemmas

    return getAllLemmas(word, upos).get(upos, ())


def _inflect(lemma: str, tag: str) -> str | None:
    from lemminflect import getInflection

    forms = getInflection(lemma, tag)
    return forms[0] if forms else None


def _is_plural_noun(word: str) -> bool | None:
    """True / False for a known plural / singular noun, None for a word that is not one."""
    if word in PLURAL_NOUNS:
        return True
    lemmas = _lemmas(word, "NOUN")
    if not lemmas:
        return None
    return word not in lemmas and word.endswith("s")


def _subjects(words: list[str]) -> Iterator[tuple[int, bool]]:
    """(number of subject words, plural) for each way the sentence may open with a subject."""
    first = words[0]
    if first in SINGULAR_PRONOUNS or first in PLURAL_PRONOUNS:
        yield 1, first in PLURAL_PRONOUNS
        return
    if first not in DETERMINERS:
        return
    for n in (1, 2, 3):
        if n >= len(words) - 1:
            return
        tail = words[1:n + 1]
        if not all(re.fullmatch(r"[a-z][a-z-]*", w) and w not in FUNCTION_WORDS for w in tail):
            return
        plural = _is_plural_noun(tail[-1])
        if plural is not None:
            yield n + 1, plural


def _verb_shape(verb: str, nxt: str, plural: bool, subject: str) -> tuple[str, str, str] | None:
    """(shape, tense, lemma) of the word after the subject, or None if it cannot be one."""
    if verb in COPULA:
        agree = {"is": not plural and subject != "I", "am": subject == "I",
                 "are": plural and subject != "I", "was": not plural or subject == "I",
                 "were": plural and subject != "I"}[verb]
        return ("copula", "past" if verb in ("was", "were") else "present", "be") if agree \
            else None
    if verb in MODALS:
        return "aux", "present", verb
    if verb in HAVE:
        nxt_lemmas = _lemmas(nxt, "VERB")
        participle = any(_inflect(lem, "VBN") == nxt for lem in nxt_lemmas)
        if verb == "has" and plural or verb == "have" and not plural:
            return None
        if participle:
            return ("aux", "past" if verb == "had" else "present", "have")
        return "lexical", "past" if verb == "had" else "present", "have"
    if verb in SKIP_VERBS or not re.fullmatch(r"[a-z]+", verb):
        return None
    for lemma in _lemmas(verb, "VERB"):
        vbz, vbd = _inflect(lemma, "VBZ"), _inflect(lemma, "VBD")
        if verb == vbz and not plural:
            return "lexical", "present", lemma
        if verb == vbd and (verb != lemma or not plural):
            return "lexical", "past", lemma
        if verb == lemma and plural and verb != vbd:
            return "lexical", "present", lemma
    return None


def parse(sentence: str) -> Statement | None:
    """The statement's subject, verb and rest, or None if it is not a simple statement of
    4-16 words ending in a period with no negation after the verb."""
    s = " ".join(sentence.split())
    if not s.endswith(".") or s.endswith(".."):
        return None
    words = s[:-1].split(" ")
    if not 4 <= len(words) <= 16:
        return None
    for n, plural in _subjects(words):
        verb, rest = words[n], words[n + 1:]
        if not rest or rest[0] in NEGATIVE_WORDS or rest[0].endswith("n't"):
            continue
        rest_text = " ".join(rest)
        if not REST.fullmatch(rest_text):
            continue
        subject = " ".join(words[:n])
        got = _verb_shape(verb, rest[0], plural, subject)
        if got is None:
            continue
        shape, tense, lemma = got
        return Statement(subject, verb, rest_text, shape, plural, tense, lemma)
    return None


def _lower_subject(subject: str) -> str:
    return subject if subject.split()[0] == "I" else subject[0].lower() + subject[1:]


def _do(st: Statement) -> str:
    if st.tense == "past":
        return "did"
    return "do" if st.plural else "does"


def negation(st: Statement) -> str:
    if st.shape == "lexical":
        return f"{st.subject} {_do(st)} not {st.lemma} {st.rest}."
    neg = "cannot" if st.verb == "can" else f"{st.verb} not"
    return f"{st.subject} {neg} {st.rest}."


def question(st: Statement) -> str:
    if st.shape == "lexical":
        return f"{_do(st).capitalize()} {_lower_subject(st.subject)} {st.lemma} {st.rest}?"
    return f"{st.verb.capitalize()} {_lower_subject(st.subject)} {st.rest}?"


def past(st: Statement) -> str | None:
    if st.tense == "past":
        return None
    if st.shape == "lexical":
        verb = _inflect(st.lemma, "VBD")
    elif st.shape == "copula":
        verb = COPULA[st.verb]
    elif st.verb in ("has", "have"):
        verb = "had"
    elif st.verb == "can":
        verb = "could"
    else:
        return None
    return f"{st.subject} {verb} {st.rest}." if verb else None


MAKERS = {"negation": negation, "question": question, "past": past}


def check(name: str, st: Statement, edited: str) -> bool:
    """Whether `edited` is the rule's `name` edit of `st`: the words outside the verb slot are
    the statement's, and the verb slot holds the right auxiliary and form."""
    rest = st.rest.split()
    words = edited.rstrip(".?").split()
    if words[-len(rest):] != rest or edited.endswith("?") != (name == "question"):
        return False
    head = words[:-len(rest)]
    subj = st.subject.split()
    if name == "question":
        opener = _do(st) if st.shape == "lexical" else st.verb
        verb_tail = [st.lemma] if st.shape == "lexical" else []
        return (head[0] == opener.capitalize() and head[1:len(subj) + 1] ==
                _lower_subject(st.subject).split() and head[len(subj) + 1:] == verb_tail)
    if head[:len(subj)] != subj:
        return False
    slot = head[len(subj):]
    if name == "negation":
        if st.shape == "lexical":
            return slot == [_do(st), "not", st.lemma] and _inflect(
                st.lemma, {"did": "VBD", "does": "VBZ", "do": "VBP"}[_do(st)]) == st.verb
        return slot == (["cannot"] if st.verb == "can" else [st.verb, "not"])
    if name == "past":
        if st.tense == "past" or len(slot) != 1:
            return False
        if st.shape == "lexical":
            return slot[0] == _inflect(st.lemma, "VBD") and slot[0] != st.verb
        return slot[0] == {"is": "was", "am": "was", "are": "were", "has": "had",
                           "have": "had", "can": "could"}.get(st.verb)
    raise ValueError(f"unknown direction {name!r}")


SWAPS = {"He": ("They", True), "She": ("We", True), "It": ("They", True),
         "They": ("He", False), "We": ("She", False), "I": ("He", False), "You": ("She", False)}


def swap_subject(st: Statement) -> Statement | None:
    """The statement with its pronoun subject swapped for one of the other number, the verb
    agreeing; None where that is not a plain swap (a modal or past lexical verb needs none)."""
    if st.subject not in SWAPS:
        return None
    subject, plural = SWAPS[st.subject]
    verb = st.verb
    if st.shape == "lexical" and st.tense == "present":
        verb = st.lemma if plural else _inflect(st.lemma, "VBZ")
    elif st.shape == "copula":
        verb = {"present": "are" if plural else "is", "past": "were" if plural else "was"}[st.tense]
    elif st.verb in ("has", "have"):
        verb = "have" if plural else "has"
    if not verb:
        return None
    return replace(st, subject=subject, verb=verb, plural=plural)


def excluded_keys() -> set[str]:
    """Normalized sentences of the evaluation, held-out and edit dev files."""
    from .corpus.exclusions import load_exclusions

    data = resources.files("textlatent.data")
    files = [Path(str(data.joinpath(n))) for n in (
        "eval_sentences.txt", "eval_pairs.tsv", "heldout_sentences.txt", "heldout_pairs.tsv",
        "edit_dev.tsv")]
    return load_exclusions(files)


def statements(sentences: Iterable[str], swap: bool = True) -> list[Statement]:
    """Parsed statements (and their subject swaps), de-duplicated, excluded ones dropped."""
    from .corpus.text import normalize_key

    excluded = excluded_keys()
    seen: set[str] = set()
    out: list[Statement] = []
    for sentence in sentences:
        st = parse(sentence)
        if st is None:
            continue
        for variant in (st, swap_subject(st) if swap else None):
            if variant is None:
                continue
            key = normalize_key(variant.text)
            if key in seen or key in excluded:
                continue
            seen.add(key)
            out.append(variant)
    return out


def make_pairs(found: list[Statement], name: str, limit: int, seed: int = 0,
               shapes: Iterable[str] = ("lexical", "copula", "aux")
               ) -> tuple[list[tuple[str, str, str]], Counter]:
    """Up to `limit` checked (plain, edited, shape) pairs for direction `name`, the lexical
    shape first in line; and the count of pairs per shape."""
    from .corpus.text import normalize_key

    excluded = excluded_keys()
    by_shape: dict[str, list[tuple[str, str, str]]] = {s: [] for s in shapes}
    for st in found:
        if st.shape not in by_shape:
            continue
        edited = MAKERS[name](st)
        if edited is None or not check(name, st, edited) or normalize_key(edited) in excluded:
            continue
        by_shape[st.shape].append((st.text, edited, f"{st.cell}\t{st.verb}"))
    rng = random.Random(seed)
    pairs: list[tuple[str, str, str]] = []
    for rows in by_shape.values():
        rng.shuffle(rows)
    # half the pairs lexical where there are enough, the rest split between the others
    lexical = by_shape.get("lexical", [])[:max(limit // 2, limit - sum(
        len(v) for k, v in by_shape.items() if k != "lexical"))]
    others = [r for k, v in by_shape.items() if k != "lexical" for r in v]
    rng.shuffle(others)
    pairs = lexical + others[:limit - len(lexical)]
    rng.shuffle(pairs)
    return pairs, Counter(cell.split("/")[0] for _, _, cell in pairs)


def read_pairs(path: str | Path) -> list[tuple[str, str]]:
    """(plain, edited) pairs from a tab-separated file (extra columns ignored, '#' comments)."""
    return [(a, b) for a, b, _, _ in read_cells(path)]


def read_cells(path: str | Path) -> list[tuple[str, str, str, str]]:
    """(plain, edited, cell, verb) rows of a pairs file: the third and fourth columns, ""
    where there are none."""
    pairs = []
    for i, line in enumerate(Path(path).read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        cells = line.split("\t")
        if len(cells) < 2 or not cells[0].strip() or not cells[1].strip():
            raise ValueError(f"{path}:{i}: a pairs line is 'plain<TAB>edited'")
        pairs.append((cells[0].strip(), cells[1].strip(),
                      cells[2].strip() if len(cells) > 2 else "",
                      cells[3].strip().lower() if len(cells) > 3 else ""))
    if not pairs:
        raise ValueError(f"{path}: no pairs")
    return pairs


def builtin_sentences() -> list[str]:
    """The sentences of the builtin model's index."""
    from .index import load
    from .paths import builtin_model_path

    return load(builtin_model_path()).texts


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m textlatent.edit_pairs",
                                description=__doc__.split("\n\n")[0])
    p.add_argument("--out", required=True, type=Path, help="folder for NAME.pairs.tsv")
    p.add_argument("--sentences", nargs="*", type=Path, default=[], help="sentence files")
    p.add_argument("--sources", default="",
                   help="comma-separated corpus sources (textlatent.corpus.sources) to parse")
    p.add_argument("--cache", type=Path, default=Path("data/cache"),
                   help="download cache for --sources")
    p.add_argument("--limit", type=int, default=6000, help="pairs per direction")
    p.add_argument("--no-swap", action="store_true", help="no pronoun-swapped statements")
    p.add_argument("--seed", type=int, default=0)
    args = p.parse_args(argv)
    sentences = builtin_sentences()
    if args.sources:
        from .corpus.build import collect_source
        from .corpus.sources import SOURCES

        by_name = {s.name: s for s in SOURCES}
        for name in args.sources.split(","):
            if name not in by_name:
                p.error(f"unknown source {name!r}; known: {', '.join(by_name)}")
        for source in SOURCES:  # in the corpus's own order
            if source.name in args.sources.split(","):
                args.cache.mkdir(parents=True, exist_ok=True)
                sentences += collect_source(source, args.cache)[0]
    for f in args.sentences:
        sentences += f.read_text(encoding="utf-8").splitlines()
    found = statements(sentences, swap=not args.no_swap)
    print(f"{len(found)} statements: {dict(Counter(s.shape for s in found))}")
    args.out.mkdir(parents=True, exist_ok=True)
    for name in DIRECTIONS:
        pairs, counts = make_pairs(found, name, args.limit, args.seed)
        (args.out / f"{name}.pairs.tsv").write_text(
            "".join(f"{a}\t{b}\t{s}\n" for a, b, s in pairs), encoding="utf-8")
        print(f"{name}: {len(pairs)} pairs {dict(sorted(counts.items()))} "
              f"-> {args.out}/{name}.pairs.tsv")
    return 0


if __name__ == "__main__":
    sys.exit(main())
