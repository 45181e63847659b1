"""A websocket test client whose waits do not depend on the machine's speed.

channels' WebsocketCommunicator gives up after 1 s on connect() and every receive: a subscribe
that goes through the database (database_sync_to_async) took longer than that on a busy 2-core
machine, and a correct consumer failed its test. Here, what must come is waited for up to WAIT
seconds (a bound on a hang, not a measure); receive_nothing() keeps the short timeouts the
tests give it, since it proves an absence.

    from rse.lib.testing.sockets import WebsocketCommunicator
"""

from channels.testing import WebsocketCommunicator as BaseCommunicator

WAIT = 20


class WebsocketCommunicator(BaseCommunicator):
    async def connect(self, timeout=WAIT):
        return await super().connect(timeout)

    async def receive_output(self, timeout=WAIT):
        return await super().receive_output(timeout)

    async def receive_from(self, timeout=WAIT):
        return await super().receive_from(timeout)

    async def receive_json_from(self, timeout=WAIT):
        return await super().receive_json_from(timeout)

    async def disconnect(self, code=1000, timeout=WAIT):
        return await super().disconnect(code, timeout)
