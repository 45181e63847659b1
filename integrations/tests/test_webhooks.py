import base64
import hashlib
import hmac
import json
import time
from datetime import timedelta

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from communities.models import Community, Membership
from communities.services.comments import do_create_comment
from communities.services.communities import do_join_community
from communities.services.posts import do_create_post
from communities.tests.factories import CommunityFactory, member
from integrations.webhooks import network, services, signing
from integrations.webhooks.models import AllowedHost, Delivery, Endpoint
from rse.accounts.tests.factories import UserFactory
from rse.outbox.models import OutboxMessage

pytestmark = pytest.mark.django_db


def independent_verify(secret, headers, body, now=None):
    """Standard Webhooks verification written from the specification, sharing no code with RSE."""
    headers = {k.lower(): v for k, v in headers.items()}
    msg_id, ts = headers["webhook-id"], headers["webhook-timestamp"]
    assert abs((now or time.time()) - int(ts)) <= 300, "outside the 5-minute replay window"
    key = base64.b64decode(secret.split("_", 1)[1])
    mac = hmac.new(key, f"{msg_id}.{ts}.{body.decode()}".encode(), hashlib.sha256).digest()
    expected = "v1," + base64.b64encode(mac).decode()
    return any(hmac.compare_digest(expected, sig) for sig in headers["webhook-signature"].split(" "))


@pytest.fixture
def admin():
    return UserFactory(is_superuser=True, is_staff=True)


def _endpoint(user, url, events=("post.created",), community=None):
    return services.do_create_endpoint(user, url=url, events=list(events), community=community)


def test_a_new_post_is_delivered_signed_and_verified_independently(
    admin, local_server, django_capture_on_commit_callbacks
):
    endpoint = _endpoint(admin, local_server.url())
    community = CommunityFactory()
    author = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        post = do_create_post(author, community, title="Quarterly numbers", body_md="Up **12%**")
    assert len(local_server.requests) == 1
    request = local_server.requests[0]
    assert independent_verify(endpoint.secret, request["headers"], request["body"])
    assert request["headers"]["webhook-signature"].startswith("v1,")
    body = json.loads(request["body"])
    assert body["type"] == "post.created"
    assert body["data"]["id"] == post.pk and body["data"]["title"] == "Quarterly numbers"
    assert body["data"]["community"]["slug"] == community.slug
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED and delivery.last_status_code == 200
    assert delivery.message_id == request["headers"]["webhook-id"]
    # a tampered body no longer verifies, neither independently nor with our own verify()
    assert not independent_verify(endpoint.secret, request["headers"], request["body"] + b" ")
    with pytest.raises(signing.InvalidSignature):
        signing.verify(endpoint.secret, request["headers"], request["body"] + b" ")
    signing.verify(endpoint.secret, request["headers"], request["body"])


def test_an_old_timestamp_is_refused_by_verify(admin):
    secret = Endpoint(url="https://example.com").secret
    headers = signing.headers(secret, "msg_1", b"{}", timestamp=int(time.time()) - 301)
    with pytest.raises(signing.InvalidSignature):
        signing.verify(secret, headers, b"{}")


def test_retries_until_the_endpoint_answers(admin, local_server, django_capture_on_commit_callbacks):
    local_server.statuses = [500, 503, 204]
    _endpoint(admin, local_server.url())
    community = CommunityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        do_create_post(member(community), community, title="Hello", body_md="x")
    delivery = Delivery.objects.get()
    assert delivery.status == Delivery.Status.DELIVERED
    assert delivery.attempts == 3
    assert [(a.number, a.status_code) for a in delivery.attempt_log.all()] == [(1, 500), (2, 503), (3, 204)]
    assert all(a.response_ms is not None for a in delivery.attempt_log.all())
    # every attempt carried the same message id, each signed afresh
    ids = {r["headers"]["webhook-id"] for r in local_server.requests}
    assert ids == {delivery.message_id} and len(local_server.requests) == 3
    assert Endpoint.objects.get().failing_since is None


