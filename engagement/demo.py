"""Demo engagement: a year of activity behind the 90 days the communities seeder writes, monthly
pulses, objectives for the company and a few communities, and a staff representative, so that the
demo HR analyst's dashboards and exports show real shapes."""

from datetime import date, timedelta

from django.db.models import Count
from django.utils import timezone

from animation.feeding.models import Pulse, PulseResponse
from communities.models import Comment, Community, Membership, Post, Reaction
from directory.services import ensure_profile
from engagement.kpis import Kpi
from engagement.models import Objective
from engagement.rollup import roll_up
from rse.accounts.demo import get_or_create_demo_user
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.lib.demo import demo_random, seeder
from rse.lib.markdown import html_to_text, render_markdown

QUESTIONS = [
    "Who has a template for the monthly review?",
    "How do you onboard a new colleague in one week?",
    "Which supplier do you use for calibration?",
    "Any tips for a first customer audit?",
]
DISCUSSIONS = ["What we learned this month", "Small win of the week", "A photo from the shop floor", "Idea box"]
REPLIES = ["Great point, thanks!", "We do the same in Nantes.", "I can help: ping me.", "Here is our checklist."]
MARKER = "[demo-year]"  # in the body of the posts this seeder writes: found again, never written twice


def _text(md):
    html = render_markdown(md)
    return {"body_md": md, "body_html": html, "body_text": html_to_text(html)}


def _seed_year(rng, now):
    posts_made = 0
    communities = Community.objects.alive().exclude(visibility=Community.Visibility.SECRET).order_by("pk")
    for index, community in enumerate(communities):
        members = list(
            Membership.objects.filter(community=community, status=Membership.Status.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
        if len(members) < 3:
            continue
        for month in range(12, 2, -1):  # the communities seeder covers the last 90 days
            growth = 1 + (12 - month) / 6  # activity grows over the year
            for _n in range(int(rng.randint(2, 5) * growth) + index % 2):
                created = now - timedelta(days=30 * month + rng.uniform(0, 29))
                question = rng.random() < 0.35
                title = rng.choice(QUESTIONS if question else DISCUSSIONS)
                post = Post.objects.create(
                    community=community,
                    author_id=rng.choice(members),
                    kind=Post.Kind.QUESTION if question else Post.Kind.DISCUSSION,
                    title=title,
                    created_at=created,
                    last_activity_at=created,
                    **_text(f"{title}\n\n{MARKER}"),
                )
                posts_made += 1
                comments = []
                for c in range(rng.randint(0, 5)):
                    # Answers come faster as the year goes on: response times improve.
                    at = created + timedelta(hours=rng.uniform(0.5, 60 * month / 12) * (c + 1))
                    author = rng.choice(members)
                    comments.append(Comment(post=post, author_id=author, created_at=at, **_text(rng.choice(REPLIES))))
                Comment.objects.bulk_create(comments)
                reactors = rng.sample(members, min(len(members), rng.randint(0, 7)))
                Reaction.objects.bulk_create(
                    [
                        Reaction(user_id=uid, post=post, kind=rng.choice(Reaction.Kind.values), created_at=created)
                        for uid in reactors
                    ]
                )
                answers = [c for c in comments if c.author_id != post.author_id]
                fields = {"comments_count": len(comments), "reactions_count": len(reactors)}
                if question and answers and rng.random() < 0.6:
                    fields["accepted_comment"] = answers[0]
                if comments:
                    fields["last_activity_at"] = max(c.created_at for c in comments)
                Post.objects.filter(pk=post.pk).update(**fields)
    return posts_made


def _seed_pulses(rng, now):
    made = 0
    names = ["Lean & continuous improvement", "Data & AI", "New joiners", "Quality & safety"]
    for community in Community.objects.filter(name__in=names).order_by("pk"):
        members = list(
            Membership.objects.filter(community=community, status=Membership.Status.ACTIVE).values_list(
                "user_id", flat=True
            )
        )
        owner = community.created_by_id
        mood = rng.uniform(-0.5, 1.5)
        for month in range(6, 0, -1):
            opened = now - timedelta(days=30 * month + 3)
            pulse = Pulse.objects.create(
                community=community,
                created_by_id=owner,
                status=Pulse.Status.CLOSED,
                closed_at=opened + timedelta(days=7),
            )
            Pulse.objects.filter(pk=pulse.pk).update(created_at=opened)
            answering = rng.sample(members, min(len(members), rng.randint(3, 14)))  # some months stay under 5
            responses = []
            for uid in answering:
                score = max(0, min(10, round(rng.gauss(7 + mood + (6 - month) * 0.2, 2))))
                responses.append(
                    PulseResponse(
                        pulse=pulse, user_id=uid, score=score, created_at=opened + timedelta(hours=rng.uniform(1, 120))
                    )
                )
            PulseResponse.objects.bulk_create(responses)
            made += len(responses)
    return made


def _seed_objectives(today):
    year_start = date(today.year, 1, 1)
    half = today - timedelta(days=182)
    admin = get_or_create_demo_user("admin@demo.rse.example", "Alice", "Martin")
    specs = [
        (None, Kpi.ACTIVE_MEMBERS, 100, year_start, date(today.year, 12, 31)),
        (None, Kpi.ANSWERED_24H, 70, half, today + timedelta(days=90)),
        ("Lean & continuous improvement", Kpi.PULSE_NPS, 30, half, today + timedelta(days=90)),
        ("Lean & continuous improvement", Kpi.CONTRIBUTORS, 15, half, today + timedelta(days=30)),
        ("Data & AI", Kpi.ANSWERED_24H, 60, half, today + timedelta(days=60)),
        ("New joiners", Kpi.MEDIAN_FIRST_ANSWER, 12, half, today + timedelta(days=60)),
    ]
    for name, kpi, target, start, end in specs:
        community = Community.objects.filter(name=name).first() if name else None
        if name and community is None:
            continue
        Objective.objects.create(
            community=community, kpi=kpi, target=target, starts_on=start, ends_on=end, created_by=admin
        )
    return len(specs)


@seeder(50)  # before the notifications seeder, which reads every post
def seed_engagement():
    rep = get_or_create_demo_user("sam.leroy@demo.rse.example", "Sam", "Leroy")
    ensure_profile(rep)
    do_grant_role(rep, Role.EMPLOYEE)
    do_grant_role(rep, Role.STAFF_REPRESENTATIVE)
    if Post.objects.filter(body_md__contains=MARKER).exists():
        return "engagement demo already there"
    if not Community.objects.exists():
        return "no communities: run the communities seeder first"
    rng = demo_random("engagement")
    now = timezone.now()
    posts = _seed_year(rng, now)
    answers = _seed_pulses(rng, now)
    objectives = _seed_objectives(timezone.localdate())
    for community in Community.objects.annotate(n=Count("posts")):
        Community.objects.filter(pk=community.pk).update(posts_count=community.n)
    return (
        f"a year of activity ({posts} posts), {answers} pulse answers, {objectives} objectives, a staff representative"
    )


@seeder(90)  # after every seeder that writes content
def seed_activity_rollup():
    """Roll the demo's year of activity up, as the nightly task would have done."""
    result = roll_up()
    return f"activity rolled up in {result['seconds']} s"
