"""The access matrix, continued (issue 13): restricted business items referenced from posts, and
people who lose access.

Every door is walked over HTTP: the post and comment API, feeds, search (page and API, as an
existence test too), notifications (page, API, e-mails). A restricted item's name and slug reach
only the people it is shared with, and nobody learns from search that a post mentions it; a
person removed from a community, deactivated or logged out reads nothing more of it.
"""

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.urls import reverse
from rest_framework.test import APIClient

from communities import services
from communities.models import Community, Membership, NotificationKind, Post
from communities.notifications import tasks
from communities.tests.factories import CommunityFactory, member
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
V = Community.Visibility
NAME, SLUG = "Project Orion (acquisition)", "project-orion-acquisition"
LEAKS = ("orion", "acquisition")


def _no_leak(text, where):
    for word in LEAKS:
        assert word not in text.lower(), f"{word!r} leaks through {where}"


@pytest.fixture
def orion(db):
    kind = ItemType.objects.create(name="Project", slug="project")
    item = Item.objects.create(
        item_type=kind, name=NAME, normalized_name="project orion (acquisition)", slug=SLUG, external_id="PRJ-2026-999"
    )
    board = Group.objects.create(name="Board")
    item.restricted_to.add(board)
    return item, board


@pytest.fixture
def world(orion):
    """An insider (in the item's group) writes about it in an open community, where an outsider
    (not in the group) reads everything else, and is mentioned."""
    item, board = orion
    lobby = CommunityFactory(name="Lobby", slug="lobby", visibility=V.OPEN)
    insider = member(lobby, UserFactory(first_name="Iris", last_name="Insider"), role=Membership.Role.OWNER)
    insider.groups.add(board)
    outsider = member(lobby, UserFactory(first_name="Otto", last_name="Outsider"))
    handle = outsider.email.split("@")[0]
    post = services.do_create_post(insider, lobby, body_md=f"Kickoff for [[{SLUG}]] next week, @{handle} hosts.")
    titled = services.do_create_post(insider, lobby, title="Weekly notes", body_md=f"Status of [[{SLUG}]]: green.")
    comment = services.do_create_comment(insider, titled, body_md=f"[[{SLUG}]] budget approved")
    assert list(post.items.all()) == [item]  # linked: the insider may see it
    return {"item": item, "lobby": lobby, "insider": insider, "outsider": outsider, "post": post,
            "titled": titled, "comment": comment}  # fmt: skip


def _api(user):
    api = APIClient()
    api.force_authenticate(user)
    return api


def test_the_post_and_comment_api_serve_the_markdown_only_to_its_author(world):
    post, titled, comment = world["post"], world["titled"], world["comment"]
    outsider = _api(world["outsider"])
    for url in (
        f"/api/v1/posts/{post.pk}/",
        f"/api/v1/posts/{titled.pk}/",
        f"/api/v1/posts/{titled.pk}/comments/",
        "/api/v1/communities/lobby/posts/",
        "/api/v1/feeds/home/",
        f"/api/v1/comments/{comment.pk}/reactions/",
    ):
        response = outsider.post(url, {"kind": "like"}, format="json") if "reactions" in url else outsider.get(url)
        assert response.status_code == 200, (url, response.status_code)
        _no_leak(response.content.decode(), url)
    data = outsider.get(f"/api/v1/posts/{post.pk}/").json()
    assert data["body_md"] is None and "restricted item" in data["body_html"]
    assert (
        data["title"] == ""
        and outsider.get(f"/api/v1/posts/{titled.pk}/comments/").json()["results"][0]["body_md"] is None
    )
    insider = _api(world["insider"])
    assert SLUG in insider.get(f"/api/v1/posts/{post.pk}/").json()["body_md"]  # the author edits what she typed
    assert SLUG in insider.get(f"/api/v1/posts/{titled.pk}/comments/").json()["results"][0]["body_md"]
    # Another member of the item's group reads it all on the item page, not through the markdown.
    colleague = member(world["lobby"], UserFactory())
    colleague.groups.add(Group.objects.get(name="Board"))
    assert _api(colleague).get(f"/api/v1/posts/{post.pk}/").json()["body_md"] is None


def test_pages_and_feeds_do_not_name_it(client, world):
    client.force_login(world["outsider"])
    for url in (
        reverse("home"),
        reverse("community_detail", args=["lobby"]),
        reverse("post_detail", args=[world["post"].pk]),
        reverse("post_detail", args=[world["titled"].pk]),
    ):
        _no_leak(client.get(url).content.decode(), url)


