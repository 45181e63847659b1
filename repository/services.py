"""Writes of the business repository: check_* validate and authorise, do_* change data in one
transaction, write the item history (ItemChange), the activity trail and publish on commit."""

import datetime
import mimetypes
import os
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.db.models import Max
from django.utils.text import slugify
from django.utils.translation import gettext as _

from repository import permissions
from repository.models import (
    Document,
    DocumentVersion,
    FieldDefinition,
    Item,
    ItemChange,
    ItemFollow,
    ItemRelation,
    ItemType,
    Tag,
)
from repository.selectors import visible_items
from rse.lib.events import item_group, publish_on_commit
from rse.lib.markdown import render_markdown
from rse.lib.text import normalize
from rse.trail.services import record

ALLOWED_DOCUMENT_EXTENSIONS = {
    ".pdf", ".doc", ".docx", ".odt", ".rtf", ".txt", ".md", ".csv",
    ".xls", ".xlsx", ".ods", ".ppt", ".pptx", ".odp",
    ".png", ".jpg", ".jpeg", ".gif", ".webp", ".svg", ".zip",
}  # fmt: skip
MAX_TAGS = 20

K = FieldDefinition.Kind


# --- custom fields --------------------------------------------------------------------------


MAX_NUMBER = Decimal(10) ** 15


def _clean_number(value):
    if isinstance(value, bool):
        raise ValidationError(_("Enter a number."))
    if isinstance(value, int | float | Decimal):
        number = Decimal(str(value))
    else:
        text = str(value).strip().replace("\u00a0", "").replace("\u202f", "").replace(" ", "").replace(",", ".")
        try:
            number = Decimal(text)
        except InvalidOperation:
            raise ValidationError(_("Enter a number, e.g. 1250 or 12.5.")) from None
    if not number.is_finite():
        raise ValidationError(_("Enter a number, e.g. 1250 or 12.5."))
    if abs(number) >= MAX_NUMBER:  # 1e400 is a number, but not a budget: and JSON would choke on it
        raise ValidationError(_("Enter a number below one quadrillion (10¹⁵)."))
    return int(number) if number == number.to_integral_value() else float(number)


def _clean_date(value):
    if isinstance(value, datetime.datetime):
        return value.date().isoformat()
    if isinstance(value, datetime.date):
        return value.isoformat()
    text = str(value).strip()
    for fmt in ("%Y-%m-%d", "%d/%m/%Y", "%d.%m.%Y"):
        try:
            return datetime.datetime.strptime(text, fmt).date().isoformat()  # noqa: DTZ007 - a date, no time
        except ValueError:
            continue
    raise ValidationError(_("Enter a date as YYYY-MM-DD or DD/MM/YYYY."))


def _clean_person(value):
    from rse.accounts.models import User

    people = User.objects.filter(is_active=True)
    if isinstance(value, User):
        person = value if value.is_active else None
    elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        person = people.filter(pk=int(value)).first()
    else:
        person = people.filter(email__iexact=str(value).strip()).first()
    if person is None:
        raise ValidationError(_("No active person matches “%(value)s” (use an e-mail address).") % {"value": value})
    return person.pk


def _clean_item_link(definition, value, *, user, instance=None):
    candidates = visible_items(user)
    if definition.target_type_id:
        candidates = candidates.filter(item_type_id=definition.target_type_id)
    if isinstance(value, Item):
        target = candidates.filter(pk=value.pk).first()
    elif isinstance(value, int) or (isinstance(value, str) and value.strip().isdigit()):
        target = candidates.filter(pk=int(value)).first()
    else:
        text = str(value).strip()
        target = candidates.filter(slug=text).first() or candidates.filter(external_id=text).first()
        if target is None:
            named = list(candidates.filter(normalized_name=normalize(text))[:2])
            target = named[0] if len(named) == 1 else None
    if target is None:
        kind = definition.target_type.name if definition.target_type_id else _("item")
        raise ValidationError(_("No %(kind)s matches “%(value)s”.") % {"kind": kind, "value": value})
    if instance is not None and target.pk == instance.pk:
        raise ValidationError(_("An item cannot link to itself."))
    return target.pk


