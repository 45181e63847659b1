"""Seeding writes: templates, scheduled posts, champions, bulk invitations, starter content.

check_* authorises and validates, do_* writes in one transaction and publishes on commit.
Posts, comments and invitations are made by communities' own services (do_create_post,
do_invite_member…): animation never writes communities' rows itself.
"""

import re
from datetime import timedelta

from django.core.cache import cache
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from animation import events
from animation.permissions import can_manage_templates, check_animate
from animation.seeding import builtin
from animation.seeding.models import (
    BulkInvitation,
    Champion,
    CommunityTemplate,
    ScheduledPost,
    SeedingSetup,
    StarterImport,
    TemplatePost,
)
from communities import permissions as community_perms
from communities.models import Membership, NotificationKind, Post
from communities.notify import notify_on_commit
from communities.services import (
    check_create_post,
    do_accept_answer,
    do_create_comment,
    do_create_post,
    do_invite_member,
    do_update_community,
    parse_tags,
)
from communities.services.common import MAX_BODY_CHARS
from rse.lib.csvfiles import Columns, ignored_warning
from rse.lib.events import publish_on_commit, user_group
from rse.lib.outbox import enqueue_on_commit
from rse.trail.services import record

MAX_SCHEDULE_AHEAD = timedelta(days=366)
MAX_BULK_ROWS = 5000
MAX_STARTER_ROWS = 500


# --- Templates ----------------------------------------------------------------------------


def template_content(template: CommunityTemplate) -> builtin.TemplateContent:
    """What a template holds, in the active language for the built-in ones."""
    if template.key:
        return builtin.content(template.key)
    return builtin.TemplateContent(
        name=template.name,
        summary=template.summary,
        description_md=template.description_md,
        charter_md=template.charter_md,
        tags=list(parse_tags(template.tags).values()),
        objectives_md=template.objectives_md,
        visibility=template.visibility,
        posts=[(p.kind, p.title, p.body_md) for p in template.posts.all()],
    )


def _template_id(value) -> int:
    try:
        pk = int(str(value).strip())
    except (TypeError, ValueError):
        pk = 0
    if not 0 < pk < 2**63:
        raise ValidationError({"template": _("Unknown template.")})
    return pk


def check_use_template(user, template_id) -> CommunityTemplate:
    from animation.seeding.selectors import ensure_builtin_templates

    pk = _template_id(template_id)
    if not CommunityTemplate.objects.filter(key__isnull=False).exists():
        ensure_builtin_templates()
    template = CommunityTemplate.objects.filter(pk=pk, is_active=True).first()
    if template is None:
        raise ValidationError({"template": _("Unknown template.")})
    return template


def do_apply_template(user, community, template_id) -> None:
    """Called by communities.do_create_community (hooks.StarterProvider) in its transaction: the
    new community gets the charter, the hashtags, the objectives and the starter posts."""
    template = check_use_template(user, template_id)
    content = template_content(template)
    description = community.description_md.strip() or content.description_md
    if content.charter_md:
        heading = _("Charter")
        description = f"{description}\n\n## {heading}\n\n{content.charter_md}".strip()
    tags = [t.name for t in community.tags.all()] + list(content.tags)
    do_update_community(user, community, description_md=description, tags=tags)
    SeedingSetup.objects.update_or_create(
        community=community, defaults={"template": template, "objectives_md": content.objectives_md}
    )
    for kind, title, body_md in content.posts:
        do_create_post(user, community, kind=kind, title=title, body_md=body_md)
    record("animation.community_seeded", actor=user, obj=community, community_id=community.pk, template=template.pk)


