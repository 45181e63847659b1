"""Reaching webhook endpoints and external feeds without becoming a way into the internal network (SSRF).

An endpoint's host is resolved, and every address it resolves to must be public (not loopback,
private, link-local, shared, reserved or multicast), at registration and again at each delivery;
the delivery then connects to the address that was checked (TLS still verifies the host name), so
a DNS answer that changes between the check and the connection (rebinding) cannot redirect it.
A host that an administrator allowed explicitly (setting RSE_WEBHOOK_ALLOWED_HOSTS, or the
"allowed hosts" admin page) skips the address check and may use plain HTTP: an intranet tool.
Redirects are never followed (a 3xx is a failed attempt).
"""

import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

import urllib3
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Target:
    scheme: str
    host: str
    port: int
    path: str
    address: str


@dataclass(frozen=True)
class Response:
    status: int
    ms: int
    excerpt: str


def is_allowed_host(host: str) -> bool:
    from integrations.webhooks.models import AllowedHost

    host = host.lower().rstrip(".")
    if host in {h.lower().rstrip(".") for h in settings.RSE_WEBHOOK_ALLOWED_HOSTS}:
        return True
    return AllowedHost.objects.filter(host=host).exists()


def is_public_address(address: str) -> bool:
    ip = ipaddress.ip_address(address.split("%", 1)[0])
    if ip.version == 6 and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return ip.is_global and not ip.is_multicast


def _resolve(host: str, port: int) -> list[str]:
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise ValidationError(_("The host %(host)s cannot be resolved.") % {"host": host}) from exc
    return list(dict.fromkeys(info[4][0] for info in infos))


def check_url(url: str, *, allow_http: bool = False) -> Target:
    """The checked target of `url`, or ValidationError saying why it is refused. `allow_http`:
    plain HTTP for any host (feeds read from the web); webhooks send over HTTPS only."""
    parts = urlsplit(url)
    host = (parts.hostname or "").lower().rstrip(".")
    if not host or parts.username or parts.password:
        raise ValidationError(_("Give a full URL, without a user name or password in it."))
    allowed = is_allowed_host(host)
    if parts.scheme not in ("http", "https"):
        raise ValidationError(_("Give an http or https URL."))
    if parts.scheme != "https" and not (allowed or allow_http):
        raise ValidationError(_("Webhook endpoints must use HTTPS."))
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ValidationError(_("The port of this URL is not valid.")) from exc
    addresses = _resolve(host, port)
    if not allowed:
        refused = [a for a in addresses if not is_public_address(a)]
        if refused or not addresses:
            raise ValidationError(
                _(
                    "%(host)s resolves to an internal address (%(address)s): an administrator must allow this host first."
                )
                % {"host": host, "address": ", ".join(refused) or "-"}
            )
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    return Target(parts.scheme, host, port, path, addresses[0])


def _pool(target: Target, timeout: float):
    timeout = urllib3.Timeout(connect=timeout, read=timeout)
    if target.scheme == "https":
        return urllib3.HTTPSConnectionPool(
            target.address, target.port, timeout=timeout, retries=False,
            server_hostname=target.host, assert_hostname=target.host, cert_reqs="CERT_REQUIRED",
        )  # fmt: skip
    return urllib3.HTTPConnectionPool(target.address, target.port, timeout=timeout, retries=False)


def _host_header(target: Target) -> str:
    default_port = 443 if target.scheme == "https" else 80
    return target.host if target.port == default_port else f"{target.host}:{target.port}"


@dataclass(frozen=True)
class Fetched:
    status: int
    headers: dict
    body: bytes
    url: str


class TooLarge(Exception):
    pass


def get(url: str, headers: dict, *, timeout: float, max_bytes: int, max_redirects: int = 3) -> Fetched:
    """GET `url` over plain HTTP or HTTPS, every hop checked like a webhook endpoint (no internal
    address unless allowed); at most `max_bytes` read. ValidationError when refused."""
    for _hop in range(max_redirects + 1):
        target = check_url(url, allow_http=True)
        pool = _pool(target, timeout)
        try:
            response = pool.urlopen(
                "GET", target.path, headers={**headers, "host": _host_header(target), "user-agent": "RSE-Feeds/1"},
                redirect=False, retries=False, preload_content=False,
            )  # fmt: skip
            body = response.read(max_bytes + 1)
            response.release_conn()
        finally:
            pool.close()
        if len(body) > max_bytes:
            raise TooLarge(f"more than {max_bytes} bytes")
        lowered = {k.lower(): v for k, v in response.headers.items()}
        if response.status in (301, 302, 303, 307, 308) and lowered.get("location"):
            url = urljoin(url, lowered["location"])
            continue
        return Fetched(response.status, lowered, body, url)
    raise ValidationError(_("Too many redirects."))


def post(url: str, body: bytes, headers: dict) -> Response:
    """POST to `url` after checking it (ValidationError when refused); network errors raise."""
    target = check_url(url)
    pool = _pool(target, settings.RSE_WEBHOOK_TIMEOUT)
    started = time.monotonic()
    try:
        response = pool.urlopen(
            "POST", target.path, body=body, headers={**headers, "host": _host_header(target), "user-agent": "RSE-Webhooks/1"},
            redirect=False, retries=False, preload_content=False,
        )  # fmt: skip
        excerpt = response.read(500, decode_content=False)
        response.release_conn()
    finally:
        pool.close()
    ms = int((time.monotonic() - started) * 1000)
    return Response(response.status, ms, excerpt.decode("utf-8", "replace"))
