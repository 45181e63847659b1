"""One search over posts, comments, people, communities and business items.

Everything goes through the one door (visible_posts, visible_comments, listed_communities,
repository search/visible_items), so a result is never something the viewer may not see.
PostgreSQL: full-text on the expressions indexed by migration 0004 (GIN), ranked with
ts_rank. SQLite: every word must appear (LIKE), ranked by where and how often it appears.
Snippets are built in Python from the plain text and escaped before <mark> is added, so a
search can never inject HTML.

Posts and comments are searched, ranked and quoted from `body_text`, the words as every reader
gets them, never from `body_md` as typed: a `[[restricted-item]]` link reads "restricted item"
there as on the page, so search neither shows a restricted item's name nor answers whether a
post mentions it.
"""

import re
from dataclasses import dataclass

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db.models import Q, Subquery
from django.utils.html import escape
from django.utils.safestring import mark_safe

from communities.links import item_url
from communities.selectors import listed_communities, visible_comments, visible_posts
from rse.lib.text import normalize

TYPES = ("posts", "comments", "people", "communities", "items")


# `simple` + unaccent (migration 0007): "aeroline" finds "Aéroline".
SEARCH_CONFIG = "rse_search"


def _document(*fields):
    return SearchVector(*fields, config=SEARCH_CONFIG)


# The GIN indexes of migration 0008 are built from these same expressions (they must match).
DOCUMENTS = {
    "post": lambda: _document("title", "body_text"),
    "comment": lambda: _document("body_text"),
    "community": lambda: _document("name", "description_md"),
}
_WORD = re.compile(r"\w[\w'-]*", re.UNICODE)


@dataclass
class Hit:
    type: str
    obj: object
    title: str
    snippet: str
    rank: float = 0.0
    url: str = ""
    title_html: str = ""  # the title, escaped, the searched words in <mark> (set by search())


def terms_of(query: str) -> list[str]:
    return [w for w in _WORD.findall(query or "") if len(w) > 1][:8]


_MARKUP = re.compile(r"[*`]|\[\[|\]\]|^\s{0,3}#{1,6}\s|^\s{0,3}>\s?", re.MULTILINE)


