"""Issue 13, hole 8: a Content-Security-Policy and a Permissions-Policy on every page (the admin and
the API docs included, which must still work under them), and sessions that end when left idle."""

import re
import time

import pytest
from django.conf import settings
from django.contrib.sessions.backends.cached_db import SessionStore
from django.urls import reverse

from rse.accounts.middleware import LAST_ACTIVITY
from rse.accounts.sessions import signed_in_user
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def directives(response) -> dict:
    header = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in header.split(";") if part.strip()}


@pytest.fixture
def admin_client(client):
    client.force_login(UserFactory(is_staff=True, is_superuser=True))
    return client


@pytest.mark.parametrize(
    "url", ["/", "/people/", "/communities/", "/admin/", "/admin/accounts/user/", "/api/v1/docs/", "/api/v1/people/"]
)
def test_every_page_has_a_csp_without_inline_script_and_a_permissions_policy(admin_client, url):
    response = admin_client.get(url)
    assert response.status_code == 200, url
    policy = directives(response)
    assert policy["script-src"] == ["'self'"]  # no 'unsafe-inline', no 'unsafe-eval', no CDN
    assert policy["object-src"] == ["'none'"] and policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'self'"]
    assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    if response["Content-Type"].startswith("text/html"):
        # Nothing the policy would block: every <script> has a same-origin src, no on* handler.
        html = response.content.decode()
        for tag in re.findall(r"<script\b[^>]*>", html):
            assert re.search(r'\bsrc="/', tag) or 'type="application/json"' in tag, (url, tag)
        assert not re.search(r"\son[a-z]+=\"", html), url


def test_the_api_docs_load_their_start_up_script_from_a_url(admin_client):
    page = admin_client.get("/api/v1/docs/").content.decode()
    script = re.search(r'<script src="(/api/v1/docs/\?[^"]*script=[^"]*)"', page).group(1)
    response = admin_client.get(script.replace("&amp;", "&"))
    assert response.status_code == 200 and "SwaggerUIBundle" in response.content.decode()
    assert response["Content-Type"].startswith("application/javascript")


def test_a_websocket_on_a_port_of_its_own_is_allowed_for_the_host_the_browser_used(logged_client, settings):
    settings.WEBSOCKET_PORT = "8001"
    policy = directives(logged_client.get("/", HTTP_HOST="127.0.0.1:8000"))
    assert policy["connect-src"] == ["'self'", "ws://127.0.0.1:8001", "wss://127.0.0.1:8001"]


# --- idle sessions --------------------------------------------------------------------------


def sign_in(client, user):
    response = client.post(reverse("login"), {"username": user.email, "password": "pass-word-123"})
    assert response.status_code == 302
    assert client.get("/").status_code == 200
    return SessionStore(client.cookies[settings.SESSION_COOKIE_NAME].value)


def idle_for(store, seconds):
    store[LAST_ACTIVITY] = int(time.time()) - seconds
    store.save()


def test_a_session_left_idle_for_eight_hours_is_signed_out(client):
    user = UserFactory()
    store = sign_in(client, user)
    assert signed_in_user(store.session_key, user.pk) == user
    idle_for(store, 8 * 3600 + 5)
    # An open tab's websocket, which makes no request, is closed at its next check.
    assert signed_in_user(store.session_key, user.pk) is None
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert not SessionStore().exists(store.session_key)  # gone from the store, for websockets too
    assert client.get("/api/v1/people/").status_code == 401  # signed out: the API names the Bearer scheme


def test_activity_keeps_a_session_and_does_not_extend_its_absolute_expiry(client, settings):
    user = UserFactory()
    store = sign_in(client, user)
    expiry = SessionStore(store.session_key).get_expiry_date()
    idle_for(store, 7 * 3600)
    assert client.get("/").status_code == 200
    stamped = SessionStore(store.session_key)
    assert time.time() - stamped[LAST_ACTIVITY] < 60  # activity is recorded again
    assert abs((stamped.get_expiry_date() - expiry).total_seconds()) < 5  # still 14 days from sign-in
    settings.RSE_SESSION_IDLE_TIMEOUT = 60
    idle_for(stamped, 61)
    assert client.get("/").status_code == 302  # the limit is a setting
