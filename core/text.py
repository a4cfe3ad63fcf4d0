"""Small wording helpers for messages and audit summaries written in Python."""


def plural(count: int, singular: str, plural: str | None = None) -> str:
    """ "1 pupil", "2 pupils", "0 pupils"; pass `plural` when adding "s" is wrong
    ("1 pupil's signature", "3 pupils' signatures"). In templates use Django's
    `{{ n }} pupil{{ n|pluralize }}` or `{% blocktranslate count %}` instead."""
    return f"{count} {singular if count == 1 else (plural or singular + 's')}"
