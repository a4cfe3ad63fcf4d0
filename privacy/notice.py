"""The default privacy notice of a school using the portal, and how a notice's plain
text becomes headings and paragraphs. The default is what the portal itself does with
personal data; a school adds what else it wants to say."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_NOTICE = """## Who we are
{school} is the data controller for the personal data described here. We use the AUP Portal to keep our acceptable use policies, the agreements people sign, photo and media consent, the loan of school equipment and our log of e-safety incidents.

## What we keep
For pupils: name, date of birth, unique pupil number, year group and class, the agreements signed by or for them, their photo and media consent, equipment lent to them, and e-safety incidents they were involved in.
For parents and carers: name, email address, relationship to the child, the forms they sign and the consent they give or withdraw.
For staff, governors, volunteers and visitors: name, email address, role, the agreements they sign, equipment lent to them and incidents they report or are involved in.
With every signature we keep the time, the internet address and the type of device it was made on, so that it can be relied on later.

## Why, and our lawful basis
We keep agreements and incident records to keep pupils safe online and to run the school's computers safely: a public task (UK GDPR article 6(1)(e)) and our legal duties for safeguarding (article 6(1)(c)). Safeguarding information may be special category data, which we process for reasons of substantial public interest (article 9(2)(g)). Photo and media consent is your consent (article 6(1)(a)): you can withdraw it at any time.

## Who we share it with
Only those who need it: the school's staff whose role requires it, our multi-academy trust where we belong to one, the company that hosts the portal for us (under a contract as our processor), and, where the law requires, the local authority, children's services, the police or the Information Commissioner's Office.

## How long we keep it
We follow the Information and Records Management Society's toolkit for schools. For example: signed agreements while the person is at the school and for a period afterwards; superseded policies 7 years; child protection records until the child is 25; staff records 6 years after they leave. Records are then deleted or anonymised.

## Your rights
You may ask for a copy of the personal data we hold about you or your child (a subject access request), ask us to correct it, to delete it, to restrict how we use it, or object to our using it. We answer within one month. Ask the school office or our data protection officer. If you are unhappy with how we have used your data, you can complain to the Information Commissioner's Office: ico.org.uk, 0303 123 1113.

## Contact
Our data protection officer: {dpo}."""


def default_body(school, dpo: str = "") -> str:
    return DEFAULT_NOTICE.format(school=school.name, dpo=dpo or "contact the school office")


@dataclass(frozen=True)
class Block:
    heading: str = ""
    text: str = ""


def blocks(body: str) -> list[Block]:
    """'## ' lines become headings; other lines are paragraphs (autoescaped in the
    template, so a notice cannot carry HTML)."""
    found = []
    for line in body.splitlines():
        line = line.strip()
        if not line:
            continue
        if line.startswith("## "):
            found.append(Block(heading=line[3:].strip()))
        else:
            found.append(Block(text=line))
    return found
