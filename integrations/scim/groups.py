"""SCIM Groups are the directory's org units (not communities): an identity provider's groups
describe the organisation, the same tree the HR sync fills; communities are joined by people.
Members are the people whose profile is in the unit; a person is in one unit, so adding them to a
group moves them there, and removing them leaves them in none."""

from django.db import transaction
from django.db.models import ProtectedError
from django.utils.text import slugify
from django.utils.translation import gettext as _

from directory.models import OrgUnit, Profile
from directory.services import ensure_profile
from integrations.scim.errors import ScimError, patch_operations
from integrations.scim.filters import parse_eq_filter
from rse.accounts.models import User
from rse.trail.services import record

GROUP_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:Group"


def scim_groups():
    return OrgUnit.objects.order_by("pk")


def get_scim_group(group_id) -> OrgUnit:
    unit = (
        scim_groups().filter(pk=int(group_id)).first() if str(group_id).isdigit() and len(str(group_id)) < 18 else None
    )
    if unit is None:
        raise ScimError(404, _("No such group."))
    return unit


def filter_scim_groups(qs, text):
    attribute, value = parse_eq_filter(text, {"displayname", "id"})
    if attribute == "id":
        return qs.filter(pk=int(value)) if value.isdigit() and len(value) < 18 else qs.none()
    return qs.filter(name__iexact=value)


def members_of(units) -> dict[int, list]:
    """unit id → [(user id, display name)], for a whole page of groups in one query."""
    members = {unit.pk: [] for unit in units}
    rows = (
        Profile.objects.filter(org_unit__in=list(members), user__service_account__isnull=True)
        .select_related("user")
        .order_by("user_id")
    )
    for profile in rows:
        members[profile.org_unit_id].append((profile.user_id, profile.user.get_full_name() or profile.user.email))
    return members


def to_resource(unit, members, location, user_location) -> dict:
    resource = {
        "schemas": [GROUP_SCHEMA],
        "id": str(unit.pk),
        "displayName": unit.name,
        "meta": {
            "resourceType": "Group",
            "created": unit.created_at.isoformat(),
            "lastModified": unit.updated_at.isoformat(),
            "location": location,
        },
    }
    if members is not None:
        resource["members"] = [
            {"value": str(pk), "display": name, "$ref": user_location(pk), "type": "User"} for pk, name in members
        ]
    return resource


def _display_name(value) -> str:
    if not isinstance(value, str) or not value.strip() or len(value.strip()) > 150 or "\x00" in value:
        raise ScimError(400, _("displayName must be a string of 1 to 150 characters."), "invalidValue")
    return value.strip()


def _member_ids(value) -> list[int]:
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ScimError(400, _('members must be a list of {"value": id}.'), "invalidValue")
    ids = []
    for member in value:
        raw = str(member.get("value", "")) if isinstance(member, dict) else ""
        if not raw.isdigit() or len(raw) > 18:
            raise ScimError(400, _("Unknown member: %(v)s.") % {"v": raw}, "invalidValue")
        ids.append(int(raw))
    known = set(User.objects.filter(pk__in=ids, service_account__isnull=True).values_list("pk", flat=True))
    unknown = [i for i in ids if i not in known]
    if unknown:
        raise ScimError(400, _("Unknown member: %(v)s.") % {"v": unknown[0]}, "invalidValue")
    return list(dict.fromkeys(ids))


def _add_members(unit, user_ids):
    for user in User.objects.filter(pk__in=user_ids, profile__isnull=True):
        ensure_profile(user)
    Profile.objects.filter(user_id__in=user_ids).update(org_unit=unit)


def _remove_members(unit, user_ids=None):
    qs = Profile.objects.filter(org_unit=unit)
    if user_ids is not None:
        qs = qs.filter(user_id__in=user_ids)
    qs.update(org_unit=None)


def _unique_slug(name):
    base = (slugify(name) or "unit")[:140]
    slug, n = base, 2
    while OrgUnit.objects.filter(slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _check_name_free(name, unit=None):
    qs = OrgUnit.objects.filter(name__iexact=name)
    if unit is not None:
        qs = qs.exclude(pk=unit.pk)
    if qs.exists():
        raise ScimError(409, _("A group named %(n)s exists already.") % {"n": name}, "uniqueness")


@transaction.atomic
def do_scim_create_group(actor, data) -> OrgUnit:
    if not isinstance(data, dict):
        raise ScimError(400, _("The body must be a SCIM Group object."), "invalidSyntax")
    name = _display_name(data.get("displayName"))
    members = _member_ids(data.get("members") or [])
    _check_name_free(name)
    unit = OrgUnit.objects.create(name=name, slug=_unique_slug(name), kind=OrgUnit.Kind.TEAM)
    _add_members(unit, members)
    record("integrations.scim_group_created", actor=actor, obj=unit)
    return unit


@transaction.atomic
def do_scim_replace_group(actor, unit, data) -> OrgUnit:
    if not isinstance(data, dict):
        raise ScimError(400, _("The body must be a SCIM Group object."), "invalidSyntax")
    name = _display_name(data.get("displayName"))
    members = _member_ids(data.get("members") or [])
    _check_name_free(name, unit)
    unit.name = name
    unit.save(update_fields=["name", "updated_at"])
    _remove_members(unit)
    _add_members(unit, members)
    record("integrations.scim_group_replaced", actor=actor, obj=unit)
    return unit


def _member_filter_id(path) -> int | None:
    """members[value eq "42"] → 42."""
    inner = path[path.index("[") + 1 : path.rindex("]")]
    _attribute, value = parse_eq_filter(inner, {"value"})
    if not value.isdigit() or len(value) > 18:
        raise ScimError(400, _("Unknown member: %(v)s.") % {"v": value}, "invalidValue")
    return int(value)


@transaction.atomic
def do_scim_patch_group(actor, unit, body) -> OrgUnit:
    for op, path, value in patch_operations(body):
        lowered = (path or "").strip().lower()
        if not lowered:
            if op == "remove" or not isinstance(value, dict):
                raise ScimError(400, _("An operation without a path needs an object as value."), "invalidValue")
            changes = {k.lower(): v for k, v in value.items()}
        else:
            changes = {lowered: value}
        for attribute, sub in changes.items():
            if attribute == "displayname":
                if op == "remove":
                    raise ScimError(400, _("displayName cannot be removed."), "mutability")
                unit.name = _display_name(sub)
                _check_name_free(unit.name, unit)
                unit.save(update_fields=["name", "updated_at"])
            elif attribute == "members":
                if op == "add":
                    _add_members(unit, _member_ids(sub))
                elif op == "replace":
                    ids = _member_ids(sub or [])
                    _remove_members(unit)
                    _add_members(unit, ids)
                else:
                    _remove_members(unit, _member_ids(sub) if sub else None)
            elif attribute.startswith("members[") and op == "remove":
                _remove_members(unit, [_member_filter_id(attribute)])
            elif attribute in ("externalid", "schemas", "meta", "id"):
                continue
            else:
                raise ScimError(400, _("Unknown group attribute: %(a)s.") % {"a": attribute}, "invalidPath")
    record("integrations.scim_group_patched", actor=actor, obj=unit)
    return unit


@transaction.atomic
def do_scim_delete_group(actor, unit) -> None:
    """The unit goes; its people stay, in no unit. A unit with sub-units is refused (409)."""
    record("integrations.scim_group_deleted", actor=actor, obj=unit, name=unit.name)
    try:
        with transaction.atomic():
            unit.delete()
    except ProtectedError:
        raise ScimError(409, _("This group has sub-units: delete or move them first.")) from None
