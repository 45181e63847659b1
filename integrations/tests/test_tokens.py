import base64
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from communities.models import Post
from communities.tests.factories import CommunityFactory, PostFactory, member
from integrations.tests.factories import admin_user, bearer, make_service_account, make_token
from integrations.tokens.models import ApiToken
from integrations.tokens.services import hash_token
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/tokens/"


def test_post_answers_the_token_once_and_stores_only_its_hash(logged_client, user):
    response = logged_client.post(
        TOKENS, {"name": "CRM", "scopes": ["read"], "expires_at": None}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    raw = response.json()["token"]
    assert raw.startswith("rse_") and len(raw) > 40
    token = ApiToken.objects.get(pk=response.json()["id"])
    assert token.token_hash == hash_token(raw) and raw not in str(token.__dict__)
    assert response.json()["prefix"] == raw[:12] == token.prefix
    listing = logged_client.get(TOKENS).json()["results"]
    assert [t["name"] for t in listing] == ["CRM"]
    assert "token" not in listing[0]


def test_bearer_token_lists_a_community_posts_and_creates_one(client, user):
    community = CommunityFactory(slug="crm")
    member(community, user)
    PostFactory(community=community, author=user, title="Existing")
    _token, raw = make_token(user, scopes=["read", "write"])
    url = reverse("api-community-posts", args=["crm"])
    listing = client.get(url, **bearer(raw))
    assert listing.status_code == 200
    assert [p["title"] for p in listing.json()["results"]] == ["Existing"]
    created = client.post(url, {"title": "From curl", "body_md": "Hi"}, content_type="application/json", **bearer(raw))
    assert created.status_code == 201, created.content
    assert Post.objects.get(title="From curl").author == user


def test_read_scope_only_reads(client, user):
    community = CommunityFactory(slug="ro")
    member(community, user)
    _token, raw = make_token(user, scopes=["read"])
    url = reverse("api-community-posts", args=["ro"])
    assert client.get(url, **bearer(raw)).status_code == 200
    refused = client.post(url, {"title": "No", "body_md": "No"}, content_type="application/json", **bearer(raw))
    assert refused.status_code == 403
    assert not Post.objects.filter(title="No").exists()


def test_write_scope_also_reads(client, user):
    _token, raw = make_token(user, scopes=["write"])
    assert client.get(TOKENS, **bearer(raw)).status_code == 200


def test_scim_scope_is_refused_outside_scim(client, user):
    _token, raw = make_token(user, scopes=["scim"])
    assert client.get(TOKENS, **bearer(raw)).status_code == 403


def test_a_revoked_token_is_refused_at_once(client, user):
    token, raw = make_token(user)
    assert client.get(TOKENS, **bearer(raw)).status_code == 200
    other_client = client.__class__()
    other_client.force_login(user)
    assert other_client.delete(f"{TOKENS}{token.pk}/").status_code == 204
    response = client.get(TOKENS, **bearer(raw))
    assert response.status_code == 401
    assert response["WWW-Authenticate"].startswith("Bearer")
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_a_token_can_revoke_itself(client, user):
    token, raw = make_token(user)
    assert client.delete(f"{TOKENS}{token.pk}/", **bearer(raw)).status_code == 204
    assert client.get(TOKENS, **bearer(raw)).status_code == 401


def test_expired_unknown_and_inactive_owner_tokens_are_refused(client, user):
    token, raw = make_token(user)
    ApiToken.objects.filter(pk=token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert client.get(TOKENS, **bearer(raw)).status_code == 401
    assert client.get(TOKENS, **bearer("rse_not-a-token")).status_code == 401
    assert client.get(TOKENS, HTTP_AUTHORIZATION="Bearer").status_code == 401
    _token2, raw2 = make_token(user)
    user.is_active = False
    user.save(update_fields=["is_active"])
    assert client.get(TOKENS, **bearer(raw2)).status_code == 401


def test_last_use_is_recorded_and_shown(client, user):
    token, raw = make_token(user, name="Nightly export")
    assert token.last_used_at is None
    client.get(TOKENS, **bearer(raw))
    token.refresh_from_db()
    assert token.last_used_at is not None
    client.force_login(user)
    page = client.get(reverse("tokens:mine")).content.decode()
    assert "Nightly export" in page and token.prefix in page and "never used" not in page


def test_only_administrators_grant_scim_or_create_service_tokens(logged_client, user):
    refused = logged_client.post(TOKENS, {"name": "x", "scopes": ["scim"]}, content_type="application/json")
    assert refused.status_code == 403
    account = make_service_account()
    refused = logged_client.post(
        TOKENS, {"name": "x", "scopes": ["read"], "service_account": account.pk}, content_type="application/json"
    )
    assert refused.status_code == 403
    assert not ApiToken.objects.exists()


def test_an_administrator_creates_a_service_token(client):
    admin = admin_user()
    account = make_service_account("Okta")
    client.force_login(admin)
    response = client.post(
        TOKENS, {"name": "SCIM", "scopes": ["scim"], "service_account": account.pk}, content_type="application/json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["service_account"] == account.pk
    assert ApiToken.objects.get().user == account.user
    assert [t["name"] for t in client.get(TOKENS).json()["results"]] == ["SCIM"]


def test_a_token_mints_no_token_with_more_scopes_than_its_own(client, user):
    _token, raw = make_token(user, scopes=["write"])
    refused = client.post(
        TOKENS, {"name": "more", "scopes": ["read", "write"]}, content_type="application/json", **bearer(raw)
    )
    assert refused.status_code == 403


def test_bad_input_is_a_400(logged_client):
    for body in (
        {"name": "", "scopes": ["read"]},
        {"name": "x", "scopes": []},
        {"name": "x", "scopes": ["admin"]},
        {"name": "x", "scopes": ["read"], "expires_at": "2001-01-01T00:00:00Z"},
        {"name": "x", "scopes": ["read"], "expires_at": "soon"},
    ):
        assert logged_client.post(TOKENS, body, content_type="application/json").status_code == 400, body


def test_nobody_revokes_someone_elses_token(logged_client):
    token, _raw = make_token(UserFactory())
    assert logged_client.delete(f"{TOKENS}{token.pk}/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_anonymous_gets_401_naming_the_bearer_scheme(client):
    response = client.get(TOKENS)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == 'Bearer realm="api"'


# --- HTTP Basic -----------------------------------------------------------------------------


def _basic(email, password="pass-word-123"):
    return {"HTTP_AUTHORIZATION": "Basic " + base64.b64encode(f"{email}:{password}".encode()).decode()}


def test_basic_is_off_by_default_even_with_the_right_password(client, user):
    assert client.get(TOKENS, **_basic(user.email)).status_code == 401


def test_basic_for_service_accounts_only(client, settings, user):
    settings.RSE_API_BASIC_AUTH = "service_accounts"
    account = make_service_account()
    account.user.set_password("connector-secret-42")
    account.user.save()
    assert client.get(TOKENS, **_basic(account.user.email, "connector-secret-42")).status_code == 200
    assert client.get(TOKENS, **_basic(user.email)).status_code == 401
    assert client.get(TOKENS, **_basic(account.user.email, "wrong")).status_code == 401


# --- Pages ----------------------------------------------------------------------------------


def test_profile_page_creates_shows_once_and_revokes(logged_client, user):
    url = reverse("tokens:mine")
    response = logged_client.post(url, {"name": "Intranet widget", "scopes": ["read"], "expires_on": ""})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=user)
    page = response.content.decode()
    raw = page.split('id="new-token" class="new-token" type="text" readonly value="')[1].split('"')[0]
    assert hash_token(raw) == token.token_hash
    assert raw not in logged_client.get(url).content.decode()
    response = logged_client.post(reverse("tokens:revoke", args=[token.pk]))
    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None


def test_profile_page_offers_no_scim_to_people(logged_client, user):
    response = logged_client.post(reverse("tokens:mine"), {"name": "x", "scopes": ["scim"]})
    assert response.status_code == 200
    assert not ApiToken.objects.exists()


def test_service_account_pages_are_for_administrators(client, logged_client):
    assert logged_client.get(reverse("tokens:service_accounts")).status_code == 403
    admin = admin_user()
    client.force_login(admin)
    response = client.post(reverse("tokens:service_accounts"), {"name": "Entra ID", "description": "SCIM"})
    assert response.status_code == 302
    page = client.post(response["Location"], {"name": "provisioning", "scopes": ["scim"], "expires_on": ""})
    assert page.status_code == 200 and 'id="new-token"' in page.content.decode()
    token = ApiToken.objects.get()
    assert token.user.service_account.name == "Entra ID" and token.scopes == ["scim"]
    assert not token.user.has_usable_password()


def test_api_guide_shows_curl_examples(client):
    page = client.get(reverse("integrations_api_guide")).content.decode()
    assert "Authorization: Bearer" in page and "curl" in page and "/api/v1/communities/my-community/posts/" in page


# --- A connector (moved from repository's test of HTTP Basic) -------------------------------


def test_a_crm_service_account_upserts_items_with_a_token_or_with_basic_when_allowed(client, settings):
    from django.contrib.auth.models import Permission

    from repository.models import Item
    from repository.tests.factories import ItemTypeFactory

    ItemTypeFactory(name="Project", slug="project")
    account = make_service_account("CRM")
    account.user.user_permissions.add(Permission.objects.get(codename="change_item"))
    _token, raw = make_token(account.user, scopes=["write"], service_account=account)
    url = reverse("api-repository-item-upsert", args=["project", "CRM-9"])
    response = client.put(url, {"name": "From the CRM"}, content_type="application/json", **bearer(raw))
    assert response.status_code == 201, response.content
    account.user.set_password("crm-secret-123")
    account.user.save()
    assert (
        client.put(
            url, {"name": "Basic"}, content_type="application/json", **_basic(account.user.email, "crm-secret-123")
        ).status_code
        == 401
    )
    settings.RSE_API_BASIC_AUTH = "service_accounts"
    response = client.put(
        url, {"name": "Basic"}, content_type="application/json", **_basic(account.user.email, "crm-secret-123")
    )
    assert response.status_code == 200
    bad = client.put(url, {"name": "X"}, content_type="application/json", **_basic(account.user.email, "wrong"))
    assert bad.status_code == 401
    assert Item.objects.get(external_id="CRM-9").name == "Basic"


def test_token_lists_have_a_fixed_number_of_queries(client, django_assert_num_queries, django_assert_max_num_queries):
    admin = admin_user()
    account = make_service_account()
    client.force_login(admin)
    make_token(admin)
    make_token(account.user, service_account=account)
    client.get(TOKENS)  # warm the session
    with django_assert_max_num_queries(3) as one:
        assert len(client.get(TOKENS).json()["results"]) == 2
    for n in range(5):
        make_token(admin, name=f"more {n}")
        make_token(account.user, service_account=account, name=f"svc {n}")
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(client.get(TOKENS).json()["results"]) == 12
    page = reverse("tokens:mine")
    client.get(page)
    with django_assert_max_num_queries(12) as html:
        client.get(page)
    make_token(admin, name="one more")
    with django_assert_num_queries(len(html.captured_queries)):
        client.get(page)
