"""Registry for the demo organisation.

Each app has a `demo.py` that decorates its seeding function with `@seeder(order)`;
`manage.py seed_demo` discovers them and runs them in order. Every seeder must be
idempotent: it looks rows up by a natural key (e-mail, slug, external id) before creating.
"""

import random

_SEEDERS: list[tuple[int, str, object]] = []


def seeder(order: int):
    def register(fn):
        _SEEDERS.append((order, f"{fn.__module__}.{fn.__name__}", fn))
        return fn

    return register


def registered_seeders():
    return [fn for _, _, fn in sorted(_SEEDERS, key=lambda s: (s[0], s[1]))]


def demo_random(name: str) -> random.Random:
    """A deterministic random generator per seeder, so two runs produce the same organisation."""
    return random.Random(f"rse-demo-{name}")  # noqa: S311 - not for security
