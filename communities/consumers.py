"""Websocket consumers. Every socket needs a logged-in session; it always listens to its
user's own group (`user.<id>`). Subscriptions to community/post groups are added on top,
each checked against what the user may read."""

from channels.generic.websocket import AsyncJsonWebsocketConsumer

from rse.lib.events import user_group


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user = user
        self.groups_joined = {user_group(user.pk)}
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        await self.send_json({"event": "rse.hello", "payload": {"user": user.pk}})

    async def disconnect(self, code):
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def rse_event(self, message):
        await self.send_json({"event": message["event"], "payload": message["payload"]})