def clean_field_value(definition, value, *, user, instance=None, memo=None):
    """Validate and convert one custom-field value (from a form, CSV cell or API JSON) to the
    JSON form stored in Item.fields. Empty gives None. Raises ValidationError with a clear message.
    `memo` (a dict) caches person and item lookups across the rows of an import."""
    if value is None or (isinstance(value, str) and not value.strip()):
        if definition.required:
            raise ValidationError(_("This field is required."))
        return None
    kind = definition.kind
    if kind == K.TEXT:
        text = str(value).strip()
        if len(text) > 1000:
            raise ValidationError(_("Keep this under 1000 characters."))
        return text
    if kind == K.NUMBER:
        return _clean_number(value)
    if kind == K.DATE:
        return _clean_date(value)
    if kind == K.URL:
        text = str(value).strip()
        try:
            URLValidator(schemes=["http", "https"])(text)
        except ValidationError:
            raise ValidationError(_("Enter a full web address starting with http:// or https://.")) from None
        return text
    if kind == K.CHOICE:
        text = str(value).strip()
        for choice in definition.choice_list:
            if normalize(choice) == normalize(text):
                return choice
        raise ValidationError(
            _("“%(value)s” is not one of the choices: %(choices)s.")
            % {"value": text, "choices": ", ".join(definition.choice_list)}
        )
    if kind in (K.PERSON, K.ITEM) and memo is not None and isinstance(value, str | int):
        key = (definition.pk, kind, str(value).strip().casefold())
        if key not in memo:
            try:
                memo[key] = _clean_person(value) if kind == K.PERSON else _clean_item_link(definition, value, user=user)
            except ValidationError as exc:
                memo[key] = exc
        if isinstance(memo[key], ValidationError):
            raise memo[key]
        if kind == K.ITEM and instance is not None and memo[key] == instance.pk:
            raise ValidationError(_("An item cannot link to itself."))
        return memo[key]
    if kind == K.PERSON:
        return _clean_person(value)
    if kind == K.ITEM:
        return _clean_item_link(definition, value, user=user, instance=instance)
    raise ValidationError(_("Unknown field kind."))


def hidden_link(definition, instance, user, memo=None):
    """The id of the item this field of `instance` links to when `user` may not see it, else None.
    `memo` (bulk imports) keeps each answer, so a file does not ask once per row."""
    if definition.kind != K.ITEM or instance is None:
        return None
    current = (instance.fields or {}).get(definition.key)
    if not isinstance(current, int):
        return None
    key = ("visible", current)
    if memo is None or key not in memo:
        visible = visible_items(user).filter(pk=current).exists()
        if memo is None:
            return None if visible else current
        memo[key] = visible
    return None if memo[key] else current


def clean_field_values(item_type, raw: dict, *, user, instance=None, partial=False, strict=True, memo=None) -> dict:
    """Validate a mapping key → value against the type's field definitions.

    Returns the complete stored mapping (merged with the instance's current values when
    `partial`). Raises ValidationError({key: [message]}) naming every bad field; unknown keys
    are errors when `strict`.
    """
    definitions = {d.key: d for d in item_type.field_definitions.all()}
    errors = {}
    if strict:
        for key in raw:
            if key not in definitions:
                errors[key] = [_("Unknown field for the type %(type)s.") % {"type": item_type.name}]
    result = dict(instance.fields) if (partial and instance is not None) else {}
    for key, definition in definitions.items():
        if partial and key not in raw:
            if definition.required and result.get(key) in (None, ""):
                errors[key] = [_("This field is required.")]
            continue
        value = raw.get(key)
        # Only a value that would drop the current link needs the visibility check (a query).
        hidden = (
            hidden_link(definition, instance, user, memo) if value in (None, "") or isinstance(value, int) else None
        )
        if hidden is not None and value in (None, "", hidden):
            result[key] = hidden  # a link one cannot see is kept: it may be replaced, not dropped blindly
            continue
        try:
            value = clean_field_value(definition, raw.get(key), user=user, instance=instance, memo=memo)
        except ValidationError as exc:
            errors[key] = exc.messages
            continue
        if value is None:
            result.pop(key, None)
        else:
            result[key] = value
    if errors:
        raise ValidationError(errors)
    return {k: v for k, v in result.items() if k in definitions}


# --- items ----------------------------------------------------------------------------------


