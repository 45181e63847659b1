"""Issue 13, hole 8, in a real browser: pages, the admin and the API docs work under the
Content-Security-Policy, and nothing they do is blocked by it."""

import pytest

from communities.models import Community
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def violations(page):
    seen = []
    page.on("console", lambda message: "Content Security Policy" in message.text and seen.append(message.text))
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e => console.error("
        "'Content Security Policy: ' + e.violatedDirective + ' ' + e.blockedURI));"
    )
    return seen


def test_pages_admin_and_api_docs_run_under_the_policy(page, login, violations):
    user = UserFactory(is_staff=True, is_superuser=True)
    community = CommunityFactory(visibility=Community.Visibility.OPEN)
    member(community, user)
    login(user)
    page.goto(f"/c/{community.slug}/")
    page.wait_for_load_state("networkidle")
    page.goto("/admin/")
    assert page.get_by_role("heading", name="Site administration").is_visible()
    page.goto("/api/v1/docs/")
    page.locator(".swagger-ui .info .title").wait_for()  # built by the start-up script
    assert "RSE API" in page.locator(".swagger-ui .info .title").inner_text()
    assert violations == []
