"""Feeding writes: prompts, nudges, welcome and come-back messages, the digest, pulses.

Every scheduled job is a do_* here called by an idempotent task: a second run (or a redelivered
task) finds the slot, the question, the period or the row already claimed and does nothing.
"""

from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Max
from django.utils import timezone
from django.utils.translation import gettext as _

from animation import events
from animation.feeding import selectors
from animation.feeding.matching import experts_for_question
from animation.feeding.models import (
    AnimatorMessage,
    DigestDelivery,
    DigestSubscription,
    FeedingSettings,
    Nudge,
    Prompt,
    PromptSchedule,
    Pulse,
    PulseAnswer,
    PulseQuestion,
    PulseResponse,
    QuestionNudge,
)
from animation.permissions import can_answer_pulse, check_animate
from communities import permissions as community_perms
from communities.models import Membership, NotificationChannel, NotificationKind, Post
from communities.notifications.services import channels_for
from communities.notify import notify_on_commit
from communities.services import do_create_post
from communities.services.common import check_text, readers_among
from communities.text import process
from rse.accounts.models import User
from rse.lib.events import publish_on_commit, user_group
from rse.trail.services import record

MAX_PULSE_QUESTIONS = 3
NUDGE_PEOPLE_PER_QUESTION = 3
NUDGES_PER_PERSON_PER_WEEK = 3
NUDGE_LOOKBACK = timedelta(days=14)  # older questions are not suggested any more
DIGEST_HOUR = 7  # local time: the daily digest of communities goes out at 7 too


def _animator_ids(community) -> list[int]:
    return list(community_perms.moderators_of(community).values_list("pk", flat=True))


def _settings_for_update(community) -> FeedingSettings:
    FeedingSettings.objects.get_or_create(community=community)
    return FeedingSettings.objects.select_for_update().get(community=community)


# --- Settings: nudges and the welcome message ------------------------------------------------


@transaction.atomic
def do_update_feeding_settings(user, community, *, nudge_after_hours=None, nudges_enabled=None, welcome_md=None):
    check_animate(user, community)
    settings_row = _settings_for_update(community)
    fields = []
    if nudge_after_hours is not None:
        if not isinstance(nudge_after_hours, int) or not 1 <= nudge_after_hours <= 720:
            raise ValidationError({"nudge_after_hours": _("Between 1 and 720 hours (30 days).")})
        settings_row.nudge_after_hours = nudge_after_hours
        fields.append("nudge_after_hours")
    if nudges_enabled is not None:
        settings_row.nudges_enabled = bool(nudges_enabled)
        fields.append("nudges_enabled")
    if welcome_md is not None:
        check_text(welcome_md, field="welcome_md", required=False)
        settings_row.welcome_md = welcome_md
        settings_row.welcome_html = process(welcome_md, author=user).html if welcome_md.strip() else ""
        settings_row.welcome_by = user
        fields += ["welcome_md", "welcome_html", "welcome_by"]
    if fields:
        settings_row.save(update_fields=[*fields, "updated_at"])
        record("animation.feeding_settings_changed", actor=user, obj=community, community_id=community.pk,
               fields=fields)  # fmt: skip
    return settings_row


def do_send_welcome(community_id, user_id) -> bool:
    """New member → the animators' welcome message, if they wrote one (hooks.on_member_joined).
    Once per membership: the notification's dedupe key holds the membership's id."""
    settings_row = FeedingSettings.objects.filter(community_id=community_id).exclude(welcome_md="").first()
    membership = Membership.objects.filter(
        community_id=community_id, user_id=user_id, status=Membership.Status.ACTIVE
    ).first()
    if settings_row is None or membership is None:
        return False
    from communities.notifications.services import enqueue_notifications

    enqueue_notifications(
        NotificationKind.WELCOME, [user_id], actor_id=settings_row.welcome_by_id, community_id=community_id,
        ref=membership.pk,
    )  # fmt: skip
    return True


# --- Inviting quiet members back (by hand, one message) ---------------------------------------


