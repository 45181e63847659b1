"""Reads of the business repository. The one door to items: every path (page, search,
autocomplete, link preview in a post, API, notifications) goes through visible_items()."""

import difflib
import html
import re
from dataclasses import dataclass

from django.conf import settings
from django.db.models import (
    Case,
    Count,
    Exists,
    F,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    Subquery,
    Value,
    When,
    prefetch_related_objects,
)
from django.db.models.functions import Coalesce
from django.shortcuts import get_object_or_404
from django.utils.html import escape, strip_tags
from django.utils.safestring import mark_safe

from repository.models import (
    Document,
    DocumentVersion,
    FieldDefinition,
    ImportJob,
    Item,
    ItemChange,
    ItemFollow,
    ItemRelation,
    ItemType,
)
from rse.accounts.roles import is_administrator
from rse.lib.text import normalize


def visible_items(user, *, include_deleted=False):
    """Items `user` may see: company-wide ones, and restricted ones shared with one of their groups.
    `include_deleted`: also the deleted ones the same rule lets them see (a sync may revive those)."""
    qs = Item.objects.all() if include_deleted else Item.objects.alive()
    if not getattr(user, "is_authenticated", False):
        return qs.none()
    if is_administrator(user):
        return qs
    restrictions = Item.restricted_to.through.objects.filter(item_id=OuterRef("pk"))
    return qs.filter(~Exists(restrictions) | Exists(restrictions.filter(group__user=user)))


def can_see_item(user, item) -> bool:
    return visible_items(user).filter(pk=item.pk).exists()


def access_item_by_slug(user, slug) -> Item:
    """The item, or 404 when it does not exist *or* the user may not see it (no leak)."""
    return get_object_or_404(visible_items(user).select_related("item_type"), slug=slug)


def access_item_by_id(user, item_id) -> Item:
    return get_object_or_404(visible_items(user).select_related("item_type"), pk=item_id)


def access_item_by_external_id(user, type_slug, external_id) -> Item:
    return get_object_or_404(
        visible_items(user).select_related("item_type"), item_type__slug=type_slug, external_id=external_id
    )


def visible_item_q(user, prefix="") -> Q:
    """The same rule as a Q on a relation (e.g. prefix='items__'), for joins from other apps."""
    return Q(**{f"{prefix}pk__in": visible_items(user).values("pk")})


# --- types ----------------------------------------------------------------------------------


def list_item_types():
    return ItemType.objects.prefetch_related(
        Prefetch("field_definitions", queryset=FieldDefinition.objects.select_related("target_type"))
    )


def get_item_type(slug) -> ItemType:
    return get_object_or_404(list_item_types(), slug=slug)


# --- lists, autocomplete --------------------------------------------------------------------


def list_items(user, *, item_type=None, tag=None):
    """Visible items for the browse page and the API, ready to render (type and tags loaded)."""
    qs = visible_items(user).select_related("item_type").prefetch_related("tags")
    if item_type is not None:
        qs = qs.filter(item_type=item_type)
    if tag:
        qs = qs.filter(tags__name=tag)
    return qs


def autocomplete_items(user, query, *, limit=8, item_type=None):
    """Visible items whose name contains `query` (accents and case ignored), prefix matches first."""
    needle = normalize(query)
    if not needle:
        return []
    qs = visible_items(user).select_related("item_type").filter(normalized_name__contains=needle)
    if item_type is not None:
        qs = qs.filter(item_type=item_type)
    qs = qs.annotate(
        prefix=Case(
            When(normalized_name__startswith=needle, then=Value(0)), default=Value(1), output_field=IntegerField()
        )
    )
    return list(qs.order_by("prefix", "name", "id")[:limit])


def find_similar_items(user, item_type, name, *, exclude_pk=None, limit=5):
    """Items of `item_type` whose name closely matches `name`: the "one copy" warning.

    PostgreSQL: pg_trgm similarity. SQLite: normalised names compared with difflib, among
    candidates sharing a word with the new name. Only items the user may see are offered.
    """
    needle = normalize(name)
    if not needle:
        return []
    qs = visible_items(user).filter(item_type=item_type).select_related("item_type")
    if exclude_pk:
        qs = qs.exclude(pk=exclude_pk)
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import TrigramSimilarity

        qs = (
            qs.annotate(similarity=TrigramSimilarity("name", name))
            .filter(Q(similarity__gte=0.45) | Q(normalized_name=needle))
            .order_by("-similarity", "name")
        )
        return list(qs[:limit])
    words = [w for w in re.split(r"\W+", needle) if len(w) >= 3] or [needle]
    condition = Q()
    for word in words[:5]:
        condition |= Q(normalized_name__contains=word)
    scored = []
    for item in qs.filter(condition)[:300]:
        ratio = difflib.SequenceMatcher(None, needle, item.normalized_name).ratio()
        if ratio >= 0.8 or item.normalized_name == needle:
            item.similarity = ratio
            scored.append(item)
    scored.sort(key=lambda i: (-i.similarity, i.name))
    return scored[:limit]


