"""Issue 13, hole 2: a websocket must not outlive the session it was opened with.

Each attack goes through HTTP as a person or an administrator would (logout, /admin/, the HR
import, the password change page, anonymisation) while a socket of the victim is open; the
socket must say "accounts.session_ended" and close with 4401 within 5 s, and hear nothing more.
"""

import copy
import uuid

import pytest
from asgiref.sync import sync_to_async
from channels.layers import channel_layers, get_channel_layer
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client, TestCase
from django.urls import reverse

from communities import consumers
from communities.models import Community
from communities.tests.factories import CommunityFactory
from directory.tests.factories import person
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.accounts.tests.factories import UserFactory
from rse.asgi import application
from rse.lib.testing.sockets import WebsocketCommunicator

pytestmark = pytest.mark.django_db(transaction=True)
PASSWORD = "pass-word-123"  # UserFactory's
CLOSE_WITHIN = 5  # seconds: the bound


@pytest.fixture(autouse=True)
def _fresh_layer(settings):
    if "redis" in settings.CHANNEL_LAYERS["default"]["BACKEND"].lower():
        layer = copy.deepcopy(settings.CHANNEL_LAYERS)
        layer["default"]["CONFIG"]["prefix"] = f"rse-test-{uuid.uuid4().hex[:10]}"
        settings.CHANNEL_LAYERS = layer
    channel_layers.backends.clear()
    yield
    channel_layers.backends.clear()


create = sync_to_async


def _logged_in(user):
    """A browser that logged in with the password (its session holds the password's hash)."""
    client = Client()
    assert client.login(email=user.email, password=PASSWORD)
    return client


async def open_socket(client):
    cookie = f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"
    communicator = WebsocketCommunicator(
        application, "/ws/", headers=[(b"origin", b"http://testserver"), (b"cookie", cookie.encode())]
    )
    connected, _code = await communicator.connect()
    assert connected
    assert (await communicator.receive_json_from())["event"] == "rse.hello"
    return communicator


async def assert_closed(communicator):
    """The socket says why, then closes with 4401 (the code the browser does not reconnect after)."""
    said = await communicator.receive_json_from(timeout=CLOSE_WITHIN)
    assert said["event"] == "accounts.session_ended", said
    closed = await communicator.receive_output(timeout=CLOSE_WITHIN)
    assert closed == {"type": "websocket.close", "code": 4401}
    assert await communicator.receive_nothing(timeout=0.2)
    return said["payload"]["reason"]


async def assert_open(communicator, user):
    payload = {"unread": 7}
    await get_channel_layer().group_send(
        f"user.{user.pk}", {"type": "rse.event", "event": "notifications.new", "payload": payload}
    )
    assert await communicator.receive_json_from(timeout=CLOSE_WITHIN) == {
        "event": "notifications.new",
        "payload": payload,
    }


async def test_logout_closes_the_sockets_of_that_session():
    user = await create(UserFactory)()
    laptop, phone = await create(_logged_in)(user), await create(_logged_in)(user)
    laptop_socket, phone_socket = await open_socket(laptop), await open_socket(phone)
    response = await create(laptop.post)(reverse("logout"))
    assert response.status_code == 302
    assert await assert_closed(laptop_socket) == "logout"
    # The phone is still logged in over HTTP: its socket is no more privileged, so it stays.
    await assert_open(phone_socket, user)
    assert (await create(phone.get)(reverse("home"))).status_code == 200
    await phone_socket.disconnect()


async def test_an_administrator_unticking_active_closes_every_socket():
    victim = await create(UserFactory)(first_name="Vic", last_name="Tim")
    admin = await create(UserFactory)()
    await create(do_grant_role)(admin, Role.ADMINISTRATOR)
    sockets = [await open_socket(await create(_logged_in)(victim)) for _ in range(2)]
    admin_client = await create(_logged_in)(admin)
    form = {
        "email": victim.email,
        "first_name": "Vic",
        "last_name": "Tim",
        "language": "",
        "date_joined_0": victim.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": victim.date_joined.strftime("%H:%M:%S"),
        # is_active left out: the box is unticked
    }
    response = await create(admin_client.post)(reverse("admin:accounts_user_change", args=[victim.pk]), form)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert (await create(User.objects.get)(pk=victim.pk)).is_active is False
    for socket in sockets:
        assert await assert_closed(socket) == "deactivated"


async def test_an_hr_leaver_row_closes_the_leavers_sockets():
    profile = await create(person)("Leo", "Leaver", email="leo.leaver@lumen.example", employee_id="E42")
    await create(profile.user.set_password)(PASSWORD)
    await create(profile.user.save)()
    socket = await open_socket(await create(_logged_in)(profile.user))
    hr = await create(UserFactory)()
    await create(do_grant_role)(hr, Role.HR_ANALYST)
    hr_client = await create(_logged_in)(hr)
    csv = b"employee_id,email,first_name,last_name,active\nE42,leo.leaver@lumen.example,Leo,Leaver,no\n"

    def upload_and_confirm():
        response = hr_client.post(
            reverse("directory:import_new", args=["hr"]), {"file": SimpleUploadedFile("hr.csv", csv)}
        )
        job_id = int(response["Location"].rstrip("/").rsplit("/", 1)[-1])
        with TestCase.captureOnCommitCallbacks(execute=True):
            hr_client.post(reverse("directory:import_confirm", args=[job_id]))

    await create(upload_and_confirm)()
    assert (await create(User.objects.get)(pk=profile.user_id)).is_active is False
    assert await assert_closed(socket) == "deactivated"