def test_an_attempt_runs_once_even_if_its_task_runs_twice(admin, local_server):
    endpoint = _endpoint(admin, local_server.url())
    delivery = Delivery.objects.create(endpoint=endpoint, message_id="msg_x", event_type="post.created", body="{}")
    services.attempt(delivery.pk, 1)
    services.attempt(delivery.pk, 1)
    assert len(local_server.requests) == 1


def test_nothing_is_queued_when_no_endpoint_listens(django_capture_on_commit_callbacks):
    community = CommunityFactory()
    do_create_post(member(community), community, title="Quiet", body_md="x")
    assert not OutboxMessage.objects.filter(task=services.DISPATCH).exists()


def test_private_community_events_reach_only_its_owners_and_administrators(
    admin, local_server, django_capture_on_commit_callbacks
):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    owner = member(private, role=Membership.Role.OWNER)
    former_owner = member(private, role=Membership.Role.OWNER)
    other = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    other_owner = member(other, role=Membership.Role.OWNER)
    site_wide = _endpoint(admin, local_server.url("/admin"))
    mine = _endpoint(owner, local_server.url("/owner"), community=private)
    stale = _endpoint(former_owner, local_server.url("/former"), community=private)
    _endpoint(other_owner, local_server.url("/other"), community=other)
    Membership.objects.filter(community=private, user=former_owner).update(role=Membership.Role.MEMBER)
    with django_capture_on_commit_callbacks(execute=True):
        do_create_post(owner, private, title="Secret plans", body_md="x")
    assert sorted(r["path"] for r in local_server.requests) == ["/admin", "/owner"]
    assert set(Delivery.objects.values_list("endpoint_id", flat=True)) == {site_wide.pk, mine.pk}
    assert not Delivery.objects.filter(endpoint=stale).exists()


def test_an_owner_registers_only_for_their_own_community(local_server):
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    animator = member(community, role=Membership.Role.ANIMATOR)
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        _endpoint(owner, local_server.url())  # site-wide: administrators only
    with pytest.raises(PermissionDenied):
        _endpoint(animator, local_server.url(), community=community)
    with pytest.raises(ValidationError):
        _endpoint(owner, local_server.url(), events=["item.updated"], community=community)
    assert _endpoint(owner, local_server.url(), community=community).community == community


def test_comments_members_and_items_are_delivered(admin, local_server, django_capture_on_commit_callbacks):
    from repository import services as repository
    from repository.tests.factories import ItemTypeFactory

    _endpoint(admin, local_server.url(), events=["comment.created", "member.joined", "item.created"])
    community = CommunityFactory()
    author = member(community)
    newcomer = UserFactory()
    post = do_create_post(author, community, title="Hi", body_md="x")
    with django_capture_on_commit_callbacks(execute=True):
        do_create_comment(author, post, body_md="First!")
        do_join_community(newcomer, community)
        item_type = ItemTypeFactory()
        repository.do_create_item(
            admin, item_type, repository.check_item_data(admin, item_type, {"fields": {}, "name": "ACME"})
        )
    types = [json.loads(r["body"])["type"] for r in local_server.requests]
    assert types == ["comment.created", "member.joined", "item.created"]
    joined = json.loads(local_server.requests[1]["body"])["data"]
    assert joined["member"]["id"] == newcomer.pk and joined["community"]["id"] == community.pk


def test_internal_addresses_are_refused_at_registration(admin):
    for url in ("https://127.0.0.1/hook", "https://10.1.2.3/", "https://169.254.169.254/latest", "https://localhost/x",
                "https://[::1]/", "http://example.com/plain-http"):  # fmt: skip
        with pytest.raises(ValidationError):
            _endpoint(admin, url)
    assert not Endpoint.objects.exists()
    assert network.is_public_address("93.184.216.34")
    assert not network.is_public_address("::ffff:192.168.1.1")


def test_a_host_allowed_by_an_administrator_is_accepted(admin, settings):
    settings.RSE_WEBHOOK_ALLOWED_HOSTS = []
    AllowedHost.objects.create(host="127.0.0.1", note="CI receiver")
    assert _endpoint(admin, "http://127.0.0.1:9/hook").pk


