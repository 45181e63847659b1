"""Demo communities: a dozen, with posts, comments and reactions over the last 90 days."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Comment, Community, Membership, Post, Reaction
from rse.accounts.models import User
from rse.lib.demo import demo_random, seeder
from rse.lib.markdown import render_markdown

V = Community.Visibility
# (name, visibility, description, owner e-mail or None for a random animator)
COMMUNITIES = [
    (
        "Lean & continuous improvement",
        V.OPEN,
        "Kaizen ideas, 5S stories and Lean tools from every plant.",
        "camille.durand@demo.rse.example",
    ),
    (
        "Key accounts",
        V.RESTRICTED,
        "How we serve our largest customers: wins, losses, lessons.",
        "marc.dubois@demo.rse.example",
    ),
    ("Data & AI", V.OPEN, "Data science, dashboards, and what AI can and cannot do for us.", None),
    ("Python developers", V.OPEN, "Code, reviews, tooling and the odd Django question.", None),
    ("Quality & safety", V.OPEN, "Incidents, audits, ISO 9001 and safety first.", None),
    ("Lyon site", V.OPEN, "Life at Part-Dieu: events, canteen, car-sharing.", None),
    ("Nantes site", V.OPEN, "Everything about Île de Nantes.", None),
    ("New joiners", V.OPEN, "Welcome! Ask anything, there are no silly questions.", "camille.durand@demo.rse.example"),
    (
        "Internal communications",
        V.RESTRICTED,
        "Official news and the editorial calendar.",
        "hugo.bernard@demo.rse.example",
    ),
    ("Management committee", V.PRIVATE, "Preparation of the monthly committee.", "admin@demo.rse.example"),
    ("Project Aurora", V.SECRET, "Confidential acquisition project.", "admin@demo.rse.example"),
    ("Running club", V.OPEN, "Lunch runs, races and training plans.", None),
]

TOPICS = [
    ("How do you run your daily stand-up?", "We tried 15 minutes standing at the board. What works for your team?"),
    (
        "Lessons learned from the last audit",
        "Three findings, all fixed. Details and **actions** below:\n\n- labelling\n- calibration\n- training records",
    ),
    ("Which tool for quick dashboards?", "Power BI or a notebook? I need something the whole team can edit."),
    ("Welcome to our new colleagues!", "Please say hello to the people who joined this month."),
    ("Idea: shared car-sharing board", "Many of us drive the same road every day. Shall we organise?"),
    ("Customer visit next Tuesday", "We host a key customer at the plant. Who can present the new line?"),
    ("Reading list for the summer", "Share the book that changed how you work."),
    ("Safety reminder", "Wear your badge and safety shoes in the workshop, visitors included."),
    ("Monthly results are out", "Orders +4% against plan; service rate 97.2%."),
    ("Anyone going to the trade fair?", "I have two extra passes for Thursday."),
]
REPLIES = [
    "Great point, thanks for sharing!", "We do the same in Lyon, it works well.", "Could you share the slides?",
    "I disagree a little: it depends on the team size.", "+1, count me in.", "Let's discuss it at the next meeting.",
    "Here is what we learned last year: start small.", "Very useful, bookmarking this.",
]  # fmt: skip


@seeder(30)
def seed_communities():
    rng = demo_random("communities")
    now = timezone.now()
    people = list(User.objects.filter(email__endswith="@demo.rse.example").order_by("id"))
    if not people:
        return "no people: run the directory seeder first"
    created_posts = 0
    for index, (name, visibility, description, owner_email) in enumerate(COMMUNITIES):
        owner = next((u for u in people if u.email == owner_email), None) or people[5 + index]
        community, created = Community.objects.get_or_create(
            slug=slugify(name),
            defaults={
                "name": name,
                "visibility": visibility,
                "description_md": description,
                "description_html": render_markdown(description),
                "created_by": owner,
                "created_at": now - timedelta(days=120),
            },
        )
        if not created:
            continue
        members = {owner.id: Membership.Role.OWNER}
        size = 6 if visibility in (V.PRIVATE, V.SECRET) else rng.randint(20, 60)
        for user in rng.sample(people, size):
            members.setdefault(user.id, Membership.Role.MEMBER)
        animator = rng.choice([uid for uid in members if uid != owner.id])
        members[animator] = Membership.Role.ANIMATOR
        # The demo roles belong to the communities they show off.
        for user in people[:5]:
            if visibility != V.SECRET or user.email == "admin@demo.rse.example":
                members.setdefault(user.id, Membership.Role.MEMBER)
        Membership.objects.bulk_create(
            [
                Membership(community=community, user_id=uid, role=role, created_at=now - timedelta(days=100))
                for uid, role in members.items()
            ]
        )
        member_ids = list(members)
        for n in range(rng.randint(12, 24)):
            title, body = TOPICS[(index + n) % len(TOPICS)]
            created_at = now - timedelta(days=rng.uniform(0, 90))
            kind = Post.Kind.QUESTION if title.endswith("?") else Post.Kind.DISCUSSION
            post = Post.objects.create(
                community=community,
                author_id=rng.choice(member_ids),
                kind=kind,
                title=title,
                body_md=body,
                body_html=render_markdown(body),
                created_at=created_at,
                last_activity_at=created_at,
            )
            created_posts += 1
            comments = []
            for c in range(rng.randint(0, 6)):
                at = created_at + timedelta(hours=rng.uniform(1, 72) * (c + 1))
                if at > now:
                    break
                text = rng.choice(REPLIES)
                comments.append(
                    Comment(
                        post=post,
                        author_id=rng.choice(member_ids),
                        body_md=text,
                        body_html=render_markdown(text),
                        created_at=at,
                    )
                )
            Comment.objects.bulk_create(comments)
            reactors = rng.sample(member_ids, min(len(member_ids), rng.randint(0, 8)))
            Reaction.objects.bulk_create(
                [
                    Reaction(user_id=uid, post=post, kind=rng.choice(Reaction.Kind.values), created_at=created_at)
                    for uid in reactors
                ]
            )
            post.comments_count = len(comments)
            post.reactions_count = len(reactors)
            post.last_activity_at = max([created_at, *[c.created_at for c in comments]])
            post.save(update_fields=["comments_count", "reactions_count", "last_activity_at"])
        stats = community.posts.aggregate(n=Count("id"))
        community.posts_count = stats["n"]
        community.members_count = len(members)
        community.last_activity_at = max(community.posts.values_list("last_activity_at", flat=True))
        community.save(update_fields=["posts_count", "members_count", "last_activity_at"])
    return f"{len(COMMUNITIES)} communities, {created_posts} new posts"


# Seeders of sub-packages (seed_demo only autodiscovers <app>.demo).
from communities.notifications import demo as _notifications_demo  # noqa: E402, F401
