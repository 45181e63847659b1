"""Reads of the directory, shared by pages, htmx fragments, the API and tasks.

The mobile phone is the one field with a visibility: `present_profiles()` is the only place that
copies it onto what templates and serializers read (`visible_phone_mobile`), asking
permissions.can_see_mobile. Nothing renders `phone_mobile` directly.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.contrib.postgres.search import TrigramWordSimilarity
from django.core.cache import cache
from django.db import connection
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from directory.models import (
    Contact,
    Endorsement,
    Follow,
    FollowSuggestion,
    ImportJob,
    OrgUnit,
    Profile,
    ProfileLink,
    Site,
    Skill,
    UserSkill,
)
from directory.permissions import can_manage_import, can_see_mobile
from rse.accounts.models import User
from rse.lib.precompiled import precompiled
from rse.lib.text import normalize
from rse.trail.models import Event

PEOPLE_ORDERING = ("search_name", "id")
TRIGRAM_THRESHOLD = 0.45


# --- People ---------------------------------------------------------------------------------


def people():
    """Active, non-anonymised people with what a card shows, joined once."""
    return Profile.objects.filter(user__is_active=True, anonymised_at__isnull=True).select_related(
        "user", "org_unit", "site", "manager"
    )


def present_profiles(viewer, profiles):
    """Decide, once per profile, what `viewer` may see of the fields that have a visibility."""
    for profile in profiles:
        profile.visible_phone_mobile = profile.phone_mobile if can_see_mobile(viewer, profile) else ""
    return profiles


def with_follow_flags(viewer, profiles):
    """Add `is_followed` (by viewer) to every profile of a page in one query."""
    ids = [p.user_id for p in profiles]
    followed = set(Follow.objects.filter(follower=viewer, followed_id__in=ids).values_list("followed_id", flat=True))
    for profile in profiles:
        profile.is_followed = profile.user_id in followed
    return profiles


def unit_and_descendant_ids(unit_id) -> list[int]:
    children = defaultdict(list)
    for pk, parent_id in OrgUnit.objects.values_list("pk", "parent_id"):
        children[parent_id].append(pk)
    found, todo = [], [unit_id]
    while todo:
        current = todo.pop()
        if current in found:
            continue
        found.append(current)
        todo.extend(children.get(current, []))
    return found


def search_people(*, q="", skill="", org_unit="", site="", language=""):
    """The directory search. Names are matched accent- and case-insensitively on Profile.search_name
    (LIKE everywhere, plus trigram word similarity on PostgreSQL for typos); filters narrow it."""
    qs = people()
    for index, term in enumerate(normalize(q).split()[:6]):
        condition = Q(search_name__contains=term)
        if settings.IS_POSTGRES and len(term) >= 3:
            # Word similarity forgives a typo ("hlene" → "hélène"); the GIN trigram index serves the
            # LIKE branch. 0.45 is looser than pg_trgm's default 0.6, which misses one-letter typos.
            name = f"_similarity_{index}"
            qs = qs.annotate(**{name: TrigramWordSimilarity(term, "search_name")})
            condition |= Q(**{f"{name}__gte": TRIGRAM_THRESHOLD})
        qs = qs.filter(condition)
    if skill:
        qs = qs.filter(Exists(UserSkill.objects.filter(user_id=OuterRef("user_id"), skill__slug=skill)))
    if org_unit:
        unit = OrgUnit.objects.filter(slug=org_unit).values_list("pk", flat=True).first()
        qs = qs.filter(org_unit_id__in=unit_and_descendant_ids(unit)) if unit else qs.none()
    if site:
        qs = qs.filter(site__slug=site)
    if language:
        code = language.strip().lower()
        qs = qs.filter(
            Q(languages__iexact=code)
            | Q(languages__istartswith=f"{code},")
            | Q(languages__iendswith=f",{code}")
            | Q(languages__icontains=f",{code},")
        )
    return qs


def get_profile_page(viewer, user_id):
    """Everything the profile page shows, in a fixed number of queries."""
    endorsements = Endorsement.objects.select_related("endorser").order_by("created_at", "id")
    skills = (
        UserSkill.objects.select_related("skill")
        .annotate(endorsement_count=Count("endorsements"))
        .prefetch_related(Prefetch("endorsements", queryset=endorsements))
        .order_by("-endorsement_count", "skill__name")
    )
    profile = get_object_or_404(
        Profile.objects.select_related("user", "org_unit", "site", "manager").prefetch_related(
            Prefetch("user__user_skills", queryset=skills, to_attr="skills"),
            Prefetch("user__profile_links", queryset=ProfileLink.objects.order_by("id"), to_attr="links"),
        ),
        user_id=user_id,
        anonymised_at__isnull=True,
    )
    present_profiles(viewer, [profile])
    for user_skill in profile.user.skills:
        user_skill.endorsed_by_viewer = any(e.endorser_id == viewer.pk for e in user_skill.endorsements.all())
    profile.is_followed = Follow.objects.filter(follower=viewer, followed_id=user_id).exists()
    profile.is_starred = Contact.objects.filter(owner=viewer, colleague_id=user_id).exists()
    profile.follower_count = Follow.objects.filter(followed_id=user_id).count()
    return profile


# --- Organisation ---------------------------------------------------------------------------


def org_tree():
    """All org units as a forest, each with `children` and `member_count` (two queries)."""
    counts = dict(
        Profile.objects.filter(user__is_active=True, org_unit__isnull=False)
        .values_list("org_unit_id")
        .annotate(n=Count("id"))
        .values_list("org_unit_id", "n")
    )
    units = list(OrgUnit.objects.order_by("name"))
    by_parent = defaultdict(list)
    for unit in units:
        unit.member_count = counts.get(unit.pk, 0)
        by_parent[unit.parent_id].append(unit)
    for unit in units:
        unit.sub_units = by_parent.get(unit.pk, [])
    return by_parent.get(None, [])


def sites_with_counts():
    active = Q(people__user__is_active=True, people__anonymised_at__isnull=True)
    return Site.objects.annotate(member_count=Count("people", filter=active)).order_by("name")


def get_org_unit_page(slug):
    units = {u.pk: u for u in OrgUnit.objects.all()}
    unit = next((u for u in units.values() if u.slug == slug), None)
    if unit is None:
        raise OrgUnit.DoesNotExist
    ancestors, parent_id, seen = [], unit.parent_id, set()
    while parent_id and parent_id in units and parent_id not in seen:
        seen.add(parent_id)
        ancestors.insert(0, units[parent_id])
        parent_id = units[parent_id].parent_id
    unit.ancestors = ancestors
    unit.sub_units = sorted((u for u in units.values() if u.parent_id == unit.pk), key=lambda u: u.name)
    return unit


def manager_chain_ids(user_id, max_depth=50) -> list[int]:
    """The manager chain above `user_id`, nearest first, in one recursive query (cycle-safe by depth)."""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            WITH RECURSIVE chain(user_id, manager_id, depth) AS (
                SELECT user_id, manager_id, 0 FROM {Profile._meta.db_table} WHERE user_id = %s
                UNION ALL
                SELECT p.user_id, p.manager_id, c.depth + 1
                FROM {Profile._meta.db_table} p JOIN chain c ON p.user_id = c.manager_id
                WHERE c.depth < %s
            )
            SELECT user_id, depth FROM chain WHERE depth > 0 ORDER BY depth
            """,  # noqa: S608 - table name from the model, values are parameters
            [user_id, max_depth],
        )
        seen, chain = {user_id}, []
        for uid, _depth in cursor.fetchall():
            if uid in seen:
                break
            seen.add(uid)
            chain.append(uid)
    return chain


