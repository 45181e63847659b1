"""Demo data of the weeding tools, so that the demo community manager finds something in each:
flags waiting in the moderation queue (one post hidden by three flags), a keyword rule, a stale
conversation proposed for archiving. Idempotent: nothing is created twice (cases, rule and
proposal are looked up first)."""

from datetime import timedelta

from django.db.models import F
from django.utils import timezone

from animation.weeding import archiving, services
from animation.weeding.models import KeywordRule, ModerationCase
from communities.models import Community, Membership, Post
from rse.accounts.models import User
from rse.lib.demo import seeder
from rse.lib.markdown import html_to_text, render_markdown

MANAGER = "camille.durand@demo.rse.example"
SLUG = "lean-continuous-improvement"
STALE_TITLE = "5S audit checklist (2025 edition)"
FLAGGED = [
    # (title, body, reasons of the flaggers)
    ("Cheap safety shoes, 70% off!", "Order now on my cousin's website, best prices in town.", ["spam", "spam", "off-topic"]),
    ("Supplier prices for the Lyon plant", "Here are the negotiated prices per part (do not share outside).",
     ["confidential"]),
]  # fmt: skip


def _post(community, author, title, body, when):
    post = Post.objects.filter(community=community, title=title).first()
    if post is None:
        html = render_markdown(body)
        post = Post.objects.create(
            community=community, author=author, title=title, body_md=body, body_html=html,
            body_text=html_to_text(html), created_at=when, last_activity_at=when,
        )  # fmt: skip
        Community.objects.filter(pk=community.pk).update(posts_count=F("posts_count") + 1)
    return post


@seeder(61)
def seed_weeding():
    community = Community.objects.filter(slug=SLUG).first()
    manager = User.objects.filter(email=MANAGER).first()
    if community is None or manager is None:
        return "no demo community or manager: run the communities seeder first"
    now = timezone.now()
    members = [
        m.user
        for m in Membership.objects.filter(
            community=community, status=Membership.Status.ACTIVE, role=Membership.Role.MEMBER
        ).select_related("user").order_by("user_id")[:8]
    ]  # fmt: skip
    if len(members) < 5:
        return "not enough members in the demo community"
    author, flaggers = members[0], members[1:]
    if not ModerationCase.objects.filter(community=community).exists():
        for index, (title, body, reasons) in enumerate(FLAGGED):
            post = _post(community, members[index], title, body, now - timedelta(hours=5 + index))
            for reporter, reason in zip(flaggers[index:], reasons, strict=False):
                services.do_flag(reporter, post, reason=reason, note="" if reason != "other" else "?")
    KeywordRule.objects.get_or_create(
        community=community, pattern="crypto, casino, bitcoin",
        defaults={"action": KeywordRule.Action.HOLD, "created_by": manager, "created_at": now},
    )  # fmt: skip
    stale_at = now - timedelta(days=150)
    stale = _post(community, author, STALE_TITLE, "The checklist we used for the 2025 audits.", stale_at)
    if stale.locked_at is None and stale.last_activity_at < now - timedelta(days=90):
        archiving.propose_archive(community, stale, stale.last_activity_at, now)
    return f"{community.name}: flags waiting, a keyword rule, a stale conversation proposed for archiving"
