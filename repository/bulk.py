"""Bulk upsert by (type, external id), for CSV imports of up to 20,000 rows.

plan_bulk_upsert() validates every row with the same rules as the form and the API
(services.check_item_data) and works out create / update / skip / reject, reading in batches
and memoising lookups; it writes nothing, so the preview and the import share it.
do_bulk_upsert_items() then writes the plan with bulk queries inside the caller's single
transaction (items, tags, relations, one ItemChange per item), keeping the database's write lock
short. The activity trail gets one "repository.import_applied" event per import (imports.py)
rather than one per row: the per-item story is the ItemChange history.
"""

from django.core.exceptions import ValidationError
from django.db import connection
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _

from repository.models import FieldDefinition, Item, ItemChange, ItemRelation, Tag
from repository.selectors import visible_items
from repository.services import _diff, check_item_data, external_id_unavailable, update_search_vector
from rse.accounts.roles import is_administrator
from rse.lib.markdown import render_markdown
from rse.lib.text import normalize

K = FieldDefinition.Kind
BATCH = 500


def _chunks(values, size=BATCH):
    values = list(values)
    for start in range(0, len(values), size):
        yield values[start : start + size]


def _reasons(exc: ValidationError) -> str:
    return "; ".join(
        f"{field.removeprefix('fields.')}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
    )


class _Display:
    """Custom field values as the history records them (as services._display_values: people by
    id, named when shown; items with their name, loaded in batches)."""

    def __init__(self, item_type, field_sets):
        self.definitions = {d.key: d for d in item_type.field_definitions.all()}
        item_ids = set()
        for fields in field_sets:
            for key, value in (fields or {}).items():
                definition = self.definitions.get(key)
                if definition is not None and definition.kind == K.ITEM:
                    item_ids.add(value)
        self.items = {}
        for chunk in _chunks(item_ids):
            self.items.update(Item.objects.filter(pk__in=chunk).values_list("pk", "name"))

    def snapshot(self, *, name, description, status, external_id, tags, fields) -> dict:
        result = {
            "name": name,
            "description": description,
            "status": status,
            "external_id": external_id,
            "tags": sorted(tags),
        }
        for key, value in (fields or {}).items():
            definition = self.definitions.get(key)
            if definition is None:
                continue
            if definition.kind == K.PERSON:
                value = {"person": value}
            elif definition.kind == K.ITEM:
                value = {"item": value, "name": self.items.get(value, "")}
            result[f"fields.{key}"] = value
        return result


def _after(item, cleaned, current_tags):
    return {
        "name": cleaned.get("name", item.name if item else ""),
        "description": cleaned.get("description_md", item.description_md if item else ""),
        "status": cleaned.get("status") or (item.status if item else Item.Status.ACTIVE),
        "tags": cleaned["tags"] if "tags" in cleaned else current_tags,
        "fields": cleaned["fields"] if "fields" in cleaned else (item.fields if item else {}),
    }


def plan_bulk_upsert(user, item_type, rows, *, progress=None):
    """rows: [(line, external_id, payload)] where payload holds name, description_md, status,
    tags, fields. Returns (plans, rejected): plans are dicts with line, external_id, name, item
    (existing or None), cleaned, action ('create'|'update'|'skip'), changes; rejected are dicts
    with line, external_id, name, reason. Writes nothing. `progress(n)` is called every 200 rows."""
    external_ids = [ext for _line, ext, _payload in rows if ext]
    existing: dict[str, Item] = {}
    for chunk in _chunks(external_ids):
        for item in Item.objects.filter(item_type=item_type, external_id__in=chunk).prefetch_related("tags"):
            existing[item.external_id] = item
    visible_ids = None
    if not is_administrator(user):
        # Deleted items too: a row may revive only an item its importer may see.
        visible_ids = set()
        for chunk in _chunks([i.pk for i in existing.values()]):
            visible_ids.update(
                visible_items(user, include_deleted=True).filter(pk__in=chunk).values_list("pk", flat=True)
            )
    memo: dict = {}
    staged, rejected, seen = [], [], {}
    for index, (line, external_id, payload) in enumerate(rows, start=1):
        name = str(payload.get("name") or "")
        if progress is not None and index % 200 == 0:
            progress(index)
        if not external_id:
            rejected.append({"line": line, "external_id": "", "name": name, "reason": _("The external_id is empty.")})
            continue
        if external_id in seen:
            reason = _("The external id %(id)s already appears on line %(line)d.") % {
                "id": external_id,
                "line": seen[external_id],
            }
            rejected.append({"line": line, "external_id": external_id, "name": name, "reason": reason})
            continue
        item = existing.get(external_id)
        if item is not None and visible_ids is not None and item.pk not in visible_ids:
            reason = external_id_unavailable()  # never "this item exists, but not for you"
            rejected.append({"line": line, "external_id": external_id, "name": name, "reason": reason})
            continue
        try:
            cleaned = check_item_data(
                user, item_type, payload, instance=item, partial=item is not None, strict=False, memo=memo
            )
        except ValidationError as exc:
            rejected.append({"line": line, "external_id": external_id, "name": name, "reason": _reasons(exc)})
            continue
        seen[external_id] = line
        staged.append((line, external_id, item, cleaned))
    display = _Display(
        item_type,
        [c.get("fields") for _l, _e, _i, c in staged] + [i.fields for _l, _e, i, _c in staged if i is not None],
    )
    plans = []
    for line, external_id, item, cleaned in staged:
        current_tags = [t.name for t in item.tags.all()] if item is not None else []
        after = _after(item, cleaned, current_tags)
        after_snapshot = display.snapshot(external_id=external_id, **after)
        if item is None:
            action, changes = "create", _diff({}, after_snapshot)
        else:
            before = display.snapshot(
                name=item.name,
                description=item.description_md,
                status=item.status,
                external_id=item.external_id,
                tags=current_tags,
                fields=item.fields,
            )
            changes = _diff(before, after_snapshot)
            action = "update" if changes or item.deleted_at is not None else "skip"
        if action != "skip" and (item is None or after["description"] != item.description_md):
            # Rendered here, before the write transaction, to keep the write lock short.
            after["description_html"] = render_markdown(after["description"])
        plans.append(
            {
                "line": line,
                "external_id": external_id,
                "name": after["name"],
                "item": item,
                "cleaned": cleaned,
                "after": after,
                "action": action,
                "changes": changes,
            }
        )
    return plans, rejected


