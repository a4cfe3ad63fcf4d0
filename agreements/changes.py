"""What changed in a form since the person signed an earlier version: shown on the
sign pages (staff and parents) before they sign again."""

import difflib

from .selectors import previous_signed_text


def changes_since_last_signed(user, agreement) -> dict:
    """Template context for agreements/_changes_panel.html: empty if the person never
    signed an earlier version of this form, or its text did not change."""
    old_text = previous_signed_text(user, agreement)
    if old_text is None:
        return {}
    new_text = agreement.canonical_text()
    if old_text == new_text:
        return {}
    lines = []
    for line in difflib.ndiff(old_text.splitlines(), new_text.splitlines()):
        op, text = line[:1], line[2:]
        if op in "+- " and (text.strip() or op != " "):
            lines.append({"op": {"+": "added", "-": "removed", " ": "same"}[op], "text": text})
    return {"has_changes": True, "old_text": old_text, "new_text": new_text, "change_lines": lines}
