"""Synthetic organisation for the benchmark: users, communities, memberships, posts, comments,
reactions and business items linked from posts.

Rows go in with COPY (PostgreSQL) or bulk_create in large batches (no services, no events):
the benchmark measures the pages, and building a million posts through the write path would
take hours. Markdown is pre-rendered once and reused, as the write path would store it;
counters (comments, reactions, posts, members) match the rows, as the services keep them.
bench/spirit.py seeds Spirit from the same generator (`plan`), so both hold the same volume.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from communities.models import Comment, Community, Membership, Post, Reaction
from directory.models import OrgUnit, Profile
from rse.accounts.models import User
from rse.lib.markdown import html_to_text, render_markdown
from rse.lib.text import normalize

WORDS = (
    "customer order supply quality plant project budget planning delivery safety audit lean kaizen data "
    "dashboard python release sprint invoice contract roadmap product launch training onboarding energy"
).split()
BATCH = 5000
PASSWORD = "bench-pass-1"  # noqa: S105 - synthetic accounts on a benchmark database


def _batched(rows, model):
    for i in range(0, len(rows), BATCH):
        model.objects.bulk_create(rows[i : i + BATCH], batch_size=BATCH)


def _copy(model, objs):
    """COPY … FROM STDIN: an order of magnitude faster than INSERTs for a million rows."""
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    columns = ", ".join(f'"{f.column}"' for f in fields)
    with connection.cursor() as cursor:
        with cursor.cursor.copy(f'COPY "{model._meta.db_table}" ({columns}) FROM STDIN') as copy:
            for obj in objs:
                copy.write_row([f.get_db_prep_save(f.pre_save(obj, True), connection) for f in fields])


def _write(model, rows):
    with transaction.atomic():
        if connection.vendor == "postgresql":
            _copy(model, rows)
        else:
            _batched(rows, model)


def build(users, communities, posts, comments, reactions, items=200, memberships_per_user=8, seed=7, log=print):
    """Idempotent and resumable: people, communities and items once, then posts up to `posts`,
    then their comments and reactions (each step is skipped once its rows are there)."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    _restore_indexes()
    if User.objects.filter(email__endswith="@bench.example").count() < users:
        _people_and_communities(rng, users, communities, memberships_per_user, log)
    _org_units(rng, log)
    community_ids = list(Community.objects.filter(slug__startswith="bench-community-").values_list("id", flat=True))
    members = {}
    for cid, uid in Membership.objects.filter(community_id__in=community_ids).values_list("community_id", "user_id"):
        members.setdefault(cid, []).append(uid)
    item_ids = _items(rng, items, log)
    existing = Post.objects.filter(community_id__in=community_ids).count()
    if existing < posts:
        with _without_indexes(Post):
            _posts(rng, community_ids, members, posts - existing, log)
        _link_items(rng, item_ids, community_ids)
    bench_posts = Post.objects.filter(community_id__in=community_ids)
    if not Comment.objects.filter(post__community_id__in=community_ids).exists() and comments:
        with _without_indexes(Comment):
            _comments(rng, bench_posts, members, comments, log)
    if not Reaction.objects.filter(post__community_id__in=community_ids).exists() and reactions:
        with _without_indexes(Reaction):
            _reactions(rng, bench_posts, members, reactions, log)
    _counters(community_ids)


@contextmanager
def _without_indexes(model):
    """Bulk loading into PostgreSQL: drop the secondary indexes, load, rebuild them once (much
    faster than maintaining 14 indexes, a GIN full-text one among them, row by row).

    The dropped definitions are kept in a table first, so a run that is killed half-way has
    them rebuilt by the next run (`_restore_indexes`)."""
    if connection.vendor != "postgresql":
        yield
        return
    table = model._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_dropped_index (name text PRIMARY KEY, definition text)")
        cursor.execute(
            "INSERT INTO bench_dropped_index SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s "
            "AND indexname NOT IN (SELECT conname FROM pg_constraint WHERE conrelid = %s::regclass) "
            "ON CONFLICT DO NOTHING",
            [table, table],
        )
        cursor.execute("SELECT name FROM bench_dropped_index")
        for (name,) in cursor.fetchall():
            cursor.execute(f'DROP INDEX IF EXISTS "{name}"')
    try:
        yield
    finally:
        _restore_indexes()
        with connection.cursor() as cursor:
            cursor.execute(f'ANALYZE "{table}"')


def _restore_indexes():
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS bench_dropped_index (name text PRIMARY KEY, definition text)")
        cursor.execute("SELECT name, definition FROM bench_dropped_index")
        for name, definition in cursor.fetchall():
            cursor.execute(definition.replace("CREATE INDEX", "CREATE INDEX IF NOT EXISTS", 1))
            cursor.execute("DELETE FROM bench_dropped_index WHERE name = %s", [name])


