"""Fault tests (issue 14, item 4), PostgreSQL/Redis pass: a real worker killed in the middle of a
job, the broker away at commit, PostgreSQL restarted under a request, Redis restarted under a
browser. Each brings up what it breaks (rse/lib/testing/faults.py): never the shared servers."""

import os
import threading
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from rest_framework.test import APIClient

from communities.models import Community, Notification, NotificationKind, Post
from communities.tests.factories import CommunityFactory, member
from directory.imports import do_confirm_import, do_create_import
from directory.models import ImportJob
from directory.tests.factories import ProfileFactory
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.accounts.tests.factories import UserFactory
from rse.lib import outbox
from rse.lib.testing.faults import (
    CeleryWorker,
    Daphne,
    PrivatePostgres,
    PrivateRedis,
    database_url,
    services_env,
    session_key,
    use_broker,
    wait_until,
)
from rse.outbox.models import OutboxMessage
from rse.trail.models import Event

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]
HR_FILE = Path(__file__).resolve().parents[3] / "directory" / "tests" / "data" / "hr_employees.csv"
FAST_MAINTENANCE = {"RSE_JOBS_STALLED_AFTER": "3", "RSE_MAINTENANCE_EVERY": "1", "RSE_OUTBOX_REDELIVER_AFTER": "3"}


def _hr_analyst():
    profile = ProfileFactory()
    do_grant_role(profile.user, Role.HR_ANALYST)
    return profile.user


def test_a_worker_killed_during_an_hr_import_completes_it_exactly_once_after_restart(tmp_path):
    analyst = _hr_analyst()
    job = do_create_import(analyst, ImportJob.Kind.HR, SimpleUploadedFile("hr.csv", HR_FILE.read_bytes()))
    lumen = User.objects.filter(email__endswith="@lumen.example")
    with PrivateRedis(tmp_path) as redis, use_broker(redis.url()):
        worker = CeleryWorker(tmp_path, services_env(tmp_path, redis.url()), pause_at_heartbeat=2)
        with worker:
            do_confirm_import(analyst, job)  # through the outbox to the private Redis
            worker.wait_until_paused()  # half-way: accounts created in its open transaction
            job.refresh_from_db()
            assert (job.status, job.attempts) == (ImportJob.Status.RUNNING, 1)
            assert not lumen.exists()
            worker.kill()  # SIGKILL: no acknowledgement, no rollback message, nothing
            worker.start(pause_at_heartbeat=None, beat=True, env=FAST_MAINTENANCE)
            wait_until(
                lambda: ImportJob.objects.get(pk=job.pk).status == ImportJob.Status.DONE,
                "beat to re-queue the stalled import and the new worker to apply it",
            )
            # The message the killed worker had taken is sent again by the outbox: it finds the work done.
            wait_until(lambda: not OutboxMessage.objects.exists(), "every outbox message to have succeeded")
    job.refresh_from_db()
    assert job.attempts == 2 and job.result["create"] == 4
    assert lumen.count() == 4
    assert Event.objects.filter(verb="directory.hr_sync_applied").count() == 1  # applied exactly once


def test_notifications_of_a_post_made_while_the_broker_is_down_arrive_once_when_it_is_back(tmp_path):
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    author, reader = member(community), UserFactory()
    api = APIClient()
    api.force_authenticate(author)
    with PrivateRedis(tmp_path) as redis, use_broker(redis.url()):
        redis.stop()
        mention = "@" + reader.email.split("@")[0]
        response = api.post(f"/api/v1/communities/{community.slug}/posts/", {"title": "Down", "body_md": mention})
        assert response.status_code == 201, response.content
        (row,) = OutboxMessage.objects.all()
        assert row.sent_at is None and row.last_error
        redis.start()
        env = services_env(tmp_path, redis.url(), **FAST_MAINTENANCE)
        with CeleryWorker(tmp_path, env, beat=True):
            mentions = Notification.objects.filter(recipient=reader, kind=NotificationKind.MENTION)
            wait_until(lambda: mentions.exists() and not OutboxMessage.objects.exists(), "the drained fan-out")
            assert outbox.drain() == 0  # drained again: nothing is sent twice
    assert mentions.count() == 1 and Post.objects.filter(title="Down").count() == 1