def _unique_slug(name, item_type) -> str:
    base = slugify(name)[:200] or slugify(item_type.slug) or "item"
    slug, n = base, 2
    while Item.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def parse_tags(value) -> list[str]:
    if isinstance(value, list | tuple):
        names = [str(v) for v in value]
    else:
        names = str(value or "").replace(";", ",").split(",")
    seen, result = set(), []
    for name in names:
        name = " ".join(name.split())[:60]
        if name and normalize(name) not in seen:
            seen.add(normalize(name))
            result.append(name)
    return result


def external_id_unavailable() -> str:
    """Why an external id is refused when it belongs to an item the user may not see."""
    return _("This external id is not available: choose another one.")


def check_item_data(user, item_type, data: dict, *, instance=None, partial=False, strict=True, memo=None) -> dict:
    """Validate the writable attributes of an item. `data` may hold: name, description_md, status,
    external_id, fields (dict), tags (list or comma-separated), owners (users), restricted_to
    (groups). Returns cleaned data; raises ValidationError({field: [message]})."""
    errors = {}
    cleaned = {}
    for key in ("name", "description_md", "status", "external_id"):
        if isinstance(data.get(key), list | dict):  # str() would store "['x', 'y']" as the name
            errors[key] = [_("Expected text.")]
    if errors:
        raise ValidationError(errors)
    if "name" in data or not partial:
        name = " ".join(str(data.get("name") or "").split())
        if not name:
            errors["name"] = [_("An item needs a name.")]
        elif len(name) > 200:
            errors["name"] = [_("Keep the name under 200 characters.")]
        cleaned["name"] = name
    if "description_md" in data:
        cleaned["description_md"] = str(data.get("description_md") or "").strip()
    if "status" in data and data["status"] not in (None, ""):
        status = str(data["status"]).strip().lower()
        if status not in Item.Status.values:
            errors["status"] = [
                _("Unknown status “%(value)s”: use one of %(choices)s.")
                % {"value": data["status"], "choices": ", ".join(Item.Status.values)}
            ]
        cleaned["status"] = status
    if "external_id" in data:
        external_id = str(data.get("external_id") or "").strip()
        if len(external_id) > 120:
            errors["external_id"] = [_("Keep the external id under 120 characters.")]
        elif external_id:
            clash = Item.objects.filter(item_type=item_type, external_id=external_id)
            if instance is not None:
                clash = clash.exclude(pk=instance.pk)
            holder = clash.only("pk").first()
            if holder is not None:
                # Named only when the holder is an item the user sees: the message must not confirm
                # that a restricted (or deleted) item carries this id.
                visible = visible_items(user).filter(pk=holder.pk).exists()
                errors["external_id"] = [
                    _("Another %(type)s already has this external id.") % {"type": item_type}
                    if visible
                    else external_id_unavailable()
                ]
        cleaned["external_id"] = external_id
    if "tags" in data:
        tags = parse_tags(data["tags"])
        if len(tags) > MAX_TAGS:
            errors["tags"] = [_("At most %(n)d tags.") % {"n": MAX_TAGS}]
        cleaned["tags"] = tags
    if "owners" in data:
        cleaned["owners"] = list(data["owners"] or [])
    if "restricted_to" in data:
        groups = list(data["restricted_to"] or [])
        current = set(instance.restricted_to.values_list("pk", flat=True)) if instance is not None else set()
        if {g.pk for g in groups} != current and not permissions.can_restrict_item(user, instance):
            errors["restricted_to"] = [_("Only owners and administrators can restrict an item.")]
        cleaned["restricted_to"] = groups
    if "fields" in data or not partial:
        try:
            cleaned["fields"] = clean_field_values(
                item_type,
                data.get("fields") or {},
                user=user,
                instance=instance,
                partial=partial,
                strict=strict,
                memo=memo,
            )
        except ValidationError as exc:
            for key, messages in exc.message_dict.items():
                errors[f"fields.{key}"] = messages
    if errors:
        raise ValidationError(errors)
    return cleaned


def _display_values(item_type, fields: dict) -> dict:
    """Custom field values for the history. People are kept by id and named when the history is
    shown (their current name; an anonymised person stays anonymous); items keep their name."""
    definitions = {d.key: d for d in item_type.field_definitions.all()}
    item_ids = [v for k, v in fields.items() if k in definitions and definitions[k].kind == K.ITEM]
    items = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "name")) if item_ids else {}
    result = {}
    for key, value in fields.items():
        definition = definitions.get(key)
        if definition is None:
            continue
        if definition.kind == K.PERSON:
            value = {"person": value}
        elif definition.kind == K.ITEM:
            # The name is shown only to viewers who may see the linked item (views._history_rows).
            value = {"item": value, "name": items.get(value, "")}
        result[f"fields.{key}"] = value
    return result


