"""Issue 14, "Bad input": each of these answered 500 (on SQLite, PostgreSQL or both); now a 400
with a reason, and nothing is written. tests/test_hostile_input.py sends a wider table to every
endpoint; these pin the reported cases and their reasons."""

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.auth.models import Permission
from rest_framework.test import APIClient

from communities import services
from communities.models import Comment, Community, Membership, Post
from communities.tests.factories import CommunityFactory, member
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory
from rse.lib.parsers import MAX_JSON_DEPTH, json_depth

pytestmark = pytest.mark.django_db
NUL = "a\x00b"


def deep(levels: int) -> str:
    """{"a": [[[ … ]]]} with `levels` lists and objects: the JSON a fuzzer sends."""
    return '{"a":' + "[" * (levels - 1) + "]" * (levels - 1) + "}"


@pytest.fixture
def world(user):
    community = CommunityFactory(slug="bench")
    member(community, user, role=Membership.Role.OWNER)
    member(CommunityFactory(slug="elsewhere"), user)
    post = services.do_create_post(user, community, kind="question", title="Q", body_md="Why?")
    comment = services.do_create_comment(user, post, body_md="Because")
    ItemType.objects.create(name="Customer", slug="customer")
    user.user_permissions.add(Permission.objects.get(codename="change_item"))
    client = APIClient()
    client.force_authenticate(user)
    return {"community": community, "post": post, "comment": comment, "api": client, "user": user}


def counts():
    return (Community.objects.count(), Post.objects.count(), Comment.objects.count(), Membership.objects.count(),
            Item.objects.count())  # fmt: skip


def json_endpoints(world):
    post, comment = world["post"].pk, world["comment"].pk
    return [
        ("post", "/api/v1/communities/"),
        ("patch", "/api/v1/communities/bench/"),
        ("post", "/api/v1/communities/bench/posts/"),
        ("post", "/api/v1/communities/bench/invite/"),
        ("patch", f"/api/v1/posts/{post}/"),
        ("post", f"/api/v1/posts/{post}/comments/"),
        ("post", f"/api/v1/posts/{post}/reactions/"),
        ("post", f"/api/v1/posts/{post}/vote/"),
        ("post", f"/api/v1/posts/{post}/share/"),
        ("post", f"/api/v1/posts/{post}/accept/"),
        ("patch", f"/api/v1/comments/{comment}/"),
        ("put", "/api/v1/notifications/preferences/"),
        ("post", "/api/v1/notifications/mutes/"),
        ("post", "/api/v1/contacts/"),
        ("put", "/api/v1/repository/items/customer/ACME-1"),
        ("post", "/api/v1/communities/bench/scheduled-posts/"),
        ("post", "/api/v1/communities/bench/prompts/"),
        ("post", "/api/v1/communities/bench/pulses/"),
        ("put", "/api/v1/digest/"),
        ("patch", "/api/v1/communities/bench/feeding-settings/"),
    ]


def test_json_nested_1100_deep_is_a_400_on_every_json_endpoint(world):
    before = counts()
    for method, url in json_endpoints(world):
        response = getattr(world["api"], method)(url, data=deep(1100), content_type="application/json")
        assert response.status_code == 400, (method, url, response.status_code)
        assert "nested too deeply" in json.dumps(response.json()), (method, url)
    assert counts() == before


def test_the_depth_limit_lets_ordinary_bodies_through_and_counts_without_recursion(world):
    assert json_depth(json.loads(deep(MAX_JSON_DEPTH))) == MAX_JSON_DEPTH
    assert json_depth(json.loads(deep(900))) == MAX_JSON_DEPTH + 1  # stops counting past the limit
    response = world["api"].post(
        "/api/v1/communities/bench/posts/", data=deep(MAX_JSON_DEPTH + 1), content_type="application/json"
    )
    assert response.status_code == 400 and "nested too deeply" in json.dumps(response.json())


@pytest.mark.parametrize("tags", [True, 3, 2.5, {"a": 1}])
def test_tags_that_are_not_text_or_a_list_are_a_400(world, tags):
    api = world["api"]
    created = api.post("/api/v1/communities/", {"name": "Tagged", "tags": tags}, format="json")
    assert created.status_code == 400 and "tags" in created.json()
    updated = api.patch("/api/v1/communities/bench/", {"tags": tags}, format="json")
    assert updated.status_code == 400 and "tags" in updated.json()
    assert not Community.objects.filter(name="Tagged").exists()
    assert not world["community"].tags.exists()