@dataclass
class OrgChart:
    person: Profile
    chain: list = field(default_factory=list)  # top first
    reports: list = field(default_factory=list)
    peers: list = field(default_factory=list)


def get_org_chart(viewer, user_id) -> OrgChart:
    chain_ids = manager_chain_ids(user_id)
    manager_id = chain_ids[0] if chain_ids else None
    condition = Q(user_id=user_id) | Q(user_id__in=chain_ids) | Q(manager_id=user_id)
    if manager_id:
        condition |= Q(manager_id=manager_id)
    rows = list(
        Profile.objects.filter(condition, anonymised_at__isnull=True)
        # A manager who left stays in the chain (marked), or the reports' line would vanish.
        .filter(Q(user__is_active=True) | Q(user_id=user_id) | Q(user_id__in=chain_ids))
        .select_related("user", "org_unit", "site")
        .order_by("search_name", "id")
    )
    present_profiles(viewer, rows)
    by_user = {p.user_id: p for p in rows}
    person = by_user.get(user_id)
    if person is None:
        raise Profile.DoesNotExist
    return OrgChart(
        person=person,
        chain=[by_user[uid] for uid in reversed(chain_ids) if uid in by_user],
        reports=[p for p in rows if p.manager_id == user_id and p.user_id != user_id],
        peers=[p for p in rows if manager_id and p.manager_id == manager_id and p.user_id != user_id],
    )


# --- Profile facts from other apps -------------------------------------------------------------

# Other apps add lines to a profile's facts without directory importing them (engagement: influence
# per topic beside the followers). A provider is `fn(viewer, user) -> [(label, value, url or "")]`,
# the value plain text (escaped by the template), linked to `url` when there is one; register it
# from the app's AppConfig.ready().
_PROFILE_FACTS: list = []


