"""SCIM Users (RFC 7643 §4.1) onto accounts and profiles, under the HR sync's rules: a deactivated
or deleted person is deactivated through rse.accounts.services.do_deactivate_users (sessions and
websockets end, content stays); the accounts that run the platform (staff, superuser,
Administrator role) never have their e-mail or active flag changed by provisioning
(directory.hr.protected_user_ids / protected_change_reason); every e-mail change is told to the old
address."""

from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from directory.hr import protected_change_reason, protected_user_ids
from directory.models import Profile
from directory.services import ensure_profile, search_name_for
from integrations.scim.errors import ScimError, patch_operations
from integrations.scim.filters import parse_eq_filter
from integrations.scim.models import ScimIdentity
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_deactivate_users
from rse.lib.outbox import enqueue_on_commit
from rse.trail.services import record

USER_SCHEMA = "urn:ietf:params:scim:schemas:core:2.0:User"
ENTERPRISE = "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"
PATCH_SCHEMA = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ATTRIBUTES = ("user_name", "external_id", "given_name", "family_name", "email", "title", "active", "employee_number")


# --- Reading -----------------------------------------------------------------------------------


def scim_users():
    """People as SCIM resources: not service accounts, not deleted over SCIM."""
    return (
        User.objects.filter(service_account__isnull=True)
        .exclude(scim_identity__deleted_at__isnull=False)
        .select_related("profile", "scim_identity")
        .order_by("pk")
    )


def get_scim_user(user_id) -> User:
    if not str(user_id).isdigit() or len(str(user_id)) > 18:
        raise ScimError(404, _("No such user."))
    user = scim_users().filter(pk=int(user_id)).first()
    if user is None:
        raise ScimError(404, _("No such user."))
    return user


def filter_scim_users(qs, text):
    attribute, value = parse_eq_filter(text, {"username", "externalid", "emails.value", "emails", "id"})
    if attribute == "username":
        return qs.filter(Q(scim_identity__user_name=value.lower()) | Q(scim_identity__isnull=True, email__iexact=value))
    if attribute == "externalid":
        return qs.filter(scim_identity__external_id=value)
    if attribute == "id":
        return qs.filter(pk=int(value)) if value.isdigit() and len(value) < 18 else qs.none()
    return qs.filter(email__iexact=value)


def _identity(user):
    try:
        return user.scim_identity
    except ScimIdentity.DoesNotExist:
        return None


def _profile(user):
    try:
        return user.profile
    except Profile.DoesNotExist:
        return None


def current(user) -> dict:
    identity, profile = _identity(user), _profile(user)
    return {
        "user_name": identity.user_name if identity else user.email,
        "external_id": identity.external_id if identity else "",
        "given_name": user.first_name,
        "family_name": user.last_name,
        "email": user.email,
        "title": profile.job_title if profile else "",
        "active": user.is_active,
        "employee_number": (profile.employee_id or "") if profile else "",
    }


def to_resource(user, location) -> dict:
    wanted = current(user)
    resource = {
        "schemas": [USER_SCHEMA, ENTERPRISE],
        "id": str(user.pk),
        "userName": wanted["user_name"],
        "name": {
            "givenName": wanted["given_name"],
            "familyName": wanted["family_name"],
            "formatted": user.get_full_name(),
        },
        "displayName": user.display_name,
        "active": wanted["active"],
        "emails": [{"value": wanted["email"], "type": "work", "primary": True}],
        ENTERPRISE: {"employeeNumber": wanted["employee_number"]} if wanted["employee_number"] else {},
        "meta": {
            "resourceType": "User",
            "created": user.date_joined.isoformat(),
            "lastModified": user.updated_at.isoformat(),
            "location": location,
        },
    }
    if wanted["external_id"]:
        resource["externalId"] = wanted["external_id"]
    if wanted["title"]:
        resource["title"] = wanted["title"]
    return resource


# --- Parsing what the provider sends -------------------------------------------------------------


def to_bool(value) -> bool:
    """SCIM booleans, also as Entra ID sends them ("True", "False")."""
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.strip().lower() in ("true", "false"):
        return value.strip().lower() == "true"
    raise ScimError(400, _("“active” must be true or false."), "invalidValue")


def _text(value, what, max_length) -> str:
    if value is None:
        return ""
    if not isinstance(value, str | int) or isinstance(value, bool):
        raise ScimError(400, _("%(what)s must be a string.") % {"what": what}, "invalidValue")
    value = str(value).strip()
    if len(value) > max_length or "\x00" in value:
        raise ScimError(400, _("%(what)s is too long or invalid.") % {"what": what}, "invalidValue")
    return value


