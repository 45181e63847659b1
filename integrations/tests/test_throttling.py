import pytest
import time_machine

from integrations.tests.factories import bearer, make_token

pytestmark = pytest.mark.django_db
TOKENS = "/api/v1/tokens/"


@pytest.fixture
def three_a_minute(settings):
    settings.RSE_API_TOKEN_RATE = "3/minute"


def test_a_token_past_its_rate_gets_429_with_retry_after(client, user, three_a_minute):
    _token, raw = make_token(user)
    _other, other_raw = make_token(user, name="other")
    with time_machine.travel("2026-03-02 10:00:15+00:00", tick=False):
        assert [client.get(TOKENS, **bearer(raw)).status_code for _ in range(3)] == [200, 200, 200]
        refused = client.get(TOKENS, **bearer(raw))
        assert refused.status_code == 429
        assert refused["Retry-After"] == "45"
        # The limit is per token: another token of the same person still works.
        assert client.get(TOKENS, **bearer(other_raw)).status_code == 200
    with time_machine.travel("2026-03-02 10:01:00+00:00", tick=False):
        assert client.get(TOKENS, **bearer(raw)).status_code == 200


def test_sessions_are_not_counted_per_token(logged_client, three_a_minute):
    assert {logged_client.get(TOKENS).status_code for _ in range(5)} == {200}


@pytest.mark.redis
def test_the_count_lives_in_redis_shared_by_every_process(client, user, settings, three_a_minute):
    """Another process's requests are seen: here, two more counted straight into Redis."""
    import redis

    token, raw = make_token(user)
    server = redis.Redis.from_url(settings.REDIS_URL)
    with time_machine.travel("2026-03-02 10:00:15+00:00", tick=False):
        assert client.get(TOKENS, **bearer(raw)).status_code == 200
        prefix = settings.CACHES["default"]["KEY_PREFIX"]
        [key] = server.keys(f"{prefix}:*throttle:token:{token.pk}:*")
        server.incrby(key, 2)
        assert client.get(TOKENS, **bearer(raw)).status_code == 429