def _people_and_communities(rng, users, communities, memberships_per_user, log):
    password = make_password(PASSWORD)
    with transaction.atomic():
        unit, _ = OrgUnit.objects.get_or_create(slug="bench-unit", defaults={"name": "Bench unit"})
        _batched(
            [
                User(
                    email=f"user{i}@bench.example",
                    first_name=f"Bench{i}",
                    last_name=rng.choice(WORDS).title(),
                    password=password,
                )
                for i in range(users)
            ],
            User,
        )
        user_ids = list(User.objects.filter(email__endswith="@bench.example").values_list("id", flat=True))
        names = dict(User.objects.filter(id__in=user_ids).values_list("id", "last_name"))
        _batched(
            [
                Profile(user_id=uid, org_unit=unit, job_title="Engineer", search_name=normalize(f"bench {names[uid]}"))
                for uid in user_ids
            ],
            Profile,
        )
        log(f"{len(user_ids)} users")
        visibilities = [Community.Visibility.OPEN] * 6 + [
            Community.Visibility.RESTRICTED,
            Community.Visibility.PRIVATE,
            Community.Visibility.SECRET,
        ]
        _batched(
            [
                Community(
                    name=f"Bench community {i}",
                    slug=f"bench-community-{i}",
                    # the first ones are open: the benchmark's readers and Spirit's public
                    # categories compare like with like
                    visibility=Community.Visibility.OPEN if i < 4 else rng.choice(visibilities),
                )
                for i in range(communities)
            ],
            Community,
        )
        community_ids = list(Community.objects.filter(slug__startswith="bench-community-").values_list("id", flat=True))
        rows = [
            Membership(community_id=cid, user_id=uid)
            for uid in user_ids
            for cid in rng.sample(community_ids, min(memberships_per_user, len(community_ids)))
        ]
        _batched(rows, Membership)
        log(f"{communities} communities, {len(rows)} memberships")


