"""Issue 13, hole 7: no limit on guessing passwords or on flooding. Each test performs the attack
over HTTP with the limits as configured (marker `real_limits`) and checks the refusal and that
nothing changed (no session, no e-mail, no post)."""

import base64
from datetime import timedelta

import pytest
from axes.models import AccessFailureLog
from django.core import mail
from django.db.models import F
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from communities.models import Comment, Community, Post, Reaction
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.real_limits]
PASSWORD = "pass-word-123"


def login(client, email, password, **extra):
    return client.post(reverse("login"), {"username": email, "password": password}, **extra)


def signed_in(client) -> bool:
    return client.get("/").status_code == 200


def basic(email, password):
    return "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()


def test_thirty_wrong_passwords_then_the_right_one_does_not_log_in_on_the_login_page(client):
    victim = UserFactory()
    statuses = [login(client, victim.email, f"guess-{n}").status_code for n in range(30)]
    assert statuses[:5] == [200] * 5  # the form, with its error
    assert set(statuses[5:]) == {429}
    response = login(client, victim.email.upper(), PASSWORD)
    assert response.status_code == 429 and not signed_in(client)
    assert int(response["Retry-After"]) > 60  # the account's window: 15 minutes
    assert "Too many failed sign-in attempts" in response.content.decode()
    # The victim, elsewhere, is paused too (the account is the target), until the window passes.
    assert login(Client(REMOTE_ADDR="10.9.9.9"), victim.email, PASSWORD).status_code == 429
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - timedelta(minutes=16))
    elsewhere = Client(REMOTE_ADDR="10.9.9.9")
    assert login(elsewhere, victim.email, PASSWORD).status_code == 302 and signed_in(elsewhere)