def register_profile_facts(fn):
    if fn not in _PROFILE_FACTS:
        _PROFILE_FACTS.append(fn)
    return fn


def extra_profile_facts(viewer, user) -> list:
    return [fact for fn in _PROFILE_FACTS for fact in fn(viewer, user)]


# --- Expert finder --------------------------------------------------------------------------

# Other apps add evidence without directory importing them (communities: accepted answers).
# A source is `fn(term: str, skill_ids: list[int]) -> {user_id: (points, reason)}`; register it from the
# app's AppConfig.ready() with register_expert_source(fn).
_EXPERT_SOURCES: list = []


def register_expert_source(fn):
    if fn not in _EXPERT_SOURCES:
        _EXPERT_SOURCES.append(fn)
    return fn


DECLARED_POINTS = 10
ENDORSEMENT_POINTS = 3


@dataclass
class Expert:
    profile: Profile
    score: int = 0
    reasons: list = field(default_factory=list)


def matching_skill_ids(term) -> list[int]:
    wanted = normalize(term)
    if not wanted:
        return []
    return [pk for pk, name in Skill.objects.values_list("pk", "name") if wanted in normalize(name)]


def find_experts(viewer, term, *, extra_scores=None, limit=30) -> list[Expert]:
    """Rank people for "who knows <term>": a declared skill counts DECLARED_POINTS, each endorsement
    ENDORSEMENT_POINTS; `extra_scores` ({user_id: (points, reason)}) and registered sources add theirs.
    Each expert carries the reasons, so the page can say why they are listed."""
    skill_ids = matching_skill_ids(term)
    scores: dict[int, Expert] = {}
    declared = (
        UserSkill.objects.filter(skill_id__in=skill_ids, user__is_active=True)
        .annotate(n=Count("endorsements"))
        .values_list("user_id", "skill__name", "n")
    )
    for user_id, skill_name, n in declared:
        expert = scores.setdefault(user_id, Expert(profile=None))
        expert.score += DECLARED_POINTS + ENDORSEMENT_POINTS * n
        if n:
            expert.reasons.append(
                ngettext(
                    "declared %(skill)s, endorsed by %(n)d colleague",
                    "declared %(skill)s, endorsed by %(n)d colleagues",
                    n,
                )
                % {"skill": skill_name, "n": n}
            )
        else:
            expert.reasons.append(_("declared %(skill)s") % {"skill": skill_name})
    sources = [extra_scores] if extra_scores else []
    sources += [fn(term, skill_ids) for fn in _EXPERT_SOURCES]
    for extra in sources:
        for user_id, (points, reason) in (extra or {}).items():
            expert = scores.setdefault(user_id, Expert(profile=None))
            expert.score += points
            expert.reasons.append(reason)
    top = sorted(scores.items(), key=lambda kv: -kv[1].score)[: limit * 2]
    profiles = {p.user_id: p for p in people().filter(user_id__in=[uid for uid, _e in top])}
    present_profiles(viewer, profiles.values())
    result = []
    for user_id, expert in top:
        if user_id in profiles:
            expert.profile = profiles[user_id]
            result.append(expert)
    result.sort(key=lambda e: (-e.score, e.profile.search_name, e.profile.pk))
    return result[:limit]


# --- Follows and suggestions ----------------------------------------------------------------


def following(user):
    return people().filter(user__follower_set__follower=user)


def followers(user):
    return people().filter(user__following_set__followed=user)


COACTIVITY_DAYS = 90


@dataclass
class Suggestion:
    profile: Profile
    score: int = 0
    reasons: list = field(default_factory=list)


