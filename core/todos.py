"""The home page's to-do list. Each app registers a provider that returns the things
a person should do next; core knows nothing about the apps themselves."""

from dataclasses import dataclass

_providers = []


@dataclass(frozen=True)
class Todo:
    title: str
    url: str
    detail: str = ""
    urgent: bool = False


def register(provider):
    """`provider(request) -> list[Todo]`."""
    _providers.append(provider)
    return provider


def todos_for(request) -> list[Todo]:
    items = [todo for provider in _providers for todo in provider(request)]
    return sorted(items, key=lambda t: not t.urgent)