def _snapshot(item) -> dict:
    if item.pk is None:
        return {}
    return {
        "name": item.name,
        "description": item.description_md,
        "status": item.status,
        "external_id": item.external_id,
        "tags": sorted(item.tags.values_list("name", flat=True)),
        "owners": [{"person": pk} for pk in sorted(item.owners.values_list("pk", flat=True))],
        "restricted_to": sorted(item.restricted_to.values_list("name", flat=True)),
        **_display_values(item.item_type, item.fields or {}),
    }


def _diff(before: dict, after: dict) -> dict:
    return {
        key: [before.get(key), after.get(key)]
        for key in sorted(set(before) | set(after))
        if before.get(key) != after.get(key)
        and not (before.get(key) in (None, "", []) and after.get(key) in (None, "", []))
    }


def _sync_relations(item):
    """Materialise 'link to another item' fields as ItemRelation rows (shown on both sides)."""
    definitions = [d for d in item.item_type.field_definitions.all() if d.kind == K.ITEM]
    wanted = {d.key: (d, item.fields.get(d.key)) for d in definitions}
    ItemRelation.objects.filter(source=item).exclude(field_key__in=[k for k, (_d, v) in wanted.items() if v]).delete()
    for key, (definition, target_id) in wanted.items():
        if target_id:
            ItemRelation.objects.update_or_create(
                source=item, field_key=key, defaults={"target_id": target_id, "label": definition.label}
            )


def update_search_vector(item_ids) -> None:
    """PostgreSQL: refresh Item.search_vector (name A, description and tags B, documents C) in
    one UPDATE for all the given items."""
    if not settings.IS_POSTGRES:
        return
    from django.contrib.postgres.aggregates import StringAgg
    from django.contrib.postgres.search import SearchVector
    from django.db.models import OuterRef, Subquery, TextField, Value
    from django.db.models.functions import Coalesce, Concat

    tags = (
        Item.tags.through.objects.filter(item_id=OuterRef("pk"))
        .values("item_id")
        .annotate(text=StringAgg("tag__name", delimiter=" "))
        .values("text")
    )
    docs = (
        Document.objects.alive()
        .filter(item_id=OuterRef("pk"))
        .values("item_id")
        .annotate(text=StringAgg(Concat("name", Value(" "), "description", output_field=TextField()), delimiter=" "))
        .values("text")
    )
    empty = Value("", output_field=TextField())
    Item.objects.filter(pk__in=list(item_ids)).update(
        search_vector=SearchVector("name", weight="A", config="simple")
        + SearchVector("description_md", Coalesce(Subquery(tags), empty), weight="B", config="simple")
        + SearchVector(Coalesce(Subquery(docs), empty), weight="C", config="simple")
    )


def _write_item(user, item, cleaned: dict, *, action) -> dict:
    """Apply cleaned data to `item` (new or existing), record the history. Returns the changes."""
    before = _snapshot(item)
    for attr in ("name", "status", "external_id", "fields"):
        if attr in cleaned:
            setattr(item, attr, cleaned[attr])
    if "description_md" in cleaned:
        item.description_md = cleaned["description_md"]
        item.description_html = render_markdown(item.description_md)
    item.normalized_name = normalize(item.name)[:200]
    if item.pk is None:
        item.slug = _unique_slug(item.name, item.item_type)
        item.created_by = user if getattr(user, "is_authenticated", False) else None
    item.save()
    if "tags" in cleaned:
        tags = []
        for name in cleaned["tags"]:
            tag = Tag.objects.filter(name__iexact=name).first() or Tag.objects.create(name=name)
            tags.append(tag)
        item.tags.set(tags)
    if "owners" in cleaned:
        item.owners.set(cleaned["owners"])
    if "restricted_to" in cleaned:
        item.restricted_to.set(cleaned["restricted_to"])
    if "fields" in cleaned:
        _sync_relations(item)
    changes = _diff(before, _snapshot(item))
    if changes or action == ItemChange.Action.CREATED:
        ItemChange.objects.create(item=item, actor=_actor(user), action=action, changes=changes)
    update_search_vector([item.pk])
    return changes


def _actor(user):
    return user if getattr(user, "is_authenticated", False) else None


