"""The websocket entry point: the project's ASGI application with its real middleware stack."""

import pytest
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
from django.contrib.sessions.backends.db import SessionStore

from rse.accounts.tests.factories import UserFactory
from rse.asgi import application
from rse.lib.events import publish
from rse.lib.testing.sockets import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)
ORIGIN = (b"origin", b"http://127.0.0.1:8000")


@database_sync_to_async
def _session_cookie():
    user = UserFactory()
    session = SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[0]
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.save()
    return user, f"{settings.SESSION_COOKIE_NAME}={session.session_key}".encode()


async def test_websocket_accepts_an_authenticated_session_and_delivers_user_events():
    user, cookie = await _session_cookie()
    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN, (b"cookie", cookie)])
    connected, _ = await communicator.connect()
    assert connected
    hello = await communicator.receive_json_from()
    assert hello == {"event": "rse.hello", "payload": {"user": user.pk}}

    await database_sync_to_async(publish)("notifications.new", [f"user.{user.pk}"], {"unread": 3})
    assert await communicator.receive_json_from() == {"event": "notifications.new", "payload": {"unread": 3}}
    await communicator.disconnect()


async def test_websocket_is_refused_without_a_session():
    communicator = WebsocketCommunicator(application, "/ws/", headers=[ORIGIN])
    connected, code = await communicator.connect()
    assert not connected
    assert code == 4401


async def test_websocket_is_refused_from_another_origin():
    _, cookie = await _session_cookie()
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"https://evil.example"), (b"cookie", cookie)]
    )
    connected, _ = await communicator.connect()
    assert not connected
