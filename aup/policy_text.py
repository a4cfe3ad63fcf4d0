"""A policy written in the portal, shown in readable sections.

The text a school types (or pastes from Word) is plain text with a small, safe
markup, read line by line; it is never treated as HTML (the template escapes every
word):

- a line starting with ``## `` is a heading, ``### `` a sub-heading;
- a numbered line that reads as a title is a heading too: ``1. Introduction and aims``
  (a heading), ``4.1 Exceptions`` (a sub-heading); a numbered line that ends like a
  sentence (``1. I will keep my password secret.``) stays a paragraph;
- a line starting with ``-``, ``*``, ``•`` or ``·`` is a bullet point;
- any other line is a paragraph of its own; blank lines are ignored.

Headings get anchors, and a policy with several headings gets a contents list.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

BULLETS = ("- ", "* ", "• ", "· ")
# "1. Title", "4.1 Title", "10.2.3 Title": a number of up to three parts, then the title.
_NUMBERED = re.compile(r"^(\d{1,2}(?:\.\d{1,2}){0,2})\.?\s+(\S.*)$")
_SENTENCE_END = (".", ",", ";", ":", "!", "?")
MAX_HEADING_CHARS = 90
# From this many headings a contents list helps find the way through the policy.
CONTENTS_FROM_HEADINGS = 3


@dataclass
class Block:
    kind: str  # "heading", "paragraph" or "list"
    text: str = ""
    level: int = 1  # headings: 1 for a heading, 2 for a sub-heading
    anchor: str = ""
    items: list[str] = field(default_factory=list)


@dataclass
class PolicyText:
    blocks: list[Block]

    @property
    def headings(self) -> list[Block]:
        return [b for b in self.blocks if b.kind == "heading"]

    @property
    def contents(self) -> list[Block]:
        """The headings to list at the top, for a policy long enough to need them."""
        headings = self.headings
        return headings if len(headings) >= CONTENTS_FROM_HEADINGS else []

    def __bool__(self):
        return bool(self.blocks)


def _heading(line: str) -> tuple[int, str] | None:
    if line.startswith("### "):
        return 2, line[4:].strip()
    if line.startswith("## "):
        return 1, line[3:].strip()
    match = _NUMBERED.match(line)
    if match and len(line) <= MAX_HEADING_CHARS and not line.endswith(_SENTENCE_END):
        return (1 if "." not in match.group(1) else 2), line
    return None


def parse(body: str) -> PolicyText:
    blocks: list[Block] = []
    for raw in (body or "").splitlines():
        line = " ".join(raw.split())
        if not line:
            continue
        heading = _heading(line)
        if heading and heading[1]:
            level, text = heading
            blocks.append(Block("heading", text=text, level=level, anchor=f"policy-section-{len(blocks) + 1}"))
        elif line.startswith(BULLETS) and line[2:].strip():
            if not blocks or blocks[-1].kind != "list":
                blocks.append(Block("list"))
            blocks[-1].items.append(line[2:].strip())
        else:
            blocks.append(Block("paragraph", text=line))
    return PolicyText(blocks)