def _email_from(emails):
    """The primary address of a SCIM `emails` list, else its first one."""
    if isinstance(emails, dict):
        emails = [emails]
    if not isinstance(emails, list):
        raise ScimError(400, _("“emails” must be a list."), "invalidValue")
    values = [e for e in emails if isinstance(e, dict) and e.get("value")]
    if not values:
        return None
    primary = [e for e in values if e.get("primary") in (True, "true", "True")]
    return (primary or values)[0]["value"]


def _set(wanted, attribute, value, remove=False):
    """Set one attribute (lower-case SCIM path, core schema prefix removed) in `wanted`."""
    path = attribute.lower()
    if path.startswith(ENTERPRISE.lower() + ":"):
        path = "enterprise." + path[len(ENTERPRISE) + 1 :]
    elif path == ENTERPRISE.lower():
        if not isinstance(value, dict):
            raise ScimError(400, _("The enterprise extension must be an object."), "invalidValue")
        for key, sub in value.items():
            _set(wanted, f"enterprise.{key}", sub, remove)
        return
    if path == "name":
        if remove:
            value = {"givenName": None, "familyName": None}
        if not isinstance(value, dict):
            raise ScimError(400, _("“name” must be an object."), "invalidValue")
        for key, sub in value.items():
            _set(wanted, f"name.{key}", sub, remove)
        return
    if path == "active":
        if remove:
            raise ScimError(400, _("“active” cannot be removed."), "mutability")
        wanted["active"] = to_bool(value)
    elif path == "username":
        wanted["user_name"] = "" if remove else _text(value, "userName", 254)
    elif path == "externalid":
        wanted["external_id"] = "" if remove else _text(value, "externalId", 254)
    elif path == "name.givenname":
        wanted["given_name"] = "" if remove else _text(value, "name.givenName", 150)
    elif path == "name.familyname":
        wanted["family_name"] = "" if remove else _text(value, "name.familyName", 150)
    elif path == "title":
        wanted["title"] = "" if remove else _text(value, "title", 150)
    elif path == "enterprise.employeenumber":
        wanted["employee_number"] = "" if remove else _text(value, "employeeNumber", 64)
    elif path == "emails" or (path.startswith("emails[") and path.endswith("].value")) or path == "emails.value":
        if remove:
            return  # every account keeps its address; userName stands in if needed
        email = value if isinstance(value, str) else _email_from(value)
        if email:
            wanted["email"] = _text(email, "emails", 254).lower()
    # Anything else (phoneNumbers, addresses, locale, nickName, displayName, roles…) has no place
    # here: ignored, as identity providers send far more than any application keeps.


def from_resource(data, base=None) -> dict:
    """The wanted state from a full resource (POST, PUT): optional attributes absent are cleared;
    `active` absent keeps the current state (true for a new person)."""
    if not isinstance(data, dict):
        raise ScimError(400, _("The body must be a SCIM User object."), "invalidSyntax")
    wanted = {key: "" for key in ATTRIBUTES}
    wanted["active"] = base["active"] if base else True
    wanted["email"] = ""
    for key, value in data.items():
        if key.lower() in ("schemas", "id", "meta", "groups"):
            continue
        _set(wanted, key, value)
    return wanted


def apply_patch(base: dict, body) -> dict:
    """RFC 7644 §3.5.2, as Entra ID and Okta send it: op names in any case, string booleans,
    Operations without a path whose value is an object of attributes."""
    wanted = dict(base)
    for op, path, value in patch_operations(body):
        if path:
            _set(wanted, path.strip(), value, remove=op == "remove")
        elif op == "remove":
            raise ScimError(400, _("A remove operation needs a path."), "noTarget")
        elif isinstance(value, dict):
            for key, sub in value.items():
                _set(wanted, key, sub)
        else:
            raise ScimError(400, _("An operation without a path needs an object as value."), "invalidValue")
    return wanted


# --- Writing ------------------------------------------------------------------------------------


def _validated(wanted) -> dict:
    wanted = dict(wanted)
    if not wanted["user_name"]:
        raise ScimError(400, _("userName is required."), "invalidValue")
    wanted["user_name"] = wanted["user_name"].lower()
    if not wanted["email"] and "@" in wanted["user_name"]:
        wanted["email"] = wanted["user_name"]
    try:
        validate_email(wanted["email"])
    except ValidationError:
        raise ScimError(
            400, _("An e-mail address is required: in emails, or as the userName."), "invalidValue"
        ) from None
    wanted["email"] = wanted["email"].lower()
    return wanted