def _org_units(rng, log, count=40):
    """People spread over org units of very different sizes, three of them under the minimum group
    size: the HR export by org unit has real groups to compute, merge and hide (once)."""
    if OrgUnit.objects.filter(slug__startswith="bench-unit-").exists():
        return
    user_ids = list(Profile.objects.filter(user__email__endswith="@bench.example").values_list("user_id", flat=True))
    units = OrgUnit.objects.bulk_create([OrgUnit(name=f"Bench unit {i}", slug=f"bench-unit-{i}") for i in range(count)])
    rng.shuffle(user_ids)
    tiny, rest = user_ids[: 2 * 3], user_ids[2 * 3 :]
    people = {unit.pk: [] for unit in units}
    for i, uid in enumerate(tiny):
        people[units[i // 2].pk].append(uid)
    sizes = _spread(rng, len(rest), count - 3)
    start = 0
    for unit, size in zip(units[3:], sizes, strict=True):
        people[unit.pk] = rest[start : start + size]
        start += size
    for unit_id, ids in people.items():
        for i in range(0, len(ids), 5_000):
            Profile.objects.filter(user_id__in=ids[i : i + 5_000]).update(org_unit_id=unit_id)
    log(f"{count} org units")


def _items(rng, count, log):
    """Business items (customers), with their full-text vectors, for the item page."""
    from repository.models import Item
    from repository.services import ensure_item_type, update_search_vector

    existing = list(Item.objects.filter(slug__startswith="bench-customer-").values_list("id", flat=True))
    if len(existing) >= count:
        return existing
    item_type = ensure_item_type("customer", "Customer")
    html = render_markdown("A customer of the benchmark: orders, deliveries, quality reviews.")
    rows = []
    for i in range(len(existing), count):
        name = f"Customer {i} {rng.choice(WORDS).title()}"
        rows.append(Item(item_type=item_type, name=name, normalized_name=normalize(name), slug=f"bench-customer-{i}",
                         description_md="A customer of the benchmark.", description_html=html))  # fmt: skip
    _batched(rows, Item)
    ids = list(Item.objects.filter(slug__startswith="bench-customer-").values_list("id", flat=True))
    update_search_vector(ids)
    log(f"{len(ids)} items")
    return ids


def _posts(rng, community_ids, members, posts, log):
    now = timezone.now()
    user_ids = [uid for uids in members.values() for uid in uids[:1]]
    bodies = [
        (text, render_markdown(text), html_to_text(render_markdown(text)))
        for text in (" ".join(rng.choice(WORDS) for _ in range(rng.randint(8, 60))) for _ in range(200))
    ]
    done = 0
    while done < posts:
        chunk = []
        for _ in range(min(BATCH * 4, posts - done)):
            cid = rng.choice(community_ids)
            author = rng.choice(members.get(cid) or user_ids)
            at = now - timedelta(seconds=rng.randint(3600, 365 * 86400))
            text, html, plain = rng.choice(bodies)
            chunk.append(
                Post(
                    community_id=cid,
                    author_id=author,
                    title=" ".join(rng.choice(WORDS) for _ in range(5)).capitalize(),
                    body_md=text,
                    body_html=html,
                    body_text=plain,
                    created_at=at,
                    updated_at=at,
                    last_activity_at=at,
                )
            )
        _write(Post, chunk)
        done += len(chunk)
        log(f"{done} posts")


def _link_items(rng, item_ids, community_ids):
    """One post in twenty is about a business item, so that item pages have conversations."""
    if not item_ids:
        return
    through = Post.items.through
    post_ids = Post.objects.filter(community_id__in=community_ids).values_list("id", flat=True).iterator(10_000)
    rows = [through(post_id=pid, item_id=rng.choice(item_ids)) for pid in post_ids if rng.random() < 0.05]
    _batched(rows, through)


def _spread(rng, total, weights_count):
    """`total` spread over `weights_count` slots, unevenly (a few busy threads, many quiet)."""
    weights = [rng.random() ** 3 for _ in range(weights_count)]
    scale = total / (sum(weights) or 1)
    counts = [int(w * scale) for w in weights]
    for i in rng.sample(range(weights_count), min(weights_count, total - sum(counts))):
        counts[i] += 1
    return counts


def _comments(rng, bench_posts, members, total, log):
    posts = list(bench_posts.values_list("id", "community_id", "created_at").order_by("id"))
    counts = _spread(rng, total, len(posts))
    bodies = [
        (text, render_markdown(text), html_to_text(render_markdown(text)))
        for text in (" ".join(rng.choice(WORDS) for _ in range(rng.randint(4, 30))) for _ in range(200))
    ]
    now = timezone.now()
    chunk, done = [], 0
    for (pid, cid, created), n in zip(posts, counts, strict=True):
        authors = members.get(cid) or [1]
        span = max(1, int((now - created).total_seconds()))
        for _ in range(n):
            text, html, plain = rng.choice(bodies)
            at = created + timedelta(seconds=rng.randint(1, span))
            chunk.append(Comment(post_id=pid, author_id=rng.choice(authors), body_md=text, body_html=html,
                                 body_text=plain, created_at=at, updated_at=at))  # fmt: skip
        if len(chunk) >= BATCH * 4:
            _write(Comment, chunk)
            done += len(chunk)
            chunk = []
            log(f"{done} comments")
    if chunk:
        _write(Comment, chunk)


def _reactions(rng, bench_posts, members, total, log):
    posts = list(bench_posts.values_list("id", "community_id", "created_at").order_by("id"))
    counts = _spread(rng, total, len(posts))
    kinds = [k for k, _ in Reaction.Kind.choices]
    now = timezone.now()
    chunk, done = [], 0
    for (pid, cid, created), n in zip(posts, counts, strict=True):
        people = members.get(cid) or []
        n = min(n, len(people))
        start = rng.randrange(len(people)) if people else 0
        # Reactions come in the days after the post, as on a real network (not all today: the
        # engagement figures read a year of them).
        span = max(1, min(14 * 86400, int((now - created).total_seconds())))
        for k in range(n):  # consecutive members from a random start: one reaction per person and post
            uid = people[(start + k) % len(people)]
            at = created + timedelta(seconds=rng.randint(1, span))
            chunk.append(Reaction(user_id=uid, post_id=pid, kind=rng.choice(kinds), created_at=at, updated_at=at))
        if len(chunk) >= BATCH * 4:
            _write(Reaction, chunk)
            done += len(chunk)
            chunk = []
            log(f"{done} reactions")
    if chunk:
        _write(Reaction, chunk)


def _counters(community_ids):
    """The denormalised counters, as the services would have kept them."""
    with connection.cursor() as cursor:
        posts, comments, reactions = (m._meta.db_table for m in (Post, Comment, Reaction))
        communities, memberships = Community._meta.db_table, Membership._meta.db_table
        ids = ",".join(str(int(i)) for i in community_ids) or "0"
        cursor.execute(
            f"UPDATE {posts} p SET comments_count = c.n, last_activity_at = c.last "  # noqa: S608 - our table names
            f"FROM (SELECT post_id, count(*) n, max(created_at) last FROM {comments} GROUP BY post_id) c "
            f"WHERE c.post_id = p.id AND p.community_id IN ({ids}) AND p.comments_count <> c.n"
        )
        cursor.execute(
            f"UPDATE {posts} p SET reactions_count = r.n "  # noqa: S608
            f"FROM (SELECT post_id, count(*) n FROM {reactions} WHERE post_id IS NOT NULL GROUP BY post_id) r "
            f"WHERE r.post_id = p.id AND p.community_id IN ({ids}) AND p.reactions_count <> r.n"
        )
        cursor.execute(
            f"UPDATE {communities} c SET posts_count = (SELECT count(*) FROM {posts} p WHERE p.community_id = c.id), "  # noqa: S608
            f"members_count = (SELECT count(*) FROM {memberships} m WHERE m.community_id = c.id "
            f"AND m.status = 'active') WHERE c.id IN ({ids})"
        )
