"""Demo data of the seeding and feeding tools, so that the demo community manager
(camille.durand@demo.rse.example) finds something in each: scheduled posts (one published late,
one launch post), champions, the question of the week with its list, a pulse with answers, a
welcome message; and a demo employee who asked for the weekly digest. Idempotent: looked up by
community and title before anything is created."""

from datetime import timedelta

from django.utils import timezone

from animation.feeding.models import (
    DigestSubscription,
    FeedingSettings,
    Prompt,
    PromptSchedule,
    Pulse,
    PulseAnswer,
    PulseQuestion,
    PulseResponse,
)
from animation.seeding.models import Champion, ScheduledPost, SeedingSetup
from communities.models import Community, Membership, Post
from rse.accounts.models import User
from rse.lib.demo import demo_random, seeder
from rse.lib.markdown import render_markdown

MANAGER = "camille.durand@demo.rse.example"
SCHEDULED = [
    # (title, body, days from now, hour, launch)
    ("Kaizen week starts Monday", "Five days, five small improvements: tell us yours in the comments.", 1, 9, True),
    ("Question of the month: your best 5S photo?", "Share a before/after photo of a workstation.", 6, 10, False),
]
PROMPTS = [
    "What small improvement saved you time this week?",
    "Which waste do you see most often in your area?",
    "What would you standardise first, and why?",
    "Who helped you solve a problem recently?",
]
PULSE_SCORES = [10, 9, 9, 8, 7, 10, 6, 9, 3, 8, 10, 9]
PULSE_TEXTS = ["More plant visits", "Shorter posts", "Share the audit results", "Keep the weekly question"]


def _manager_community(slug="lean-continuous-improvement"):
    return Community.objects.filter(slug=slug).first(), User.objects.filter(email=MANAGER).first()


@seeder(60)
def seed_seeding_and_feeding():
    community, manager = _manager_community()
    if community is None or manager is None:
        return "no demo community or manager: run the communities seeder first"
    rng = demo_random("animation-seed-feed")
    now = timezone.now()
    Membership.objects.filter(community=community, user=manager).update(role=Membership.Role.OWNER)
    members = list(
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER)
        .select_related("user").order_by("user_id")
    )  # fmt: skip
    SeedingSetup.objects.get_or_create(
        community=community,
        defaults={"objectives_md": "One improvement shared per plant and week; every question answered in a day."},
    )
    for m in members[:2]:
        Champion.objects.get_or_create(community=community, user=m.user, defaults={"added_by": manager})

    local = timezone.localtime(now)
    for title, body, days, hour, launch in SCHEDULED:
        at = (local + timedelta(days=days)).replace(hour=hour, minute=0, second=0, microsecond=0)
        ScheduledPost.objects.get_or_create(
            community=community, title=title,
            defaults={"author": manager, "body_md": body, "publish_at": at, "is_launch": launch},
        )  # fmt: skip
    published = Post.objects.filter(community=community, author=manager).order_by("-created_at").first()
    if published is not None and not ScheduledPost.objects.filter(post=published).exists():
        # Went out 40 minutes late: the worker was restarted (the queue shows both times).
        ScheduledPost.objects.create(
            community=community, author=manager, title=published.title, body_md=published.body_md,
            publish_at=published.created_at - timedelta(minutes=40), status=ScheduledPost.Status.PUBLISHED,
            published_at=published.created_at, post=published,
        )  # fmt: skip

    PromptSchedule.objects.get_or_create(
        community=community, defaults={"author": manager, "weekday": 0, "hour": 9, "active_since": now}
    )
    for position, title in enumerate(PROMPTS, start=1):
        Prompt.objects.get_or_create(community=community, title=title, defaults={"created_by": manager,
                                                                                "position": position})  # fmt: skip

    welcome = "Welcome to Lean & continuous improvement! Read the pinned posts, then share one small improvement."
    FeedingSettings.objects.get_or_create(
        community=community,
        defaults={"welcome_md": welcome, "welcome_html": render_markdown(welcome), "welcome_by": manager},
    )

    if not Pulse.objects.filter(community=community).exists():
        pulse = Pulse.objects.create(community=community, created_by=manager, closes_at=now + timedelta(days=10))
        Pulse.objects.filter(pk=pulse.pk).update(created_at=now - timedelta(days=4))
        question = PulseQuestion.objects.create(pulse=pulse, text="What would make this community more useful?")
        for m, score in zip(members, PULSE_SCORES, strict=False):
            response = PulseResponse.objects.create(
                pulse=pulse, user=m.user, score=score, created_at=now - timedelta(days=rng.uniform(0, 4))
            )
            if rng.random() < 0.5:
                PulseAnswer.objects.create(response=response, question=question, text=rng.choice(PULSE_TEXTS))

    employee = User.objects.filter(email="marc.dubois@demo.rse.example").first()
    if employee is not None:
        DigestSubscription.objects.get_or_create(user=employee, defaults={"frequency": "weekly"})
    return f"{community.name}: scheduled posts, prompts, a pulse, champions"
