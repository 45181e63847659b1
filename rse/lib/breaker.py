"""A circuit breaker per dependency and per process: after a failure, skip it for a while.

With Redis unreachable, every cache read, task send and event publish would wait for its own
connection attempt (up to the 1 s timeout each, a dozen per page). Once one of them failed, the
others skip the dependency for `cooldown` seconds and take their fallback at once (a cache miss,
a row left in the outbox, an event the client will catch up on); the first call after the pause
tries again.
"""

import logging
import threading
import time

logger = logging.getLogger(__name__)
BREAKERS: dict[str, "Breaker"] = {}


class Breaker:
    def __init__(self, name: str, cooldown: float = 5.0):
        self.name = name
        self.cooldown = cooldown
        self.open_until = 0.0
        self._lock = threading.Lock()
        BREAKERS[name] = self

    def is_open(self) -> bool:
        """True while the dependency is to be skipped."""
        return time.monotonic() < self.open_until

    def trip(self, exc: BaseException) -> None:
        with self._lock:
            was_closed = not self.is_open()
            self.open_until = time.monotonic() + self.cooldown
        if was_closed:
            logger.warning("%s is unreachable (%s): skipped for %.0f s", self.name, exc, self.cooldown)

    def reset(self) -> None:
        self.open_until = 0.0


def reset_all() -> None:
    """Tests: one test's outage must not leak into the next."""
    for breaker in BREAKERS.values():
        breaker.reset()
