"""Issue 11 "Done when", in a browser: the HR analyst exports a year of engagement by org unit to
XLSX, sees the job's progress, downloads a file that holds no group under 5 people; an animator
sees their community's objectives, key voices and NPS; a staff representative reads the
works-council page. The pages fit 375 px."""

from datetime import timedelta

import openpyxl
import pytest
from django.utils import timezone
from playwright.sync_api import expect

from animation.feeding.models import Pulse, PulseResponse
from communities.models import Membership, Post, Reaction
from communities.tests.factories import CommentFactory, CommunityFactory, PostFactory, member
from directory.tests.factories import OrgUnitFactory, person
from engagement.models import Objective
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def org(settings, tmp_path):
    settings.RSE_PRIVATE_ROOT = tmp_path / "private"
    now = timezone.now()
    community = CommunityFactory(name="Lean")
    people = []
    for name, size in (("Plant", 7), ("Sales", 6), ("Tiny", 2)):
        unit = OrgUnitFactory(name=name)
        for i in range(size):
            user = person(f"{name}{i}", "Example", org_unit=unit).user
            member(community, user)
            people.append(user)
    for i, user in enumerate(people):
        post = PostFactory(community=community, author=user, created_at=now - timedelta(days=20 * i + 1))
        Reaction.objects.create(user=people[(i + 1) % len(people)], post=post)
    question = PostFactory(
        community=community, author=people[0], kind=Post.Kind.QUESTION, created_at=now - timedelta(days=3)
    )
    CommentFactory(post=question, author=people[1], created_at=now - timedelta(days=2))
    pulse = Pulse.objects.create(community=community)
    for user in people[:6]:
        PulseResponse.objects.create(pulse=pulse, user=user, score=9, created_at=now - timedelta(days=1))
    return community, people


def test_hr_analyst_exports_a_year_by_org_unit_to_xlsx(page, login, org, tmp_path):
    analyst = person("Léa", "Petit").user
    do_grant_role(analyst, Role.HR_ANALYST)
    login(analyst)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/engagement/exports/")
    today = timezone.localdate()
    page.get_by_label("From").fill((today - timedelta(days=365)).isoformat())
    page.get_by_label("Until (included)").fill(today.isoformat())
    page.get_by_label("Granularity").select_option("month")
    page.get_by_label("Group by").select_option("org_unit")
    page.get_by_label("Format").select_option("xlsx")
    page.get_by_role("button", name="Export").click()
    expect(page.get_by_role("heading", name="Progress")).to_be_visible()
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Download the file").click()
    path = tmp_path / "export.xlsx"
    download_info.value.save_as(path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    sheet = openpyxl.load_workbook(path).active
    header = [c.value for c in sheet[1]]
    assert header[:3] == ["period", "group", "headcount"]
    rows = [[c.value for c in row] for row in sheet.iter_rows(min_row=2)]
    assert len({r[0] for r in rows}) == 13  # a year, month by month, both ends partial
    assert all(r[2] is None or r[2] >= 5 for r in rows)
    assert "Tiny" not in {r[1] for r in rows}


def test_animator_sees_objectives_key_voices_and_nps(page, login, org):
    community, people = org
    animator = people[3]
    Membership.objects.filter(community=community, user=animator).update(role=Membership.Role.ANIMATOR)
    Objective.objects.create(
        community=community,
        kpi="active_members",
        target=5,
        starts_on=timezone.localdate() - timedelta(days=60),
        ends_on=timezone.localdate(),
    )
    login(animator)
    page.set_viewport_size({"width": 375, "height": 800})
    page.goto(f"/engagement/communities/{community.slug}/")
    expect(page.get_by_role("heading", name="Objectives")).to_be_visible()
    expect(page.get_by_role("heading", name="Active members")).to_be_visible()
    expect(page.get_by_role("heading", name="Key voices")).to_be_visible()
    expect(page.get_by_role("heading", name="Pulse NPS").first).to_be_visible()
    assert page.locator("svg.chart").count() >= 7
    assert page.evaluate("document.documentElement.scrollWidth") <= 375


def test_staff_representative_reads_the_works_council_page(page, login, org):
    rep = person("Sam", "Leroy").user
    do_grant_role(rep, Role.STAFF_REPRESENTATIVE)
    login(rep)
    page.goto("/engagement/")
    page.get_by_role("link", name="Works council").click()
    expect(page.get_by_role("heading", name="What engagement analytics measure")).to_be_visible()
    expect(page.get_by_text("Minimum group size")).to_be_visible()
    expect(page.get_by_role("heading", name="Export log")).to_be_visible()