def suggest_follows(user, limit=12) -> list[Suggestion]:
    """People `user` could follow, with why: their manager, their team, people active in the same
    communities (from the activity trail), LinkedIn connections who are colleagues."""
    me = Profile.objects.filter(user=user).values("org_unit_id", "manager_id").first() or {}
    found: dict[int, Suggestion] = {}

    def add(uid, points, reason):
        suggestion = found.setdefault(uid, Suggestion(profile=None))
        suggestion.score += points
        if reason not in suggestion.reasons:
            suggestion.reasons.append(reason)

    if me.get("manager_id"):
        add(me["manager_id"], 100, _("your manager"))
    for uid in FollowSuggestion.objects.filter(user=user).values_list("suggested_id", flat=True):
        add(uid, 50, _("a LinkedIn connection"))
    if me.get("org_unit_id"):
        team = Profile.objects.filter(org_unit_id=me["org_unit_id"]).values_list("user_id", flat=True)[:50]
        for uid in team:
            add(uid, 20, _("in your team"))
    # Recent activity only: the trail grows forever, and last year's co-activity is no reason to follow.
    since = timezone.now() - timedelta(days=COACTIVITY_DAYS)
    my_communities = (
        Event.objects.filter(actor=user, community_id__isnull=False, created_at__gte=since)
        .values("community_id")
        .distinct()[:50]
    )
    co_active = (
        Event.objects.filter(community_id__in=my_communities, actor__isnull=False, created_at__gte=since)
        .exclude(actor=user)
        .values("actor_id")
        .annotate(n=Count("community_id", distinct=True))
        .order_by("-n")[:50]
    )
    for row in co_active:
        add(
            row["actor_id"],
            5 * row["n"],
            ngettext("active in %(n)d of your communities", "active in %(n)d of your communities", row["n"])
            % {"n": row["n"]},
        )
    found.pop(user.pk, None)
    already = set(Follow.objects.filter(follower=user, followed_id__in=found).values_list("followed_id", flat=True))
    candidates = [uid for uid in found if uid not in already]
    profiles = {p.user_id: p for p in people().filter(user_id__in=candidates)}
    present_profiles(user, profiles.values())
    result = []
    for uid in candidates:
        if uid in profiles:
            found[uid].profile = profiles[uid]
            result.append(found[uid])
    result.sort(key=lambda s: (-s.score, s.profile.search_name, s.profile.pk))
    return result[:limit]


# --- First steps ----------------------------------------------------------------------------

FIRST_STEPS = ("photo", "skills", "follow")


@precompiled()
def _first_steps_row(*, user_id):
    return (
        User.objects.filter(pk=user_id)
        .annotate(
            has_skills=Exists(UserSkill.objects.filter(user=OuterRef("pk"))),
            has_follows=Exists(Follow.objects.filter(follower=OuterRef("pk"))),
        )
        .values("profile__photo", "profile__first_steps_skipped", "profile__first_steps_dismissed_at",
                "has_skills", "has_follows")
        .order_by("pk")[:1]
    )  # fmt: skip


def first_steps(user):
    """The assistant's state: each step done, skipped or to do. None once closed or all settled.
    One query (it is on the home page): the profile's fields and the two "done" flags."""
    rows = _first_steps_row(user_id=user.pk)
    row = rows[0] if rows else None
    if row is None or row["profile__first_steps_dismissed_at"]:
        return None
    skipped = row["profile__first_steps_skipped"] or []
    done = {"photo": bool(row["profile__photo"]), "skills": row["has_skills"], "follow": row["has_follows"]}
    steps = [{"key": key, "done": done[key], "skipped": key in skipped} for key in FIRST_STEPS]
    if all(s["done"] or s["skipped"] for s in steps):
        return None
    return steps


# --- Contacts -------------------------------------------------------------------------------


def contacts_of(user, *, q="", tag=""):
    qs = Contact.objects.filter(owner=user).select_related("colleague", "colleague__profile", "item")
    for term in normalize(q).split()[:6]:
        qs = qs.filter(search_text__contains=term)
    if tag:
        qs = qs.filter(search_text__contains=f"#{normalize(tag)}")
    return qs


def access_contact_by_id(user, contact_id) -> Contact:
    """The contact, or 404 when it is not `user`'s (no leak of other books)."""
    return get_object_or_404(Contact.objects.select_related("colleague", "item"), pk=contact_id, owner=user)


def access_import_by_id(user, job_id) -> ImportJob:
    job = get_object_or_404(ImportJob, pk=job_id, owner=user)
    if not can_manage_import(user, job):
        raise Http404
    return job


def users_by_email(emails) -> dict[str, int]:
    """Active colleagues whose e-mail is in `emails` (lower-cased), in chunks."""
    emails = sorted({e.lower() for e in emails if e})
    found = {}
    for start in range(0, len(emails), 500):
        chunk = emails[start : start + 500]
        found.update(User.objects.filter(email__in=chunk, is_active=True).values_list("email", "pk"))
    return found


AVATAR_TTL = 3600


def avatar_cache_key(user_id):
    """Where avatar_url keeps a person's photo URL (a page may read it ahead, with other keys)."""
    return f"directory:avatar:{user_id}"


_avatar_key = avatar_cache_key


def avatar_url(user) -> str:
    """The URL of `user`'s profile photo or "" (for the top bar on every page: from the cache,
    one query on a miss; forget_avatar after a change)."""
    url = cache.get(_avatar_key(user.pk))
    if url is None:
        photo = Profile.objects.filter(user=user).values_list("photo", flat=True).first()
        url = Profile._meta.get_field("photo").storage.url(photo) if photo else ""
        cache.set(_avatar_key(user.pk), url, AVATAR_TTL)
    return url


def forget_avatar(user_id):
    cache.delete(_avatar_key(user_id))
