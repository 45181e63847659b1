"""Real time comes back by itself after a Redis outage or restart.

Events published while the channel layer's Redis was away are lost (delivery is at most once),
and a websocket that stayed open never learns it missed them. So each ASGI process watches its
layer's Redis (one INFO every few seconds, only while it has sockets open): when Redis answers
again after failing, or answers with another `run_id` (it restarted between two looks), every
socket of the process is closed with code 4012. The browser (static/js/realtime.js) reconnects
after its usual short back-off, subscribes again and catches up through the catch-up API, which
reads the database: nothing posted meanwhile is missing from the page.
"""

import asyncio
import logging
import weakref

from django.conf import settings

logger = logging.getLogger(__name__)

RECONNECT_CODE = 4012
INTERVAL = 2.0  # seconds between two looks at Redis
_watches: dict = {}  # event loop -> LayerWatch


def _redis_address():
    layer = settings.CHANNEL_LAYERS.get("default", {})
    if "redis" not in layer.get("BACKEND", ""):
        return None
    host = (layer.get("CONFIG", {}).get("hosts") or [None])[0]
    return host.get("address") if isinstance(host, dict) else host


class LayerWatch:
    def __init__(self, address):
        self.address = address
        self.sockets = weakref.WeakSet()
        self.task = None
        self.run_id = None
        self.failed = False

    def add(self, consumer):
        self.sockets.add(consumer)
        if self.task is None or self.task.done():
            self.task = asyncio.get_running_loop().create_task(self._watch())

    async def _watch(self):
        from redis import asyncio as aioredis

        client = aioredis.Redis.from_url(self.address, socket_connect_timeout=1, socket_timeout=1)
        try:
            while len(self.sockets):
                await self._look(client)
                await asyncio.sleep(INTERVAL)
        finally:
            await client.aclose()

    async def _look(self, client):
        try:
            run_id = (await client.info("server")).get("run_id")
        except Exception as exc:  # Redis away: remember, and say so once
            if not self.failed:
                logger.warning("channel layer Redis unreachable (%s): sockets will reconnect once it is back", exc)
            self.failed = True
            return
        restarted = self.run_id is not None and run_id != self.run_id
        if self.failed or restarted:
            await self._reconnect_all()
        self.failed, self.run_id = False, run_id

    async def _reconnect_all(self):
        from rse.lib.events import layer_breaker

        # Events skipped from now on would not be caught up: publish again at once.
        layer_breaker.reset()
        sockets = list(self.sockets)
        logger.warning("channel layer Redis is back: %d sockets asked to reconnect and catch up", len(sockets))
        for consumer in sockets:
            try:
                await consumer.close(code=RECONNECT_CODE)
            except Exception:  # a socket that is already gone
                logger.debug("could not close a socket", exc_info=True)


def watch(consumer) -> None:
    """Call from a consumer's connect(): its socket is closed (to reconnect) after an outage."""
    address = _redis_address()
    if address is None:
        return  # in-memory layer: nothing to lose
    loop = asyncio.get_running_loop()
    if loop not in _watches:
        _watches[loop] = LayerWatch(address)
    _watches[loop].add(consumer)


def unwatch(consumer) -> None:
    try:
        watcher = _watches.get(asyncio.get_running_loop())
    except RuntimeError:
        return
    if watcher is not None:
        watcher.sockets.discard(consumer)