@transaction.atomic
def do_invite_quiet_members_back(user, community, *, body_md, user_ids) -> AnimatorMessage:
    check_animate(user, community)
    check_text(body_md, field="body_md")
    wanted = {int(i) for i in user_ids or ()}
    if not wanted:
        raise ValidationError({"user_ids": _("Choose at least one member.")})
    members = set(
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE, user_id__in=wanted).values_list(
            "user_id", flat=True
        )
    )
    if members != wanted:
        raise ValidationError({"user_ids": _("Only members of the community can be invited back.")})
    message = AnimatorMessage.objects.create(
        community=community, author=user, body_md=body_md, body_html=process(body_md, author=user).html
    )
    message.recipients.set(sorted(members))
    record("animation.quiet_members_invited_back", actor=user, obj=message, community_id=community.pk,
           recipients=len(members))  # fmt: skip
    notify_on_commit(
        NotificationKind.ANIMATOR_MESSAGE, sorted(members), actor_id=user.pk, community_id=community.pk, ref=message.pk
    )
    return message


# --- Recurring prompts --------------------------------------------------------------------------


def last_slot(schedule: PromptSchedule, now) -> datetime:
    """The latest weekly slot (weekday at hour, server time zone) at or before `now`."""
    local = timezone.localtime(now)
    day = local.date() - timedelta(days=(local.weekday() - schedule.weekday) % 7)
    slot = datetime(day.year, day.month, day.day, schedule.hour, tzinfo=local.tzinfo)
    if slot > local:
        slot -= timedelta(days=7)
    return slot


def next_slot(schedule: PromptSchedule, now) -> datetime:
    return last_slot(schedule, now) + timedelta(days=7)


@transaction.atomic
def do_set_prompt_schedule(user, community, *, weekday, hour, kind=PromptSchedule.Kind.QUESTION, active=True):
    check_animate(user, community)
    errors = {}
    if not isinstance(weekday, int) or not 0 <= weekday <= 6:
        errors["weekday"] = _("A day from 0 (Monday) to 6 (Sunday).")
    if not isinstance(hour, int) or not 0 <= hour <= 23:
        errors["hour"] = _("An hour from 0 to 23.")
    if kind not in PromptSchedule.Kind.values:
        errors["kind"] = _("Publish as a question or a discussion.")
    if errors:
        raise ValidationError(errors)
    if not community_perms.can_post(user, community):
        raise PermissionDenied(_("Join the community to post in it: prompts are published in your name."))
    now = timezone.now()
    schedule = PromptSchedule.objects.select_for_update().filter(community=community).first()
    if schedule is None:
        schedule = PromptSchedule(community=community, active_since=now)
    if active and not schedule.active:
        schedule.active_since = now  # switched back on: the weeks it was off are not caught up
    schedule.author, schedule.weekday, schedule.hour, schedule.kind, schedule.active = user, weekday, hour, kind, active
    if schedule.pk is None:
        schedule.active_since = now
    schedule.save()
    record("animation.prompt_schedule_set", actor=user, obj=community, community_id=community.pk,
           weekday=weekday, hour=hour, active=active)  # fmt: skip
    return schedule


@transaction.atomic
def do_add_prompt(user, community, *, title, body_md="") -> Prompt:
    check_animate(user, community)
    title = (title or "").strip()
    if not title:
        raise ValidationError({"title": _("Write the question.")})
    if len(title) > 200:
        raise ValidationError({"title": _("At most 200 characters.")})
    check_text(body_md, required=False)
    last = Prompt.objects.filter(community=community).aggregate(m=Max("position"))["m"]
    prompt = Prompt.objects.create(
        community=community, created_by=user, title=title, body_md=body_md or "", position=(last or 0) + 1
    )
    record("animation.prompt_added", actor=user, obj=prompt, community_id=community.pk)
    return prompt


def _queued_prompt(user, prompt) -> Prompt:
    prompt = Prompt.objects.select_for_update().select_related("community").get(pk=prompt.pk)
    check_animate(user, prompt.community)
    if prompt.status != Prompt.Status.QUEUED:
        raise ValidationError(_("This prompt was already published."))
    return prompt


@transaction.atomic
def do_delete_prompt(user, prompt) -> None:
    prompt = _queued_prompt(user, prompt)
    prompt.delete()
    record("animation.prompt_deleted", actor=user, obj=prompt.community, community_id=prompt.community_id)


