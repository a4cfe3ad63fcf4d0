"""{% form_diff old_text new_text as diff %}: what changed in a form's wording, line by
line, for templates/aup/_form_diff.html."""

import difflib
from dataclasses import dataclass

from django import template

register = template.Library()


@dataclass(frozen=True)
class DiffLine:
    kind: str  # "same", "removed" or "added"
    text: str


@dataclass(frozen=True)
class FormDiff:
    lines: list
    removed: int
    added: int

    @property
    def changed(self) -> bool:
        return bool(self.removed or self.added)


def diff_lines(old_text: str, new_text: str) -> FormDiff:
    """The lines of both texts (blank lines left out) as unchanged, removed or added,
    in reading order: a changed line shows its old wording, then its new one."""
    old = [line for line in (old_text or "").splitlines() if line.strip()]
    new = [line for line in (new_text or "").splitlines() if line.strip()]
    lines = []
    matcher = difflib.SequenceMatcher(a=old, b=new, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            lines += [DiffLine("same", line) for line in old[i1:i2]]
            continue
        lines += [DiffLine("removed", line) for line in old[i1:i2]]
        lines += [DiffLine("added", line) for line in new[j1:j2]]
    return FormDiff(
        lines=lines,
        removed=sum(line.kind == "removed" for line in lines),
        added=sum(line.kind == "added" for line in lines),
    )


@register.simple_tag
def form_diff(old_text, new_text):
    return diff_lines(old_text, new_text)
