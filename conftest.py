"""Project-wide pytest setup.

The suite runs twice in CI: on the embedded default (SQLite, in-memory channel layer),
then with DATABASE_URL and REDIS_URL pointing at real PostgreSQL and Redis. Tests marked
`postgres` or `redis` skip themselves in the first pass, saying how to run them.
"""

import uuid

import pytest
from django.conf import settings

from rse.accounts.tests.factories import UserFactory

# Every browser test's fixtures (browser, page, phone_page, login), from one module.
pytest_plugins = ["rse.lib.testing.browser"]


def pytest_collection_modifyitems(config, items):
    skip_pg = pytest.mark.skip(
        reason="needs PostgreSQL: run `make test-services` (or set DATABASE_URL=postgres://postgres@127.0.0.1/rse_test)"
    )
    skip_redis = pytest.mark.skip(
        reason="needs Redis: run `make test-services` (or set REDIS_URL=redis://127.0.0.1:6379/0)"
    )
    for item in items:
        if "postgres" in item.keywords and not settings.IS_POSTGRES:
            item.add_marker(skip_pg)
        if "redis" in item.keywords and not settings.REDIS_URL:
            item.add_marker(skip_redis)


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path):
    """Uploaded files go to a per-test folder, never into var/media."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _fresh_cache(settings):
    """Each test gets an empty cache namespace: cached counts keyed by user id must not leak
    between tests (ids repeat after a rollback), nor between xdist workers sharing Redis."""
    settings.CACHES = {"default": {**settings.CACHES["default"], "KEY_PREFIX": f"t{uuid.uuid4().hex}"}}


@pytest.fixture(autouse=True)
def _generous_limits(request, settings):
    """The suite logs in, posts and reacts far faster than people do: rate limits and login-failure
    limits are raised, except in tests marked `real_limits`, which check them as configured."""
    if request.node.get_closest_marker("real_limits"):
        return
    settings.RSE_RATE_LIMITS = dict.fromkeys(settings.RSE_RATE_LIMITS, "100000/min")
    settings.AXES_FAILURE_LIMIT = 1000


@pytest.fixture(autouse=True)
def _closed_breakers():
    """A dependency one test made unreachable is tried again by the next (rse/lib/breaker.py)."""
    from rse.lib.breaker import reset_all

    reset_all()
    yield
    reset_all()


@pytest.fixture
def user(db):
    return UserFactory()


@pytest.fixture
def other_user(db):
    return UserFactory()


@pytest.fixture
def logged_client(client, user):
    client.force_login(user)
    return client


@pytest.fixture
def api_for():
    """api_for(person): a DRF test client authenticated as that person."""
    from rest_framework.test import APIClient

    def make(person):
        client = APIClient()
        client.force_authenticate(person)
        return client

    return make