def test_tags_as_text_or_list_still_work(world):
    api = world["api"]
    created = api.post("/api/v1/communities/", {"name": "T2", "tags": ["Lean", "kaizen"]}, format="json")
    assert created.status_code == 201 and sorted(created.json()["tags"]) == ["Lean", "kaizen"]
    form = api.post("/api/v1/communities/", {"name": "T3", "tags": "Lean, kaizen"})  # multipart
    assert form.status_code == 201 and sorted(form.json()["tags"]) == ["Lean", "kaizen"]
    text = api.post("/api/v1/communities/", {"name": "T4", "tags": "Lean, kaizen; 5S"}, format="json")
    assert set(text.json()["tags"]) == {"5S", "kaizen", "Lean"}


@pytest.mark.parametrize("options", [True, 7, 1.5, {"a": "b"}, [["a"], ["b"]]])
def test_poll_options_that_are_not_texts_are_a_400(world, options):
    response = world["api"].post(
        "/api/v1/communities/bench/posts/", {"kind": "poll", "title": "Lunch?", "poll_options": options}, format="json"
    )
    assert response.status_code == 400 and "poll_options" in response.json()
    assert not Post.objects.filter(title="Lunch?").exists()


@pytest.mark.parametrize("field", ["poll_closes_at", "event_starts_at", "event_ends_at"])
@pytest.mark.parametrize("value", ["2026-02-30T10:00:00+01:00", "2026-13-45T99:99", "9999-12-31T23:59:59-14:00", 5])
def test_impossible_dates_are_a_400_naming_the_field(world, field, value):
    kind = "poll" if field.startswith("poll") else "event"
    body = {
        "kind": kind,
        "title": "When?",
        "poll_options": ["a", "b"],
        "event_starts_at": "2030-01-01T10:00",
        field: value,
    }
    response = world["api"].post("/api/v1/communities/bench/posts/", body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Post.objects.filter(title="When?").exists()


def test_a_date_without_an_offset_is_in_the_site_time_zone(world):
    body = {"kind": "event", "title": "Kick-off", "event_starts_at": "2030-01-01T10:00"}
    response = world["api"].post("/api/v1/communities/bench/posts/", body, format="json")
    assert response.status_code == 201
    paris = datetime(2030, 1, 1, 10, 0, tzinfo=ZoneInfo(settings.TIME_ZONE))
    assert Post.objects.get(title="Kick-off").event.starts_at == paris


@pytest.mark.parametrize(
    "email", [["a@b.c"], {"a": "b"}, True, 42, "x" * 60_000 + "@example.com"],
    ids=["list", "object", "boolean", "number", "60,000 characters"],
)  # fmt: skip
def test_an_invite_email_that_is_not_a_short_text_is_a_400(world, email):
    before = counts()
    response = world["api"].post("/api/v1/communities/bench/invite/", {"email": email}, format="json")
    assert response.status_code == 400 and "email" in response.json()
    assert counts() == before


def test_an_invite_by_email_still_works(world):
    colleague = UserFactory(email="ada@example.com")
    response = world["api"].post("/api/v1/communities/bench/invite/", {"email": "ADA@example.com"}, format="json")
    assert response.status_code == 201 and response.json()["user"]["id"] == colleague.pk


def nul_writes(world):
    post, comment = world["post"].pk, world["comment"].pk
    return [
        ("post", "/api/v1/communities/", {"name": NUL}, "name"),
        ("post", "/api/v1/communities/", {"name": "Fine", "description_md": NUL}, "description_md"),
        ("post", "/api/v1/communities/", {"name": "Fine", "tags": [NUL]}, "tags"),
        ("patch", "/api/v1/communities/bench/", {"name": NUL}, "name"),
        ("patch", "/api/v1/communities/bench/", {"description_md": NUL}, "description_md"),
        ("post", "/api/v1/communities/bench/posts/", {"title": NUL}, "title"),
        ("post", "/api/v1/communities/bench/posts/", {"title": "T", "body_md": NUL}, "body_md"),
        ("post", "/api/v1/communities/bench/posts/", {"kind": "poll", "title": "T", "poll_options": [NUL, "b"]},
         "poll_options"),
        ("post", "/api/v1/communities/bench/posts/",
         {"kind": "event", "title": "T", "event_starts_at": "2030-01-01T10:00", "event_place": NUL}, "event_place"),
        ("patch", f"/api/v1/posts/{post}/", {"title": NUL}, "title"),
        ("patch", f"/api/v1/posts/{post}/", {"body_md": NUL}, "body_md"),
        ("post", f"/api/v1/posts/{post}/comments/", {"body_md": NUL}, "body_md"),
        ("patch", f"/api/v1/comments/{comment}/", {"body_md": NUL}, "body_md"),
        ("post", f"/api/v1/posts/{post}/share/", {"community": NUL}, "community"),
        ("post", f"/api/v1/posts/{post}/share/", {"community": "elsewhere", "body_md": NUL}, "body_md"),
        ("post", "/api/v1/communities/bench/invite/", {"email": NUL}, "email"),
        ("put", "/api/v1/repository/items/customer/ACME-1", {"name": NUL}, "name"),
        ("put", "/api/v1/repository/items/customer/ACME-1", {"name": "Acme", "description": NUL}, "description"),
        ("put", "/api/v1/repository/items/customer/ACME-1", {"name": "Acme", "status": NUL}, "status"),
        ("put", "/api/v1/repository/items/customer/ACME-1", {"name": "Acme", "tags": [NUL]}, "tags"),
        ("put", "/api/v1/repository/items/customer/ACME-1", {"name": "Acme", "fields": {"x": NUL}}, "fields"),
    ]  # fmt: skip


def test_a_nul_character_in_any_text_field_is_a_400_naming_the_field(world):
    before = counts()
    title, body = world["post"].title, world["post"].body_md
    for method, url, body_data, field in nul_writes(world):
        response = getattr(world["api"], method)(url, body_data, format="json")
        assert response.status_code == 400, (method, url, body_data, response.status_code)
        assert field in response.json(), (method, url, response.json())
    assert counts() == before
    world["post"].refresh_from_db()
    world["community"].refresh_from_db()
    assert (world["post"].title, world["post"].body_md) == (title, body) and world["community"].name != NUL


API_LISTS = [
    "/api/v1/communities/", "/api/v1/search/", "/api/v1/people/", "/api/v1/experts/", "/api/v1/contacts/",
    "/api/v1/repository/items/", "/api/v1/org-units/", "/api/v1/notifications/",
]  # fmt: skip
PAGES = ["/communities/", "/search/", "/people/", "/people/experts/", "/people/contacts/", "/repository/",
         "/repository/autocomplete/", "/mentions/"]  # fmt: skip


@pytest.mark.parametrize("url", API_LISTS + PAGES)
def test_a_nul_character_in_the_query_is_a_400_with_a_reason(logged_client, url):
    response = logged_client.get(url, {"q": NUL})
    assert response.status_code == 400
    assert "NUL character" in response.content.decode()


def test_a_nul_character_in_the_address_is_a_400(world):
    response = world["api"].put("/api/v1/repository/items/customer/AC%00ME", {"name": "Acme"}, format="json")
    assert response.status_code == 400 and not Item.objects.exists()


# --- Found by tests/test_hostile_input.py --------------------------------------------------------


def test_a_lone_surrogate_in_a_json_body_is_a_400_not_an_unencodable_error_message(world):
    response = world["api"].put(
        "/api/v1/communities/bench/prompts/schedule/", data='{"kind": "a\\ud800b"}', content_type="application/json"
    )
    assert response.status_code == 400 and "surrogate" in response.json()["detail"]


@pytest.mark.parametrize("since", ["2026-13-45T99:99", "2026-02-30T10:00:00+01:00"])
def test_an_impossible_catch_up_date_is_a_400(world, since):
    response = world["api"].get("/api/v1/live/catch-up/", {"since": since, "community": world["community"].pk})
    assert response.status_code == 400 and "since" in response.json()


def test_a_catch_up_id_beyond_the_database_is_a_400(world):
    response = world["api"].get("/api/v1/live/catch-up/", {"community": str(2**70)})
    assert response.status_code == 400 and "community" in response.json()


@pytest.mark.parametrize("next_url", ["abc", "/x\x00y", "/ok\nLocation: https://evil.example/"])
def test_a_next_that_is_not_a_path_goes_to_the_default_page(world, client, next_url):
    client.force_login(world["user"])
    response = client.post("/people/welcome/dismiss/", {"next": next_url})
    assert response.status_code == 302 and response.url == "/people/"


# --- HTML forms: NUL is a form error, nothing written --------------------------------------------


def test_a_nul_character_in_a_page_form_is_a_form_error_and_writes_nothing(world, client):
    me = world["user"]
    me.is_superuser = True
    me.save(update_fields=["is_superuser"])
    client.force_login(me)
    post = world["post"].pk
    before = counts()
    forms = [
        ("/communities/new/", {"name": NUL, "visibility": "open"}),
        ("/c/bench/new/", {"kind": "discussion", "title": NUL, "body_md": "x"}),
        ("/c/bench/new/", {"kind": "discussion", "title": "T", "body_md": NUL}),
        (f"/posts/{post}/comments/", {"body_md": NUL}),
        (f"/posts/{post}/share/", {"community": "elsewhere", "body_md": NUL}),
        ("/c/bench/invite/", {"email": NUL}),
        ("/repository/new/customer/", {"name": NUL}),
        ("/people/contacts/new/", {"name": NUL}),
    ]
    for url, data in forms:
        page = client.post(url, data, follow=True)
        assert page.status_code == 200 and "Null characters are not allowed" in page.content.decode(), url
    assert counts() == before