def test_postgresql_restarted_requests_in_flight_fail_cleanly_and_the_next_ones_succeed(tmp_path):
    key = session_key(UserFactory())
    with PrivatePostgres() as pg:
        url = pg.clone_from(database_url(), "rse_fault")  # this test's rows, session included
        with Daphne(tmp_path, services_env(tmp_path, database=url)) as server:
            assert server.request("/people/", session_key=key)[0] == 200
            locker, watcher = pg.connect("rse_fault"), pg.connect("rse_fault")
            try:
                # A request in flight: it waits for a lock when the server goes down under it.
                locker.execute("BEGIN")
                locker.execute("LOCK TABLE directory_profile IN ACCESS EXCLUSIVE MODE")
                answers = []
                in_flight = threading.Thread(target=lambda: answers.append(server.request("/people/", session_key=key)))
                in_flight.start()
                waiting = "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock'"
                wait_until(lambda: watcher.execute(waiting).fetchone()[0], "the request to wait for the lock")
                pg.restart(mode="fast")  # its session is terminated, then the server comes back
                in_flight.join(timeout=60)
            finally:
                locker.close()
                watcher.close()
            ((status, body),) = answers
            assert status == 503, body[:2000]
            assert "briefly unavailable" in body and "Traceback" not in body
            assert server.request("/people/", session_key=key)[0] == 200  # the next one reconnects
            assert server.request("/api/v1/people/", session_key=key)[0] == 200


@pytest.mark.browser
def test_redis_restarted_while_a_browser_is_connected(tmp_path):
    """Pages keep working, real time comes back by itself, nothing posted meanwhile is missing."""
    chromium = Path(os.environ.get("RSE_CHROMIUM", "/usr/bin/chromium"))
    if not chromium.exists():
        message = f"{chromium} not found: install it with `make browser-deps` (apt-get install chromium)"
        pytest.fail(message) if os.environ.get("CI") else pytest.skip(message)
    from playwright.sync_api import expect, sync_playwright

    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    user = member(community)
    key = session_key(user)
    posts = f"/api/v1/communities/{community.slug}/posts/"
    with PrivateRedis(tmp_path) as redis:
        env = services_env(tmp_path, redis.url(), CELERY_TASK_ALWAYS_EAGER="1")
        with Daphne(tmp_path, env) as server, sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path=str(chromium), args=["--no-sandbox", "--disable-gpu"])
            try:
                context = browser.new_context()
                context.add_cookies([{"name": "sessionid", "value": key, "domain": "127.0.0.1", "path": "/"}])
                page = context.new_page()
                page.goto(f"{server.url}/c/{community.slug}/")
                page.wait_for_function("() => window.RSERealtime && window.RSERealtime.isOpen()", timeout=20000)
                page.evaluate(
                    "window.__hellos = 0; window.RSERealtime.on('rse.hello', () => { window.__hellos += 1; })"
                )

                redis.stop()
                status, _body = server.request(
                    posts, session_key=key, data={"title": "While Redis was down", "body_md": "x"}
                )
                assert status == 201, _body[:2000]
                for path in ("/", f"/c/{community.slug}/", "/notifications/"):
                    status, body = server.request(path, session_key=key)
                    assert status == 200, (path, body[:2000])
                assert "While Redis was down" in server.request(f"/c/{community.slug}/", session_key=key)[1]

                redis.start()
                page.wait_for_function("() => window.__hellos >= 1", timeout=30000)  # reconnected by itself
                banner = page.locator("[data-live-banner='posts']")
                expect(banner).to_have_text("New posts (1)", timeout=20000)  # caught up: nothing missing
                status, _body = server.request(posts, session_key=key, data={"title": "Redis is back", "body_md": "y"})
                assert status == 201
                expect(banner).to_have_text("New posts (2)", timeout=20000)  # live again
            finally:
                browser.close()
