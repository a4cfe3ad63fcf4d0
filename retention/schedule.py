"""The schedule as it applies to a trust: each kind's default, replaced by the
trust's latest rule where its DPO changed one. One query for all kinds."""

from __future__ import annotations

from dataclasses import dataclass

from core import retention
from core.retention import ACTIONS, RecordKind

from .models import RetentionRule


@dataclass(frozen=True)
class Effective:
    kind: RecordKind
    years: int
    action: str
    changed: RetentionRule | None  # the trust's rule, if it has one

    @property
    def action_label(self) -> str:
        return ACTIONS[self.action]

    @property
    def summary(self) -> str:
        """'6 years from the pupil's leaving date, then delete'."""
        end = {"delete": "delete", "anonymise": "anonymise", "review": "a person reviews it"}[self.action]
        return f"{self.years} year{'s' if self.years != 1 else ''} from {self.kind.clock}, then {end}"


def latest_rules(trust) -> dict[str, RetentionRule]:
    if trust is None:
        return {}
    latest: dict[str, RetentionRule] = {}
    for rule in RetentionRule.objects.filter(trust=trust).select_related("changed_by").order_by("-changed_at", "-id"):
        latest.setdefault(rule.kind, rule)
    return latest


def effective_schedule(trust) -> list[Effective]:
    rules = latest_rules(trust)
    rows = []
    for kind in retention.kinds():
        rule = rules.get(kind.key)
        if rule is not None and rule.action in kind.actions:
            rows.append(Effective(kind, rule.years, rule.action, rule))
        else:
            rows.append(Effective(kind, kind.years, kind.action, None))
    return rows


def effective_for(trust, key: str) -> Effective | None:
    return next((row for row in effective_schedule(trust) if row.kind.key == key), None)
