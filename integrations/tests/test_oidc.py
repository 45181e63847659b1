"""OpenID Connect sign-in against a fake provider served by the test on 127.0.0.1: discovery
document, JWKS, token endpoint answering an RS256-signed ID token, userinfo."""

import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa
from django.contrib.auth import SESSION_KEY

from integrations.oidc.provider import forget_discovery
from integrations.tests.factories import make_service_account
from rse.accounts.models import User
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
CLIENT_ID = "rse-test"


class FakeProvider:
    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "test-key"
        self.codes = {}  # code → {"nonce", "claims"}
        self.tokens = {}  # access token → claims
        self.token_requests = []
        self.id_token_overrides = {}
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self.issuer = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)

    def _handler(self):
        provider = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _json(self, body, status=200):
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                path = urlparse(self.path).path
                if path == "/.well-known/openid-configuration":
                    return self._json(provider.discovery())
                if path == "/jwks":
                    return self._json(provider.jwks())
                if path == "/userinfo":
                    token = self.headers.get("Authorization", "").removeprefix("Bearer ")
                    if token not in provider.tokens:
                        return self._json({"error": "invalid_token"}, 401)
                    return self._json(provider.tokens[token])
                return self._json({"error": "not_found"}, 404)

            def do_POST(self):
                length = int(self.headers.get("Content-Length", 0))
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                provider.token_requests.append(form)
                grant = provider.codes.pop(form.get("code"), None)
                if urlparse(self.path).path != "/token" or grant is None or form.get("client_id") != CLIENT_ID:
                    return self._json({"error": "invalid_grant"}, 400)
                access = secrets.token_urlsafe(16)
                provider.tokens[access] = grant["claims"]
                return self._json(
                    {"access_token": access, "token_type": "Bearer", "id_token": provider.id_token(grant)}
                )

        return Handler

    def discovery(self):
        return {
            "issuer": self.issuer,
            "authorization_endpoint": f"{self.issuer}/authorize",
            "token_endpoint": f"{self.issuer}/token",
            "userinfo_endpoint": f"{self.issuer}/userinfo",
            "jwks_uri": f"{self.issuer}/jwks",
            "id_token_signing_alg_values_supported": ["RS256"],
        }

    def jwks(self):
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "alg": "RS256", "use": "sig"}]}

    def id_token(self, grant):
        now = int(time.time())
        claims = {
            "iss": self.issuer,
            "sub": grant["claims"]["sub"],
            "aud": CLIENT_ID,
            "iat": now,
            "exp": now + 300,
            "nonce": grant["nonce"],
            "email": grant["claims"].get("email"),
            **self.id_token_overrides,
        }
        return jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})

    def start(self):
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def provider(settings):
    fake = FakeProvider()
    fake.start()
    forget_discovery()
    settings.OIDC_RP_CLIENT_ID = CLIENT_ID
    settings.OIDC_RP_CLIENT_SECRET = "s3cret"
    settings.OIDC_OP_DISCOVERY_URL = f"{fake.issuer}/.well-known/openid-configuration"
    settings.OIDC_PROVIDER_NAME = "Contoso"
    yield fake
    fake.stop()
    forget_discovery()


def sign_in(client, provider, claims, next_url="/people/"):
    """The browser's round trip: our redirect to the provider, the provider's back with a code."""
    start = client.get("/oidc/authenticate/", {"next": next_url})
    assert start.status_code == 302
    location = urlparse(start["Location"])
    assert f"{location.scheme}://{location.netloc}{location.path}" == f"{provider.issuer}/authorize"
    query = {k: v[0] for k, v in parse_qs(location.query).items()}
    assert query["client_id"] == CLIENT_ID and query["code_challenge_method"] == "S256"
    code = secrets.token_urlsafe(8)
    provider.codes[code] = {"nonce": query["nonce"], "claims": {"sub": "abc-123", **claims}}
    return client.get("/oidc/callback/", {"code": code, "state": query["state"]})


