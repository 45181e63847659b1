"""Demo communities: a dozen, with posts, comments and reactions over the last 90 days."""

from datetime import timedelta

from django.db.models import Count
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Comment, Community, Membership, Post, Reaction
from communities.services.communities import community_slug
from rse.accounts.models import User
from rse.lib.demo import demo_random, seeder
from rse.lib.markdown import html_to_text, render_markdown

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
        # Found again by name: a secret community's slug has a random tail (community_slug).
        existing = Community.objects.filter(name=name).order_by("pk").first()
        community, created = (
            (existing, False)
            if existing
            else Community.objects.get_or_create(
                slug=community_slug(name, visibility),
                defaults={
                    "name": name,
                    "visibility": visibility,
                    "description_md": description,
                    "description_html": render_markdown(description),
                    "created_by": owner,
                    "created_at": now - timedelta(days=120),
                },
            )
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
                body_text=html_to_text(render_markdown(body)),
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
                        body_text=html_to_text(render_markdown(text)),
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


# --- Conversations that show every feature ------------------------------------------------------
# Seeded through the services, so counters, trail events, mentions and hashtags are real.


def _member(community, email=None, role=None, rng=None):
    qs = Membership.objects.filter(community=community, status=Membership.Status.ACTIVE).select_related("user")
    if email:
        found = qs.filter(user__email=email).first()
        if found:
            return found.user
    if role:
        found = qs.filter(role__in=role).order_by("id").first()
        if found:
            return found.user
    people = [m.user for m in qs.order_by("id")]
    return rng.choice(people) if rng else people[0]


def _others(community, exclude, n, rng):
    ids = list(
        Membership.objects.filter(community=community, status=Membership.Status.ACTIVE)
        .exclude(user=exclude)
        .values_list("user_id", flat=True)
        .order_by("user_id")
    )
    return list(User.objects.filter(pk__in=rng.sample(ids, min(n, len(ids)))).order_by("id"))


def _handle(user):
    return "@" + user.email.split("@")[0]


def _demo_items():
    """Business items seeded by the repository helper (order 20), if any: company-wide ones."""
    try:
        from repository.models import Item
    except ImportError:  # pragma: no cover
        return []
    return list(Item.objects.alive().filter(restricted_to__isnull=True).select_related("item_type").order_by("id")[:40])


@seeder(35)
def seed_conversations():
    from communities import services

    rng = demo_random("conversations")
    by_name = {c.name: c for c in Community.objects.filter(name__in=[c[0] for c in COMMUNITIES]).order_by("-pk")}
    communities = {slugify(name): by_name[name] for name, *_rest in COMMUNITIES if name in by_name}
    if len(communities) < len(COMMUNITIES):
        return "no demo communities: run the communities seeder first"
    if Post.objects.filter(title="Where do I find the expense policy?").exists():
        return "already seeded"
    now = timezone.now()
    made = []

    # Questions with accepted answers (and one still open).
    joiners = communities["new-joiners"]
    asker = _member(joiners, rng=rng)
    question = services.do_create_post(
        asker, joiners, kind=Post.Kind.QUESTION, title="Where do I find the expense policy?",
        body_md="I have my first trip next week. Where is the **expense policy**, and who approves? #onboarding",
    )  # fmt: skip
    helper = _member(joiners, email="camille.durand@demo.rse.example")
    services.do_create_comment(_others(joiners, asker, 1, rng)[0], question, body_md="Ask your manager, I think?")
    answer = services.do_create_comment(
        helper, question,
        body_md=f"It is on the HR portal, section *Travel*. Your manager approves in the tool. Welcome {_handle(asker)}!",
    )  # fmt: skip
    services.do_accept_answer(asker, question, answer)
    services.do_react(asker, "thanks", comment=answer)
    made.append(question)

    python = communities["python-developers"]
    asker = _member(python, rng=rng)
    question = services.do_create_post(
        asker, python, kind=Post.Kind.QUESTION, title="How do we pin dependencies?",
        body_md="`pip-tools`, Poetry or plain `requirements.txt` with `~=`? #python #tooling",
    )  # fmt: skip
    answerer = _others(python, asker, 1, rng)[0]
    answer = services.do_create_comment(answerer, question, body_md="Compatible-release pins (`~=`) and a lock in CI.")
    reply = services.do_create_comment(asker, question, body_md="Thanks, and who bumps them?", parent=answer)
    services.do_create_comment(answerer, question, body_md="A bot opens a PR every Monday.", parent=reply)
    services.do_accept_answer(asker, question, answer)
    services.do_create_post(
        _others(python, asker, 1, rng)[0], python, kind=Post.Kind.QUESTION,
        title="Anyone tried HTMX with Django forms?", body_md="Looking for examples of inline validation. #htmx",
    )  # fmt: skip

    # An announcement asking for acknowledgement, read by about two thirds.
    comms = communities["internal-communications"]
    hugo = _member(comms, email="hugo.bernard@demo.rse.example", role=[Membership.Role.OWNER])
    announcement = services.do_create_post(
        hugo, comms, kind=Post.Kind.ANNOUNCEMENT, title="New badge policy from 1 March", requires_ack=True,
        body_md="From **1 March** badges are required at every entrance, visitors included. "
        "Please confirm you have read this. #safety",
    )  # fmt: skip
    members = list(comms.memberships.filter(status=Membership.Status.ACTIVE).values_list("user_id", flat=True))
    for uid in rng.sample(members, (len(members) * 2) // 3):
        services.do_acknowledge(User.objects.get(pk=uid), announcement)
    services.do_pin_post(hugo, announcement)

    # A poll with votes.
    lyon = communities["lyon-site"]
    author = _member(lyon, role=[Membership.Role.ANIMATOR, Membership.Role.OWNER])
    days = [now + timedelta(days=n) for n in (9, 10, 14)]  # after the vote closes, whenever the demo is loaded
    poll = services.do_create_post(
        author, lyon, kind=Post.Kind.POLL, title="Which day for the site barbecue?",
        body_md="The vote closes in six days. #lyon", poll_options=[f"{d:%A} {d.day} {d:%B}" for d in days],
        poll_closes_at=now + timedelta(days=6),
    )  # fmt: skip
    options = list(poll.poll_options.values_list("pk", flat=True))
    for voter in _others(lyon, author, 18, rng):
        services.do_vote(voter, poll, [rng.choices(options, weights=[5, 3, 1])[0]])

    # An event with RSVPs.
    running = communities["running-club"]
    organiser = _member(running, role=[Membership.Role.ANIMATOR, Membership.Role.OWNER])
    event = services.do_create_post(
        organiser, running, kind=Post.Kind.EVENT, title="Lunch run along the Rhône",
        body_md="8 km, easy pace, showers at the office. #running",
        event_starts_at=(now + timedelta(days=9)).replace(hour=12, minute=15, second=0, microsecond=0),
        event_ends_at=(now + timedelta(days=9)).replace(hour=13, minute=15, second=0, microsecond=0),
        event_place="Lyon Part-Dieu, main entrance",
    )  # fmt: skip
    for guest in _others(running, organiser, 14, rng):
        services.do_rsvp(guest, event, rng.choice(["yes", "yes", "maybe", "no"]))

    # Posts about business items ([[slug]]), when the repository demo is there.
    items = _demo_items()
    accounts = communities["key-accounts"]
    linked = 0
    if items:
        seller = _member(accounts, email="marc.dubois@demo.rse.example", rng=rng)
        # The key-account review is about customers, so that opening a customer in the demo shows
        # its conversations (issue 4's story); the kaizen is about a process or product.
        customers = [item for item in items if item.item_type.slug == "customer"][:2] or items[:2]
        others = [item for item in items if item.item_type.slug != "customer"] or items
        links = " and ".join(f"[[{item.slug}]]" for item in customers)
        linked = len(customers) + 1
        services.do_create_post(
            seller, accounts, title="Account review: lessons learned",
            body_md=f"Notes from the quarterly review of {links}. Delivery times are the main topic. #keyaccounts",
        )  # fmt: skip
        lean = communities["lean-continuous-improvement"]
        services.do_create_post(
            _member(lean, rng=rng), lean, title="Kaizen on the packaging line",
            body_md=f"We cut changeover time by 30% on [[{others[0].slug}]]. #kaizen",
        )  # fmt: skip

    # Mentions, hashtags, a shared post and the animators' selection.
    lean = communities["lean-continuous-improvement"]
    camille = _member(lean, email="camille.durand@demo.rse.example")
    colleague = _others(lean, camille, 1, rng)[0]
    idea = services.do_create_post(
        camille, lean, title="5S week: share your before/after photos",
        body_md=f"Thanks {_handle(colleague)} for starting this! Post yours with #5S and #kaizen.",
    )  # fmt: skip
    services.do_highlight_post(camille, idea)
    services.do_pin_post(camille, idea)
    quality = communities["quality-safety"]
    if Membership.objects.filter(community=quality, user=camille, status=Membership.Status.ACTIVE).exists():
        services.do_share_post(camille, idea, quality, body_md="Quality folks, this is for you too.")
    for reactor in _others(lean, camille, 8, rng):
        services.do_react(reactor, rng.choice(["like", "thanks", "insightful", "agree"]), post=idea)
        if rng.random() < 0.3:
            services.do_toggle_bookmark(reactor, idea)
    return f"questions, an announcement, a poll, an event, {linked} linked items, a shared post"


# Seeders of sub-packages (seed_demo only autodiscovers <app>.demo).
from communities.notifications import demo as _notifications_demo  # noqa: E402, F401
