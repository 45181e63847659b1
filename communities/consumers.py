"""Websocket consumers. Every socket needs a logged-in session and an allowed Origin
(rse/asgi.py); it always listens to its user's own group (`user.<id>`). Subscriptions to
community / post / item groups are added on top, each checked against what the user may
read, through the same predicates as the pages (the one door).

Client → server messages (JSON):
    {"action": "subscribe", "scope": "community" | "post" | "item" | "home", "id": 12}
    (scope "home" takes the user's own id: public announcements for the home feed; posts of
    followed people and items come to the user's group from the notification fan-out)
    {"action": "unsubscribe", "scope": "community", "id": 12}
    {"action": "ping"}
Server → client: {"event": <type>, "payload": {...}}, where <type> is a domain event
("communities.post_created", "notifications.new", …) or one of ours: "rse.hello",
"rse.subscribed", "rse.refused", "rse.unsubscribed" (payload has scope, id, reason), "rse.pong",
"rse.error".

Access is checked at subscription time and again when it may have changed: at once on a
membership event sent to the user (MEMBERSHIP_EVENTS: removed, left, declined, refused) or a
community event ("communities.community_updated"), and,
as a safety net for a service that forgot to publish one, lazily when an event of a private or
secret community arrives more than RECHECK_SECONDS (plus jitter) after the last check; open and
restricted communities are readable by every employee, so only a community event matters there. A socket that lost access leaves the
group before the event is forwarded, so it stops receiving at once.

A socket is authenticated once, at the handshake, so it re-checks its session (rse.accounts.sessions:
same user, still active, password unchanged) when told one of its user's sessions ended
("accounts.session_ended": logout, deactivation, password change, anonymisation), before every
subscription, and, as a safety net for a lost event, on the first event after RECHECK_SECONDS
(plus jitter). A socket whose session is no longer good says so ("accounts.session_ended"),
drops whatever else arrives and closes with code 4401, after which the browser does not reconnect.
"""

import random
import time

from autobahn.exception import Disconnected
from channels.consumer import get_handler_name
from channels.db import database_sync_to_async
from channels.generic.websocket import AsyncJsonWebsocketConsumer

from communities import events
from rse.accounts.events import SESSION_ENDED
from rse.accounts.sessions import session_fingerprint, signed_in_user
from rse.lib import layerwatch
from rse.lib.events import community_group, home_group, item_group, post_group, user_group

MAX_SUBSCRIPTIONS = 200
RECHECK_SECONDS = 60
SCOPES = {"community": community_group, "post": post_group, "item": item_group, "home": lambda _user_id: home_group()}
MEMBERSHIP_EVENTS = {events.MEMBER_REMOVED, events.LEFT, events.INVITATION_DECLINED, events.REQUEST_REJECTED}
COMMUNITY_CHANGE_EVENTS = {events.COMMUNITY_UPDATED}
SIGNED_OUT = 4401  # the close code static/js/realtime.js never reconnects after


def resolve_scope(user, scope, pk):
    """(allowed, community_id, members_only) for a subscription. community_id ties it to
    membership re-checks; members_only says whether membership matters at all (in an open or
    restricted community every employee reads, so only a community event can change that)."""
    from communities.models import Community, Post
    from communities.permissions import can_read_community, is_readable_by_every_employee
    from repository.selectors import visible_items

    community = None
    if scope == "community":
        community = Community.objects.alive().filter(pk=pk).first()
    elif scope == "post":
        post = Post.objects.alive().select_related("community").filter(pk=pk).first()
        community = post.community if post is not None else None
    elif scope == "item":
        return visible_items(user).filter(pk=pk).exists(), None, False
    elif scope == "home":  # my own home page: announcements that every employee may read
        return pk == user.pk, None, False
    if community is None:
        return False, None, False
    members_only = not is_readable_by_every_employee(community)
    return can_read_community(user, community), community.pk, members_only


