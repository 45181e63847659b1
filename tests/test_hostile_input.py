"""Hostile input on every door (issue 14): no 5xx, whatever is sent.

The doors are discovered, not listed: every URL of the resolver (pages and API), the methods each
API view answers, and the body fields and query parameters its OpenAPI schema declares. Path
parameters come from a table filled from a seeded world, so the requests reach the views and
their validation rather than a 404. Each door receives a table of hostile values: JSON nested
~1,100 deep, NUL characters, lone surrogates, wrong types, huge strings and numbers, impossible
dates. A new endpoint is covered the day it is added, and fails here if it answers 5xx.

Both CI passes run this module; the PostgreSQL pass is where NUL bites (PostgreSQL refuses NUL in
text, so it reached the database as a 500 where SQLite stored it).
"""

import json
import re
from datetime import timedelta
from functools import cache
from html.parser import HTMLParser
from urllib.parse import quote, urljoin, urlsplit

import pytest
from django.contrib.auth.models import Permission
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from drf_spectacular.generators import SchemaGenerator
from rest_framework.test import APIClient

from communities import services as community_services
from communities.models import Membership, Notification
from communities.tests.factories import CommunityFactory, member
from directory.tests.factories import ContactFactory
from repository.models import ItemType
from repository.tests.factories import ItemFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db

DEEP_JSON = '{"a":' + "[" * 1100 + "]" * 1100 + "}"
HUGE_TEXT = "x" * 100_000
# One value of every kind a field may wrongly receive.
HOSTILE_VALUES = {
    "nul": "a\x00b",
    "nul alone": "\x00",
    "lone surrogate": "a\ud800b",
    "huge text": HUGE_TEXT,
    "true": True,
    "number": 12345,
    "float": 1.5e308,
    "huge number": 2**70,
    "negative": -1,
    "list": ["a", "b"],
    "list of nul": ["a\x00"],
    "nested list": [[["a"]]],
    "object": {"a": {"b": "c"}},
    "object with nul": {"a\x00": "b\x00"},
    "null": None,
    "impossible date": "2026-02-30T10:00:00+01:00",
    "garbage date": "2026-13-45T99:99",
    "date past the calendar": "9999-12-31T23:59:59-14:00",
    "markup": "<script>alert(1)</script>{{ x }}{% y %}",
}
# What a form post (multipart) carries: text only.
HOSTILE_FORM_VALUES = {"nul": "a\x00b", "huge text": HUGE_TEXT, "impossible date": "2026-02-30T10:00:00+01:00"}
# Query strings: what the address bar can carry.
HOSTILE_QUERY_VALUES = {
    "nul": "a\x00b",
    "huge": "x" * 20_000,
    "percent": "%_%\\",
    "quote": "' OR 1=1 --",
    "accents": "Ça été ünïcödé 测试 🙂",
    "invalid utf-8": "%ED%A0%80%FF",
    "minus": "-1",
    "huge number": str(2**70),
    "garbage date": "2026-13-45T99:99",
    "list": ["a", "b"],
}
QUERY_NAMES = ("q",)  # plus every query parameter the schema declares for the API
# Path parameters no table value fits (static, generated documentation) are left out.
SKIPPED_ROUTES = re.compile(r"^(admin/|media/|\^media|api/v1/(schema|docs)/|jsi18n/|i18n/)")