def test_internal_addresses_are_refused_again_at_delivery(admin, local_server, monkeypatch):
    """DNS rebinding: the name resolved to a public address at registration, to loopback now."""
    answer = {"address": "93.184.216.34"}

    def fake_getaddrinfo(host, port, *args, **kwargs):
        assert host == "hooks.example.com"
        return [(2, 1, 6, "", (answer["address"], port))]

    monkeypatch.setattr(network.socket, "getaddrinfo", fake_getaddrinfo)
    endpoint = _endpoint(admin, "https://hooks.example.com/in")
    answer["address"] = "127.0.0.1"
    delivery = Delivery.objects.create(endpoint=endpoint, message_id="msg_y", event_type="post.created", body="{}")
    services.attempt(delivery.pk, 1)
    attempt = delivery.attempt_log.get()
    assert attempt.status_code is None and "internal address" in attempt.error
    assert Delivery.objects.get(pk=delivery.pk).next_attempt_at is not None  # retried later, like any failure


def test_an_endpoint_failing_for_24_hours_is_disabled_and_its_owner_told(admin, local_server):
    local_server.statuses = [500]
    endpoint = _endpoint(admin, local_server.url())
    Endpoint.objects.filter(pk=endpoint.pk).update(failing_since=timezone.now() - timedelta(hours=24, minutes=1))
    delivery = Delivery.objects.create(endpoint=endpoint, message_id="msg_z", event_type="post.created", body="{}")
    services.attempt(delivery.pk, 1)
    endpoint.refresh_from_db()
    assert not endpoint.is_active and endpoint.disabled_at and endpoint.disabled_reason
    assert len(mail.outbox) == 1 and mail.outbox[0].to == [admin.email]
    assert endpoint.url in mail.outbox[0].subject
    # the next attempt of a pending delivery is not sent to a disabled endpoint
    services.attempt(delivery.pk, 2)
    assert len(local_server.requests) == 1
    assert Delivery.objects.get(pk=delivery.pk).status == Delivery.Status.FAILED


def test_a_delivery_gives_up_after_the_last_retry(admin, local_server, settings, django_capture_on_commit_callbacks):
    settings.RSE_WEBHOOK_RETRY_DELAYS = [1, 1]
    local_server.statuses = [500]
    endpoint = _endpoint(admin, local_server.url())
    with django_capture_on_commit_callbacks(execute=True):
        services.do_send_test(admin, endpoint)  # a test is tried once
    community = CommunityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        do_create_post(member(community), community, title="x", body_md="x")
    test, event = Delivery.objects.order_by("id")
    assert (test.status, test.attempts) == (Delivery.Status.FAILED, 1)
    assert (event.status, event.attempts) == (Delivery.Status.FAILED, 3)
    assert Endpoint.objects.get().is_active  # failing for seconds, not 24 hours


# --- API ------------------------------------------------------------------------------------


def test_api_registers_lists_tests_and_logs(admin, local_server, api_for, django_capture_on_commit_callbacks):
    api = api_for(admin)
    response = api.post("/api/v1/webhooks/", {"url": local_server.url(), "events": ["post.created"]}, format="json")
    assert response.status_code == 201, response.content
    created = response.json()
    assert created["secret"].startswith("whsec_") and created["community"] is None
    listed = api.get("/api/v1/webhooks/").json()
    assert [e["id"] for e in listed["results"]] == [created["id"]] and "secret" not in listed["results"][0]
    assert "post.created" in listed["events"]
    with django_capture_on_commit_callbacks(execute=True):
        response = api.post(f"/api/v1/webhooks/{created['id']}/test/")
    assert response.status_code == 202
    request = local_server.requests[0]
    assert json.loads(request["body"])["type"] == "webhook.test"
    assert independent_verify(created["secret"], request["headers"], request["body"])
    log = api.get(f"/api/v1/webhooks/{created['id']}/deliveries/").json()["results"]
    assert log[0]["status"] == "delivered" and log[0]["attempts"] == 1
    assert log[0]["attempt_log"][0]["status_code"] == 200


