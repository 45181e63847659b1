"""Which address a request comes from, for the login and rate limits (issue 13, hole 7)."""

import pytest
from django.test import RequestFactory

from rse.lib.clientip import client_ip


@pytest.mark.parametrize(
    ("proxies", "remote", "forwarded", "expected"),
    [
        ([], "198.51.100.7", "", "198.51.100.7"),
        ([], "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # no trusted proxy: the header is ignored
        (["10.0.0.0/8"], "198.51.100.7", "203.0.113.1", "198.51.100.7"),  # not from our proxy
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1", "203.0.113.1"),
        (["10.0.0.0/8"], "10.0.0.2", "6.6.6.6, 203.0.113.1", "203.0.113.1"),  # the client's own part is skipped
        (["10.0.0.0/8"], "10.0.0.2", "203.0.113.1, 10.0.0.9", "203.0.113.1"),  # two proxies of ours
        (["10.0.0.0/8"], "10.0.0.2", "not-an-ip, 10.0.0.9", "10.0.0.9"),  # garbage: the last proxy we trust
        (["10.0.0.0/8"], "10.0.0.2", "", "10.0.0.2"),
        (["::1"], "::1", "2001:db8::5", "2001:db8::5"),
        (["10.0.0.2"], "10.0.0.2", "[2001:db8::6]", "2001:db8::6"),
    ],
)
def test_the_client_is_the_first_address_that_is_not_a_trusted_proxy(settings, proxies, remote, forwarded, expected):
    settings.RSE_TRUSTED_PROXIES = proxies
    headers = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded else {}
    request = RequestFactory().get("/", REMOTE_ADDR=remote, **headers)
    assert client_ip(request) == expected