def do_create_item(user, item_type, data: dict) -> Item:
    """Create an item from already-cleaned data (see check_item_data). The duplicate warning is
    the caller's job (find_similar_items), so imports and the API are not blocked by it."""
    if not permissions.can_create_item(user):
        raise PermissionDenied(_("You cannot add items."))
    with transaction.atomic():
        item = Item(item_type=item_type)
        data = {"owners": [user], **data} if "owners" not in data else data
        _write_item(user, item, data, action=ItemChange.Action.CREATED)
        record("repository.item_created", actor=_actor(user), obj=item, item_type=item_type.slug)
        publish_on_commit("repository.item_created", [item_group(item.pk)], {"item_id": item.pk})
    return item


def do_update_item(user, item, data: dict, *, action=ItemChange.Action.UPDATED) -> dict:
    """Update an item from cleaned data; returns {field: [before, after]} (empty: nothing changed)."""
    if action == ItemChange.Action.UPDATED and not permissions.can_edit_item(user, item):
        raise PermissionDenied(_("Only the owners of this item and administrators can edit it."))
    with transaction.atomic():
        changes = _write_item(user, item, data, action=action)
        if changes:
            record("repository.item_updated", actor=_actor(user), obj=item, fields=sorted(changes))
            publish_on_commit("repository.item_updated", [item_group(item.pk)], {"item_id": item.pk})
    return changes


UPSERT_KEYS = ("name", "description_md", "status", "tags", "fields")


def do_upsert_item(user, item_type, external_id, data: dict) -> tuple[Item, bool, dict]:
    """Create or update the item of `item_type` with this external id (the CRM/ERP is the master).

    Returns (item, created, changes). Raises PermissionDenied without sync rights, Http404 for
    an existing item the caller may not see (no leak), ValidationError({field: [reason]}).
    """
    from django.http import Http404

    if not permissions.can_sync_items(user):
        raise PermissionDenied(_("You cannot synchronise items."))
    external_id = str(external_id or "").strip()
    if not external_id:
        raise ValidationError({"external_id": [_("An external id is required.")]})
    payload = {k: v for k, v in data.items() if k in UPSERT_KEYS}
    with transaction.atomic():
        existing = Item.objects.select_for_update().filter(item_type=item_type, external_id=external_id).first()
        # A deleted item is judged by the same rule as a live one: the caller may revive and
        # overwrite only what it may see. Checked before any write: a refused upsert changes nothing.
        if existing is not None and not visible_items(user, include_deleted=True).filter(pk=existing.pk).exists():
            raise Http404
        if existing is None:
            cleaned = check_item_data(user, item_type, {**payload, "external_id": external_id})
            item = Item(item_type=item_type)
            _write_item(user, item, cleaned, action=ItemChange.Action.CREATED)
            record("repository.item_created", actor=_actor(user), obj=item, item_type=item_type.slug, via="sync")
            publish_on_commit("repository.item_created", [item_group(item.pk)], {"item_id": item.pk})
            return item, True, {}
        if existing.deleted_at is not None:  # the master says it exists again
            existing.deleted_at = None
            existing.save(update_fields=["deleted_at"])
        cleaned = check_item_data(user, item_type, payload, instance=existing, partial=True)
        changes = _write_item(user, existing, cleaned, action=ItemChange.Action.IMPORTED)
        if changes:
            record("repository.item_synchronised", actor=_actor(user), obj=existing, fields=sorted(changes))
            publish_on_commit("repository.item_updated", [item_group(existing.pk)], {"item_id": existing.pk})
        return existing, False, changes


# --- follows --------------------------------------------------------------------------------


def do_follow_item(user, item) -> None:
    with transaction.atomic():
        _follow, created = ItemFollow.objects.get_or_create(user=user, item=item)
        if created:
            record("repository.item_followed", actor=user, obj=item)


def do_unfollow_item(user, item) -> None:
    with transaction.atomic():
        deleted, _rows = ItemFollow.objects.filter(user=user, item=item).delete()
        if deleted:
            record("repository.item_unfollowed", actor=user, obj=item)


# --- documents ------------------------------------------------------------------------------


def allowed_document_extensions() -> set[str]:
    return set(getattr(settings, "RSE_DOCUMENT_EXTENSIONS", ALLOWED_DOCUMENT_EXTENSIONS))


