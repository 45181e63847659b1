"""Issue 10 "Done when" (weeding and health), as the demo community manager lives it in a
browser on the demo data: follows a suggestion of the health dashboard to the moderation queue,
handles a flag, archives a stale conversation. The pages fit 375 px."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from animation.weeding.models import AuditEntry, ModerationCase
from communities.models import Post
from rse.lib.testing.browser import fits_a_phone

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "demo-rse-2026"
SLUG = "lean-continuous-improvement"


def test_the_community_manager_weeds_from_the_health_dashboard(page, live_server):
    call_command("seed_demo")
    page.goto("/accounts/login/")
    page.get_by_label("E-mail address").fill("camille.durand@demo.rse.example")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_url("**/")

    # The health dashboard: figures, charts, and what to do next.
    page.goto(f"/c/{SLUG}/")
    page.get_by_role("link", name="Animate").click()
    page.get_by_role("navigation", name="Animation tools").get_by_role("link", name="Health").click()
    expect(page.get_by_role("heading", name="Suggested next actions")).to_be_visible()
    expect(page.locator("svg.chart").first).to_be_visible()
    assert fits_a_phone(page)
    page.get_by_role("link", name="2 flags pending — review them").click()
    page.wait_for_url(f"**/c/{SLUG}/animate/moderation/")

    # Handle a flag: the advert is removed, its author told why, the audit log keeps it.
    case = ModerationCase.objects.get(post__title="Cheap safety shoes, 70% off!")
    card = page.locator(f"#case-{case.pk}")
    expect(card.get_by_text("Hidden")).to_be_visible()
    card.get_by_label("Decision").select_option("remove")
    card.get_by_label("Reason (sent to the author when removing, warning or suspending)").fill(
        "Adverts are not allowed."
    )
    card.get_by_role("button", name="Apply").click()
    expect(page.get_by_text("Decision recorded")).to_be_visible()
    expect(page.locator(f"#case-{case.pk}")).to_have_count(0)
    assert fits_a_phone(page)
    case.refresh_from_db()
    assert case.decision == "remove" and Post.objects.get(pk=case.post_id).deleted_at is not None
    page.get_by_role("navigation", name="Animation tools").get_by_role("link", name="Audit log").click()
    expect(page.get_by_role("cell", name="Adverts are not allowed.")).to_be_visible()
    assert AuditEntry.objects.filter(action="remove", actor__email="camille.durand@demo.rse.example").exists()

    # Archive a stale conversation: locked, read-only for everyone.
    page.get_by_role("navigation", name="Animation tools").get_by_role("link", name="Stale content").click()
    row = page.locator("li[data-proposal]", has_text="5S audit checklist (2025 edition)")
    row.get_by_role("button", name="Archive now").click()
    expect(page.get_by_text("Archived.", exact=True)).to_be_visible()
    assert fits_a_phone(page)
    post = Post.objects.get(title="5S audit checklist (2025 edition)")
    assert post.locked_at is not None
    page.goto(f"/posts/{post.pk}/")
    expect(page.get_by_text("This conversation is locked")).to_be_visible()
