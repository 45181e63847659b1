"""The e-mail digest's planner hook.

Communities sends the daily digest of the notifications people chose to receive that way. An
app above (animation) may plan digests itself: a daily or weekly e-mail with "the content that
matters" besides those notifications. It registers a DigestPlanner in its AppConfig.ready();
communities then offers its choices on the notification settings page, leaves the people it
plans out of the daily run (they get their notifications in the planner's digest instead), and
turns it off with the digest's one-click unsubscribe link.
"""

from collections.abc import Callable
from dataclasses import dataclass


@dataclass(frozen=True)
class DigestPlanner:
    choices: list  # [(value, label)], the first one meaning "off"
    get: Callable  # (user) -> value
    set: Callable  # (user, value) -> None; raises ValidationError on a bad value
    planned_ids: Callable  # (user_ids: list[int]) -> set of ids whose digest the planner sends
    stop: Callable  # (user) -> None: the unsubscribe link


_PLANNER: list[DigestPlanner] = []


def register_digest_planner(planner: DigestPlanner) -> None:
    _PLANNER[:] = [planner]


def planner() -> DigestPlanner | None:
    return _PLANNER[0] if _PLANNER else None