@transaction.atomic
def do_save_as_template(user, community, *, name, summary="") -> CommunityTemplate:
    """An administrator turns a community into a template: its description, hashtags,
    objectives, and its pinned posts as starter posts (at most 5)."""
    if not can_manage_templates(user):
        raise PermissionDenied(_("Only administrators save communities as templates."))
    name = " ".join((name or "").split())
    if not name or len(name) > 120:
        raise ValidationError({"name": _("Give the template a name (at most 120 characters).")})
    if len(summary or "") > 240:
        raise ValidationError({"summary": _("At most 240 characters.")})
    setup = SeedingSetup.objects.filter(community=community).first()
    template = CommunityTemplate.objects.create(
        name=name,
        summary=summary or "",
        description_md=community.description_md,
        tags=", ".join(t.name for t in community.tags.all())[:400],
        objectives_md=setup.objectives_md if setup else "",
        visibility=community.visibility,
        source=community,
        created_by=user,
    )
    pinned = Post.objects.alive().filter(community=community, pinned_at__isnull=False).order_by("-pinned_at")[:5]
    TemplatePost.objects.bulk_create(
        [
            TemplatePost(
                template=template,
                kind="question" if p.kind == Post.Kind.QUESTION else "discussion",
                title=(p.title or str(p))[:200],
                body_md=p.body_md,
                position=i,
            )
            for i, p in enumerate(pinned)
        ]
    )
    record("animation.template_saved", actor=user, obj=template, community_id=community.pk)
    return template


# --- Scheduled posts ------------------------------------------------------------------------


def check_schedule_post(user, community, *, kind, title, body_md, publish_at, now=None):
    check_animate(user, community)
    errors = {}
    if kind not in ScheduledPost.Kind.values:
        errors["kind"] = _("Choose a discussion, a question or an announcement.")
    now = now or timezone.now()
    if publish_at is None:
        errors["publish_at"] = _("When should it be published?")
    elif publish_at <= now:
        errors["publish_at"] = _("Choose a moment in the future.")
    elif publish_at > now + MAX_SCHEDULE_AHEAD:
        errors["publish_at"] = _("At most a year ahead.")
    if errors:
        raise ValidationError(errors)
    # The same rules as when it is published (a title for questions, the author may post…).
    check_create_post(user, community, kind=kind, title=title, body_md=body_md)


@transaction.atomic
def do_schedule_post(user, community, *, kind, title="", body_md="", publish_at, is_launch=False) -> ScheduledPost:
    title = (title or "").strip()
    check_schedule_post(user, community, kind=kind, title=title, body_md=body_md, publish_at=publish_at)
    scheduled = ScheduledPost.objects.create(
        community=community,
        author=user,
        kind=kind,
        title=title,
        body_md=body_md or "",
        publish_at=publish_at,
        is_launch=bool(is_launch),
    )
    record("animation.post_scheduled", actor=user, obj=scheduled, community_id=community.pk)
    return scheduled


def _locked_scheduled(user, scheduled) -> ScheduledPost:
    scheduled = ScheduledPost.objects.select_for_update().select_related("community").get(pk=scheduled.pk)
    check_animate(user, scheduled.community)
    if scheduled.status != ScheduledPost.Status.SCHEDULED:
        raise ValidationError(_("This post is no longer waiting: it was published or cancelled."))
    return scheduled


@transaction.atomic
def do_edit_scheduled_post(user, scheduled, **changes) -> ScheduledPost:
    """Change the text, the type, the time or the launch mark of a post still waiting."""
    scheduled = _locked_scheduled(user, scheduled)
    fields = [f for f in ("kind", "title", "body_md", "publish_at", "is_launch") if f in changes]
    for f in fields:
        setattr(scheduled, f, changes[f].strip() if f == "title" else changes[f])
    # The author stays the animator who wrote it; the checks run as the one who edits.
    check_schedule_post(
        user, scheduled.community, kind=scheduled.kind, title=scheduled.title, body_md=scheduled.body_md,
        publish_at=scheduled.publish_at,
    )  # fmt: skip
    if "publish_at" in fields or "is_launch" in fields:
        scheduled.champions_told_at = None  # a new time: champions hear of it at the new moment
        fields.append("champions_told_at")
    scheduled.save(update_fields=[*fields, "updated_at"])
    record("animation.scheduled_post_edited", actor=user, obj=scheduled, community_id=scheduled.community_id)
    return scheduled