def test_api_refuses_what_the_rules_refuse(admin, local_server, api_for):
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    stranger = UserFactory()
    owner_api = api_for(owner)
    body = {"url": local_server.url(), "events": ["post.created"]}
    assert owner_api.post("/api/v1/webhooks/", body, format="json").status_code == 403
    response = owner_api.post("/api/v1/webhooks/", {**body, "community": community.slug}, format="json")
    assert response.status_code == 201
    assert (
        api_for(stranger).post("/api/v1/webhooks/", {**body, "community": community.slug}, format="json").status_code
        == 403
    )
    bad = api_for(admin).post(
        "/api/v1/webhooks/", {"url": "https://10.0.0.8/", "events": ["post.created"]}, format="json"
    )
    assert bad.status_code == 400 and "url" in bad.json()
    unknown = api_for(admin).post("/api/v1/webhooks/", {**body, "events": ["nope"]}, format="json")
    assert unknown.status_code == 400
    pk = response.json()["id"]
    assert api_for(stranger).get(f"/api/v1/webhooks/{pk}/deliveries/").status_code == 404
    assert api_for(stranger).post(f"/api/v1/webhooks/{pk}/test/").status_code == 404
    assert api_for(stranger).get("/api/v1/webhooks/").json()["results"] == []
    assert [e["id"] for e in owner_api.get("/api/v1/webhooks/").json()["results"]] == [pk]


# --- Pages ----------------------------------------------------------------------------------


def test_pages_for_administrators_and_community_owners(admin, local_server, client, django_capture_on_commit_callbacks):
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    client.force_login(owner)
    page = reverse("integrations:community_webhooks", args=[community.slug])
    assert client.get(reverse("community_detail", args=[community.slug])).content.decode().count(page) == 1
    response = client.post(page, {"url": local_server.url(), "events": ["post.created", "member.joined"]})
    endpoint = Endpoint.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "integrations:webhook_detail", args=[endpoint.pk]
    )
    assert endpoint.community == community and endpoint.created_by == owner
    detail = client.get(response["Location"]).content.decode()
    assert endpoint.secret in detail and "webhook-signature" in detail
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_action", args=[endpoint.pk, "test"]))
    assert "webhook.test" in client.get(response["Location"]).content.decode()
    client.post(reverse("integrations:webhook_action", args=[endpoint.pk, "disable"]))
    assert not Endpoint.objects.get().is_active
    # a member who owns nothing sees neither the page nor the endpoint
    client.force_login(member(community))
    assert client.get(page).status_code == 404
    assert client.get(reverse("integrations:webhook_detail", args=[endpoint.pk])).status_code == 404
    assert client.get(reverse("integrations:webhooks")).status_code == 404
    client.force_login(admin)
    assert local_server.url() in client.get(reverse("integrations:webhooks")).content.decode()


def test_an_owner_changes_an_endpoint_and_rotates_its_secret_in_the_page(
    local_server, client, django_capture_on_commit_callbacks
):
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    endpoint = _endpoint(owner, local_server.url(), community=community)
    old_secret = endpoint.secret
    client.force_login(owner)
    page = reverse("integrations:webhook_detail", args=[endpoint.pk])
    # bad input re-shows the form with its errors and changes nothing
    response = client.post(page, {"url": "https://10.0.0.8/hook", "events": ["post.created"]})
    assert response.status_code == 200 and "10.0.0.8" in response.content.decode()
    assert Endpoint.objects.get().url == local_server.url()
    response = client.post(page, {"url": "https://10.0.0.8/hook", "events": ["item.updated"]})
    assert response.status_code == 200 and Endpoint.objects.get().events == ["post.created"]
    new_url = local_server.url() + "?v=2"
    response = client.post(page, {"url": new_url, "events": ["comment.created"], "description": "CRM"})
    assert response.status_code == 302
    endpoint.refresh_from_db()
    assert (endpoint.url, endpoint.events, endpoint.description) == (new_url, ["comment.created"], "CRM")
    client.post(reverse("integrations:webhook_action", args=[endpoint.pk, "rotate"]))
    endpoint.refresh_from_db()
    assert endpoint.secret != old_secret and endpoint.secret.startswith("whsec_")
    assert endpoint.secret in client.get(page).content.decode()
    # the next delivery goes to the new address, signed with the new secret only
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("integrations:webhook_action", args=[endpoint.pk, "test"]))
    request = local_server.requests[-1]
    assert independent_verify(endpoint.secret, request["headers"], request["body"])
    assert not independent_verify(old_secret, request["headers"], request["body"])
    # someone who does not manage it can neither change it nor rotate its secret
    client.force_login(member(community))
    assert client.post(page, {"url": local_server.url(), "events": ["post.created"]}).status_code == 404
    assert client.post(reverse("integrations:webhook_action", args=[endpoint.pk, "rotate"])).status_code == 404
    assert Endpoint.objects.get().url == new_url


