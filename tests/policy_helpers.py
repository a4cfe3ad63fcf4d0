"""A draft version made ready for approval, as a head would: the policy text, the next
review date and the person responsible (aup.checklist)."""

import datetime

POLICY_TEXT = """1. Introduction and aims
This policy sets out how everyone in our school uses ICT and mobile phones safely.
2. Unacceptable use
- Using the school's ICT to bully or harass anyone.
- Sharing confidential information about pupils or staff."""


def complete_version(version, by, *, responsible=None, **fields):
    """Fill in what a version needs before approval (aup.checklist), unless given."""
    from aup import services

    values = {
        "body": version.body or POLICY_TEXT,
        "next_review_on": version.next_review_on or datetime.date(2027, 9, 1),
        "responsible": responsible or version.responsible or by,
    }
    values.update(fields)
    return services.update_version(version=version, by=by, **values)


# A policy long enough to need a contents list (aup.policy_text), in the portal's markup.
LONG_POLICY_TEXT = "\n".join(
    [
        "1. Introduction and aims",
        "This policy sets out how everyone in our school community uses ICT and mobile phones safely.",
        "2. Who it applies to",
        "Staff, governors, volunteers, contractors and visitors.",
        "3. Unacceptable use",
        "- Using the school's ICT to bully or harass anyone.",
        "- Sharing confidential information about pupils or staff.",
        "3.1 Exemptions",
        "Ask the headteacher in writing, and wait for a written answer.",
        "4. Monitoring",
        "The school monitors the use of its systems to keep everyone safe.",
    ]
)