async def test_a_full_sync_closes_the_sockets_of_people_missing_from_the_file():
    gone = await create(person)("Gone", "Missing", email="gone@lumen.example", employee_id="E43")
    await create(gone.user.set_password)(PASSWORD)
    await create(gone.user.save)()
    socket = await open_socket(await create(_logged_in)(gone.user))
    hr = await create(UserFactory)()
    await create(do_grant_role)(hr, Role.HR_ANALYST)

    def full_sync():
        from django.core.management import call_command

        path = f"{__import__('tempfile').mkdtemp()}/hr.csv"
        with open(path, "wb") as handle:
            handle.write(b"employee_id,email,first_name,last_name\nE44,stays@lumen.example,Stays,Here\n")
        call_command("sync_hr", path, "--as", hr.email, "--full")

    await create(full_sync)()
    assert await assert_closed(socket) == "deactivated"


async def test_a_password_change_ends_the_other_sessions_over_http_and_websocket():
    user = await create(UserFactory)()
    here, elsewhere = await create(_logged_in)(user), await create(_logged_in)(user)
    elsewhere_socket = await open_socket(elsewhere)
    response = await create(here.post)(
        reverse("password_change"),
        {"old_password": PASSWORD, "new_password1": "Another-long-pass-42", "new_password2": "Another-long-pass-42"},
    )
    assert response.status_code == 302
    assert await assert_closed(elsewhere_socket) == "password_changed"
    # Django ends the other HTTP sessions through the session's password hash; this one goes on.
    assert (await create(elsewhere.get)(reverse("home"))).status_code == 302
    assert (await create(here.get)(reverse("home"))).status_code == 200
    # …and this browser's new socket works.
    here_socket = await open_socket(here)
    await assert_open(here_socket, user)
    await here_socket.disconnect()


async def test_anonymising_closes_a_socket_left_open():
    victim = await create(UserFactory)()
    socket = await open_socket(await create(_logged_in)(victim))
    # Deactivated by a path that told no socket (a bulk update): the anonymisation still closes it.
    await create(User.objects.filter(pk=victim.pk).update)(is_active=False)
    admin = await create(UserFactory)()
    await create(do_grant_role)(admin, Role.ADMINISTRATOR)
    admin_client = await create(_logged_in)(admin)
    response = await create(admin_client.post)(reverse("directory:anonymise", args=[victim.pk]))
    assert response.status_code == 302
    assert (await create(User.objects.get)(pk=victim.pk)).first_name == "Former"
    assert await assert_closed(socket) in ("anonymised", "password_changed", "signed_out")


async def test_a_subscription_from_a_deactivated_user_is_refused():
    user = await create(UserFactory)()
    community = await create(CommunityFactory)(visibility=Community.Visibility.OPEN)
    socket = await open_socket(await create(_logged_in)(user))
    await create(User.objects.filter(pk=user.pk).update)(is_active=False)  # no event told the socket
    await socket.send_json_to({"action": "subscribe", "scope": "community", "id": community.pk})
    answer = await socket.receive_json_from()
    assert answer == {
        "event": "rse.refused",
        "payload": {"scope": "community", "id": community.pk, "reason": "signed_out"},
    }
    assert await assert_closed(socket) == "signed_out"


async def test_events_for_a_deactivated_user_are_dropped(monkeypatch):
    """Safety net for a deactivation nobody announced: the next event re-checks the session."""
    monkeypatch.setattr(consumers, "RECHECK_SECONDS", 0)
    user = await create(UserFactory)()
    community = await create(CommunityFactory)(visibility=Community.Visibility.OPEN)
    socket = await open_socket(await create(_logged_in)(user))
    await socket.send_json_to({"action": "subscribe", "scope": "community", "id": community.pk})
    assert (await socket.receive_json_from())["event"] == "rse.subscribed"
    await create(User.objects.filter(pk=user.pk).update)(is_active=False)
    await get_channel_layer().group_send(
        f"community.{community.pk}",
        {"type": "rse.event", "event": "communities.post_created", "payload": {"post_id": 1}},
    )
    assert await assert_closed(socket) == "signed_out"  # the post never reached it


async def test_another_users_session_ending_changes_nothing():
    user, other = await create(UserFactory)(), await create(UserFactory)()
    socket = await open_socket(await create(_logged_in)(user))
    other_client = await create(_logged_in)(other)
    await create(other_client.post)(reverse("logout"))
    await assert_open(socket, user)
    await socket.disconnect()
