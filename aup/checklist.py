"""What a version needs before it is approved or published: nobody may be asked to
sign a policy they can't read, or one that no one is responsible for reviewing.

The version page shows the list; approving and publishing refuse with a sentence
naming what is missing."""

from __future__ import annotations

from dataclasses import dataclass

from .models import PolicyVersion


@dataclass(frozen=True)
class Item:
    label: str  # what is needed, as the checklist says it
    missing: str  # what to do, as the refusal says it
    done: bool


def checklist(version: PolicyVersion) -> list[Item]:
    document_only = bool(version.document) and not version.body.strip()
    items = [
        Item(
            "The policy text, or the policy document uploaded",
            "write the policy text or upload the policy document",
            version.has_policy,
        ),
    ]
    if document_only:
        # People on a phone read the summary while the document opens beside it.
        items.append(
            Item(
                "A short summary of the uploaded document",
                "write a short summary of the policy document",
                bool(version.summary.strip()),
            )
        )
    items += [
        Item("The next review date", "set the next review date", version.next_review_on is not None),
        Item("The person responsible", "choose the person responsible", version.responsible_id is not None),
        Item("At least one agreement form", "add at least one agreement form", version.forms.exists()),
    ]
    return items


def missing(version: PolicyVersion) -> list[str]:
    return [item.missing for item in checklist(version) if not item.done]


def _join(parts: list[str]) -> str:
    return parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]


def refusal(version: PolicyVersion, doing: str) -> str | None:
    """The sentence that refuses `doing` ("approved", "published"), or None if ready."""
    needed = missing(version)
    if not needed:
        return None
    return f"Version {version.number} can't be {doing} yet: {_join(needed)}."
