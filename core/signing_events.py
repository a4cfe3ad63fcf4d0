"""The chain of events behind a signed document ("sent", "opened", "signed",
"countersigned"), as the evidence page of a signed PDF lists them.

Most events are on the signature itself (agreements); others belong to apps that
agreements must not import, such as the reminders emailed before someone signed. Those
apps register a provider here (in AppConfig.ready): `provider(signature) -> iterable
of ChainEvent`, asked only for a signature the reader may already see."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class ChainEvent:
    at: datetime.datetime
    what: str  # one word or two, as an audit trail reads: "Sent", "Opened", "Signed"
    detail: str = ""  # who, how, from where
    date_only: bool = False  # a paper form or a read-aloud is known to the day only


_providers: list[Callable[[Any], Iterable[ChainEvent]]] = []


def register(provider):
    if provider not in _providers:
        _providers.append(provider)
    return provider


def registered_events(signature) -> list[ChainEvent]:
    return [event for provider in _providers for event in provider(signature)]