def test_api_changes_rotates_and_deletes_an_endpoint(admin, local_server, api_for):
    endpoint = _endpoint(admin, local_server.url())
    api = api_for(admin)
    url = f"/api/v1/webhooks/{endpoint.pk}/"
    assert api.get(url).json()["events"] == ["post.created"]
    changed = api.patch(url, {"events": ["post.created", "item.updated"]}, format="json")
    assert changed.status_code == 200 and changed.json()["events"] == ["item.updated", "post.created"]
    assert changed.json()["url"] == local_server.url() and "secret" not in changed.json()
    assert api.patch(url, {"url": "https://10.0.0.8/"}, format="json").status_code == 400
    assert api.patch(url, {"events": []}, format="json").status_code == 400
    assert api.patch(url, {"events": ["nope"]}, format="json").status_code == 400
    rotated = api.post(f"{url}rotate-secret/")
    assert rotated.status_code == 200 and rotated.json()["secret"] not in ("", endpoint.secret)
    stranger = api_for(UserFactory())
    assert stranger.patch(url, {"description": "x"}, format="json").status_code == 404
    assert stranger.post(f"{url}rotate-secret/").status_code == 404
    assert stranger.delete(url).status_code == 404
    assert api.delete(url).status_code == 204 and not Endpoint.objects.exists()