def test_a_known_person_signs_in_by_verified_email(client, provider):
    person = UserFactory(email="marie.curie@example.com")
    response = sign_in(client, provider, {"email": "Marie.Curie@example.com", "email_verified": True})
    assert response.status_code == 302 and response["Location"] == "/people/"
    assert int(client.session[SESSION_KEY]) == person.pk
    assert client.get("/people/me/").status_code == 302  # signed in: sent on to the profile
    # The token request carried the PKCE verifier and our client id
    assert provider.token_requests[-1]["code_verifier"] and provider.token_requests[-1]["client_id"] == CLIENT_ID


def test_an_unverified_email_matches_nobody(client, provider):
    UserFactory(email="marie.curie@example.com")
    response = sign_in(client, provider, {"email": "marie.curie@example.com", "email_verified": False})
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert SESSION_KEY not in client.session
    page = client.get(response["Location"]).content.decode()
    assert "Single sign-on did not let you in" in page


def test_unknown_people_are_created_only_when_allowed(client, provider, settings):
    claims = {"email": "new.person@example.com", "email_verified": True, "given_name": "New", "family_name": "Person"}
    settings.OIDC_CREATE_USER = False
    assert sign_in(client, provider, claims)["Location"] == "/accounts/login/?sso=failed"
    assert not User.objects.filter(email="new.person@example.com").exists()
    settings.OIDC_CREATE_USER = True
    assert sign_in(client, provider, claims)["Location"] == "/people/"
    user = User.objects.get(email="new.person@example.com")
    assert (user.first_name, user.last_name, user.has_usable_password()) == ("New", "Person", False)
    assert user.profile is not None


def test_inactive_people_and_service_accounts_do_not_sign_in(client, provider):
    UserFactory(email="left@example.com", is_active=False)
    account = make_service_account("Robot")
    for email in ("left@example.com", account.user.email):
        response = sign_in(client, provider, {"email": email, "email_verified": True})
        assert response["Location"] == "/accounts/login/?sso=failed"
        assert SESSION_KEY not in client.session


@pytest.mark.parametrize(
    "override",
    [{"aud": "someone-else"}, {"iss": "http://evil.example"}, {"exp": int(time.time()) - 3600}],
    ids=["audience", "issuer", "expired"],
)
def test_id_tokens_for_another_client_issuer_or_time_are_refused(client, provider, override):
    UserFactory(email="marie.curie@example.com")
    provider.id_token_overrides = override
    response = sign_in(client, provider, {"email": "marie.curie@example.com", "email_verified": True})
    assert response["Location"] == "/accounts/login/?sso=failed"
    assert SESSION_KEY not in client.session


def test_an_id_token_signed_by_another_key_is_refused(client, provider):
    UserFactory(email="marie.curie@example.com")
    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    real_jwks = provider.jwks()
    provider.jwks = lambda: real_jwks  # the provider publishes one key, the token is signed by another
    provider.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    response = sign_in(client, provider, {"email": "marie.curie@example.com", "email_verified": True})
    assert response["Location"] == "/accounts/login/?sso=failed"


def test_login_page_offers_sso_and_password_login_can_be_switched_off(client, provider, settings):
    person = UserFactory(email="ada@example.com")
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Contoso" in page and 'name="password"' in page
    settings.RSE_PASSWORD_LOGIN = False
    page = client.get("/accounts/login/").content.decode()
    assert "Sign in with Contoso" in page and 'name="password"' not in page
    response = client.post("/accounts/login/", {"username": person.email, "password": "pass-word-123"})
    assert response.status_code == 200 and SESSION_KEY not in client.session
    assert sign_in(client, provider, {"email": "ada@example.com", "email_verified": True})["Location"] == "/people/"


def test_without_configuration_there_is_no_sso(client, settings):
    settings.OIDC_RP_CLIENT_ID = ""
    assert client.get("/oidc/authenticate/").status_code == 404
    assert "single sign-on" not in client.get("/accounts/login/").content.decode().lower()
