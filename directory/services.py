"""Writes of the directory (profiles, skills, endorsements, follows, contacts, privacy).

check_* validate and authorise, do_* change data in one transaction, record the trail and publish
events on commit. Imports live in directory/imports.py and HR provisioning in directory/hr.py.
"""

import io
import json

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from directory.models import (
    Contact,
    Endorsement,
    Follow,
    FollowSuggestion,
    ImportJob,
    Profile,
    ProfileLink,
    Skill,
    UserSkill,
)
from directory.permissions import can_anonymise, can_endorse, can_follow
from directory.selectors import forget_avatar
from rse.accounts.services import end_live_sessions
from rse.lib.events import publish_on_commit, user_group
from rse.lib.markdown import render_markdown
from rse.lib.text import normalize
from rse.trail.services import record

PHOTO_MAX_BYTES = 5 * 1024 * 1024
PHOTO_MAX_SIZE = 512
MAX_SKILLS = 30


# --- Profiles -------------------------------------------------------------------------------


def search_name_for(first_name, last_name) -> str:
    return normalize(f"{first_name} {last_name}")[:320]


def ensure_profile(user) -> Profile:
    """Every person has a profile; created on first need (users made outside HR sync)."""
    profile = Profile.objects.filter(user=user).first()
    if profile is None:
        profile, _created = Profile.objects.get_or_create(
            user=user, defaults={"search_name": search_name_for(user.first_name, user.last_name)}
        )
    return profile


def process_photo(upload, max_size=PHOTO_MAX_SIZE) -> ContentFile:
    """Validate an uploaded image with Pillow and return it as a JPEG at most `max_size` px wide or high."""
    if upload.size > PHOTO_MAX_BYTES:
        raise ValidationError({"photo": _("The photo is larger than 5 MB.")})
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            probe.verify()
        upload.seek(0)
        with Image.open(upload) as image:
            if image.width * image.height > 40_000_000:
                raise ValidationError({"photo": _("The image is too large.")})
            image = ImageOps.exif_transpose(image)
            image.thumbnail((max_size, max_size))
            if image.mode not in ("RGB", "L"):
                background = Image.new("RGB", image.size, "white")
                rgba = image.convert("RGBA")
                background.paste(rgba, mask=rgba.getchannel("A"))
                image = background
            out = io.BytesIO()
            image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ValidationError({"photo": _("This file is not an image we can read (JPEG, PNG, GIF or WebP).")}) from exc
    return ContentFile(out.getvalue())


@transaction.atomic
def do_update_profile(user, *, data: dict, photo=None, remove_photo=False) -> Profile:
    """Update the person's own profile. `data` holds cleaned form fields."""
    profile = ensure_profile(user)
    user_fields = {k: data[k] for k in ("first_name", "last_name") if k in data}
    for key, value in user_fields.items():
        setattr(user, key, value)
    if user_fields:
        user.save(update_fields=[*user_fields, "updated_at"])
    for key in ("job_title", "phone_work", "phone_mobile", "phone_mobile_visibility", "languages", "site"):
        if key in data:
            setattr(profile, key, data[key])
    if "languages" in data:
        profile.languages = ",".join(
            dict.fromkeys(c.strip().lower() for c in data["languages"].replace(";", ",").split(",") if c.strip())
        )
    if "bio_md" in data:
        profile.bio_md = data["bio_md"]
        profile.bio_html = render_markdown(data["bio_md"])
    profile.search_name = search_name_for(user.first_name, user.last_name)
    if remove_photo and profile.photo:
        profile.photo.delete(save=False)
        profile.photo = ""
    if photo is not None:
        content = process_photo(photo)
        if profile.photo:
            profile.photo.delete(save=False)
        profile.photo.save("photo.jpg", content, save=False)  # upload_to gives it a random name
    profile.save()
    if remove_photo or photo is not None:
        transaction.on_commit(lambda: forget_avatar(user.pk))
        forget_avatar(user.pk)
    record("directory.profile_updated", actor=user, obj=profile)
    publish_on_commit("directory.profile_updated", [user_group(user.pk)], {"user_id": user.pk})
    return profile