class RealtimeConsumer(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message):
        # Channels closes stale database connections before every handler, through the one
        # thread of sync_to_async: with hundreds of sockets in a process, that hop serialises
        # the delivery of one group event (seconds for 500 sockets). Our handlers reach the
        # database only through database_sync_to_async, which closes them itself.
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)

    async def send(self, text_data=None, bytes_data=None, close=False):
        try:
            await super().send(text_data=text_data, bytes_data=bytes_data, close=close)
        except Disconnected:  # the browser left while we were answering (a subscribe waits on the database)
            pass

    async def connect(self):
        user = self.scope.get("user")
        if user is None or not user.is_authenticated or not user.is_active:
            await self.close(code=4401)
            return
        self.user = user
        session = self.scope.get("session")
        self.session_key = getattr(session, "session_key", None)
        self.session_checked_at = time.monotonic()
        self.ended = False
        self.groups_joined = {user_group(user.pk)}
        # group -> {"scope", "id", "community_id", "members_only"}
        self.subscriptions = {}
        # community_id -> monotonic time of the last access check
        self.checked_at = {}
        self.recheck_after = RECHECK_SECONDS * (1 + random.random())  # noqa: S311 - jitter, not security
        await self.channel_layer.group_add(user_group(user.pk), self.channel_name)
        await self.accept()
        layerwatch.watch(self)  # after a Redis outage, told to reconnect and catch up
        await self.send_json({"event": "rse.hello", "payload": {"user": user.pk}})

    async def disconnect(self, code):
        self.ended = True
        layerwatch.unwatch(self)
        for group in getattr(self, "groups_joined", ()):
            await self.channel_layer.group_discard(group, self.channel_name)

    async def still_signed_in(self, reason="signed_out") -> bool:
        """Re-read the session and the account; when they no longer hold, say so and close."""
        if self.ended:
            return False
        user = await database_sync_to_async(signed_in_user)(self.session_key, self.user.pk)
        self.session_checked_at = time.monotonic()
        if user is None:
            await self.end_session(reason)
            return False
        self.user = user  # fresh roles and flags for the access checks that follow
        return True

    async def end_session(self, reason):
        if self.ended:
            return
        self.ended = True
        await self.send_json({"event": SESSION_ENDED, "payload": {"reason": reason}})
        for group in self.groups_joined:
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.close(code=SIGNED_OUT)

    # --- client messages ------------------------------------------------------------------

    async def receive_json(self, content, **kwargs):
        if self.ended:
            return
        if not isinstance(content, dict):
            await self._error("messages are JSON objects")
            return
        action = content.get("action")
        if action == "ping":
            await self.send_json({"event": "rse.pong", "payload": {}})
            return
        if action not in ("subscribe", "unsubscribe"):
            await self._error("unknown action")
            return
        scope, pk = content.get("scope"), content.get("id")
        if scope not in SCOPES or isinstance(pk, bool) or not isinstance(pk, int) or pk <= 0:
            await self._error("scope must be community, post, item or home, and id a positive integer")
            return
        if action == "subscribe":
            await self.subscribe(scope, pk)
        else:
            await self.unsubscribe(scope, pk, reason="asked")

    async def receive(self, text_data=None, bytes_data=None, **kwargs):
        try:
            await super().receive(text_data=text_data, bytes_data=bytes_data, **kwargs)
        except ValueError:  # not JSON: answer, do not crash the socket
            await self._error("messages are JSON objects")

    async def _error(self, reason):
        await self.send_json({"event": "rse.error", "payload": {"reason": reason}})

    async def subscribe(self, scope, pk):
        group = SCOPES[scope](pk)
        if group in self.subscriptions:
            await self.send_json({"event": "rse.subscribed", "payload": {"scope": scope, "id": pk}})
            return
        if len(self.subscriptions) >= MAX_SUBSCRIPTIONS:
            await self._refuse(scope, pk, "too_many")
            return
        if self.ended:
            return
        user = await database_sync_to_async(signed_in_user)(self.session_key, self.user.pk)
        if user is None:
            await self._refuse(scope, pk, "signed_out")
            await self.end_session("signed_out")
            return
        self.user, self.session_checked_at = user, time.monotonic()
        allowed, community_id, members_only = await database_sync_to_async(resolve_scope)(self.user, scope, pk)
        if not allowed:
            await self._refuse(scope, pk, "forbidden")
            return
        self.subscriptions[group] = {
            "scope": scope,
            "id": pk,
            "community_id": community_id,
            "members_only": members_only,
        }
        if community_id is not None:
            self.checked_at[community_id] = time.monotonic()
        self.groups_joined.add(group)
        await self.channel_layer.group_add(group, self.channel_name)
        await self.send_json({"event": "rse.subscribed", "payload": {"scope": scope, "id": pk}})

    async def _refuse(self, scope, pk, reason):
        await self.send_json({"event": "rse.refused", "payload": {"scope": scope, "id": pk, "reason": reason}})

    async def unsubscribe(self, scope, pk, *, reason):
        group = SCOPES[scope](pk)
        if self.subscriptions.pop(group, None) is not None:
            self.groups_joined.discard(group)
            await self.channel_layer.group_discard(group, self.channel_name)
        await self.send_json({"event": "rse.unsubscribed", "payload": {"scope": scope, "id": pk, "reason": reason}})

    # --- events from the channel layer ----------------------------------------------------

    async def recheck(self, community_id) -> bool:
        """Re-check every subscription tied to `community_id`; False if all access was lost."""
        self.checked_at[community_id] = time.monotonic()
        kept = False
        for sub in [s for s in self.subscriptions.values() if s["community_id"] == community_id]:
            allowed, _cid, members_only = await database_sync_to_async(resolve_scope)(
                self.user, sub["scope"], sub["id"]
            )
            if allowed:
                kept = True
                sub["members_only"] = members_only
            else:
                await self.unsubscribe(sub["scope"], sub["id"], reason="access_lost")
        return kept

    def _tied_to(self, community_id):
        """(subscribed to something of this community, and membership matters there)."""
        tied = [s for s in self.subscriptions.values() if s["community_id"] == community_id]
        return bool(tied), any(s["members_only"] for s in tied)

    async def rse_event(self, message):
        if self.ended:
            return
        event, payload = message["event"], message.get("payload") or {}
        if event == SESSION_ENDED:
            if payload.get("session") and payload["session"] == session_fingerprint(self.session_key):
                await self.end_session(payload.get("reason") or "signed_out")
            else:
                await self.still_signed_in(payload.get("reason") or "signed_out")  # another session ended: ours?
            return
        if time.monotonic() - self.session_checked_at > self.recheck_after and not await self.still_signed_in():
            return
        community_id = payload.get("community_id") if isinstance(payload, dict) else None
        tied, members_only = self._tied_to(community_id) if community_id is not None else (False, False)
        if payload.get("members_only") and community_id is not None and not tied:
            # Heard through an item's group (open to whoever sees the item): pass it on only to
            # a reader of that community, checked now for this event.
            allowed, _cid, _members_only = await database_sync_to_async(resolve_scope)(
                self.user, "community", community_id
            )
            if not allowed:
                return
        if tied:
            # The safety net only where membership matters (private/secret), spread in time per
            # socket (jitter) so that one event does not trigger every socket's check at once.
            stale = members_only and time.monotonic() - self.checked_at.get(community_id, 0) > self.recheck_after
            # Someone else leaving changes nothing for this socket: no database hop per watcher.
            mine = event in MEMBERSHIP_EVENTS and payload.get("user_id") in (None, self.user.pk)
            if mine or event in COMMUNITY_CHANGE_EVENTS or stale:
                if not await self.recheck(community_id) and event not in MEMBERSHIP_EVENTS:
                    return  # lost access: this event is not for us any more
        await self.send_json({"event": event, "payload": payload})