def test_the_admin_login_is_under_the_same_limit(client):
    admin = UserFactory(is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for n in range(30):
        client.post(url, {"username": admin.email, "password": f"guess-{n}", "next": "/admin/"})
    response = client.post(url, {"username": admin.email, "password": PASSWORD, "next": "/admin/"})
    assert response.status_code == 429
    assert client.get("/admin/").status_code == 302  # still sent to the login page


def test_one_address_may_not_spray_many_accounts_and_a_forged_forwarded_for_changes_nothing(client):
    people = [UserFactory() for _ in range(7)]
    for n, person in enumerate(people[:5]):
        response = login(client, person.email, "guess", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
        assert response.status_code == 200
    # The sixth account is untouched, yet this client is paused: 5 failures from its IP this minute.
    response = login(client, people[5].email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.7")
    assert response.status_code == 429 and not signed_in(client)
    assert 0 < int(response["Retry-After"]) <= 60
    # A minute later the address may try again; the accounts themselves were not locked.
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - timedelta(seconds=61))
    assert login(client, people[6].email, PASSWORD).status_code == 302


def test_behind_a_trusted_proxy_each_client_counts_alone_and_what_it_writes_itself_is_ignored(settings):
    settings.RSE_TRUSTED_PROXIES = ["10.0.0.0/24"]
    proxy = Client(REMOTE_ADDR="10.0.0.2")
    people = [UserFactory() for _ in range(6)]
    for n, person in enumerate(people[:5]):
        # The attacker writes a new address each time; the proxy appends the one it saw.
        login(proxy, person.email, "guess", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 198.51.100.66")
    assert set(AccessFailureLog.objects.values_list("ip_address", flat=True)) == {"198.51.100.66"}
    refused = login(proxy, people[5].email, PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 198.51.100.66")
    assert refused.status_code == 429
    # Another client behind the same proxy is not paused by the attacker's failures.
    colleague = Client(REMOTE_ADDR="10.0.0.2")
    assert login(colleague, people[5].email, PASSWORD, HTTP_X_FORWARDED_FOR="198.51.100.20").status_code == 302


def test_twenty_password_resets_for_one_address_send_three_emails_and_look_the_same(client):
    person = UserFactory()
    url = reverse("password_reset")
    responses = [client.post(url, {"email": person.email}) for _ in range(20)]
    assert {r.status_code for r in responses} == {302}
    assert {r["Location"] for r in responses} == {reverse("password_reset_done")}
    assert len(mail.outbox) == 3 and {m.to[0] for m in mail.outbox} == {person.email}
    other = UserFactory()
    client.post(url, {"email": other.email.upper()})
    assert len(mail.outbox) == 4  # the budget is per address


@pytest.fixture
def community(user):
    c = CommunityFactory(visibility=Community.Visibility.OPEN)
    member(c, user)
    return c


def test_posting_beyond_the_hourly_budget_is_refused_on_the_api_and_on_the_pages(settings, user, community, client):
    api = APIClient()
    api.force_authenticate(user)
    url = f"/api/v1/communities/{community.slug}/posts/"
    limit = int(settings.RSE_RATE_LIMITS["post"].split("/")[0])
    for n in range(limit - 1):
        assert api.post(url, {"title": f"P{n}", "body_md": "b"}, format="json").status_code == 201
    assert api.get(url).status_code == 200  # reading is never counted
    client.force_login(user)
    page = reverse("post_create", args=[community.slug])
    assert client.post(page, {"kind": "discussion", "title": "Last", "body_md": "b"}).status_code == 302
    refused = api.post(url, {"title": "Flood", "body_md": "b"}, format="json")
    assert refused.status_code == 429 and int(refused["Retry-After"]) > 0
    assert "too often" in refused.json()["detail"]
    page_refused = client.post(page, {"kind": "discussion", "title": "Flood", "body_md": "b"})
    assert page_refused.status_code == 429 and int(page_refused["Retry-After"]) > 0
    assert "You are doing this too often" in page_refused.content.decode()
    assert Post.objects.filter(community=community).count() == limit
    # Another person's budget is their own.
    other = member(community)
    api.force_authenticate(other)
    assert api.post(url, {"title": "Mine", "body_md": "b"}, format="json").status_code == 201


def test_an_empty_rate_switches_that_limit_off(settings, user, community):
    settings.RSE_RATE_LIMITS = {**settings.RSE_RATE_LIMITS, "post": "", "comment": "1/hour"}  # RATE_LIMITS="post="
    api = APIClient()
    api.force_authenticate(user)
    url = f"/api/v1/communities/{community.slug}/posts/"
    limit = int(settings.RSE_RATE_LIMITS["comment"].split("/")[0])
    assert [api.post(url, {"title": f"P{n}", "body_md": "b"}, format="json").status_code for n in range(3)] == [201] * 3
    post_id = Post.objects.filter(community=community).first().pk
    statuses = [
        api.post(f"/api/v1/posts/{post_id}/comments/", {"body_md": "c"}, format="json").status_code
        for _ in range(limit + 1)
    ]
    assert statuses == [201] * limit + [429]


def test_comments_reactions_and_invitations_have_budgets_too(settings, user, community, client):
    settings.RSE_RATE_LIMITS = {**settings.RSE_RATE_LIMITS, "comment": "2/hour", "reaction": "2/hour"}
    settings.RSE_RATE_LIMITS["invite"] = "1/hour"
    post = Post.objects.create(community=community, author=user, title="T", body_md="b", body_html="b")
    client.force_login(user)
    api = APIClient()
    api.force_authenticate(user)
    assert api.post(f"/api/v1/posts/{post.pk}/comments/", {"body_md": "one"}, format="json").status_code == 201
    assert client.post(reverse("comment_create", args=[post.pk]), {"body_md": "two"}).status_code == 302
    assert client.post(reverse("comment_create", args=[post.pk]), {"body_md": "three"}).status_code == 429
    assert api.post(f"/api/v1/posts/{post.pk}/comments/", {"body_md": "four"}, format="json").status_code == 429
    assert Comment.objects.filter(post=post).count() == 2

    react = reverse("post_react", args=[post.pk])
    assert client.post(react, {"kind": "like"}, HTTP_HX_REQUEST="true").status_code == 200
    assert client.post(react, {"kind": "like"}, HTTP_HX_REQUEST="true").status_code == 200
    refused = client.post(react, {"kind": "thanks"}, HTTP_HX_REQUEST="true", HTTP_ACCEPT_LANGUAGE="fr")
    assert refused.status_code == 429 and refused["Retry-After"]
    assert "trop souvent" in refused.content.decode()  # the message alone, for rse.js to show
    assert not Reaction.objects.filter(post=post).exists()  # liked, unliked, then refused

    invitees = [UserFactory(), UserFactory()]
    invite = reverse("community_invite", args=[community.slug])
    client.post(invite, {"email": invitees[0].email})
    assert client.post(invite, {"email": invitees[1].email}).status_code == 429
    refused = api.post(f"/api/v1/communities/{community.slug}/invite/", {"email": invitees[1].email}, format="json")
    assert refused.status_code == 429
    assert not community.memberships.filter(user=invitees[1]).exists()


def test_sign_in_logs_are_purged_after_their_retention(client, settings):
    from axes.models import AccessLog

    from rse.accounts.tasks import purge_login_logs_task

    person = UserFactory()
    login(client, person.email, "guess")
    login(client, person.email, PASSWORD)
    assert AccessFailureLog.objects.count() == 1 and AccessLog.objects.count() == 1
    AccessFailureLog.objects.update(attempt_time=F("attempt_time") - timedelta(days=settings.RSE_LOGIN_LOG_DAYS + 1))
    assert purge_login_logs_task.delay().get() == 1
    assert not AccessFailureLog.objects.exists() and AccessLog.objects.count() == 1