@transaction.atomic
def do_move_prompt_up(user, prompt) -> None:
    """Swap with the waiting prompt just before it."""
    prompt = _queued_prompt(user, prompt)
    before = (
        Prompt.objects.select_for_update()
        .filter(community_id=prompt.community_id, status=Prompt.Status.QUEUED, position__lt=prompt.position)
        .order_by("-position", "-id")
        .first()
    )
    if before is None:
        return
    prompt.position, before.position = before.position, prompt.position
    prompt.save(update_fields=["position", "updated_at"])
    before.save(update_fields=["position", "updated_at"])


def due_prompt_community_ids(now=None) -> list[int]:
    """Communities whose latest slot has come and has no prompt yet (few schedules: one query
    for them, one for the slots already published)."""
    now = now or timezone.now()
    slots = {}
    for schedule in PromptSchedule.objects.filter(active=True):
        slot = last_slot(schedule, now)
        if slot >= schedule.active_since and (schedule.dry_warned_at is None or schedule.dry_warned_at < slot):
            slots[schedule.community_id] = slot
    published = set(
        Prompt.objects.filter(community_id__in=list(slots), slot_at__isnull=False).values_list(
            "community_id", "slot_at"
        )
    )
    return [c for c, slot in slots.items() if (c, slot) not in published]


def do_publish_due_prompt(community_id, now=None) -> Post | None:
    """Publish the next prompt for the latest slot, once: the schedule row is locked, and the
    (community, slot) constraint refuses a second prompt for the same slot. A worker down for
    weeks publishes one prompt when it comes back, not one per missed week."""
    now = now or timezone.now()
    with transaction.atomic():
        schedule = (
            PromptSchedule.objects.select_for_update().select_related("community", "author")
            .filter(community_id=community_id, active=True).first()
        )  # fmt: skip
        if schedule is None:
            return None
        slot = last_slot(schedule, now)
        if slot < schedule.active_since or Prompt.objects.filter(community_id=community_id, slot_at=slot).exists():
            return None
        prompt = (
            Prompt.objects.filter(community_id=community_id, status=Prompt.Status.QUEUED)
            .order_by("position", "id")
            .first()
        )
        if prompt is None:
            _warn_dry(schedule, slot, remaining=0)
            return None
        try:
            with transaction.atomic():
                post = do_create_post(
                    schedule.author, schedule.community, kind=schedule.kind, title=prompt.title, body_md=prompt.body_md
                )
        except (ValidationError, PermissionDenied) as exc:
            reason = " ".join(getattr(exc, "messages", None) or [str(exc)])
            Prompt.objects.filter(pk=prompt.pk).update(status=Prompt.Status.FAILED, error=reason[:2000], slot_at=slot)
            _alert(schedule.community, ref=prompt.pk)
            return None
        Prompt.objects.filter(pk=prompt.pk).update(
            status=Prompt.Status.PUBLISHED, slot_at=slot, published_at=now, post=post, updated_at=now
        )
        record("animation.prompt_published", actor=schedule.author, obj=post, community_id=community_id,
               prompt_id=prompt.pk, slot=slot.isoformat())  # fmt: skip
        remaining = Prompt.objects.filter(community_id=community_id, status=Prompt.Status.QUEUED).count()
        if remaining <= 1:
            _warn_dry(schedule, slot, remaining=remaining)
        return post


def _warn_dry(schedule, slot, *, remaining):
    """The list runs dry: the animators hear of it once per slot (and the page shows it)."""
    if schedule.dry_warned_at is not None and schedule.dry_warned_at >= slot:
        return
    PromptSchedule.objects.filter(pk=schedule.pk).update(dry_warned_at=slot)
    record("animation.prompts_running_dry", obj=schedule.community, community_id=schedule.community_id,
           remaining=remaining)  # fmt: skip
    _alert(schedule.community, ref=int(slot.timestamp()))


def _alert(community, *, ref):
    notify_on_commit(
        NotificationKind.ANIMATION_ALERT, _animator_ids(community), actor_id=None, community_id=community.pk, ref=ref
    )


# --- Nudges ----------------------------------------------------------------------------------