def _check_unique(user, wanted):
    others = User.objects.exclude(pk=user.pk) if user else User.objects.all()
    if others.filter(email__iexact=wanted["email"]).exists():
        raise ScimError(409, _("The e-mail %(e)s belongs to another account.") % {"e": wanted["email"]}, "uniqueness")
    identities = ScimIdentity.objects.exclude(user=user) if user else ScimIdentity.objects.all()
    if identities.filter(user_name=wanted["user_name"]).exists():
        raise ScimError(409, _("userName %(u)s is taken.") % {"u": wanted["user_name"]}, "uniqueness")
    if wanted["employee_number"]:
        profiles = Profile.objects.exclude(user=user) if user else Profile.objects.all()
        if profiles.filter(employee_id=wanted["employee_number"]).exists():
            raise ScimError(
                409, _("Employee number %(n)s belongs to another person.") % {"n": wanted["employee_number"]},
                "uniqueness",
            )  # fmt: skip


def _check_protected(user, wanted):
    if user.pk not in protected_user_ids([user.pk]):
        return
    row = {"email": wanted["email"], "active": wanted["active"], "employee_id": wanted["employee_number"] or "-"}
    reason = protected_change_reason(row, {
        "email": user.email, "is_active": user.is_active, "first_name": user.first_name, "last_name": user.last_name,
    })  # fmt: skip
    if reason:
        raise ScimError(403, reason)


@transaction.atomic
def do_scim_create_user(actor, data) -> User:
    wanted = _validated(from_resource(data))
    revived = (
        User.objects.filter(email__iexact=wanted["email"], scim_identity__deleted_at__isnull=False)
        .select_related("scim_identity")
        .first()
    )
    if revived is not None:
        # Deleted over SCIM earlier (kept, inactive): the provider assigns the person again.
        return do_scim_update_user(actor, revived, wanted, validated=True)
    _check_unique(None, wanted)
    user = User.objects.create(
        email=wanted["email"],
        first_name=wanted["given_name"],
        last_name=wanted["family_name"],
        is_active=wanted["active"],
        password=make_password(None),
    )
    user.groups.add(Group.objects.get_or_create(name=Role.EMPLOYEE.value)[0])
    Profile.objects.create(
        user=user,
        job_title=wanted["title"],
        employee_id=wanted["employee_number"] or None,
        search_name=search_name_for(user.first_name, user.last_name),
    )
    ScimIdentity.objects.create(user=user, user_name=wanted["user_name"], external_id=wanted["external_id"])
    record("integrations.scim_user_created", actor=actor, obj=user)
    return user


@transaction.atomic
def do_scim_update_user(actor, user, wanted, validated=False) -> User:
    """Bring the person to `wanted` (a PUT, or a PATCH applied to the current state)."""
    if not validated:
        wanted = _validated(wanted)
    _check_unique(user, wanted)
    _check_protected(user, wanted)
    old_email = user.email
    user.email = wanted["email"]
    user.first_name, user.last_name = wanted["given_name"], wanted["family_name"]
    leaving = user.is_active and not wanted["active"]
    if wanted["active"]:
        user.is_active = True
    user.save(update_fields=["email", "first_name", "last_name", "is_active", "updated_at"])
    profile = ensure_profile(user)
    profile.job_title = wanted["title"]
    profile.employee_id = wanted["employee_number"] or None
    profile.search_name = search_name_for(user.first_name, user.last_name)
    profile.save(update_fields=["job_title", "employee_id", "search_name", "updated_at"])
    ScimIdentity.objects.update_or_create(
        user=user, defaults={"user_name": wanted["user_name"], "external_id": wanted["external_id"], "deleted_at": None}
    )
    if leaving:
        do_deactivate_users([user.pk])
        user.is_active = False
    if old_email.lower() != user.email:
        from rse.accounts.tasks import send_email_changed_notice_task

        enqueue_on_commit(send_email_changed_notice_task, user.pk, old_email, user.email)
    record("integrations.scim_user_updated", actor=actor, obj=user, deactivated=leaving)
    user.__dict__.pop("scim_identity", None)
    user._state.fields_cache.pop("scim_identity", None)
    user._state.fields_cache.pop("profile", None)
    return user


@transaction.atomic
def do_scim_delete_user(actor, user) -> None:
    """Deactivate (content kept, sessions ended) and stop being a SCIM resource."""
    _check_protected(user, {**current(user), "active": False})
    do_deactivate_users([user.pk])
    identity = _identity(user)
    if identity is None:
        name = user.email.lower()
        if ScimIdentity.objects.filter(user_name=name).exists():
            name = f"deleted-{user.pk}-{name}"[:254]
        ScimIdentity.objects.create(user=user, user_name=name, deleted_at=timezone.now())
    else:
        identity.deleted_at = timezone.now()
        identity.save(update_fields=["deleted_at"])
    record("integrations.scim_user_deleted", actor=actor, obj=user)
