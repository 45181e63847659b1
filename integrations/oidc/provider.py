"""The identity provider's settings: each endpoint from its own environment variable, or else from
the provider's discovery document (OIDC_OP_DISCOVERY_URL, `…/.well-known/openid-configuration`),
fetched on first need and kept an hour per process."""

import threading
import time

import requests
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

DISCOVERED = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
    "OIDC_OP_ISSUER": "issuer",
}
KEEP_FOR = 3600
_lock = threading.Lock()
_documents: dict[str, tuple[float, dict]] = {}


def oidc_enabled() -> bool:
    return bool(getattr(settings, "OIDC_RP_CLIENT_ID", ""))


def discovery_document(url: str) -> dict:
    with _lock:
        cached = _documents.get(url)
        if cached and cached[0] > time.monotonic():
            return cached[1]
    response = requests.get(url, timeout=getattr(settings, "OIDC_TIMEOUT", 10))
    response.raise_for_status()
    document = response.json()
    with _lock:
        _documents[url] = (time.monotonic() + KEEP_FOR, document)
    return document


def forget_discovery() -> None:
    with _lock:
        _documents.clear()


def provider_setting(name: str) -> str:
    value = getattr(settings, name, "")
    if value:
        return value
    if name in DISCOVERED and settings.OIDC_OP_DISCOVERY_URL:
        value = discovery_document(settings.OIDC_OP_DISCOVERY_URL).get(DISCOVERED[name], "")
        if value:
            return value
    if name == "OIDC_OP_ISSUER":
        return ""  # not checked when neither set nor discovered
    raise ImproperlyConfigured(f"{name} is not set and the provider's discovery document does not give it.")
