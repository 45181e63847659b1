"""The privacy rules every engagement figure obeys, in one place.

- The *population* is the people analytics may count: active accounts with a profile, not
  anonymised, not opted out. An opt-out applies from the next computation on.
- A group of fewer than `min_group_size()` people (a setting, never below 3) is never shown on its
  own: small groups are merged into "other".
- "other" is itself suppressed when it covers fewer than that many people, and then so are the
  smallest shown groups (complementary suppression) until the hidden ones together cover enough
  people: subtracting the shown groups from a total (known from another export) only ever yields
  the sum of several groups covering at least `min_group_size()` people.
- The decision depends only on who is in which group, never on the period or the activity: every
  period, granularity and date range of one grouping hides the same groups, so comparing two
  exports cannot isolate a hidden group either.
"""

import hashlib
import hmac
from collections.abc import Callable, Hashable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Exists, OuterRef

from engagement.models import ABSOLUTE_MIN_GROUP_SIZE, AnalyticsOptOut, EngagementSettings
from rse.accounts.models import User


def get_settings() -> EngagementSettings:
    row, _created = EngagementSettings.objects.get_or_create(
        pk=1, defaults={"min_group_size": settings.RSE_ENGAGEMENT_MIN_GROUP_SIZE}
    )
    return row


def min_group_size(row: EngagementSettings | None = None) -> int:
    row = row or get_settings()
    return max(ABSOLUTE_MIN_GROUP_SIZE, row.min_group_size)


def population():
    """The people analytics may count (a queryset of users, used as a subquery)."""
    return User.objects.filter(is_active=True, profile__isnull=False, profile__anonymised_at__isnull=True).exclude(
        Exists(AnalyticsOptOut.objects.filter(user=OuterRef("pk")))
    )


def is_opted_out(user) -> bool:
    return AnalyticsOptOut.objects.filter(user=user).exists()


def pseudonym(user_id: int) -> str:
    """A stable pseudonym for individual rows: the same person gets the same one in every export,
    and it cannot be turned back into an id without the server's secret."""
    digest = hmac.new(settings.SECRET_KEY.encode(), f"engagement:{user_id}".encode(), hashlib.sha256)
    return "P-" + digest.hexdigest()[:10]


@dataclass
class Decision:
    """Which groups are shown, which are merged into "other", and what is suppressed."""

    min_size: int
    shown: list = field(default_factory=list)
    merged: list = field(default_factory=list)  # the small groups that make up "other"
    other_shown: bool = False
    suppressed: list = field(default_factory=list)  # shown-sized groups hidden to protect "other"

    @property
    def has_other(self) -> bool:
        return bool(self.merged)

    def hidden_keys(self) -> list:
        return [*self.merged, *([] if self.other_shown else self.suppressed)]


def decide(
    headcounts: dict[Hashable, int], min_size: int, union_count: Callable[[list], int], always_merged=frozenset()
) -> Decision:
    """`headcounts`: people per group; `union_count(keys)`: distinct people in those groups
    together (the sum for groups that do not overlap; one SQL count for communities);
    `always_merged`: groups never shown on their own whatever their size (secret communities)."""
    decision = Decision(min_size=min_size)
    small = sorted((k for k, n in headcounts.items() if n < min_size or k in always_merged), key=str)
    large = sorted(
        (k for k, n in headcounts.items() if n >= min_size and k not in always_merged),
        key=lambda k: (headcounts[k], str(k)),
    )
    decision.merged = small
    if not small:
        decision.shown = large
        return decision
    if union_count(small) >= min_size:
        decision.other_shown = True
        decision.shown = large
        return decision
    # "other" is too small to show: hide the smallest shown groups with it until what is hidden
    # covers enough people (all of them, if the whole population is too small).
    suppressed = []
    while large and union_count([*small, *suppressed]) < min_size:
        suppressed.append(large.pop(0))
    decision.suppressed = suppressed
    decision.shown = large
    return decision