@transaction.atomic
def do_set_links(user, links: list[tuple[str, str]]) -> None:
    ProfileLink.objects.filter(user=user).delete()
    ProfileLink.objects.bulk_create([ProfileLink(user=user, label=label, url=url) for label, url in links[:10]])


# --- Skills and endorsements ----------------------------------------------------------------


def check_skill_name(name: str) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ValidationError({"skill": _("Type a skill.")})
    if len(name) > 80 or not slugify(name):
        raise ValidationError({"skill": _("A skill is a short name, like “Python” or “Negotiation”.")})
    return name


@transaction.atomic
def do_add_skill(user, name: str) -> UserSkill:
    name = check_skill_name(name)
    if UserSkill.objects.filter(user=user).count() >= MAX_SKILLS:
        raise ValidationError({"skill": _("You can declare up to %(n)d skills.") % {"n": MAX_SKILLS}})
    wanted = normalize(name)
    skill = next((s for s in Skill.objects.filter(slug=slugify(name))), None) or next(
        (s for s in Skill.objects.filter(name__iexact=name)), None
    )
    if skill is None:
        skill = next((s for s in Skill.objects.all() if normalize(s.name) == wanted), None)
    if skill is None:
        skill = Skill.objects.create(name=name, slug=slugify(name)[:80])
    user_skill, created = UserSkill.objects.get_or_create(user=user, skill=skill)
    if created:
        record("directory.skill_added", actor=user, obj=user_skill, skill=skill.name)
    return user_skill


@transaction.atomic
def do_remove_skill(user, user_skill_id) -> None:
    deleted, _rows = UserSkill.objects.filter(user=user, pk=user_skill_id).delete()
    if deleted:
        record("directory.skill_removed", actor=user, user_skill_id=user_skill_id)


def check_endorse(user, user_skill):
    if not can_endorse(user, user_skill):
        raise PermissionDenied(_("You cannot endorse your own skills."))


@transaction.atomic
def do_toggle_endorsement(user, user_skill) -> bool:
    """Endorse, or withdraw an endorsement. Returns whether it is now endorsed."""
    check_endorse(user, user_skill)
    deleted, _rows = Endorsement.objects.filter(user_skill=user_skill, endorser=user).delete()
    if deleted:
        record("directory.endorsement_withdrawn", actor=user, obj=user_skill)
        return False
    try:
        with transaction.atomic():
            Endorsement.objects.create(user_skill=user_skill, endorser=user)
    except IntegrityError:
        return True  # a double click: already endorsed
    record("directory.endorsed", actor=user, obj=user_skill, skill_id=user_skill.skill_id)
    publish_on_commit(
        "directory.endorsed",
        [user_group(user_skill.user_id)],
        {"by": user.pk, "skill_id": user_skill.skill_id},
    )
    return True


# --- Follows --------------------------------------------------------------------------------


def check_follow(user, target):
    if not can_follow(user, target):
        raise PermissionDenied(_("You cannot follow this person."))


@transaction.atomic
def do_follow(user, target) -> bool:
    check_follow(user, target)
    _follow, created = Follow.objects.get_or_create(follower=user, followed=target)
    if created:
        record("directory.followed", actor=user, obj=target)
        publish_on_commit("directory.followed", [user_group(target.pk)], {"follower": user.pk})
    return created


@transaction.atomic
def do_unfollow(user, target) -> bool:
    deleted, _rows = Follow.objects.filter(follower=user, followed=target).delete()
    if deleted:
        record("directory.unfollowed", actor=user, obj=target)
    return bool(deleted)


# --- First steps ----------------------------------------------------------------------------


