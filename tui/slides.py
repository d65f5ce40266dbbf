"""The tutorial slide and starter sentences: parse the markdown in prompts/ into sections."""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources

SLIDE_FILE = "slide-12.md"
STARTERS_FILE = "starters.txt"
PAIRS_FILE = "pairs.tsv"

# Stage names used by the app: the slide's four steps, in order.
STAGES = ("input", "encode", "transform", "decode")

# A section whose title names a stage lights that stage up in the main area.
_STAGE_WORDS = {
    "input data": "input",
    "latent space": "encode",
    "encoding": "encode",
    "encode": "encode",
    "transform": "transform",
    "decoding": "decode",
    "decode": "decode",
}
_NUMBERED = re.compile(r"^\d+\.\s*")


@dataclass(frozen=True)
class Section:
    """One navigable part of the slide: a `##` chapter or a `###` sub-section."""

    title: str
    level: int
    body: str
    chapter: int

    @property
    def stage(self) -> str | None:
        """The app stage this section is about, if its title names one."""
        return _STAGE_WORDS.get(_NUMBERED.sub("", self.title).strip().lower())

    @property
    def markdown(self) -> str:
        """The section as a markdown document (heading + body)."""
        return f"{'#' * self.level} {self.title}\n\n{self.body}".rstrip() + "\n"


@dataclass(frozen=True)
class Slide:
    """The parsed slide: title, subtitle, and its sections in reading order."""

    title: str
    subtitle: str
    sections: tuple[Section, ...]

    def chapters(self) -> list[int]:
        """Indices of the `##` sections."""
        return [i for i, s in enumerate(self.sections) if s.level == 2]

    def step_blurbs(self) -> dict[str, tuple[str, str]]:
        """stage -> (title, first line) from the slide's numbered process steps."""
        out: dict[str, tuple[str, str]] = {}
        for section in self.sections:
            if section.level == 3 and _NUMBERED.match(section.title) and section.stage:
                first = section.body.strip().splitlines()[0] if section.body.strip() else ""
                out.setdefault(section.stage, (section.title, first))
        return out


def parse_slide(text: str) -> Slide:
    """Split markdown into sections: each `##` is a chapter, each `###` a sub-section.

    A chapter's own page shows its intro followed by all its sub-sections, so chapters
    whose text lives in sub-sections (Key Concepts, How the Process Works) still read well.
    """
    title, subtitle = "", []
    raw: list[tuple[int, str, list[str]]] = []
    in_code = False
    for line in text.splitlines():
        if line.lstrip().startswith("```"):
            in_code = not in_code
        match = None if in_code else re.match(r"^(#{1,3})\s+(.*\S)\s*$", line)
        if match and len(match.group(1)) == 1:
            title = match.group(2)
        elif match:
            raw.append((len(match.group(1)), match.group(2), []))
        elif raw:
            raw[-1][2].append(line)
        elif line.strip():
            subtitle.append(line.strip())
    sections: list[Section] = []
    chapter = -1
    for i, (level, heading, lines) in enumerate(raw):
        if level == 2:
            chapter += 1
            body = "\n".join(lines).strip()
            for sub_level, sub_heading, sub_lines in raw[i + 1:]:
                if sub_level <= 2:
                    break
                sub_body = "\n".join(sub_lines).strip()
                body += f"\n\n{'#' * sub_level} {sub_heading}\n\n{sub_body}"
            sections.append(Section(heading, level, body.strip(), max(chapter, 0)))
        else:
            sections.append(Section(heading, level, "\n".join(lines).strip(), max(chapter, 0)))
    if not sections:
        raise ValueError("the slide has no `##` sections")
    return Slide(title=title, subtitle=" ".join(subtitle), sections=tuple(sections))


def _read(name: str) -> str:
    return (resources.files("tui.prompts") / name).read_text(encoding="utf-8")


def _lines(text: str) -> list[str]:
    return [ln.strip() for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]


def load_slide() -> Slide:
    """The shipped slide (prompts/slide-12.md)."""
    return parse_slide(_read(SLIDE_FILE))


def load_pairs() -> list[tuple[str, str]]:
    """Sentence pairs to blend (prompts/pairs.tsv); the first is the start-up blend."""
    pairs = []
    for line in _lines(_read(PAIRS_FILE)):
        a, sep, b = line.partition("\t")
        if sep and a.strip() and b.strip():
            pairs.append((a.strip(), b.strip()))
    return pairs


def load_starters() -> list[str]:
    """Sentences encoded at start-up (prompts/starters.txt)."""
    return _lines(_read(STARTERS_FILE))