def walk(resolver=None, prefix=""):
    """(route, pattern) for every URL of the project."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        if isinstance(pattern, URLResolver):
            yield from walk(pattern, prefix + str(pattern.pattern))
        elif isinstance(pattern, URLPattern):
            yield prefix + str(pattern.pattern), pattern


def api_methods(pattern) -> list[str]:
    callback = pattern.callback
    if hasattr(callback, "actions"):  # a viewset
        return [m for m in callback.actions if m in ("post", "put", "patch")]
    cls = getattr(callback, "cls", None)
    return [m for m in ("post", "put", "patch") if cls is not None and hasattr(cls, m)]


def schema_key(route: str) -> str:
    """`api/v1/posts/<int:pk>/` and `/api/v1/posts/{id}/` both become `/api/v1/posts/{}/`."""
    return "/" + re.sub(r"<(?:\w+:)?\w+>", "{}", plain(route)).lstrip("/")


def plain(route: str) -> str:
    """The route of a regex pattern (routers, re_path) written as a path: `(?P<pk>[^/.]+)` becomes
    `<pk>`, the anchors go."""
    route = re.sub(r"\(\?P<(\w+)>[^)]*\)", r"<\1>", route)
    return route.replace("^", "").replace("$", "").replace("/?", "/")


@cache
def schema():
    """{path key: {method: (body field names, query parameter names)}} from the OpenAPI schema."""
    document = SchemaGenerator().get_schema(request=None, public=True)
    components = document["components"]["schemas"]
    out = {}
    for path, operations in document["paths"].items():
        key = re.sub(r"\{\w+\}", "{}", path)
        for method, operation in operations.items():
            fields = []
            for content in operation.get("requestBody", {}).get("content", {}).values():
                ref = content["schema"].get("$ref", "")
                fields = list(components.get(ref.rsplit("/", 1)[-1], {}).get("properties", {}))
                break
            queries = [p["name"] for p in operation.get("parameters", []) if p["in"] == "query"]
            out.setdefault(key, {})[method] = (fields, queries)
    return out


def write_doors():
    """(route, method) of every API write: POST, PUT, PATCH."""
    return sorted(
        (route, method)
        for route, pattern in walk()
        if route.startswith("api/") and not SKIPPED_ROUTES.match(route)
        for method in api_methods(pattern)
    )


def read_doors():
    """Every URL answering GET, pages and API."""
    return sorted(route for route, _p in walk() if not SKIPPED_ROUTES.match(route))


@pytest.fixture
def world():
    """A small company where the caller may do everything: animator and owner of `bench`,
    administrator, repository synchroniser; one thing of each kind for the path table."""
    me = UserFactory(is_staff=True, is_superuser=True)
    me.user_permissions.add(Permission.objects.get(codename="change_item"))
    colleague = UserFactory()
    bench = CommunityFactory(slug="bench", name="Bench")
    member(bench, me, role=Membership.Role.OWNER)
    other_member = member(bench, colleague)
    member(CommunityFactory(slug="elsewhere"), me)
    question = community_services.do_create_post(me, bench, kind="question", title="Why?", body_md="Tell")
    comment = community_services.do_create_comment(colleague, question, body_md="Because")
    item_type = ItemType.objects.create(name="Customer", slug="customer")
    item = ItemFactory(item_type=item_type, external_id="ACME-1", slug="acme")
    contact = ContactFactory(owner=me)
    notification = Notification.objects.create(
        recipient=me, kind="mention", actor=colleague, community=bench, post=question, dedupe_key="hostile"
    )
    from animation.feeding.services import do_create_pulse
    from animation.seeding.services import do_preview_bulk_invitation, do_schedule_post

    scheduled = do_schedule_post(
        me, bench, kind="discussion", title="Later", body_md="b", publish_at=timezone.now() + timedelta(days=1)
    )
    pulse = do_create_pulse(me, bench)
    bulk = do_preview_bulk_invitation(me, bench, emails_text=colleague.email, source="test")
    membership = Membership.objects.get(community=bench, user=other_member)
    from animation.weeding.services import do_flag

    case = do_flag(colleague, question, reason="spam").case
    from animation.weeding.archiving import propose_archive

    proposal = propose_archive(bench, question, question.last_activity_at, timezone.now())
    ids = {
        "posts": question.pk, "comments": comment.pk, "memberships": membership.pk, "scheduled-posts": scheduled.pk,
        "bulk-invitations": bulk.pk, "pulses": pulse.pk, "notifications": notification.pk, "contacts": contact.pk,
        "items": item.pk, "i": item.pk, "champions": colleague.pk, "people": colleague.pk, "schedule": scheduled.pk,
        "invite": bulk.pk, "moderation": case.pk,
        "archive-proposals": proposal.pk,
    }  # fmt: skip
    by_name = {
        "slug": "bench", "type_slug": "customer", "external_id": "ACME-1", "name": "home", "action": "role",
        "kind": "csv", "user_id": colleague.pk, "contact_id": contact.pk, "notification_id": notification.pk,
        "item_id": item.pk, "step": "skills", "token": "nope", "path": "x",
    }  # fmt: skip
    return {"me": me, "ids": ids, "by_name": by_name, "fallback": question.pk}


def fill(route: str, world) -> str:
    """The route with its parameters taken from the world (the segment before an id names its kind)."""
    parts = []
    for segment in plain(route).split("/"):
        match = re.fullmatch(r"(\w*)<(?:\w+:)?(\w+)>(.*)", segment)
        if not match:
            parts.append(segment)
            continue
        lead, name, tail = match.groups()
        if name in world["by_name"] and not (name == "slug" and parts and parts[-1] == "items"):
            value = world["by_name"][name]
        elif name == "slug":  # an item's slug
            value = "acme"
        else:
            value = world["ids"].get(parts[-1] if parts else "", world["fallback"])
        parts.append(f"{lead}{value}{tail}")
    return "/" + "/".join(parts)


def api_client(world):
    client = APIClient()
    client.force_authenticate(world["me"])
    return client


def no_5xx(response, what):
    assert response.status_code < 500, (what, response.status_code, response.content[:500])


@pytest.mark.parametrize(("route", "method"), write_doors())
def test_no_write_endpoint_answers_5xx_to_hostile_values(world, route, method):
    client, url = api_client(world), fill(route, world)
    fields, _queries = schema().get(schema_key(route), {}).get(method, ([], []))
    fields = fields or ["name", "title", "body_md", "email", "kind"]  # undeclared body: the usual names
    send = getattr(client, method)
    no_5xx(send(url, data=DEEP_JSON, content_type="application/json"), (method, url, "deep JSON"))
    for field in fields:
        for label, value in HOSTILE_VALUES.items():
            body = json.dumps({field: value})
            no_5xx(send(url, data=body, content_type="application/json"), (method, url, field, label))
        for label, value in HOSTILE_FORM_VALUES.items():
            no_5xx(send(url, data={field: value}, format="multipart"), (method, url, field, label, "form"))


def test_the_deep_json_is_refused_with_a_reason_not_only_without_5xx(world):
    doors = [(r, m) for r, m in write_doors() if schema()[schema_key(r)][m][0]]  # those that read a body
    assert len(doors) >= 20  # the 20 JSON endpoints of the issue, and more
    client = api_client(world)
    wrong = []
    for route, method in doors:
        url = fill(route, world)
        response = getattr(client, method)(url, data=DEEP_JSON, content_type="application/json")
        if response.status_code != 400 or "nested too deeply" not in response.content.decode():
            wrong.append((method, url, response.status_code))
    assert wrong == []


def test_every_api_write_is_described_by_the_schema(world):
    """The schema gives the hostile table its field names: an endpoint missing from it would be
    tested with guessed names only."""
    missing = [(r, m) for r, m in write_doors() if m not in schema().get(schema_key(r), {})]
    assert missing == []


@pytest.mark.parametrize("route", read_doors())
def test_no_page_or_api_list_answers_5xx_to_a_hostile_query(world, client, route):
    client.force_login(world["me"])
    url = fill(route, world)
    declared = set()
    for _fields, queries in schema().get(schema_key(route), {}).values():
        declared.update(queries)
    for name in sorted({*QUERY_NAMES, *declared} - {"cursor"}):
        for label, value in HOSTILE_QUERY_VALUES.items():
            values = value if isinstance(value, list) else [value]
            if label == "invalid utf-8":
                query = f"{quote(name)}={value}"
            else:
                query = "&".join(f"{quote(name)}={quote(v)}" for v in values)
            response = client.get(f"{url}?{query}")
            no_5xx(response, (url, name, label))
            if label == "nul":
                assert response.status_code == 400, (url, name)


def test_the_discovery_finds_the_doors_of_the_issue():
    routes = {schema_key(r) for r, _m in write_doors()}
    for door in ["/api/v1/communities/", "/api/v1/communities/{}/posts/", "/api/v1/posts/{}/comments/",
                 "/api/v1/posts/{}/share/", "/api/v1/communities/{}/invite/", "/api/v1/repository/items/{}/{}/"]:  # fmt: skip
        assert door in routes
    pages = {schema_key(r) for r in read_doors()}
    assert {"/communities/", "/search/", "/people/", "/repository/", "/api/v1/search/"} <= pages


# --- HTML forms: found on the pages themselves -------------------------------------------------

HOSTILE_FORM_POSTS = {
    "nul": "a\x00b",
    "huge text": HUGE_TEXT,
    "not a number": "abc",
    "huge number": str(2**70),
    "impossible date": "2026-02-30T10:00",
}
LAYOUT_ACTIONS = ("/accounts/logout/", "/i18n/setlang/")  # on every page: posted from the home page only


class FormFinder(HTMLParser):
    """The POST forms of a page: [(action, {field: first value})]."""

    def __init__(self):
        super().__init__()
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            post = (attrs.get("method") or "get").lower() == "post"
            self.current = (attrs.get("action") or "", {}) if post else None
            if post:
                self.forms.append(self.current)
        elif self.current is not None and tag in ("input", "textarea", "select") and attrs.get("name"):
            if attrs.get("type") in ("submit", "file", "image", "button") or attrs["name"] == "csrfmiddlewaretoken":
                return
            self.current[1].setdefault(attrs["name"], attrs.get("value") or "")

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_of(page_url, html) -> list[tuple[str, dict]]:
    finder = FormFinder()
    finder.feed(html)
    found = []
    for action, fields in finder.forms:
        target = urljoin(page_url, action or page_url)
        if urlsplit(target).netloc in ("", "testserver") and fields:
            found.append((urlsplit(target).path, fields))
    return found


@pytest.mark.parametrize("route", read_doors())
def test_no_html_form_answers_5xx_to_hostile_values(world, client, route):
    client.force_login(world["me"])
    url = fill(route, world)
    page = client.get(url)
    if page.status_code != 200 or "text/html" not in page.get("Content-Type", ""):
        return
    for action, fields in forms_of(url, page.content.decode()):
        if action.startswith(LAYOUT_ACTIONS) and route != "":
            continue
        for field in fields:
            for label, value in HOSTILE_FORM_POSTS.items():
                client.force_login(world["me"])
                response = client.post(action, {**fields, field: value})
                no_5xx(response, (url, action, field, label))


def test_the_form_finder_sees_the_forms_of_a_page(world, client):
    client.force_login(world["me"])
    page = client.get(f"/posts/{world['ids']['posts']}/")
    actions = {action for action, _fields in forms_of("/", page.content.decode())}
    assert f"/posts/{world['ids']['posts']}/comments/" in actions