def check_document_file(uploaded) -> None:
    """Size and type limits, with messages a person can act on."""
    if uploaded is None:
        raise ValidationError({"file": [_("Choose a file to upload.")]})
    limit = settings.RSE_MAX_UPLOAD_BYTES
    if uploaded.size > limit:
        raise ValidationError(
            {
                "file": [
                    _("This file is %(size)s MB; the limit is %(limit)s MB.")
                    % {"size": f"{uploaded.size / 1_048_576:.1f}", "limit": f"{limit / 1_048_576:.0f}"}
                ]
            }
        )
    if uploaded.size == 0:
        raise ValidationError({"file": [_("This file is empty.")]})
    extension = os.path.splitext(uploaded.name or "")[1].lower()
    allowed = allowed_document_extensions()
    if extension not in allowed:
        raise ValidationError(
            {
                "file": [
                    _("Files of type “%(ext)s” are not accepted. Accepted: %(allowed)s.")
                    % {"ext": extension or _("no extension"), "allowed": ", ".join(sorted(allowed))}
                ]
            }
        )


def _add_version(user, document, uploaded, comment) -> DocumentVersion:
    number = (DocumentVersion.objects.filter(document=document).aggregate(n=Max("number"))["n"] or 0) + 1
    name = os.path.basename(uploaded.name or "file")[:255]
    version = DocumentVersion(
        document=document,
        number=number,
        original_name=name,
        size=uploaded.size,
        content_type=(mimetypes.guess_type(name)[0] or "application/octet-stream")[:120],
        comment=(comment or "").strip()[:300],
        uploaded_by=_actor(user),
    )
    version.file.save(
        f"{slugify(os.path.splitext(name)[0]) or 'file'}{os.path.splitext(name)[1].lower()}", uploaded, save=False
    )
    version.save()
    document.version_count = number
    document.current_version = version
    document.save(update_fields=["version_count", "current_version", "updated_at"])
    return version


def do_add_document(user, item, *, name, description="", uploaded, comment="") -> Document:
    check_document_file(uploaded)
    name = " ".join((name or "").split())[:200] or os.path.basename(uploaded.name or "")[:200]
    if not permissions.can_add_document(user, item):
        raise PermissionDenied
    with transaction.atomic():
        document = Document.objects.create(
            item=item, name=name, description=(description or "").strip(), created_by=_actor(user)
        )
        version = _add_version(user, document, uploaded, comment)
        ItemChange.objects.create(
            item=item, actor=_actor(user), action=ItemChange.Action.DOCUMENT_ADDED, changes={"document": [None, name]}
        )
        update_search_vector([item.pk])
        record("repository.document_added", actor=_actor(user), obj=document, item_id=item.pk, version=version.number)
        publish_on_commit("repository.item_updated", [item_group(item.pk)], {"item_id": item.pk})
    return document


def do_add_document_version(user, document, *, uploaded, comment="") -> DocumentVersion:
    check_document_file(uploaded)
    if not permissions.can_add_document(user, document.item):
        raise PermissionDenied
    with transaction.atomic():
        document = Document.objects.select_for_update().get(pk=document.pk)
        previous = document.version_count
        version = _add_version(user, document, uploaded, comment)
        ItemChange.objects.create(
            item_id=document.item_id,
            actor=_actor(user),
            action=ItemChange.Action.VERSION_ADDED,
            changes={f"document “{document.name}”": [f"v{previous}", f"v{version.number}"]},
        )
        record(
            "repository.document_version_added",
            actor=_actor(user),
            obj=document,
            item_id=document.item_id,
            version=version.number,
        )
        publish_on_commit("repository.item_updated", [item_group(document.item_id)], {"item_id": document.item_id})
    return version


# --- types (used by the demo and the admin) -------------------------------------------------


def ensure_item_type(slug, name, description="", fields=()) -> ItemType:
    """Idempotently create a type and its field definitions: fields are dicts of FieldDefinition
    attributes, with target_type given as a slug."""
    item_type, _created = ItemType.objects.get_or_create(slug=slug, defaults={"name": name, "description": description})
    for position, spec in enumerate(fields):
        spec = dict(spec)
        target = spec.pop("target_type", None)
        if target:
            spec["target_type"] = ItemType.objects.get(slug=target)
        FieldDefinition.objects.update_or_create(
            item_type=item_type, key=spec.pop("key"), defaults={**spec, "position": position}
        )
    return item_type
