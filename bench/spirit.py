"""The peer forum of `make bench`: Spirit (django-spirit from PyPI), on the same data, served the
way the issue measured it (gunicorn, 4 synchronous workers), measured interleaved with RSE.

Nothing of Spirit is committed: this script
1. creates its own virtualenv (var/bench/spirit-venv) with django-spirit, gunicorn and psycopg;
2. generates a Spirit project with Spirit's own `spirit startproject` (var/bench/spirit-site),
   plus a settings module on its own PostgreSQL database (`<RSE bench database>_spirit`), the
   same Redis as RSE for the cache and sessions (DB 14, prefix `spirit`), DEBUG off, persistent
   connections (its synchronous workers each keep one: Spirit's best setting, as RSE's pool);
3. seeds it with RSE's benchmark rows, exported from the RSE database (`export_plan`): every
   user, every community as a category, every post as a topic whose first comment is the post,
   every comment, every reaction as a like of the first comment; then builds its search index;
4. serves it and logs the readers in through its login form.

Spirit's pages that match RSE's: index (home), category (community feed), topic (post),
user (profile), search (global search).
"""

import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = ROOT / "var" / "bench" / "spirit-venv"
SITE = ROOT / "var" / "bench" / "spirit-site"
PY = VENV / "bin" / "python"
REQUIREMENTS = ["django-spirit~=0.14.3", "gunicorn~=23.0", "psycopg[binary]~=3.2", "redis~=6.0"]

SETTINGS = """\
import os
from .prod import *  # noqa: F403 - Spirit's production template

DEBUG = False
SECRET_KEY = os.environ["SPIRIT_SECRET_KEY"]
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
DATABASES = {"default": {"ENGINE": "django.db.backends.postgresql", "NAME": os.environ["SPIRIT_DB"],
    "USER": os.environ.get("SPIRIT_DB_USER", "postgres"), "HOST": os.environ.get("SPIRIT_DB_HOST", "127.0.0.1"),
    "PORT": os.environ.get("SPIRIT_DB_PORT", "5432"), "PASSWORD": os.environ.get("SPIRIT_DB_PASSWORD", ""),
    "CONN_MAX_AGE": 600, "OPTIONS": {"options": "-c jit=off"}}}
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.redis.RedisCache", "LOCATION": os.environ["SPIRIT_REDIS"],
                "KEY_PREFIX": "spirit"},
    "st_rate_limit": {"BACKEND": "django.core.cache.backends.redis.RedisCache",
                      "LOCATION": os.environ["SPIRIT_REDIS"], "KEY_PREFIX": "spirit-rl", "TIMEOUT": None},
}
SESSION_ENGINE = "django.contrib.sessions.backends.cached_db"
HAYSTACK_CONNECTIONS["default"]["PATH"] = os.path.join(BASE_DIR, "st_search", os.environ["SPIRIT_DB"])  # noqa: F405
ST_RATELIMIT_ENABLE = False
ST_SITE_URL = "http://127.0.0.1/"
LOGGING = {"version": 1, "disable_existing_loggers": False,
           "handlers": {"console": {"class": "logging.StreamHandler"}},
           "root": {"handlers": ["console"], "level": "WARNING"}}
"""