@pytest.mark.parametrize("who", ["outsider", "insider"])
def test_search_is_no_existence_test(client, world, who):
    """Searching the item's name finds what searching a word nobody wrote finds: nothing."""
    client.force_login(world[who])
    api = _api(world[who])
    for query in ("orion", "acquisition", SLUG):
        nothing = api.get("/api/v1/search/", {"q": "zzyzx"}).json()["results"]
        found = api.get("/api/v1/search/", {"q": query}).json()["results"]
        assert found["posts"] == nothing["posts"] == [] and found["comments"] == nothing["comments"] == []
        page = client.get(reverse("search"), {"q": query}).content.decode()
        assert f'href="{reverse("post_detail", args=[world["post"].pk])}"' not in page
    hits = api.get("/api/v1/search/", {"q": "kickoff"}).json()["results"]["posts"]
    assert [h["id"] for h in hits] == [world["post"].pk]
    _no_leak(str(hits), "a search snippet")
    assert "restricted item" in hits[0]["snippet"] or "restricted item" in hits[0]["title"]
    if who == "insider":  # the item itself, through the repository's own door
        assert [h["title"] for h in api.get("/api/v1/search/", {"q": "orion"}).json()["results"]["items"]] == [NAME]


def test_a_title_less_post_is_never_named_by_its_markdown(world):
    post = Post.objects.get(pk=world["post"].pk)
    assert str(post).startswith("Kickoff for restricted item next week")
    _no_leak(str(post), "Post.__str__")
    _no_leak(str(world["comment"]), "Comment.__str__")


def test_notifications_and_emails_do_not_name_it(client, world):
    outsider, insider = world["outsider"], world["insider"]
    # The mention of the outsider is e-mailed at once (the default for mentions).
    tasks.fan_out_notifications_task.delay(
        NotificationKind.MENTION, [outsider.pk], actor_id=insider.pk, post_id=world["post"].pk
    ).get()
    reply = services.do_create_comment(insider, world["post"], body_md=f"About [[{SLUG}]]: see you there.")
    tasks.fan_out_notifications_task.delay(
        NotificationKind.REPLY, [outsider.pk], actor_id=insider.pk, post_id=world["post"].pk, comment_id=reply.pk
    ).get()
    client.force_login(outsider)
    _no_leak(client.get(reverse("notifications:list")).content.decode(), "the notifications page")
    _no_leak(_api(outsider).get("/api/v1/notifications/").content.decode(), "the notifications API")
    assert mail.outbox
    for message in mail.outbox:
        _no_leak(message.subject + message.body + message.alternatives[0][0], "an e-mail")


def test_existing_rows_are_reindexed_by_the_migration(world):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("communities.migrations.0008_search_on_reader_text")
    Post.objects.filter(pk=world["post"].pk).update(body_text="")
    migration.fill(apps, None)
    assert Post.objects.get(pk=world["post"].pk).body_text.startswith("Kickoff for restricted item")


# --- People who lose access ------------------------------------------------------------------


@pytest.mark.parametrize("how", ["removed", "deactivated", "logged out"])
def test_people_who_lose_access_read_nothing_more(client, how):
    private = CommunityFactory(name="Harbour", slug="harbour", visibility=V.PRIVATE)
    owner = member(private, role=Membership.Role.OWNER)
    person = member(private, UserFactory(first_name="Paula", last_name="Gone"))
    post = services.do_create_post(owner, private, title="Harbour deal terms", body_md="Confidential terms.")
    client.force_login(person)
    api = APIClient()
    api.login(email=person.email, password="pass-word-123")
    assert client.get(reverse("post_detail", args=[post.pk])).status_code == 200
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code == 200
    if how == "removed":
        membership = Membership.objects.get(community=private, user=person)
        services.do_remove_member(owner, membership)
    elif how == "deactivated":
        from rse.accounts.services import do_deactivate_users

        do_deactivate_users([person.pk])
    else:
        client.post(reverse("logout"))
        api.post(reverse("logout"))
    page = client.get(reverse("post_detail", args=[post.pk]))
    assert page.status_code in (302, 404)
    assert "Harbour deal terms" not in page.content.decode()
    assert api.get(f"/api/v1/posts/{post.pk}/").status_code in (401, 403, 404)
    listing = api.get("/api/v1/communities/harbour/posts/")
    assert "Harbour deal terms" not in listing.content.decode()
    search = client.get(reverse("search"), {"q": "harbour"})
    assert "Harbour deal terms" not in search.content.decode()
    feed = client.get(reverse("home"))
    assert "Harbour deal terms" not in feed.content.decode()
