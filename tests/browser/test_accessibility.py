"""axe-core (vendored from npm: tests/browser/vendor/axe-core) on the main pages of each role, in
Chromium, with every rule on: a serious or critical violation fails the test and names the
elements. Employee: home, community, post, profile, directory, search; animator: the community's
Animate pages; HR analyst: the HR import from upload to report and its job page; administrator:
the jobs page, the repository import, the Django admin. Desktop and phone widths (the layout changes what is visible)."""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from communities import services
from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, member
from directory.tests.factories import SkillFactory, UserSkillFactory, person
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.lib.testing.browser import assert_accessible, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DATA = Path(__file__).resolve().parents[2] / "directory" / "tests" / "data"
WIDTHS = {"desktop": 1280, "phone": 375}


@pytest.fixture
def world():
    """A community with every kind of post and a colleague of each role."""
    owner = person("Olivia", "Owner", job_title="Quality lead").user
    employee = person("Eve", "Employee", job_title="Buyer").user
    UserSkillFactory(user=employee, skill=SkillFactory(name="Lean", slug="lean"))
    community = CommunityFactory(name="Quality circle", slug="quality", visibility=Community.Visibility.OPEN)
    member(community, owner, role=Membership.Role.OWNER)
    member(community, employee)
    private = CommunityFactory(name="Buyers", slug="buyers", visibility=Community.Visibility.PRIVATE)
    member(private, employee)
    question = services.do_create_post(
        employee, community, kind="question", title="Which gloves for the press?", body_md="Any **advice**?"
    )
    answer = services.do_create_comment(owner, question, body_md="The blue ones, size 9.")
    services.do_accept_answer(employee, question, answer)
    services.do_create_post(owner, community, kind="poll", title="Audit day?", poll_options=["Monday", "Friday"])
    services.do_create_post(
        owner, community, kind="event", title="5S workshop", body_md="Bring shoes.",
        event_starts_at=timezone.now() + timedelta(days=3), event_place="Line 3",
    )  # fmt: skip
    services.do_create_post(owner, community, kind="announcement", title="New audit grid", body_md="See the grid.")
    discussion = services.do_create_post(employee, community, title="Lean tips", body_md="#lean Ask @olivia")
    services.do_create_comment(owner, discussion, body_md="Thanks Eve!")
    return {"owner": owner, "employee": employee, "community": community, "question": question}


def _check(page, paths):
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        for path in paths:
            assert page.goto(path).status == 200, path  # the page itself, not an error page
            assert_accessible(page, f"{path} ({width_name})")


def test_employee_pages_have_no_serious_accessibility_violation(world, page):
    employee, question = world["employee"], world["question"]
    log_in(page, employee)
    _check(
        page,
        [
            "/", "/essentials/", "/communities/", "/c/quality/", "/c/quality/members/", f"/posts/{question.pk}/",
            "/c/quality/new/", "/people/", f"/people/{world['owner'].pk}/", "/people/me/", "/people/me/edit/",
            "/people/experts/?q=lean", "/search/?q=gloves", "/notifications/", "/people/contacts/",
            "/repository/",
        ],
    )  # fmt: skip


def test_animator_pages_have_no_serious_accessibility_violation(world, page):
    log_in(page, world["owner"])
    animate = "/c/quality/animate/"
    _check(
        page,
        [
            "/c/quality/", "/c/quality/members/", "/c/quality/edit/", animate, f"{animate}schedule/",
            f"{animate}templates/", f"{animate}invite/", f"{animate}champions/", f"{animate}starter/",
            f"{animate}prompts/", f"{animate}welcome/", f"{animate}quiet/", f"{animate}pulses/",
        ],
    )  # fmt: skip


def test_hr_import_pages_have_no_serious_accessibility_violation(world, page, tmp_path):
    analyst = person("Hugo", "Analyst").user
    do_grant_role(analyst, Role.HR_ANALYST)
    csv = tmp_path / "employees.csv"
    csv.write_text(
        (DATA / "hr_employees.csv").read_text(encoding="utf-8") + "E9,not-an-email,Bad,Mail,Buyer,Lumen,Paris,E1,yes\n",
        encoding="utf-8",
    )
    log_in(page, analyst)
    for width_name, width in WIDTHS.items():
        page.set_viewport_size({"width": width, "height": 900})
        assert page.goto("/people/hr/").status == 200
        assert_accessible(page, f"HR import form ({width_name})")
        page.get_by_label(re.compile(r"^File")).set_input_files(csv)
        page.get_by_role("button", name="Preview").click()
        expect(page.get_by_role("heading", name="Preview: what will happen")).to_be_visible()
        assert_accessible(page, f"HR import preview ({width_name})")
        page.get_by_role("button", name="Confirm the import").click()
        expect(page.locator("#import-progress").get_by_text("Import finished.")).to_be_visible()
        assert_accessible(page, f"HR import report ({width_name})")
        job_id = re.search(r"/imports/(\d+)/", page.url).group(1)
        assert page.goto(f"/jobs/directory.import/{job_id}/").status == 200
        assert_accessible(page, f"the import's job page ({width_name})")


def test_administrator_pages_have_no_serious_accessibility_violation(world, page):
    admin = person("Ada", "Admin").user
    do_grant_role(admin, Role.ADMINISTRATOR)
    log_in(page, admin)
    _check(
        page, ["/", "/communities/new/", "/admin/", "/admin/accounts/user/", f"/admin/accounts/user/{admin.pk}/change/"]
    )