# --- search ---------------------------------------------------------------------------------


@dataclass
class _Term:
    raw: str
    norm: str


def _terms(query) -> list[_Term]:
    return [_Term(w, normalize(w)) for w in query.split() if normalize(w)][:8]


def _snippet(item, terms, width=160):
    """Escaped text around the first match, with <mark> around matched words."""
    sources = [html.unescape(strip_tags(item.description_html or "")) or item.description_md]
    sources += [f"{doc.name} — {doc.description}" for doc in getattr(item, "matching_documents", [])]
    text = ""
    position = 0
    for source in sources:
        lowered = normalize(source)
        hits = [lowered.find(t.norm) for t in terms if t.norm and lowered.find(t.norm) >= 0]
        if hits and len(lowered) == len(source):
            text, position = source, min(hits)
            break
        if hits and not text:
            text, position = source, 0
    if not text:
        text = sources[0] or ""
    start = max(0, position - width // 3)
    excerpt = text[start : start + width].replace("\n", " ")
    prefix = "…" if start > 0 else ""
    suffix = "…" if start + width < len(text) else ""
    words = [re.escape(t.raw) for t in terms if t.raw]
    if not words:
        return mark_safe(prefix + escape(excerpt) + suffix)  # noqa: S308 - escaped
    # Split the raw text on the matches, escape every piece, then wrap the matches.
    pieces = re.split(f"({'|'.join(words)})", excerpt, flags=re.IGNORECASE)
    marked = "".join(f"<mark>{escape(p)}</mark>" if i % 2 else escape(p) for i, p in enumerate(pieces))
    return mark_safe(f"{escape(prefix)}{marked}{escape(suffix)}")  # noqa: S308 - built from escaped pieces only


def search_items(user, query, *, item_type=None, limit=20):
    """Search the items `user` may see, by name, description and their documents' names and
    descriptions. Returns a list (best first) of Item objects with `item_type` loaded and two
    extra attributes: `rank` (float, higher is better) and `snippet` (safe HTML: escaped text
    with <mark> around the matched words). An empty query returns [].

    PostgreSQL: full-text search on Item.search_vector (GIN index) plus a name substring
    match. SQLite: every word must appear (accents and case ignored) in the name, the
    description or a document's name or description.
    """
    terms = _terms(query or "")
    if not terms:
        return []
    qs = visible_items(user).select_related("item_type")
    if item_type is not None:
        qs = qs.filter(item_type=item_type)
    docs = Document.objects.alive().filter(item=OuterRef("pk"))
    if settings.IS_POSTGRES:
        from django.contrib.postgres.search import SearchQuery, SearchRank

        search = SearchQuery(query, search_type="websearch", config="simple")
        name_hit = Q()
        for term in terms:
            name_hit &= Q(normalized_name__contains=term.norm)
        qs = (
            qs.filter(Q(search_vector=search) | name_hit)
            .annotate(
                rank=SearchRank(F("search_vector"), search) + Case(When(name_hit, then=Value(1.0)), default=Value(0.0))
            )
            .order_by("-rank", "name", "id")
        )
        items = list(qs[:limit])
    else:
        for term in terms:
            doc_hit = docs.filter(Q(name__icontains=term.raw) | Q(description__icontains=term.raw))
            qs = qs.filter(
                Q(normalized_name__contains=term.norm) | Q(description_md__icontains=term.raw) | Exists(doc_hit)
            )
        items = list(qs.order_by("name", "id")[:500])
        for item in items:
            score = 0.0
            for term in terms:
                if term.norm in item.normalized_name:
                    score += 2.0 if item.normalized_name.startswith(term.norm) else 1.5
                elif term.norm in normalize(item.description_md):
                    score += 0.5
                else:
                    score += 0.25
            item.rank = score
        items.sort(key=lambda i: (-i.rank, i.name, i.pk))
        items = items[:limit]
    # Documents that matched, for the snippet: one query for the whole page.
    doc_condition = Q()
    for term in terms:
        doc_condition |= Q(name__icontains=term.raw) | Q(description__icontains=term.raw)
    by_item: dict[int, list] = {}
    for doc in Document.objects.alive().filter(doc_condition, item__in=[i.pk for i in items]):
        by_item.setdefault(doc.item_id, []).append(doc)
    prefetch_related_objects(items, "tags")
    for item in items:
        item.matching_documents = by_item.get(item.pk, [])
        item.snippet = _snippet(item, terms)
    return items


# --- the item page --------------------------------------------------------------------------


def get_item_for_page(user, slug) -> Item:
    """The item with everything its page shows, in a fixed number of queries."""
    visible = visible_items(user)
    follows = ItemFollow.objects.filter(item=OuterRef("pk"))
    item = get_object_or_404(
        visible_items(user)
        .select_related("item_type", "created_by")
        .annotate(
            followers_count=Coalesce(
                Subquery(follows.values("item").annotate(n=Count("pk")).values("n")[:1]), Value(0)
            ),
            is_following=Exists(follows.filter(user_id=user.pk)),
            is_restricted=Exists(Item.restricted_to.through.objects.filter(item_id=OuterRef("pk"))),
        )
        .prefetch_related(
            "tags",
            "owners",
            Prefetch("item_type__field_definitions", queryset=FieldDefinition.objects.select_related("target_type")),
            Prefetch(
                "documents",
                queryset=Document.objects.alive().select_related("current_version", "current_version__uploaded_by"),
            ),
            Prefetch(
                "outgoing_relations",
                queryset=ItemRelation.objects.filter(target__in=visible).select_related("target", "target__item_type"),
            ),
            Prefetch(
                "incoming_relations",
                queryset=ItemRelation.objects.filter(source__in=visible).select_related("source", "source__item_type"),
            ),
        ),
        slug=slug,
    )
    item._owner_ids = {u.pk for u in item.owners.all()}
    return item


def item_field_rows(user, item) -> list[dict]:
    """[{label, kind, value, url}] for the custom fields of an item, people and linked items
    loaded in one query each (and linked items through the visibility door)."""
    from rse.accounts.models import User

    definitions = list(item.item_type.field_definitions.all())
    values = item.fields or {}
    person_ids = {values.get(d.key) for d in definitions if d.kind == FieldDefinition.Kind.PERSON}
    item_ids = {values.get(d.key) for d in definitions if d.kind == FieldDefinition.Kind.ITEM}
    person_ids.discard(None)
    item_ids.discard(None)
    people = {u.pk: u for u in User.objects.filter(pk__in=person_ids)} if person_ids else {}
    linked = {i.pk: i for i in visible_items(user).filter(pk__in=item_ids)} if item_ids else {}
    rows = []
    for definition in definitions:
        value = values.get(definition.key)
        if value in (None, ""):
            continue
        row = {"label": definition.label, "kind": definition.kind, "value": value, "url": None}
        if definition.kind == FieldDefinition.Kind.PERSON:
            person = people.get(value)
            if person is None:
                continue
            row["value"] = person.display_name
        elif definition.kind == FieldDefinition.Kind.ITEM:
            target = linked.get(value)
            if target is None:  # gone, or restricted away from this viewer
                continue
            row["value"], row["url"] = target.name, target.get_absolute_url()
        elif definition.kind == FieldDefinition.Kind.URL:
            row["url"] = value
        rows.append(row)
    return rows


def item_follow_state(user, item) -> tuple[int, bool]:
    """(followers count, whether `user` follows) in one query."""
    follows = list(ItemFollow.objects.filter(item=item).values_list("user_id", flat=True))
    return len(follows), user.pk in follows


def list_item_history(item, *, limit=None):
    """The item's changes, newest first. The caller has already passed the visibility door."""
    qs = ItemChange.objects.filter(item=item).select_related("actor").order_by("-created_at", "-id")
    return qs[:limit] if limit else qs


# --- documents ------------------------------------------------------------------------------


def access_document(user, item, document_id) -> Document:
    """A live document of an item the caller already accessed through the door."""
    return get_object_or_404(
        Document.objects.alive().select_related("item", "current_version"), pk=document_id, item=item
    )


def list_document_versions(document):
    return DocumentVersion.objects.filter(document=document).select_related("uploaded_by").order_by("-number")


def access_document_version(user, slug, document_id, number) -> DocumentVersion:
    """The version, or 404 when the item is not visible to `user` (downloads go through here)."""
    return get_object_or_404(
        DocumentVersion.objects.select_related("document", "document__item").filter(
            document__item__in=visible_items(user), document__deleted_at__isnull=True
        ),
        document__item__slug=slug,
        document_id=document_id,
        number=number,
    )


# --- imports --------------------------------------------------------------------------------


def access_import_job(user, job_id) -> ImportJob:
    qs = ImportJob.objects.select_related("item_type", "created_by")
    if not is_administrator(user):
        qs = qs.filter(created_by=user)
    return get_object_or_404(qs, pk=job_id)
