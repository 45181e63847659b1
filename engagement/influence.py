"""Influence in context: who triggers action in a community, a hashtag or around a business item.

For a person P and a context, the *responders* are the distinct people who replied to P's posts
or comments there, reacted to them, shared P's posts, or had P's answer accepted on their
question. Each responder counts once, at the weight of their strongest action (accepted answer 4 >
reply 3 > share 2 > reaction 1); P's influence is the sum, divided by the context's size (per 100
people). There is never one global score: every figure belongs to one context.

Everything is one SQL statement per question asked: a UNION ALL of the six kinds of response
(each a Django queryset), the best weight per (context, influencer, responder), then a sum per
(context, influencer). People who opted out of analytics are neither counted nor shown.
"""

from dataclasses import dataclass

from django.db import router
from django.db.models import Count, F, IntegerField, Q, Value

from communities.models import Comment, Membership, Post, Reaction
from engagement import privacy
from engagement.sql import compiled, read, run

WEIGHTS = {"accepted": 4, "reply": 3, "share": 2, "reaction": 1}

# (model, path to the influencer, path to the responder, weight, path from the row to the content
# whose context counts, extra filter)
SOURCES = [
    (Comment, "post__author_id", "author_id", WEIGHTS["reply"], "post__", Q(post__deleted_at__isnull=True)),
    (Comment, "parent__author_id", "author_id", WEIGHTS["reply"], "post__", Q(parent__deleted_at__isnull=True)),
    (Post, "accepted_comment__author_id", "author_id", WEIGHTS["accepted"], "", Q(accepted_comment__isnull=False)),
    (Post, "shared_from__author_id", "author_id", WEIGHTS["share"], "shared_from__", Q(shared_from__deleted_at__isnull=True)),
    (Reaction, "post__author_id", "user_id", WEIGHTS["reaction"], "post__", Q(post__deleted_at__isnull=True)),
    (Reaction, "comment__author_id", "user_id", WEIGHTS["reaction"], "comment__post__", Q(comment__deleted_at__isnull=True)),
]  # fmt: skip

CONTEXT_FIELDS = {"community": "community_id", "hashtag": "hashtags", "item": "items"}


def _sources(kind, *, value=None, influencer=None, since=None, until=None, communities=None):
    """Every response, of anyone to anyone: who may count is decided once, on their union (_scores)."""
    out = []
    for model, who, responder, weight, prefix, extra in SOURCES:
        ctx = prefix + CONTEXT_FIELDS[kind]
        qs = model.objects.filter(extra, **{f"{who}__isnull": False})
        if model is not Reaction:
            qs = qs.filter(deleted_at__isnull=True)
        qs = qs.exclude(**{responder: F(who)})
        if value is not None:
            qs = qs.filter(**{ctx: value})
        else:
            qs = qs.filter(**{f"{ctx}__isnull": False})
        if influencer is not None:
            qs = qs.filter(**{who: influencer})
        if communities is not None:
            qs = qs.filter(**{f"{prefix}community_id__in": communities})
        if since is not None:
            qs = qs.filter(created_at__gte=since)
        if until is not None:
            qs = qs.filter(created_at__lt=until)
        out.append(
            qs.annotate(
                ctx=F(ctx), influencer=F(who), responder=F(responder), weight=Value(weight, IntegerField())
            ).values_list("ctx", "influencer", "responder", "weight").order_by()
        )  # fmt: skip
    return out


def _scores(sources, *, wide=True):
    """[(context, influencer, weighted responders, responders)], best first. `wide`: a whole
    context's responses (a dashboard's statement); else one person's (a profile's, small)."""
    union = sources[0].union(*sources[1:], all=True)
    alias = router.db_for_read(Post)
    sql, params = compiled(union, alias)
    people, people_params = compiled(privacy.population().values("pk").order_by(), alias)
    # Column names come from the first SELECT's aliases (ctx, influencer, responder, weight). The
    # people who may count, once for the six sources (not twice in each).
    wrapped = (
        "SELECT ctx, influencer, SUM(w), COUNT(*) FROM ("  # noqa: S608 - sql is Django's, params bound
        f"SELECT ctx, influencer, responder, MAX(weight) AS w FROM ({sql}) u "
        f"WHERE influencer IN ({people}) AND responder IN ({people}) GROUP BY ctx, influencer, responder"
        ") b GROUP BY ctx, influencer ORDER BY 3 DESC, 2"
    )
    rows = (read if wide else run)(alias, wrapped, [*params, *people_params, *people_params])
    return [(ctx, who, int(score), int(n)) for ctx, who, score, n in rows]


