"""The client's IP address, as far as it can be trusted (issue 13).

REMOTE_ADDR is the peer that opened the connection: the only address nobody can forge. A proxy in
front of the application puts the client's address in X-Forwarded-For, but so can any client, to
start every login-failure or rate counter afresh. So the header is read only when the peer is one
of settings.RSE_TRUSTED_PROXIES (addresses or networks), and then from the right: each trusted
proxy appends the address it received from, and the first address that is not a trusted proxy is
the client. What a client wrote itself stands further left and is never reached.
"""

import ipaddress
from functools import lru_cache

from django.conf import settings


@lru_cache(maxsize=8)
def _networks(proxies: tuple[str, ...]):
    return tuple(ipaddress.ip_network(proxy.strip(), strict=False) for proxy in proxies if proxy.strip())


def _address(value: str):
    try:
        return ipaddress.ip_address(value.strip().strip("[]"))
    except ValueError:
        return None


def is_trusted_proxy(address) -> bool:
    networks = _networks(tuple(getattr(settings, "RSE_TRUSTED_PROXIES", ())))
    return address is not None and any(address in network for network in networks)


def client_ip(request) -> str:
    remote = request.META.get("REMOTE_ADDR", "") or ""
    peer = _address(remote)
    if not is_trusted_proxy(peer):
        return str(peer) if peer is not None else remote
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    hops = [hop for hop in forwarded.split(",") if hop.strip()]
    for hop in reversed(hops):
        address = _address(hop)
        if address is None:
            break  # garbage: what is left of it was not written by a proxy of ours
        if not is_trusted_proxy(address):
            return str(address)
        peer = address
    return str(peer)