SEED = '''\
"""Seeds Spirit from RSE's exported plan (bench/spirit.py writes and runs this)."""
import json, sys
import django
django.setup()
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from spirit.category.models import Category
from spirit.comment.like.models import CommentLike
from spirit.comment.models import Comment
from spirit.topic.models import Topic
from spirit.user.models import UserProfile

User = get_user_model()
if Topic.objects.exists():
    print("spirit: already seeded")
    sys.exit(0)
plan = json.load(open(sys.argv[1]))
B = 5000
with transaction.atomic():
    User.objects.bulk_create([User(username=f"user{u['i']}", email=u["email"], first_name=u["first"], last_name=u["last"],
                              password=plan["password_hash"]) for u in plan["users"]], batch_size=B)
    users = {u.username: u.pk for u in User.objects.all()}
    uid = {u["id"]: users[f"user{u['i']}"] for u in plan["users"]}
    UserProfile.objects.bulk_create([UserProfile(user_id=pk, nickname=name, is_verified=True)
                                     for name, pk in users.items()], batch_size=B)
    Category.objects.bulk_create([Category(title=c["title"], description="") for c in plan["categories"]])
    cats = {c.title: c.pk for c in Category.objects.all()}
    cid = {c["id"]: cats[c["title"]] for c in plan["categories"]}
    topics = [Topic(user_id=uid[p["author"]], category_id=cid[p["community"]], title=p["title"][:255],
                    date=p["at"], last_active=p["last"], comment_count=p["comments"] + 1) for p in plan["posts"]]
    Topic.objects.bulk_create(topics, batch_size=B)
    tid = {p["id"]: t.pk for p, t in zip(plan["posts"], topics)}
    firsts = [Comment(user_id=uid[p["author"]], topic_id=tid[p["id"]], comment=p["md"], comment_html=p["html"],
                      date=p["at"], likes_count=p["likes"]) for p in plan["posts"]]
    Comment.objects.bulk_create(firsts, batch_size=B)
    first = {p["id"]: c.pk for p, c in zip(plan["posts"], firsts)}
    Comment.objects.bulk_create([Comment(user_id=uid[c["author"]], topic_id=tid[c["post"]], comment=c["md"],
                                         comment_html=c["html"], date=c["at"]) for c in plan["comments"]], batch_size=B)
    CommentLike.objects.bulk_create([CommentLike(user_id=uid[r["user"]], comment_id=first[r["post"]])
                                     for r in plan["likes"]], batch_size=B)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE spirit_user_userprofile p SET topic_count = t.n FROM (SELECT user_id, count(*) n "
                       "FROM spirit_topic_topic GROUP BY user_id) t WHERE t.user_id = p.user_id")
        cursor.execute("UPDATE spirit_user_userprofile p SET comment_count = t.n FROM (SELECT user_id, count(*) n "
                       "FROM spirit_comment_comment GROUP BY user_id) t WHERE t.user_id = p.user_id")
        cursor.execute("ANALYZE")
print(f"spirit: {len(users)} users, {len(topics)} topics, {len(plan['comments'])} comments, {len(plan['likes'])} likes")
'''


def ensure_venv(log=print):
    if not (VENV / ".installed").exists():
        log("spirit: creating var/bench/spirit-venv (django-spirit from PyPI)")
        subprocess.run([sys.executable, "-m", "venv", str(VENV)], check=True)  # noqa: S603
        subprocess.run([str(PY), "-m", "pip", "install", "--quiet", *REQUIREMENTS], check=True)  # noqa: S603
        (VENV / ".installed").touch()
    if not (SITE / "manage.py").exists():
        SITE.mkdir(parents=True, exist_ok=True)
        env = {**os.environ, "PATH": f"{VENV / 'bin'}:{os.environ.get('PATH', '')}"}  # it calls django-admin
        subprocess.run([str(VENV / "bin" / "spirit"), "startproject", "spiritsite", "--path", str(SITE)],  # noqa: S603
                       check=True, env=env, capture_output=True)  # fmt: skip
    (SITE / "spiritsite" / "settings" / "bench.py").write_text(SETTINGS)
    (SITE / "seed_bench.py").write_text(SEED)


def spirit_env(db_params, redis_url, secret):
    return {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "REDIS_"))},
        "DJANGO_SETTINGS_MODULE": "spiritsite.settings.bench",
        "PYTHONPATH": str(SITE),
        "SPIRIT_SECRET_KEY": secret,
        "SPIRIT_DB": db_params["NAME"],
        "SPIRIT_DB_USER": db_params.get("USER") or "postgres",
        "SPIRIT_DB_HOST": db_params.get("HOST") or "127.0.0.1",
        "SPIRIT_DB_PORT": str(db_params.get("PORT") or 5432),
        "SPIRIT_DB_PASSWORD": db_params.get("PASSWORD") or "",
        "SPIRIT_REDIS": redis_url,
    }


