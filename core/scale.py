"""A whole trust at scale, for benchmarks and for trying the portal with the numbers
of the largest trusts (80 schools, 40,000 pupils, about 80,000 carers).

Each app adds its own part in its `scale.py` with `@scale_step(order=..)` (found by
`autodiscover_modules`, as the admin finds `admin.py`), so `core` never imports the
apps and every app writes its own rows, with `bulk_create`:

  schools     10  the trust, its schools, year groups, classes, staff with their
                  roles, pupils and their carers (families, siblings sharing carers,
                  split families) with the carers' parent memberships
  aup         20  each school's published ICT policy with a form per audience, and
                  the trust's staff policy published to every school
  agreements  30  about half of each audience signed (staff, pupils, parents)
  consent     40  a published photo consent form, answered for about half the pupils
  devices     50  the equipment register and its loans
  incidents   60  the e-safety incident log

`build_trust` is what `manage.py seed_scale` and the benchmarks call, so both build
the same data. It is deterministic for a given seed.
"""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass, field

_steps: dict[str, tuple[int, object]] = {}
UNUSABLE = "!"  # a password hash nobody can sign in with (Django's unusable prefix)


def scale_step(order: int):
    """Register a step of the build: a function taking the `ScaleTrust` being built."""

    def decorator(function):
        # Keyed by name: registered once however often a module is imported.
        _steps[f"{function.__module__}.{function.__qualname__}"] = (order, function)
        return function

    return decorator


@dataclass
class ScaleSchool:
    """One school as built, with what the later steps need, so they make no queries
    to find it again."""

    school: object
    pupils: list = field(default_factory=list)
    classes: list = field(default_factory=list)
    staff: list = field(default_factory=list)  # Membership, with .user
    head: object = None  # User
    office: object = None  # User
    teachers_by_class: dict = field(default_factory=dict)  # class id -> User
    carers: dict = field(default_factory=dict)  # pupil id -> [(User, parental responsibility)]
    forms: dict = field(default_factory=dict)  # audience -> [AgreementForm], published


@dataclass
class ScaleTrust:
    """The plan (name, sizes, seed) and, once built, the trust and its schools."""

    name: str
    slug: str
    sizes: list[int]
    seed: int = 2026
    password: str = UNUSABLE  # a password hash
    today: datetime.date = None
    trust: object = None
    officer: object = None  # User, the trust's data protection officer
    schools: list[ScaleSchool] = field(default_factory=list)
    rng: random.Random = None
    counters: dict = field(default_factory=dict)

    def next(self, kind: str) -> int:
        self.counters[kind] = self.counters.get(kind, 0) + 1
        return self.counters[kind]


def school_sizes(schools: int, pupils: int, seed: int = 2026) -> list[int]:
    """`pupils` shared among `schools` as a trust has them: mostly primaries, one school
    in five a secondary about three times their size, each within ±20% of its kind's
    size, adding up exactly."""
    if schools < 1 or pupils < schools:
        raise ValueError("A trust needs at least one school and one pupil per school.")
    rng = random.Random(seed)  # noqa: S311 (test data, not security)
    weights = [(3.0 if i % 5 == 4 else 1.0) * rng.uniform(0.8, 1.2) for i in range(schools)]
    total = sum(weights)
    sizes = [max(1, int(pupils * w / total)) for w in weights]
    sizes[0] += pupils - sum(sizes)
    return sizes


def build_trust(*, name: str, sizes: list[int], slug: str = "", seed: int = 2026, password: str = UNUSABLE, today=None):
    """Build a trust with one school per entry of `sizes` (its number of pupils);
    `password` is the hash everyone gets. Call inside a transaction; returns the
    `ScaleTrust`."""
    from django.utils import timezone
    from django.utils.module_loading import autodiscover_modules
    from django.utils.text import slugify

    autodiscover_modules("scale")
    plan = ScaleTrust(
        name=name,
        slug=slug or slugify(name),
        sizes=list(sizes),
        seed=seed,
        password=password,
        today=today or timezone.localdate(),
        rng=random.Random(seed),  # noqa: S311 (test data, not security)
    )
    for _, step in sorted(_steps.values(), key=lambda item: item[0]):
        step(plan)
    return plan