@transaction.atomic
def do_skip_first_step(user, step: str) -> None:
    profile = ensure_profile(user)
    if step not in (profile.first_steps_skipped or []):
        profile.first_steps_skipped = [*(profile.first_steps_skipped or []), step]
        profile.save(update_fields=["first_steps_skipped", "updated_at"])


@transaction.atomic
def do_dismiss_first_steps(user) -> None:
    profile = ensure_profile(user)
    profile.first_steps_dismissed_at = timezone.now()
    profile.save(update_fields=["first_steps_dismissed_at", "updated_at"])


# --- Contacts -------------------------------------------------------------------------------


def clean_emails(values) -> list[str]:
    """Lower-cased, de-duplicated e-mail addresses; ValidationError naming the first bad one."""
    result = []
    for value in values or []:
        email = (value or "").strip().lower()
        if not email:
            continue
        try:
            validate_email(email)
        except ValidationError as exc:
            raise ValidationError(
                {"emails": _("“%(email)s” is not a valid e-mail address.") % {"email": email}}
            ) from exc
        if email not in result:
            result.append(email)
    return result


def clean_list(values, max_items=20, max_len=80) -> list[str]:
    result = []
    for value in values or []:
        value = " ".join(str(value).split())[:max_len]
        if value and value not in result:
            result.append(value)
    return result[:max_items]


def contact_match_key(name, company, emails) -> str:
    if emails:
        return f"email:{emails[0].lower()}"[:320]
    return f"name:{normalize(name)}|{normalize(company)}"[:320]


def index_contact(contact):
    """The derived columns a contact book searches and sorts on; call after any change."""
    contact.search_text = contact_search_text(contact)
    contact.sort_name = normalize(contact.name)[:200]


def contact_search_text(contact) -> str:
    parts = [contact.name, contact.company, contact.job_title, *contact.emails]
    tags = " ".join(f"#{normalize(t)}" for t in contact.tags)
    return f"{normalize(' '.join(parts))} {tags}".strip()[:600]


CONTACT_FIELDS = ("name", "company", "job_title", "emails", "phones", "url", "notes", "tags", "item")


def check_contact_data(data: dict) -> dict:
    cleaned = dict(data)
    cleaned["name"] = " ".join((data.get("name") or "").split())[:200]
    cleaned["company"] = " ".join((data.get("company") or "").split())[:200]
    cleaned["job_title"] = " ".join((data.get("job_title") or "").split())[:200]
    cleaned["emails"] = clean_emails(data.get("emails"))
    cleaned["phones"] = clean_list(data.get("phones"), max_len=40)
    cleaned["tags"] = clean_list(data.get("tags"), max_len=40)
    cleaned["notes"] = (data.get("notes") or "")[:5000]
    cleaned["url"] = (data.get("url") or "").strip()[:500]
    if not cleaned["name"]:
        raise ValidationError({"name": _("A contact needs a name.")})
    return cleaned


def _apply_contact_fields(contact, data):
    for key in CONTACT_FIELDS:
        if key in data:
            setattr(contact, key, data[key])
    contact.match_key = (
        f"user:{contact.colleague_id}"
        if contact.colleague_id
        else contact_match_key(contact.name, contact.company, contact.emails)
    )
    index_contact(contact)


def _check_unique_key(owner, contact):
    clash = Contact.objects.filter(owner=owner, match_key=contact.match_key).exclude(pk=contact.pk).first()
    if clash:
        raise ValidationError(
            {"emails": _("“%(name)s” is already in your contacts with this e-mail or name.") % {"name": clash.name}}
        )


@transaction.atomic
def do_create_contact(owner, data: dict) -> Contact:
    data = check_contact_data(data)
    contact = Contact(owner=owner)
    _apply_contact_fields(contact, data)
    _check_unique_key(owner, contact)
    contact.save()
    record("directory.contact_created", actor=owner, obj=contact)
    return contact