@transaction.atomic
def do_cancel_scheduled_post(user, scheduled) -> ScheduledPost:
    scheduled = _locked_scheduled(user, scheduled)
    scheduled.status = ScheduledPost.Status.CANCELLED
    scheduled.save(update_fields=["status", "updated_at"])
    record("animation.scheduled_post_cancelled", actor=user, obj=scheduled, community_id=scheduled.community_id)
    return scheduled


def due_scheduled_post_ids(now=None) -> list[int]:
    now = now or timezone.now()
    return list(
        ScheduledPost.objects.filter(status=ScheduledPost.Status.SCHEDULED, publish_at__lte=now)
        .order_by("publish_at", "id")
        .values_list("pk", flat=True)[:500]
    )


def do_publish_scheduled_post(scheduled_id, now=None) -> Post | None:
    """Publish one due post, exactly once.

    The conditional UPDATE claims the row (of two concurrent runs only one matches, on SQLite as
    on PostgreSQL) in the same transaction as the post's creation: a worker that dies half-way
    rolls both back and the redelivered task (acks_late) publishes it; a second run finds it
    published. A post due while no worker ran is published when one comes back, late, and the
    queue shows both times."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ScheduledPost.objects.filter(
            pk=scheduled_id, status=ScheduledPost.Status.SCHEDULED, publish_at__lte=now
        ).update(status=ScheduledPost.Status.PUBLISHED, published_at=now, updated_at=now)
        if not claimed:
            return None
        scheduled = ScheduledPost.objects.select_related("community", "author").get(pk=scheduled_id)
        try:
            with transaction.atomic():  # a savepoint: a refusal leaves the claim to be marked failed
                post = do_create_post(
                    scheduled.author, scheduled.community, kind=scheduled.kind, title=scheduled.title,
                    body_md=scheduled.body_md,
                )  # fmt: skip
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
            ScheduledPost.objects.filter(pk=scheduled_id).update(
                status=ScheduledPost.Status.FAILED, published_at=None, error=reason[:2000]
            )
            record("animation.scheduled_post_failed", obj=scheduled, community_id=scheduled.community_id, reason=reason)
            _alert_animators(scheduled.community, ref=scheduled.pk)
            return None
        ScheduledPost.objects.filter(pk=scheduled_id).update(post=post)
        record(
            "animation.scheduled_post_published", actor=scheduled.author, obj=post,
            community_id=scheduled.community_id, scheduled_id=scheduled.pk,
            scheduled_for=scheduled.publish_at.isoformat(),
        )  # fmt: skip
        publish_on_commit(
            events.SCHEDULED_POST_PUBLISHED,
            [user_group(scheduled.author_id)],
            {"scheduled_post_id": scheduled.pk, "post_id": post.pk, "community_id": scheduled.community_id},
        )
        return post


def _alert_animators(community, *, ref):
    animators = community_perms.moderators_of(community).values_list("pk", flat=True)
    notify_on_commit(
        NotificationKind.ANIMATION_ALERT, list(animators), actor_id=None, community_id=community.pk, ref=ref
    )


def launch_preview_due_ids(now=None) -> list[int]:
    """Launch posts whose champions have not been told yet and whose preview time has come
    (publish_at − the community's lead hours; 24 hours without a setup)."""
    now = now or timezone.now()
    candidates = ScheduledPost.objects.filter(
        status=ScheduledPost.Status.SCHEDULED, is_launch=True, champions_told_at__isnull=True,
        publish_at__lte=now + timedelta(hours=24 * 14),
    ).values_list("pk", "community_id", "publish_at")  # fmt: skip
    rows = list(candidates[:500])
    leads = dict(
        SeedingSetup.objects.filter(community_id__in={c for _p, c, _t in rows}).values_list(
            "community_id", "champions_lead_hours"
        )
    )
    return [pk for pk, community_id, at in rows if at - timedelta(hours=leads.get(community_id, 24)) <= now]


def do_tell_champions(scheduled_id, now=None) -> int:
    """Champions hear of a launch post before everyone, once (the conditional UPDATE claims it)."""
    now = now or timezone.now()
    with transaction.atomic():
        claimed = ScheduledPost.objects.filter(
            pk=scheduled_id, status=ScheduledPost.Status.SCHEDULED, is_launch=True, champions_told_at__isnull=True
        ).update(champions_told_at=now)
        if not claimed:
            return 0
        scheduled = ScheduledPost.objects.select_related("community").get(pk=scheduled_id)
        champions = list(
            Champion.objects.filter(
                community=scheduled.community,
                user__memberships__community=scheduled.community,
                user__memberships__status=Membership.Status.ACTIVE,
            ).values_list("user_id", flat=True)
        )
        notify_on_commit(
            NotificationKind.LAUNCH, champions, actor_id=scheduled.author_id, community_id=scheduled.community_id,
            ref=scheduled.pk,
        )  # fmt: skip
        return len(champions)


# --- Champions -------------------------------------------------------------------------------


@transaction.atomic
def do_set_champion(user, community, champion, on=True) -> bool:
    check_animate(user, community)
    if not on:
        deleted, _rows = Champion.objects.filter(community=community, user=champion).delete()
        if deleted:
            record("animation.champion_removed", actor=user, obj=community, community_id=community.pk,
                   user_id=champion.pk)  # fmt: skip
        return False
    if not community_perms.is_active_member(champion, community):
        raise ValidationError({"user": _("Champions are members of the community.")})
    try:
        with transaction.atomic():
            Champion.objects.create(community=community, user=champion, added_by=user)
    except IntegrityError:
        return True
    record("animation.champion_added", actor=user, obj=community, community_id=community.pk, user_id=champion.pk)
    return True


@transaction.atomic
def do_set_champions_lead(user, community, hours) -> SeedingSetup:
    check_animate(user, community)
    if not isinstance(hours, int) or not 1 <= hours <= 168:
        raise ValidationError({"champions_lead_hours": _("Between 1 and 168 hours (a week).")})
    setup, _created = SeedingSetup.objects.get_or_create(community=community)
    setup.champions_lead_hours = hours
    setup.save(update_fields=["champions_lead_hours", "updated_at"])
    return setup


# --- Bulk invitations -----------------------------------------------------------------------

_SPLIT = re.compile(r"[\s,;]+")


def _email_rows(text) -> list[dict]:
    """One row per address in pasted text or an uploaded list: a line may hold several (commas,
    semicolons, tabs); a line with something but no address is an error of that line, except a
    first line that is a header."""
    rows = []
    for number, line in enumerate((text or "").replace("\r\n", "\n").replace("\r", "\n").split("\n"), start=1):
        tokens = [t.strip().strip("\"'<>") for t in _SPLIT.split(line) if t.strip()]
        addresses = [t for t in tokens if "@" in t]
        if not addresses:
            if tokens and number > 1:
                rows.append({"line": number, "email": line.strip()[:200], "action": "invalid"})
            continue
        rows.extend({"line": number, "email": a[:254].lower(), "action": ""} for a in addresses)
    return rows


def _people_rows(user_ids) -> list[dict]:
    return [{"line": None, "email": "", "user_id": uid, "action": ""} for uid in user_ids]


def check_bulk_invitation(user, community):
    check_animate(user, community)
    if not community_perms.can_invite(user, community):
        raise PermissionDenied(_("Only the community's animators and owners invite (an administrator joins first)."))
    if community.archived_at:
        raise ValidationError(_("This community is archived."))


def do_preview_bulk_invitation(
    user, community, *, org_unit=None, site=None, skill=None, emails_text="", upload_text=None, source=""
) -> BulkInvitation:
    """Find the people, and say for each row what confirming will do, or why it will not."""
    from directory.models import Profile, UserSkill
    from directory.selectors import unit_and_descendant_ids
    from rse.accounts.models import User

    check_bulk_invitation(user, community)
    rows = []
    if org_unit is not None:
        ids = Profile.objects.filter(org_unit_id__in=unit_and_descendant_ids(org_unit.pk)).values_list(
            "user_id", flat=True
        )
        rows += _people_rows(ids)
    if site is not None:
        rows += _people_rows(Profile.objects.filter(site=site).values_list("user_id", flat=True))
    if skill is not None:
        rows += _people_rows(UserSkill.objects.filter(skill=skill).values_list("user_id", flat=True))
    rows += _email_rows(emails_text)
    if upload_text is not None:
        rows += _email_rows(upload_text)
    if not rows:
        raise ValidationError(_("Choose an org unit, a site or a skill, or give a list of e-mail addresses."))
    if len(rows) > MAX_BULK_ROWS:
        raise ValidationError(
            _("%(n)d people or addresses: at most %(max)d at once.") % {"n": len(rows), "max": MAX_BULK_ROWS}
        )
    for row in rows:
        if row["action"] == "" and row.get("email"):
            try:
                validate_email(row["email"])
            except ValidationError:
                row["action"] = "invalid"
    emails = [r["email"] for r in rows if r["action"] == "" and r.get("email")]
    by_email = {}
    for start in range(0, len(emails), 500):
        by_email.update(
            (e.lower(), pk)
            for e, pk in User.objects.filter(email__in=emails[start : start + 500]).values_list("email", "pk")
        )
    for row in rows:
        if row["action"] == "" and row.get("email"):
            row["user_id"] = by_email.get(row["email"])
            if row["user_id"] is None:
                row["action"] = "unknown"
    ids = {r["user_id"] for r in rows if r.get("user_id")}
    users = {u.pk: u for u in User.objects.filter(pk__in=ids)}
    memberships = {
        m.user_id: m.status for m in Membership.objects.filter(community=community, user_id__in=ids)
    }  # fmt: skip
    seen = set()
    for row in rows:
        if row["action"]:
            continue
        person = users.get(row["user_id"])
        row["name"], row["email"] = person.display_name, person.email
        if person.pk in seen:
            row["action"] = "duplicate"
        elif not person.is_active:
            row["action"] = "left"
        elif memberships.get(person.pk) == Membership.Status.ACTIVE:
            row["action"] = "member"
        elif memberships.get(person.pk) == Membership.Status.INVITED:
            row["action"] = "invited"
        elif memberships.get(person.pk) == Membership.Status.PENDING:
            row["action"] = "asked"  # they asked to join: the invitation settles it, agreed on both sides
        else:
            row["action"] = "invite"
        seen.add(person.pk)
    with transaction.atomic():
        bulk = BulkInvitation.objects.create(
            community=community,
            created_by=user,
            source=source[:200],
            rows=rows,
            total=sum(1 for r in rows if r["action"] in ("invite", "asked")),
        )
        record("animation.bulk_invitation_previewed", actor=user, obj=bulk, community_id=community.pk, rows=len(rows))
    return bulk


def do_confirm_bulk_invitation(user, bulk) -> BulkInvitation:
    from animation.seeding.tasks import run_bulk_invitation_task

    with transaction.atomic():
        bulk = BulkInvitation.objects.select_for_update().select_related("community").get(pk=bulk.pk)
        check_bulk_invitation(user, bulk.community)
        if bulk.status != BulkInvitation.Status.PREVIEW:
            raise ValidationError(_("These invitations were already confirmed or cancelled."))
        if not bulk.total:
            raise ValidationError(_("Nobody to invite in this list."))
        bulk.status = BulkInvitation.Status.QUEUED
        bulk.save(update_fields=["status", "updated_at"])
        record("animation.bulk_invitation_confirmed", actor=user, obj=bulk, community_id=bulk.community_id)
        enqueue_on_commit(run_bulk_invitation_task, bulk.pk)  # rse/lib/outbox.py: sent after the commit
    return bulk


@transaction.atomic
def do_cancel_bulk_invitation(user, bulk) -> None:
    check_animate(user, bulk.community)
    BulkInvitation.objects.filter(pk=bulk.pk, status=BulkInvitation.Status.PREVIEW).update(
        status=BulkInvitation.Status.CANCELLED, finished_at=timezone.now()
    )


def run_bulk_invitation(bulk_id) -> int:
    """Send the invitations of a confirmed list. Twice is once: only a QUEUED list is claimed, and
    do_invite_member leaves an existing membership as it is."""
    from rse.accounts.models import User

    claimed = BulkInvitation.objects.filter(pk=bulk_id, status=BulkInvitation.Status.QUEUED).update(
        status=BulkInvitation.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return 0
    bulk = BulkInvitation.objects.select_related("community", "created_by").get(pk=bulk_id)
    todo = [r["user_id"] for r in bulk.rows if r["action"] in ("invite", "asked")]
    users = User.objects.in_bulk(todo)
    invited = processed = 0
    try:
        for user_id in todo:
            invitee = users.get(user_id)
            if invitee is not None and invitee.is_active:
                try:
                    do_invite_member(bulk.created_by, bulk.community, invitee)
                    invited += 1
                except ValidationError:
                    pass  # left the company since the preview
            processed += 1
            if processed % 50 == 0:
                BulkInvitation.objects.filter(pk=bulk_id).update(processed=processed, invited=invited)
    except PermissionDenied as exc:  # the animator lost the role since confirming
        BulkInvitation.objects.filter(pk=bulk_id).update(
            status=BulkInvitation.Status.FAILED, error=str(exc)[:2000], processed=processed, invited=invited,
            finished_at=timezone.now(),
        )  # fmt: skip
        return invited
    BulkInvitation.objects.filter(pk=bulk_id).update(
        status=BulkInvitation.Status.DONE, processed=processed, invited=invited, finished_at=timezone.now()
    )
    return invited


# --- Starter content (CSV of questions and answers) -----------------------------------------

STARTER_COLUMNS = Columns(
    {
        "question": ("questions", "title", "titre", "subject", "sujet", "faq", "q"),
        "details": ("detail", "body", "description", "precisions", "context", "contexte", "texte", "text"),
        "answer": ("answers", "reponse", "reponses", "a", "solution"),
    }
)


def do_preview_starter_import(user, community, upload) -> StarterImport:
    """Read and validate the CSV: each row is kept or rejected with its line and reason; the
    file as a whole is refused when it cannot be read or has no "question" column."""
    from directory.imports import ImportRefused, read_csv, read_upload

    check_animate(user, community)
    if not community_perms.can_post(user, community):
        raise PermissionDenied(_("Join the community to post in it."))
    decoded, filename = read_upload(upload)
    fields, parsed, ignored = read_csv(decoded, columns=STARTER_COLUMNS)
    if "question" not in fields:
        raise ImportRefused(_("The file needs a “question” column (and, if you like, “details” and “answer”)."))
    rows, rejected = [], []
    for line, data in parsed:
        if isinstance(data, str):
            rejected.append({"line": line, "reason": data})
            continue
        question, details, answer = data.get("question", ""), data.get("details", ""), data.get("answer", "")
        if not question:
            rejected.append({"line": line, "reason": _("the question is empty")})
        elif len(question) > 200:
            rejected.append({"line": line, "reason": _("the question is longer than 200 characters")})
        elif len(details) > MAX_BODY_CHARS or len(answer) > MAX_BODY_CHARS:
            rejected.append(
                {"line": line, "reason": _("a text is longer than %(max)d characters") % {"max": MAX_BODY_CHARS}}
            )
        else:
            rows.append({"line": line, "question": question, "details": details, "answer": answer})
    if len(rows) > MAX_STARTER_ROWS:
        raise ImportRefused(_("At most %(max)d questions at once.") % {"max": MAX_STARTER_ROWS})
    with transaction.atomic():
        job = StarterImport.objects.create(
            community=community, created_by=user, filename=filename[:255], rows=rows, rejected=rejected,
            total=len(rows), warnings=[ignored_warning(ignored)] if ignored else [],
        )  # fmt: skip
        record("animation.starter_import_previewed", actor=user, obj=job, community_id=community.pk, rows=len(rows))
    return job


def do_confirm_starter_import(user, job) -> StarterImport:
    from animation.seeding.tasks import run_starter_import_task

    with transaction.atomic():
        job = StarterImport.objects.select_for_update().select_related("community").get(pk=job.pk)
        check_animate(user, job.community)
        if job.status != StarterImport.Status.PREVIEW:
            raise ValidationError(_("This import has already been confirmed or cancelled."))
        if not job.rows:
            raise ValidationError(_("No valid row to import: correct the file and upload it again."))
        job.status = StarterImport.Status.QUEUED
        job.save(update_fields=["status", "updated_at"])
        record("animation.starter_import_confirmed", actor=user, obj=job, community_id=job.community_id)
        enqueue_on_commit(run_starter_import_task, job.pk)
    return job


@transaction.atomic
def do_cancel_starter_import(user, job) -> None:
    check_animate(user, job.community)
    StarterImport.objects.filter(pk=job.pk, status=StarterImport.Status.PREVIEW).update(
        status=StarterImport.Status.CANCELLED, rows=[], finished_at=timezone.now()
    )


def starter_progress_key(job_id) -> str:
    return f"animation:starter:{job_id}:processed"


def run_starter_import(job_id) -> int:
    """Publish the questions (and their accepted answers) of a confirmed import, all or nothing:
    one transaction, so a second run of a job that failed half-way starts from a clean slate."""
    claimed = StarterImport.objects.filter(pk=job_id, status=StarterImport.Status.QUEUED).update(
        status=StarterImport.Status.RUNNING, updated_at=timezone.now()
    )
    if not claimed:
        return 0
    job = StarterImport.objects.select_related("community", "created_by").get(pk=job_id)
    author, community = job.created_by, job.community
    try:
        with transaction.atomic():
            for n, row in enumerate(job.rows, start=1):
                post = do_create_post(
                    author, community, kind=Post.Kind.QUESTION, title=row["question"], body_md=row["details"]
                )
                if row["answer"]:
                    comment = do_create_comment(author, post, body_md=row["answer"])
                    do_accept_answer(author, post, comment)
                cache.set(starter_progress_key(job_id), n, timeout=3600)
            StarterImport.objects.filter(pk=job_id).update(
                status=StarterImport.Status.DONE, processed=len(job.rows), finished_at=timezone.now()
            )
    except OperationalError:
        StarterImport.objects.filter(pk=job_id).update(status=StarterImport.Status.QUEUED)
        raise  # transient: the task's retry runs it again
    except (ValidationError, PermissionDenied) as exc:
        reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
        StarterImport.objects.filter(pk=job_id).update(
            status=StarterImport.Status.FAILED, error=reason[:2000], finished_at=timezone.now()
        )
        return 0
    record("animation.starter_import_done", actor=author, obj=job, community_id=community.pk, rows=len(job.rows))
    return len(job.rows)


def starter_progress(job) -> int:
    if job.status == StarterImport.Status.RUNNING:
        return cache.get(starter_progress_key(job.pk), job.processed)
    return job.processed