def context_size(kind, value) -> int:
    """A community's active members; for a hashtag or an item, the people who wrote about it."""
    if kind == "community":
        return community_sizes([value]).get(value, 0)
    return _contributors(kind, value, None, None, None)


def community_sizes(ids) -> dict:
    """{community id: active members who may be counted}, in one query."""
    rows = (
        Membership.objects.filter(
            community_id__in=ids, status=Membership.Status.ACTIVE, user__in=privacy.population().values("pk")
        )
        .values("community_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["community_id"]: row["n"] for row in rows}


@dataclass
class Voice:
    user_id: int
    weighted: int
    responders: int
    influence: float  # weighted responders per 100 people of the context
    user: object = None


@dataclass
class ContextInfluence:
    size: int
    voices: list  # every influencer, best first
    contributors: int
    concentration_people: int  # how many influencers make 90 % of the weighted responses
    concentration_percent: float | None  # ... as a share of the contributors

    def key_voices(self, n=10):
        return self.voices[:n]


def context_influence(kind, value, *, since=None, until=None, communities=None) -> ContextInfluence:
    rows = _scores(_sources(kind, value=value, since=since, until=until, communities=communities))
    size = context_size(kind, value)
    voices = [Voice(who, score, n, round(100 * score / size, 1) if size else 0.0) for _c, who, score, n in rows]
    total = sum(v.weighted for v in voices)
    running, needed = 0, 0
    for voice in voices:
        if total and running >= 0.9 * total:
            break
        running += voice.weighted
        needed += 1
    contributors = _contributors(kind, value, since, until, communities)
    share = round(100 * needed / contributors, 1) if contributors and needed else None
    return ContextInfluence(size, voices, contributors, needed, share)


def _contributors(kind, value, since, until, communities):
    population = privacy.population().values("pk")
    field = CONTEXT_FIELDS[kind]
    posts = Post.objects.filter(**{field: value}, deleted_at__isnull=True, author__in=population)
    comments = Comment.objects.filter(**{f"post__{field}": value}, deleted_at__isnull=True, author__in=population)
    if communities is not None:
        posts = posts.filter(community_id__in=communities)
        comments = comments.filter(post__community_id__in=communities)
    if since is not None:
        posts, comments = posts.filter(created_at__gte=since), comments.filter(created_at__gte=since)
    if until is not None:
        posts, comments = posts.filter(created_at__lt=until), comments.filter(created_at__lt=until)
    authors = posts.values("author_id").order_by().union(comments.values("author_id").order_by())
    return authors.count()


def person_influence(user, *, communities=None, limit=5) -> list[dict]:
    """Influence of one person per community and per hashtag (the topics), best first: for a
    profile, beside the followers. `communities`: the ids the viewer may read."""
    if privacy.is_opted_out(user):
        return []
    from communities.models import Community, Tag

    out = []
    for kind, model, label in (("community", Community, "name"), ("hashtag", Tag, "name")):
        rows = _scores(_sources(kind, influencer=user.pk, communities=communities), wide=False)[:limit]
        names = dict(model.objects.filter(pk__in=[r[0] for r in rows]).values_list("pk", label))
        sizes = community_sizes([r[0] for r in rows]) if kind == "community" and rows else {}
        for ctx, _who, score, n in rows:
            size = sizes.get(ctx, 0) if kind == "community" else context_size(kind, ctx)
            name = names.get(ctx, "")
            out.append(
                {
                    "kind": kind,
                    "id": ctx,
                    "name": f"#{name}" if kind == "hashtag" else name,
                    "weighted": score,
                    "responders": n,
                    "influence": round(100 * score / size, 1) if size else 0.0,
                }
            )
    return sorted(out, key=lambda r: -r["influence"])[:limit]


def profile_facts(viewer, user) -> list:
    """directory's profile hook: influence per topic, in the communities the viewer may read."""
    from django.urls import reverse
    from django.utils.translation import gettext as _

    from communities.selectors import visible_communities

    if not getattr(viewer, "is_authenticated", False):
        return []
    facts = []
    if viewer.pk == user.pk:  # only the person sees (and changes) whether they are counted
        counted = _("left out (you opted out)") if privacy.is_opted_out(user) else _("counted")
        facts.append((_("Engagement analytics"), counted, reverse("engagement:index")))
    topics = person_influence(user, communities=visible_communities(viewer).values("pk"), limit=3)
    text = ", ".join(
        _("%(topic)s: %(influence)s per 100 people") % {"topic": t["name"], "influence": t["influence"]} for t in topics
    )
    # Always the line, the same one for no responses and for someone left out of analytics: its
    # absence would tell who opted out.
    facts.append((_("Influence by topic"), text or _("no responses measured yet"), ""))
    return facts