@transaction.atomic
def do_update_contact(owner, contact: Contact, data: dict) -> Contact:
    if contact.owner_id != owner.pk:
        raise PermissionDenied
    data = check_contact_data({**{k: getattr(contact, k) for k in CONTACT_FIELDS}, **data})
    _apply_contact_fields(contact, data)
    _check_unique_key(owner, contact)
    contact.save()
    record("directory.contact_updated", actor=owner, obj=contact)
    return contact


CONTACT_PHOTO_SIZE = 160  # an avatar in a contact book: small enough to travel inside an import


def contact_photo_bytes(raw: bytes) -> bytes:
    """A contact photo as we keep it (JPEG, 160 px); ValidationError when it is not an image."""
    return process_photo(ContentFile(raw), max_size=CONTACT_PHOTO_SIZE).read()


@transaction.atomic
def do_set_contact_photo(owner, contact: Contact, *, upload=None, remove=False) -> Contact:
    if contact.owner_id != owner.pk:
        raise PermissionDenied
    old = contact.photo.name if contact.photo else ""
    if upload is not None:
        contact.photo.save("photo.jpg", process_photo(upload, max_size=CONTACT_PHOTO_SIZE), save=False)
    elif remove:
        contact.photo = ""
    else:
        return contact
    contact.save(update_fields=["photo", "updated_at"])
    if old and old != contact.photo.name:
        transaction.on_commit(lambda: contact.photo.storage.delete(old))
    return contact


@transaction.atomic
def do_delete_contact(owner, contact: Contact) -> None:
    if contact.owner_id != owner.pk:
        raise PermissionDenied
    contact_id = contact.pk
    contact.delete()  # its photo file goes with it (models.delete_contact_photo)
    record("directory.contact_deleted", actor=owner, contact_id=contact_id)


@transaction.atomic
def do_toggle_star(owner, colleague) -> bool:
    """Star a colleague (a contact-book entry pointing at them) or unstar. Returns the new state."""
    if colleague.pk == owner.pk:
        raise PermissionDenied(_("You cannot star yourself."))
    deleted, _rows = Contact.objects.filter(owner=owner, colleague=colleague).delete()
    if deleted:
        record("directory.colleague_unstarred", actor=owner, obj=colleague)
        return False
    profile = Profile.objects.filter(user=colleague).first()
    # Already in the book as an external contact with the same e-mail (an import): keep its notes and
    # tags, and link it to the colleague.
    contact = Contact.objects.filter(owner=owner, match_key=f"email:{colleague.email.lower()}").first()
    if contact is None:
        contact = Contact(owner=owner, name=colleague.display_name, emails=[colleague.email])
    contact.colleague = colleague
    if not contact.job_title and profile:
        contact.job_title = profile.job_title
    if profile and profile.phone_work and profile.phone_work not in contact.phones:
        contact.phones = [*contact.phones, profile.phone_work]
    _apply_contact_fields(contact, {})
    contact.save()
    record("directory.colleague_starred", actor=owner, obj=colleague)
    return True


# --- Privacy --------------------------------------------------------------------------------


