"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium against live_server.

Get Chromium with `make browser-deps` (apt-get install chromium, as root). Without it the
tests are skipped with that instruction locally, and fail on CI (CI=true), never pass silently.
"""

import os
from pathlib import Path

import pytest

CHROMIUM = Path(os.environ.get("RSE_CHROMIUM", "/usr/bin/chromium"))
# Playwright's sync API runs an event loop in this thread; the Django ORM calls made by the
# test itself (fixtures, assertions) are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's sync API keeps an asyncio loop running in this
    # thread while it is open, which breaks every async test (and async_to_sync) run after it
    # by the same worker.
    if not CHROMIUM.exists():
        message = f"{CHROMIUM} not found: install it with `make browser-deps` (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=str(CHROMIUM),
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
            ],
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(base_url=live_server.url, viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


@pytest.fixture
def login(page):
    def do_login(user, password="pass-word-123"):
        page.goto("/accounts/login/")
        page.get_by_label("E-mail address").fill(user.email)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url("**/")
        return page

    return do_login
