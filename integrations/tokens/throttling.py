"""Per-token rate limit: a fixed window counted with the cache's atomic incr, so several server
processes share one count when the cache is Redis (DRF's SimpleRateThrottle keeps a list per key
that it reads and writes back, which loses requests between processes)."""

import time

from django.conf import settings
from django.core.cache import cache
from rest_framework.throttling import BaseThrottle

from integrations.tokens.models import ApiToken

UNITS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """ "600/minute" → (600, 60)."""
    count, period = rate.split("/")
    return int(count), UNITS[period.strip()[0].lower()]


class TokenRateThrottle(BaseThrottle):
    """RSE_API_TOKEN_RATE requests per token and window; past it, 429 with Retry-After."""

    def allow_request(self, request, view):
        token = request.auth if isinstance(request.auth, ApiToken) else None
        if token is None or not settings.RSE_API_TOKEN_RATE:
            return True
        limit, period = parse_rate(settings.RSE_API_TOKEN_RATE)
        now = time.time()
        window = int(now // period)
        key = f"throttle:token:{token.pk}:{period}:{window}"
        cache.add(key, 0, period + 5)
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, period + 5)
            count = 1
        if count > limit:
            self._wait = (window + 1) * period - now
            return False
        return True

    def wait(self):
        return getattr(self, "_wait", None)