def due_nudge_question_ids(now=None) -> list[int]:
    """Questions without any answer for longer than their community's nudge delay (and younger
    than NUDGE_LOOKBACK), not looked at yet."""
    now = now or timezone.now()
    rows = list(
        Post.objects.alive()
        .filter(
            kind=Post.Kind.QUESTION, comments_count=0, accepted_comment__isnull=True,
            created_at__gte=now - NUDGE_LOOKBACK, created_at__lte=now - timedelta(hours=1),
            community__deleted_at__isnull=True, community__archived_at__isnull=True, nudge_state__isnull=True,
        )
        .values_list("pk", "community_id", "created_at")[:1000]
    )  # fmt: skip
    settings_rows = {
        s.community_id: s for s in FeedingSettings.objects.filter(community_id__in={c for _p, c, _t in rows})
    }
    due = []
    for pk, community_id, created_at in rows:
        s = settings_rows.get(community_id)
        hours = s.nudge_after_hours if s else FeedingSettings.DEFAULT_NUDGE_AFTER_HOURS
        if (s is None or s.nudges_enabled) and created_at <= now - timedelta(hours=hours):
            due.append(pk)
    return due


def do_nudge_question(post_id, now=None) -> list[int]:
    """Suggest one unanswered question to at most 3 people whose skills or accepted answers
    match, each nudged at most 3 times in 7 days and only if they did not switch nudges off.
    Once per question: the QuestionNudge row is the claim."""
    now = now or timezone.now()
    with transaction.atomic():
        post = Post.objects.alive().select_related("community").filter(pk=post_id).first()
        if post is None or post.comments_count or post.accepted_comment_id:
            return []
        try:
            with transaction.atomic():
                state = QuestionNudge.objects.create(post=post, created_at=now)
        except IntegrityError:
            return []  # another run looked at it
        ranked = [uid for uid, _score, _reason in experts_for_question(post)][:50]
        readers = set(readers_among(ranked, post.community))
        ranked = [uid for uid in ranked if uid in readers]
        # Lock the candidates' rows so that two questions nudged at once count each other.
        list(User.objects.select_for_update().filter(pk__in=ranked).values_list("pk", flat=True))
        week = dict(
            Nudge.objects.filter(user_id__in=ranked, created_at__gt=now - timedelta(days=7))
            .values("user_id")
            .annotate(n=Count("id"))
            .values_list("user_id", "n")
        )
        channels = channels_for(ranked, NotificationKind.NUDGE)
        chosen = [
            uid for uid in ranked
            if week.get(uid, 0) < NUDGES_PER_PERSON_PER_WEEK and channels[uid] != NotificationChannel.OFF
        ][:NUDGE_PEOPLE_PER_QUESTION]  # fmt: skip
        Nudge.objects.bulk_create([Nudge(post=post, user_id=uid, created_at=now) for uid in chosen])
        QuestionNudge.objects.filter(pk=state.pk).update(nudged=len(chosen))
        if chosen:
            record("animation.question_nudged", obj=post, community_id=post.community_id, users=chosen)
        notify_on_commit(NotificationKind.NUDGE, chosen, actor_id=None, post_id=post.pk, community_id=post.community_id)
        return chosen


# --- Digest ---------------------------------------------------------------------------------

DIGEST_OFF = "off"


def digest_choices():
    return [
        (DIGEST_OFF, _("No digest of what matters (notifications set to “digest” still come daily)")),
        (DigestSubscription.Frequency.DAILY, _("Every day")),
        (DigestSubscription.Frequency.WEEKLY, _("Every week, on Monday")),
    ]


def digest_frequency(user) -> str:
    sub = DigestSubscription.objects.filter(user=user).first()
    return sub.frequency if sub else DIGEST_OFF


@transaction.atomic
def do_set_digest_frequency(user, frequency) -> str:
    if frequency not in (DIGEST_OFF, *DigestSubscription.Frequency.values):
        raise ValidationError({"frequency": _("Choose off, daily or weekly.")})
    before = digest_frequency(user)
    if frequency == DIGEST_OFF:
        DigestSubscription.objects.filter(user=user).delete()
    else:
        DigestSubscription.objects.update_or_create(user=user, defaults={"frequency": frequency})
    if before != frequency:
        record("animation.digest_frequency_set", actor=user, obj=user, frequency=frequency)
    return frequency


def digest_planned_ids(user_ids) -> set[int]:
    return set(DigestSubscription.objects.filter(user_id__in=list(user_ids)).values_list("user_id", flat=True))


