"""Browser tests: Playwright (Python) driving Debian's /usr/bin/chromium. One module for every
browser test of the project (a pytest plugin, loaded by the root conftest.py).

Get Chromium with `make browser-deps` (apt-get install chromium, as root). Without it a browser
test is skipped locally, saying so, and FAILS on CI (the CI environment variable is set): a
browser test never passes silently.

    def test_x(page, login, live_server): ...            # a page on live_server, logged in by login(user)
    with launched_chromium() as browser: ...              # own servers (daphne, Redis): launch it yourself
"""

import os
from contextlib import contextmanager
from pathlib import Path

import pytest

LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
# Bounds on a hang, not speed checks: a busy 2-core machine runs 7 test suites at once, and
# Playwright's 5 s default for expect() failed tests whose page was right, only late.
WAIT_MS = 15_000
PASSWORD = "pass-word-123"  # noqa: S105 (UserFactory's test password)


def chromium_path() -> Path:
    return Path(os.environ.get("RSE_CHROMIUM", "/usr/bin/chromium"))


def require_chromium() -> Path:
    """The Chromium to drive, or a skip (locally) / a failure (on CI) saying how to get it."""
    chromium = chromium_path()
    if not chromium.exists():
        message = f"{chromium} not found: install it with `make browser-deps` (apt-get install chromium)"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    # Playwright's sync API runs an event loop in this thread; the Django ORM calls made by the
    # test itself (fixtures, assertions) are still synchronous and safe.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    return chromium


@contextmanager
def launched_chromium():
    chromium = require_chromium()
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=WAIT_MS)

    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(chromium), args=LAUNCH_ARGS)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture
def browser():
    # Per test, not per session: Playwright's sync API keeps an asyncio loop running in this
    # thread while it is open, which breaks every async test (and async_to_sync) run after it
    # by the same worker.
    with launched_chromium() as browser:
        yield browser


@contextmanager
def _page(browser, live_server, width):
    context = browser.new_context(base_url=live_server.url, viewport={"width": width, "height": 900})
    page = context.new_page()
    page.set_default_timeout(WAIT_MS)
    try:
        yield page
    finally:
        context.close()


@pytest.fixture
def page(browser, live_server):
    with _page(browser, live_server, 1280) as page:
        yield page


@pytest.fixture
def phone_page(browser, live_server):
    with _page(browser, live_server, 375) as page:
        yield page


def fits_a_phone(page) -> bool:
    """Whether the page, at 375 px wide, needs no sideways scrolling (the viewport restored after)."""
    page.set_viewport_size({"width": 375, "height": 740})
    page.wait_for_load_state("networkidle")
    width = page.evaluate("document.scrollingElement.scrollWidth")
    page.set_viewport_size({"width": 1280, "height": 900})
    return width <= 375


def log_in(page, user, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill(user.email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")
    return page


@pytest.fixture
def login(page):
    def do_login(user, password=PASSWORD):
        return log_in(page, user, password)

    return do_login


# --- Accessibility (axe-core) -----------------------------------------------------------------

AXE_JS = Path(__file__).resolve().parents[3] / "tests" / "browser" / "vendor" / "axe-core" / "axe.min.js"
# Every rule axe-core has, experimental ones included (label-content-name-mismatch is one), but
# the AAA ones (enhanced contrast): we aim at WCAG 2.1 AA.
_RUN_AXE = """async () => {
  const rules = {};
  axe.getRules().forEach((rule) => { rules[rule.ruleId] = { enabled: !rule.tags.includes("wcag2aaa") }; });
  // page.evaluate() has no timeout of its own: a run that never settles fails the test instead.
  const timeout = new Promise((_, reject) => setTimeout(() => reject(new Error("axe-core did not finish in 60 s")), 60000));
  const result = await Promise.race([axe.run(document, { rules, resultTypes: ["violations"] }), timeout]);
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => ({
      id: v.id, impact: v.impact, help: v.help,
      nodes: v.nodes.slice(0, 5).map((n) => ({ target: n.target.join(" "), why: n.failureSummary, html: n.html.slice(0, 300) })),
    }));
}"""

AXE_URL = "/__tests__/axe.min.js"


def serious_a11y_violations(page) -> list[dict]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.wait_for_load_state("load")
    if not page.evaluate("typeof window.axe !== 'undefined'"):
        # From the page's own origin (a routed URL), so the Content-Security-Policy, which refuses
        # inline scripts, lets it in: add_script_tag(path=...) would inline it.
        page.route("**" + AXE_URL, lambda route: route.fulfill(path=str(AXE_JS), content_type="text/javascript"))
        page.add_script_tag(url=AXE_URL)
    return page.evaluate(_RUN_AXE)


def assert_accessible(page, label=""):
    violations = serious_a11y_violations(page)
    lines = [f"{label or page.url}: {len(violations)} serious or critical axe-core violation(s)"]
    for v in violations:
        lines.append(f"- {v['id']} ({v['impact']}): {v['help']}")
        lines += [f"    {n['target']}: {n['html']}\n      {n['why']}" for n in v["nodes"]]
    assert not violations, "\n".join(lines)  # noqa: S101 (a test helper)