def _assign_slugs(items, item_type):
    bases = [(item, slugify(item.name)[:200] or item_type.slug) for item in items]  # new items: unhashable
    taken = set()
    for chunk in _chunks({base for _item, base in bases}):
        taken.update(Item.objects.filter(slug__in=chunk).values_list("slug", flat=True))
    for item, base in bases:
        slug, n = base, 2
        while slug in taken or (slug != base and Item.objects.filter(slug=slug).exists()):
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        item.slug = slug


def _update_rows(items, field_names):
    """One parametrised UPDATE run with executemany: QuerySet.bulk_update builds CASE WHEN
    statements whose cost grows with the square of the batch (minutes for 20,000 rows)."""
    if not items:
        return
    quote = connection.ops.quote_name
    fields = [Item._meta.get_field(name) for name in field_names]
    sql = (
        f"UPDATE {quote(Item._meta.db_table)} SET "  # noqa: S608 - identifiers from the model, values as parameters
        + ", ".join(f"{quote(field.column)} = %s" for field in fields)
        + f" WHERE {quote(Item._meta.pk.column)} = %s"
    )
    params = [
        [field.get_db_prep_save(getattr(item, field.attname), connection) for field in fields] + [item.pk]
        for item in items
    ]
    with connection.cursor() as cursor:
        for chunk in _chunks(params, 2000):
            cursor.executemany(sql, chunk)


def _tags_by_name(names) -> dict[str, Tag]:
    """normalised name → Tag, creating the missing ones (matching case-insensitively like services)."""
    wanted = {normalize(n): n for n in names}
    found: dict[str, Tag] = {}
    for chunk in _chunks(set(wanted.values())):
        for tag in Tag.objects.filter(name__in=chunk):
            found[normalize(tag.name)] = tag
    for key, name in wanted.items():
        if key not in found:
            found[key] = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
    return found


def do_bulk_upsert_items(user, item_type, plans) -> dict:
    """Write a plan from plan_bulk_upsert. Call inside one transaction. Returns the counts."""
    actor = user if getattr(user, "is_authenticated", False) else None
    now = timezone.now()
    counts = {"create": 0, "update": 0, "skip": 0}
    creates, updates = [], []
    for plan in plans:
        counts[plan["action"]] += 1
        after = plan["after"]
        item = plan["item"]
        if plan["action"] == "skip":
            continue
        if item is None:
            item = Item(item_type=item_type, external_id=plan["external_id"], created_by=actor, created_at=now)
            creates.append((item, plan))
        else:
            item.deleted_at = None
            updates.append((item, plan))
        item.name = after["name"]
        item.normalized_name = normalize(item.name)[:200]
        if "description_html" in after:
            item.description_md = after["description"]
            item.description_html = after["description_html"]
        item.status = after["status"]
        item.fields = after["fields"]
        item.updated_at = now
    _assign_slugs([item for item, _plan in creates], item_type)
    Item.objects.bulk_create([item for item, _plan in creates], batch_size=BATCH)
    _update_rows(
        [item for item, _plan in updates],
        [
            "name",
            "normalized_name",
            "description_md",
            "description_html",
            "status",
            "fields",
            "deleted_at",
            "updated_at",
        ],
    )
    written = creates + updates
    # Tags: replace the links of the rows that carry a tags column.
    tagged = [(item, plan) for item, plan in written if "tags" in plan["cleaned"]]
    through = Item.tags.through
    for chunk in _chunks([item.pk for item, plan in updates if "tags" in plan["cleaned"]]):
        through.objects.filter(item_id__in=chunk).delete()
    tags = _tags_by_name({name for _item, plan in tagged for name in plan["after"]["tags"]})
    through.objects.bulk_create(
        [
            through(item_id=item.pk, tag_id=tags[normalize(name)].pk)
            for item, plan in tagged
            for name in plan["after"]["tags"]
        ],
        batch_size=BATCH,
        ignore_conflicts=True,
    )
    # Relations materialised from 'link to another item' fields.
    links = {d.key: d for d in item_type.field_definitions.all() if d.kind == K.ITEM}
    with_fields = [(item, plan) for item, plan in written if "fields" in plan["cleaned"]]
    if links:
        for chunk in _chunks([item.pk for item, plan in with_fields if item.pk]):
            ItemRelation.objects.filter(source_id__in=chunk).delete()
        ItemRelation.objects.bulk_create(
            [
                ItemRelation(source=item, target_id=item.fields[key], field_key=key, label=definition.label)
                for item, _plan in with_fields
                for key, definition in links.items()
                if item.fields.get(key)
            ],
            batch_size=BATCH,
        )
    ItemChange.objects.bulk_create(
        [
            ItemChange(
                item=item,
                actor=actor,
                action=ItemChange.Action.CREATED if plan["item"] is None else ItemChange.Action.IMPORTED,
                changes=plan["changes"],
            )
            for item, plan in written
        ],
        batch_size=BATCH,
    )
    for chunk in _chunks([item.pk for item, _plan in written]):
        update_search_vector(chunk)
    return counts