def digest_period(frequency, now) -> tuple[str, datetime] | None:
    """(period key, its start) when the digest of this frequency is due at `now`, else None. The
    daily one from DIGEST_HOUR, the weekly one from Monday at DIGEST_HOUR (server time zone), so
    a beat that was down sends the period's digest when it comes back, later the same period."""
    local = timezone.localtime(now)
    day = local.date()
    if frequency == DigestSubscription.Frequency.WEEKLY:
        day -= timedelta(days=local.weekday())
    start = datetime(day.year, day.month, day.day, DIGEST_HOUR, tzinfo=local.tzinfo)
    if local < start:
        return None
    if frequency == DigestSubscription.Frequency.WEEKLY:
        year, week, _weekday = day.isocalendar()
        return f"{year}-W{week:02d}", start
    return day.isoformat(), start


def due_digest_user_ids(now=None) -> list[tuple[int, str]]:
    """[(user_id, period)] of subscribers whose digest of the current period is not claimed."""
    now = now or timezone.now()
    result = []
    for frequency in DigestSubscription.Frequency.values:
        period = digest_period(frequency, now)
        if period is None:
            continue
        key, _start = period
        claimed = DigestDelivery.objects.filter(period=key).values("user_id")
        ids = (
            DigestSubscription.objects.filter(frequency=frequency, user__is_active=True)
            .exclude(user_id__in=claimed)
            .values_list("user_id", flat=True)
        )
        result += [(uid, key) for uid in ids.iterator(chunk_size=1000)]
    return result


def digest_sections(user, since, until) -> list[dict]:
    """The content that matters, for one person, as plain data the e-mail renders."""
    from django.urls import reverse

    def entry(post, meta=""):
        return {
            "title": str(post),
            "url": reverse("post_detail", args=[post.pk]),
            "excerpt": "",
            "meta": meta or post.community.name,
        }

    sections = [
        {
            "key": "highlights",
            "title": _("The selection of your communities"),
            "entries": [entry(p) for p in selectors.digest_highlights(user, since, until)],
        },
        {
            "key": "active",
            "title": _("The most active conversations"),
            "entries": [
                entry(
                    p, _("%(community)s · %(n)d new comments") % {"community": p.community.name, "n": p.period_comments}
                )
                for p in selectors.digest_active_conversations(user, since, until)
            ],
        },
        {
            "key": "questions",
            "title": _("Questions you could answer"),
            "entries": [entry(p) for p in selectors.questions_i_could_answer(user, now=until)],
        },
    ]
    return [s for s in sections if s["entries"]]


def do_send_periodic_digest(user_id, period, now=None) -> int:
    """One digest per person and period, never twice: the DigestDelivery row is claimed (unique
    constraint) in its own transaction before anything is sent; a failed send gives it back so
    the task's retry sends it. Returns the number of entries sent."""
    from communities.notifications.services import do_send_digest

    now = now or timezone.now()
    sub = DigestSubscription.objects.filter(user_id=user_id, user__is_active=True).select_related("user").first()
    if sub is None:
        return 0
    current = digest_period(sub.frequency, now)
    if current is None or current[0] != period:
        return 0  # the frequency changed, or a stale task: the next run plans the right one
    try:
        with transaction.atomic():
            delivery = DigestDelivery.objects.create(user_id=user_id, period=period, claimed_at=now)
    except IntegrityError:
        return 0
    length = timedelta(days=7 if sub.frequency == DigestSubscription.Frequency.WEEKLY else 1)
    until = current[1]
    from django.utils import translation

    from communities.notifications.emails import language_of

    try:
        with translation.override(language_of(sub.user)):
            sections = digest_sections(sub.user, until - length, until)
        sent = do_send_digest(user_id, sections=sections, frequency=sub.frequency)
    except Exception:
        DigestDelivery.objects.filter(pk=delivery.pk).delete()
        raise
    DigestDelivery.objects.filter(pk=delivery.pk).update(entries=sent)
    return sent


def do_stop_digest(user) -> None:
    """The digest e-mail's one-click unsubscribe."""
    DigestSubscription.objects.filter(user=user).delete()
    record("animation.digest_frequency_set", obj=user, frequency=DIGEST_OFF, by="unsubscribe link")


# --- Pulses ----------------------------------------------------------------------------------


def check_create_pulse(user, community, *, questions=(), closes_at=None):
    check_animate(user, community)
    questions = [" ".join(str(q).split()) for q in questions or () if str(q).strip()]
    if len(questions) > MAX_PULSE_QUESTIONS:
        raise ValidationError({"questions": _("At most 3 optional questions.")})
    if any(len(q) > 200 for q in questions):
        raise ValidationError({"questions": _("A question is at most 200 characters.")})
    if closes_at is not None and closes_at <= timezone.now():
        raise ValidationError({"closes_at": _("The closing date must be in the future.")})
    if community.archived_at:
        raise ValidationError(_("This community is archived."))
    return questions