def highlight(text: str, terms, *, width=160, whole=False) -> str:
    """An escaped window of `text` (markdown markup dropped) around the first term, terms in <mark>;
    `whole`: all of it (a title)."""
    text = re.sub(r"\s+", " ", _MARKUP.sub("", text or "")).strip()
    if not text:
        return ""
    folded = normalize(text)
    # normalize() may change lengths (ligatures), so only use it to find a start when aligned.
    aligned = len(folded) == len(text)
    start = 0
    if whole:
        width = len(text)
    elif aligned:
        positions = [folded.find(normalize(t)) for t in terms]
        positions = [p for p in positions if p >= 0]
        if positions:
            start = max(0, min(positions) - width // 3)
    window = text[start : start + width]
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    html = escape(window)
    if aligned and terms:
        folded_window = normalize(window)
        spans = []
        for term in terms:
            t = normalize(term)
            spans.extend((m.start(), m.end()) for m in re.finditer(re.escape(t), folded_window))
        spans.sort()
        out, pos = [], 0
        for a, b in spans:
            if a < pos:
                continue
            out += [escape(window[pos:a]), "<mark>", escape(window[a:b]), "</mark>"]
            pos = b
        out.append(escape(window[pos:]))
        html = "".join(out)
    return mark_safe(prefix + html + suffix)  # noqa: S308 - every piece escaped above


def _best_text(body, title, terms):
    """The body when it holds a term, else the title (so the snippet shows why it matched)."""
    folded = normalize(body)
    if body and any(normalize(t) in folded for t in terms):
        return body
    return title or body


def _like_all(fields, terms):
    """Every term in one of the fields, case and accents ignored (rse.lib.folding)."""
    condition = Q()
    for term in terms:
        any_field = Q()
        for field in fields:
            any_field |= Q(**{f"{field}__folded__contains": normalize(term)})
        condition &= any_field
    return condition


def _like_rank(text_title, text_body, terms):
    title, body = normalize(text_title), normalize(text_body)
    score = 0.0
    for term in terms:
        t = normalize(term)
        score += 3 * title.count(t) + min(body.count(t), 5)
    return score


# Ranking every match of a very common word over millions of rows is too slow: rank only the
# most recent matches (the GIN index finds rare words fast; the id index stops early on common ones).
SEARCH_CANDIDATES = 500


def _fulltext(qs, document, query):
    search = SearchQuery(query, config=SEARCH_CONFIG, search_type="websearch")
    candidates = qs.annotate(document=document).filter(document=search).order_by("-pk").values("pk")
    return (
        qs.filter(pk__in=Subquery(candidates[:SEARCH_CANDIDATES]))
        .annotate(rank=SearchRank(document, search))
        .order_by("-rank", "-id")
    )


def search_posts(user, query, limit=20):
    terms = terms_of(query)
    if not terms:
        return []
    qs = visible_posts(user).select_related("community", "author")
    if settings.IS_POSTGRES:
        rows = list(_fulltext(qs, DOCUMENTS["post"](), query)[:limit])
    else:
        rows = list(qs.filter(_like_all(["title", "body_text"], terms)).order_by("-created_at", "-id")[: limit * 5])
        for row in rows:
            row.rank = _like_rank(row.title, row.body_text, terms)
        rows = sorted(rows, key=lambda r: (-r.rank, -r.pk))[:limit]
    return [Hit("posts", p, str(p), highlight(_best_text(p.body_text, p.title, terms), terms), p.rank) for p in rows]


def search_comments(user, query, limit=20):
    terms = terms_of(query)
    if not terms:
        return []
    qs = visible_comments(user).select_related("post__community", "author")
    if settings.IS_POSTGRES:
        rows = list(_fulltext(qs, DOCUMENTS["comment"](), query)[:limit])
    else:
        rows = list(qs.filter(_like_all(["body_text"], terms)).order_by("-created_at", "-id")[: limit * 5])
        for row in rows:
            row.rank = _like_rank("", row.body_text, terms)
        rows = sorted(rows, key=lambda r: (-r.rank, -r.pk))[:limit]
    return [Hit("comments", c, str(c.post), highlight(c.body_text, terms), c.rank) for c in rows]


def search_communities(user, query, limit=20):
    terms = terms_of(query)
    if not terms:
        return []
    qs = listed_communities(user)
    if settings.IS_POSTGRES:
        rows = list(_fulltext(qs, DOCUMENTS["community"](), query)[:limit])
    else:
        rows = list(qs.filter(_like_all(["name", "description_md"], terms))[: limit * 5])
        for row in rows:
            row.rank = _like_rank(row.name, row.description_md, terms)
        rows = sorted(rows, key=lambda r: (-r.rank, r.pk))[:limit]
    return [
        Hit("communities", c, c.name, highlight(_best_text(c.description_md, c.name, terms), terms), c.rank)
        for c in rows
    ]


def search_people(user, query, limit=20):
    """Active people by name, e-mail, job title. The mobile phone only when its owner shares it."""
    from directory.models import Profile
    from rse.accounts.models import User

    terms = terms_of(query)
    if not terms or not getattr(user, "is_authenticated", False):
        return []
    fields = ["first_name", "last_name", "email", "profile__job_title", "profile__search_name"]
    rows = list(
        User.objects.filter(is_active=True)
        .filter(_like_all(fields, terms))
        .select_related("profile", "profile__org_unit")
        .order_by("last_name", "first_name", "id")[:limit]
    )
    hits = []
    for person in rows:
        try:
            profile = person.profile
        except Profile.DoesNotExist:
            profile = None
        person.visible_mobile = ""
        if profile and (profile.phone_mobile_visibility == Profile.Visibility.COLLEAGUES or person.pk == user.pk):
            person.visible_mobile = profile.phone_mobile
        detail = " · ".join(
            x
            for x in [
                profile.job_title if profile else "",
                str(profile.org_unit) if profile and profile.org_unit else "",
            ]
            if x
        )
        rank = _like_rank(person.get_full_name(), detail, terms)
        hits.append(Hit("people", person, person.display_name, highlight(detail, terms), rank))
    return sorted(hits, key=lambda h: -h.rank)


def search_items(user, query, limit=20):
    """Business items through the repository's own search when it exists (its one door)."""
    from repository import selectors as repo

    terms = terms_of(query)
    if not terms:
        return []
    rows = list(repo.search_items(user, query)[:limit])
    return [
        Hit(
            "items",
            item,
            item.name,
            highlight(getattr(item, "description_md", "") or item.name, terms),
            url=item_url(item.slug),
        )
        for item in rows
    ]


SEARCHERS = {
    "posts": search_posts,
    "comments": search_comments,
    "people": search_people,
    "communities": search_communities,
    "items": search_items,
}


PER_TYPE_WHEN_ALL = 5


def search(user, query, *, type=None, limit=None):  # noqa: A002 - the URL parameter's name
    """{type: [Hit]} for one type or all of them (fewer of each when all)."""
    types = [type] if type in SEARCHERS else list(TYPES)
    size = limit or (20 if len(types) == 1 else PER_TYPE_WHEN_ALL)
    results = {t: SEARCHERS[t](user, query, limit=size) for t in types}
    terms = terms_of(query)
    for hit in (hit for hits in results.values() for hit in hits):
        hit.title_html = highlight(hit.title, terms, whole=True)
    return results