def test_the_pages_speak_french(admin, client):
    client.force_login(admin)
    admin.language = "fr"
    admin.save(update_fields=["language"])
    html = client.get(reverse("integrations:webhooks"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert "Enregistrer un point de réception" in html


def test_the_log_and_the_list_cost_the_same_for_one_and_many(admin, local_server, api_for, django_assert_num_queries):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    api = api_for(admin)
    endpoint = _endpoint(admin, local_server.url())
    community = CommunityFactory()
    owner = member(community, role=Membership.Role.OWNER)
    _endpoint(owner, local_server.url("/o"), community=community)

    def deliver(n):
        for i in range(n):
            delivery = Delivery.objects.create(
                endpoint=endpoint, message_id=f"msg_{n}_{i}", event_type="post.created", body="{}"
            )
            services.attempt(delivery.pk, 1)

    deliver(1)
    urls = ["/api/v1/webhooks/", f"/api/v1/webhooks/{endpoint.pk}/deliveries/"]
    pages = [reverse("integrations:webhooks"), reverse("integrations:webhook_detail", args=[endpoint.pk])]
    client = api
    client.force_login(admin)  # the HTML pages use the session
    counts = []
    for url in urls + pages:
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url).status_code == 200
        counts.append(len(ctx.captured_queries))
    deliver(4)
    for i in range(3):
        _endpoint(admin, local_server.url(f"/more{i}"))
    for url, count in zip(urls + pages, counts, strict=True):
        with django_assert_num_queries(count):
            client.get(url)
    assert len(api.get(urls[1]).json()["results"]) == 5
    slugs = {e["community"] for e in api.get(urls[0]).json()["results"]}
    assert slugs == {None, community.slug}


def test_the_request_that_causes_an_event_only_writes_an_outbox_row(admin, local_server, api_for):
    """No HTTP in the request: the delivery is queued (transactional outbox) for after the commit."""
    _endpoint(admin, local_server.url())
    community = CommunityFactory()
    author = member(community)
    response = api_for(author).post(
        f"/api/v1/communities/{community.slug}/posts/", {"title": "Hi", "body_md": "x"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert local_server.requests == [] and not Delivery.objects.exists()
    message = OutboxMessage.objects.get(task=services.DISPATCH)
    assert message.args[0] == "communities.post_created" and message.args[2].startswith("msg_")


def test_old_finished_deliveries_are_purged(admin, local_server):
    from integrations.webhooks.tasks import purge_old_webhook_deliveries

    endpoint = _endpoint(admin, local_server.url())
    old = timezone.now() - timedelta(days=31)
    for status in (Delivery.Status.DELIVERED, Delivery.Status.FAILED, Delivery.Status.PENDING):
        Delivery.objects.create(endpoint=endpoint, message_id=f"old_{status}", event_type="x", body="{}",
                                status=status, created_at=old)  # fmt: skip
    Delivery.objects.create(endpoint=endpoint, message_id="new", event_type="x", body="{}", status="delivered")
    purge_old_webhook_deliveries()
    assert sorted(Delivery.objects.values_list("message_id", flat=True)) == ["new", "old_pending"]


def test_bad_api_input_is_a_400_never_a_500(admin, api_for):
    api = api_for(admin)
    for body in (
        {"url": "not a url", "events": ["post.created"]},
        {"url": "https://example.com/" + "x" * 600, "events": ["post.created"]},
        {"url": "https://example.com/", "events": "post.created"},
        {"url": "https://example.com/", "events": []},
        {"url": "https://example.com/\x00", "events": ["post.created"]},
        {"events": ["post.created"]},
        [],
    ):
        assert api.post("/api/v1/webhooks/", body, format="json").status_code == 400, body
    missing = {"url": "https://example.com/", "events": ["post.created"], "community": "no-such-community"}
    assert api.post("/api/v1/webhooks/", missing, format="json").status_code == 404
    assert api.get("/api/v1/webhooks/999999/deliveries/").status_code == 404


def test_a_retry_never_reaches_an_owner_who_lost_the_community(local_server, django_capture_on_commit_callbacks):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    owner = member(private, role=Membership.Role.OWNER)
    _endpoint(owner, local_server.url(), community=private)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        do_create_post(owner, private, title="Plans", body_md="x")
    for callback in callbacks:  # the dispatch: the delivery is written, its attempt not made yet
        callback()
    delivery = Delivery.objects.get()
    assert delivery.community_id == private.pk and delivery.attempts == 0
    Membership.objects.filter(community=private, user=owner).update(role=Membership.Role.MEMBER)
    services.attempt(delivery.pk, 1)
    assert local_server.requests == []
    delivery.refresh_from_db()
    assert delivery.status == Delivery.Status.FAILED
    assert "no longer" in delivery.attempt_log.get().error


def test_an_hr_export_that_is_ready_is_announced_to_site_wide_endpoints_only(
    admin, local_server, django_capture_on_commit_callbacks
):
    from engagement import exports

    _endpoint(admin, local_server.url(), events=["export.ready"])
    community = CommunityFactory()
    _endpoint(member(community, role=Membership.Role.OWNER), local_server.url(), community=community)
    until = timezone.localdate()
    export = exports.do_request_export(
        admin, since=until - timedelta(days=60), until=until, granularity="month", group_by="org_unit",
        format="csv", submit=False,
    )  # fmt: skip
    with django_capture_on_commit_callbacks(execute=True):
        assert exports.run_export(export.pk) is not None
    assert [json.loads(r["body"])["type"] for r in local_server.requests] == ["export.ready"]
    data = json.loads(local_server.requests[0]["body"])["data"]
    assert data["id"] == export.pk and data["format"] == "csv" and data["url"].endswith(f"/{export.pk}/")
    assert b"headcount" not in local_server.requests[0]["body"]  # never the figures themselves
