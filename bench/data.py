"""Synthetic organisation for the benchmark: N users, communities, memberships, posts.

Rows go in with bulk_create in large batches (no services, no events): the benchmark
measures reads, and building 1,000,000 posts through the write path would take an hour.
Markdown is pre-rendered once and reused, as the write path would store it.
"""

import random
from contextlib import contextmanager
from datetime import timedelta

from django.contrib.auth.hashers import make_password
from django.db import connection, transaction
from django.utils import timezone

from communities.models import Community, Membership, Post
from directory.models import OrgUnit, Profile
from rse.accounts.models import User
from rse.lib.markdown import html_to_text, render_markdown
from rse.lib.text import normalize

WORDS = (
    "customer order supply quality plant project budget planning delivery safety audit lean kaizen data "
    "dashboard python release sprint invoice contract roadmap product launch training onboarding energy"
).split()
BATCH = 5000


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


def build(users=10_000, communities=300, posts=1_000_000, memberships_per_user=8, seed=7, log=print):
    """Idempotent and resumable: people and communities once, then posts up to `posts`."""
    rng = random.Random(seed)  # noqa: S311 - benchmark data
    _restore_indexes()
    if User.objects.filter(email__endswith="@bench.example").count() < users:
        _people_and_communities(rng, users, communities, memberships_per_user, log)
    community_ids = list(Community.objects.filter(slug__startswith="bench-community-").values_list("id", flat=True))
    members = {}
    for cid, uid in Membership.objects.filter(community_id__in=community_ids).values_list("community_id", "user_id"):
        members.setdefault(cid, []).append(uid)
    existing = Post.objects.filter(community_id__in=community_ids).count()
    if existing < posts:
        with _without_indexes(Post):
            _posts(rng, community_ids, members, posts - existing, log)


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
    password = make_password("bench-pass-1")
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
                Community(name=f"Bench community {i}", slug=f"bench-community-{i}", visibility=rng.choice(visibilities))
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
            at = now - timedelta(seconds=rng.randint(0, 365 * 86400))
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
                    last_activity_at=at,
                    comments_count=rng.randint(0, 12),
                    reactions_count=rng.randint(0, 30),
                )
            )
        with transaction.atomic():
            if connection.vendor == "postgresql":
                _copy(Post, chunk)
            else:
                _batched(chunk, Post)
        done += len(chunk)
        log(f"{done} posts")