def export_personal_data(user) -> dict:
    """Everything the directory holds about `user`, for them to download (GDPR access/portability)."""
    profile = Profile.objects.filter(user=user).select_related("org_unit", "site", "manager").first()
    data = {
        "exported_at": timezone.now().isoformat(),
        "account": {
            "email": user.email,
            "first_name": user.first_name,
            "last_name": user.last_name,
            "date_joined": user.date_joined.isoformat(),
            "language": user.language,
        },
        "profile": None,
        "skills": [],
        "endorsements_received": [],
        "endorsements_given": [],
        "links": list(ProfileLink.objects.filter(user=user).values("label", "url")),
        "following": list(Follow.objects.filter(follower=user).values_list("followed__email", flat=True)),
        "followers": list(Follow.objects.filter(followed=user).values_list("follower__email", flat=True)),
        "follow_suggestions": list(FollowSuggestion.objects.filter(user=user).values("suggested__email", "source")),
        "contacts": [
            {
                "name": c.name,
                "company": c.company,
                "job_title": c.job_title,
                "emails": c.emails,
                "phones": c.phones,
                "url": c.url,
                "notes": c.notes,
                "tags": c.tags,
                "colleague": c.colleague.email if c.colleague_id else None,
                "item": c.item.name if c.item_id else None,
                "created_at": c.created_at.isoformat(),
            }
            for c in Contact.objects.filter(owner=user).select_related("colleague", "item")
        ],
        "imports": list(
            ImportJob.objects.filter(owner=user).values("kind", "status", "filename", "created_at", "result")
        ),
    }
    if profile:
        data["profile"] = {
            "employee_id": profile.employee_id,
            "job_title": profile.job_title,
            "org_unit": profile.org_unit.name if profile.org_unit_id else None,
            "site": profile.site.name if profile.site_id else None,
            "manager": profile.manager.email if profile.manager_id else None,
            "phone_work": profile.phone_work,
            "phone_mobile": profile.phone_mobile,
            "phone_mobile_visibility": profile.phone_mobile_visibility,
            "languages": profile.languages,
            "bio": profile.bio_md,
            "photo": profile.photo.name if profile.photo else None,
        }
    for us in UserSkill.objects.filter(user=user).select_related("skill").prefetch_related("endorsements__endorser"):
        data["skills"].append(us.skill.name)
        data["endorsements_received"] += [
            {"skill": us.skill.name, "by": e.endorser.email, "at": e.created_at.isoformat()}
            for e in us.endorsements.all()
        ]
    data["endorsements_given"] = [
        {"skill": e.user_skill.skill.name, "person": e.user_skill.user.email, "at": e.created_at.isoformat()}
        for e in Endorsement.objects.filter(endorser=user).select_related("user_skill__skill", "user_skill__user")
    ]
    # Round-trip through JSON so dates and lazy strings are plain values.
    return json.loads(json.dumps(data, default=str))


def check_anonymise(admin, user):
    if not can_anonymise(admin):
        raise PermissionDenied(_("Only administrators can anonymise a person."))
    if user.pk == admin.pk:
        raise ValidationError(_("You cannot anonymise yourself."))
    if user.is_active:
        raise ValidationError(_("Deactivate the person first: only leavers are anonymised."))


@transaction.atomic
def do_anonymise_user(admin, user) -> None:
    """Erase a leaver's personal data but keep the account row, so their content stays attributed
    to “Former employee”. Irreversible."""
    check_anonymise(admin, user)
    profile = ensure_profile(user)
    if profile.photo:
        profile.photo.delete(save=False)
    user.first_name = _("Former")
    user.last_name = _("employee")
    user.email = f"anonymised-{user.pk}@invalid.example"
    user.language = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    for name in ("job_title", "phone_work", "phone_mobile", "languages", "bio_md", "bio_html"):
        setattr(profile, name, "")
    profile.photo = ""
    profile.employee_id = None
    profile.manager = None
    profile.search_name = ""
    profile.anonymised_at = timezone.now()
    profile.save()
    transaction.on_commit(lambda: forget_avatar(user.pk))
    Profile.objects.filter(manager=user).update(manager=None)
    UserSkill.objects.filter(user=user).delete()
    Endorsement.objects.filter(endorser=user).delete()
    ProfileLink.objects.filter(user=user).delete()
    Contact.objects.filter(owner=user).delete()
    Contact.objects.filter(colleague=user).delete()
    Follow.objects.filter(follower=user).delete()
    Follow.objects.filter(followed=user).delete()
    FollowSuggestion.objects.filter(user=user).delete()
    FollowSuggestion.objects.filter(suggested=user).delete()
    ImportJob.objects.filter(owner=user).delete()
    # Its sockets should be closed since the deactivation; a leftover one closes now.
    end_live_sessions([user.pk], reason="anonymised")
    record("directory.user_anonymised", actor=admin, obj=user)