@transaction.atomic
def do_create_pulse(user, community, *, questions=(), closes_at=None) -> Pulse:
    """Open a pulse and ask every active member (a "pulse" notification they can switch off)."""
    questions = check_create_pulse(user, community, questions=questions, closes_at=closes_at)
    pulse = Pulse.objects.create(community=community, created_by=user, closes_at=closes_at)
    PulseQuestion.objects.bulk_create(
        [PulseQuestion(pulse=pulse, position=i, text=text) for i, text in enumerate(questions)]
    )
    record("animation.pulse_created", actor=user, obj=pulse, community_id=community.pk, questions=len(questions))
    members = community.memberships.filter(status=Membership.Status.ACTIVE).values_list("user_id", flat=True)
    notify_on_commit(NotificationKind.PULSE, list(members), actor_id=user.pk, community_id=community.pk, ref=pulse.pk)
    return pulse


def _score(value) -> int:
    if isinstance(value, bool):
        raise ValidationError({"score": _("A whole number from 0 to 10.")})
    try:
        score = int(str(value).strip())
    except (TypeError, ValueError):
        score = -1
    if not 0 <= score <= 10 or str(value).strip() not in {str(i) for i in range(11)}:
        raise ValidationError({"score": _("A whole number from 0 to 10.")})
    return score


@transaction.atomic
def do_answer_pulse(user, pulse, *, score, answers=None) -> PulseResponse:
    """One answer per person: the unique constraint refuses a second one (a clear 400)."""
    pulse = Pulse.objects.select_related("community").get(pk=pulse.pk)
    if not can_answer_pulse(user, pulse.community):
        raise PermissionDenied(_("Only the members of the community answer its pulse."))
    if pulse.status != Pulse.Status.OPEN or (pulse.closes_at and pulse.closes_at <= timezone.now()):
        raise ValidationError(_("This pulse is closed."))
    score = _score(score)
    answers = answers or {}
    questions = {q.pk: q for q in pulse.questions.all()}
    texts = {}
    for key, text in answers.items():
        try:
            question_id = int(key)
        except (TypeError, ValueError):
            question_id = 0
        if question_id not in questions:
            raise ValidationError({"answers": _("Unknown question.")})
        text = str(text or "").strip()
        if "\x00" in text or len(text) > 2000:
            raise ValidationError({"answers": _("An answer is at most 2,000 characters of text.")})
        if text:
            texts[question_id] = text
    try:
        with transaction.atomic():
            response = PulseResponse.objects.create(pulse=pulse, user=user, score=score, created_at=timezone.now())
    except IntegrityError as exc:
        raise ValidationError(_("You already answered this pulse: thank you!")) from exc
    PulseAnswer.objects.bulk_create(
        [PulseAnswer(response=response, question_id=qid, text=text) for qid, text in texts.items()]
    )
    record("animation.pulse_answered", actor=user, obj=pulse, community_id=pulse.community_id)
    if pulse.created_by_id:
        count = PulseResponse.objects.filter(pulse=pulse).count()
        publish_on_commit(
            events.PULSE_ANSWERED,
            [user_group(pulse.created_by_id)],
            {"pulse_id": pulse.pk, "community_id": pulse.community_id, "responses": count},
        )
    return response


@transaction.atomic
def do_close_pulse(user, pulse) -> Pulse:
    pulse = Pulse.objects.select_for_update().select_related("community").get(pk=pulse.pk)
    check_animate(user, pulse.community)
    if pulse.status == Pulse.Status.OPEN:
        pulse.status, pulse.closed_at = Pulse.Status.CLOSED, timezone.now()
        pulse.save(update_fields=["status", "closed_at", "updated_at"])
        record("animation.pulse_closed", actor=user, obj=pulse, community_id=pulse.community_id)
    return pulse


def do_close_expired_pulses(now=None) -> int:
    now = now or timezone.now()
    return Pulse.objects.filter(status=Pulse.Status.OPEN, closes_at__lte=now).update(
        status=Pulse.Status.CLOSED, closed_at=F("closes_at")
    )