def export_plan(path, log=print):
    """RSE's benchmark rows, as Spirit's seed reads them (run in the RSE process, Django set up)."""
    from django.db.models import Count

    from bench.data import PASSWORD
    from communities.models import Comment, Community, Post, Reaction
    from rse.accounts.models import User

    user = User.objects.filter(email__endswith="@bench.example").first()
    users = [
        {"id": pk, "i": email.split("@")[0].removeprefix("user"), "email": email, "first": first, "last": last}
        for pk, email, first, last in User.objects.filter(email__endswith="@bench.example").values_list(
            "id", "email", "first_name", "last_name"
        )
    ]
    communities = Community.objects.filter(slug__startswith="bench-community-")
    likes_per_post = dict(
        Reaction.objects.filter(post__community__in=communities)
        .values("post_id")
        .annotate(n=Count("id"))
        .values_list("post_id", "n")
    )
    posts = [
        {"id": pk, "community": cid, "author": aid, "title": title, "md": md, "html": html,
         "at": at.isoformat(), "last": last.isoformat(), "comments": n, "likes": likes_per_post.get(pk, 0)}
        for pk, cid, aid, title, md, html, at, last, n in Post.objects.filter(community__in=communities)
        .order_by("id").values_list("id", "community_id", "author_id", "title", "body_md", "body_html",
                                    "created_at", "last_activity_at", "comments_count").iterator(5000)
    ]  # fmt: skip
    comments = [
        {"post": pid, "author": aid, "md": md, "html": html, "at": at.isoformat()}
        for pid, aid, md, html, at in Comment.objects.filter(post__community__in=communities)
        .order_by("id").values_list("post_id", "author_id", "body_md", "body_html", "created_at").iterator(5000)
    ]  # fmt: skip
    likes = [
        {"post": pid, "user": uid}
        for pid, uid in Reaction.objects.filter(post__community__in=communities).values_list("post_id", "user_id")
    ]
    plan = {
        "password_hash": user.password if user and user.check_password(PASSWORD) else None,
        "users": users,
        "categories": [{"id": c.pk, "title": c.name} for c in communities],
        "posts": posts,
        "comments": comments,
        "likes": likes,
    }
    Path(path).write_text(json.dumps(plan))
    log(f"spirit: plan of {len(posts)} topics, {len(comments)} comments, {len(likes)} likes")


def prepare(db_params, redis_url, secret, log=print):
    """Venv, project, database, migrations, seed, search index, static files: idempotent."""
    import psycopg
    from psycopg import sql

    ensure_venv(log)
    conninfo = {k: v for k, v in {"host": db_params.get("HOST"), "port": db_params.get("PORT"),
                                  "user": db_params.get("USER"), "password": db_params.get("PASSWORD")}.items() if v}  # fmt: skip
    with psycopg.connect(dbname="postgres", autocommit=True, **conninfo) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [db_params["NAME"]]).fetchone():
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(db_params["NAME"])))
    env = spirit_env(db_params, redis_url, secret)
    manage = [str(PY), str(SITE / "manage.py")]
    subprocess.run([*manage, "migrate", "--noinput", "-v", "0"], cwd=SITE, env=env, check=True)  # noqa: S603
    if not (SITE / "static" / "staticfiles.json").exists():
        subprocess.run([*manage, "collectstatic", "--noinput", "-v", "0"], cwd=SITE, env=env, check=True)  # noqa: S603
    plan = ROOT / "var" / "bench" / f"spirit-plan-{db_params['NAME']}.json"
    seeded = subprocess.run(  # noqa: S603
        [str(PY), "-c", "import django;django.setup();from spirit.topic.models import Topic;"
         "print(Topic.objects.exists())"], cwd=SITE, env=env, check=True, capture_output=True, text=True,
    ).stdout.strip() == "True"  # fmt: skip
    start = time.perf_counter()
    if not seeded:
        export_plan(plan, log)
        subprocess.run([str(PY), str(SITE / "seed_bench.py"), str(plan)], cwd=SITE, env=env, check=True)  # noqa: S603
        plan.unlink(missing_ok=True)
    index = SITE / "st_search" / db_params["NAME"]  # its search index (Whoosh), one per database
    if not seeded or not index.exists():
        subprocess.run([*manage, "rebuild_index", "--noinput", "-v", "0"], cwd=SITE, env=env, check=True)  # noqa: S603
        log(f"spirit: seeded and indexed in {time.perf_counter() - start:.0f} s")
    return env


def command(port, workers=4):
    return [str(VENV / "bin" / "gunicorn"), "spiritsite.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--worker-class", "sync", "--log-level", "warning"]  # fmt: skip


def targets(env):
    """Readers' URLs in Spirit for the pages that match RSE's: {page: [paths]} and the user ids."""
    code = (
        "import django,json;django.setup();"
        "from spirit.category.models import Category;from spirit.topic.models import Topic;"
        "from django.contrib.auth import get_user_model as g;"
        "cats=[c.get_absolute_url() for c in Category.objects.filter(title__startswith='Bench community')[:4]];"
        "topics=[t.get_absolute_url() for t in Topic.objects.filter(category__title__startswith='Bench community')"
        ".order_by('-last_active')[:200:5]];"
        "users=[u.st.get_absolute_url() for u in g().objects.filter(username__startswith='user').order_by('pk')[10:50]];"
        "print(json.dumps({'cats':cats,'topics':topics,'users':users}))"
    )
    out = subprocess.run([str(PY), "-c", code], cwd=SITE, env=env, check=True, capture_output=True, text=True)  # noqa: S603
    return json.loads(out.stdout)
