"""NPS over time, dashboards at every level, each chart's CSV, and who sees what."""

import csv
import io
from datetime import UTC, datetime

import pytest
from django.urls import reverse

from communities.models import Membership
from communities.tests.factories import CommunityFactory, PostFactory, member
from directory.tests.factories import OrgUnitFactory, SiteFactory, person
from engagement import dashboards, metrics
from engagement.tests.test_objectives import FEB, JAN, community  # noqa: F401 - the fixture

pytestmark = pytest.mark.django_db

PERIOD = {"since": "2026-01-01", "until": "2026-02-28", "granularity": "month"}


def test_nps_per_period_with_its_answers_hidden_under_five(community):  # noqa: F811
    rows = dashboards.nps_rows([JAN, FEB], community)
    assert rows == [
        {"period": "2026-01", "responses": 1, "nps": None, "promoters": None, "detractors": None},
        {"period": "2026-02", "responses": 5, "nps": 40, "promoters": 3, "detractors": 1},
    ]


def test_nps_api_for_an_animator_and_for_hr(client, community, hr_analyst):  # noqa: F811
    animator = person(first_name="Ani").user
    member(community, animator, role=Membership.Role.ANIMATOR)
    client.force_login(animator)
    body = client.get("/api/v1/engagement/nps/", PERIOD).json()["results"]
    assert body == [
        {
            "community": community.slug,
            "periods": [
                {"period": "2026-01", "responses": 1, "nps": None},
                {"period": "2026-02", "responses": 5, "nps": 40},
            ],
        }
    ]
    other = CommunityFactory()
    assert client.get("/api/v1/engagement/nps/", {**PERIOD, "community": other.slug}).status_code == 403
    client.force_login(hr_analyst)
    body = client.get("/api/v1/engagement/nps/", PERIOD).json()["results"]
    assert [entry["community"] for entry in body] == [None, community.slug]
    assert body[0]["periods"][1]["nps"] == 40
    client.force_login(person().user)
    assert client.get("/api/v1/engagement/nps/", PERIOD).json()["results"] == []


def test_community_dashboard_shows_nps_trends_and_csv(client, community):  # noqa: F811
    animator = person(first_name="Ani").user
    member(community, animator, role=Membership.Role.ANIMATOR)
    client.force_login(animator)
    url = reverse("engagement:community", args=[community.slug])
    page = client.get(url, PERIOD).content.decode()
    assert page.count('<svg class="chart"') == 7  # six trends and NPS
    assert "hidden (fewer than 5 answers)" in page
    rows = list(csv.reader(io.StringIO(client.get(url, {**PERIOD, "csv": "posts"}).content.decode())))
    assert rows == [["period", "posts"], ["2026-01", "3"], ["2026-02", "2"]]
    nps_rows = list(csv.reader(io.StringIO(client.get(url, {**PERIOD, "csv": "nps"}).content.decode())))
    assert nps_rows[2] == ["2026-02", "5", "40"]
    assert client.get(url, {**PERIOD, "csv": "nothing"}).status_code == 404
    assert client.get(reverse("engagement:dashboard")).status_code == 403


def test_company_org_unit_and_site_dashboards_for_hr(client, hr_analyst, community):  # noqa: F811
    big, small = OrgUnitFactory(name="Plant"), OrgUnitFactory(name="Lab")
    site = SiteFactory(name="Nantes")
    for i in range(6):
        person(first_name=f"P{i}", org_unit=big, site=site)
    person(first_name="L1", org_unit=small)
    client.force_login(hr_analyst)
    page = client.get(reverse("engagement:dashboard"), PERIOD).content.decode()
    assert "Adoption per org unit" in page and "<svg" in page
    adoption = list(
        csv.DictReader(
            io.StringIO(client.get(reverse("engagement:dashboard"), {**PERIOD, "csv": "adoption"}).content.decode())
        )
    )
    rows = {r["group"]: (r["headcount"], r["active_people"], r["adoption_percent"]) for r in adoption}
    # The community's 8 members have no org unit; Lab and the analyst's unit (1 person each) make an
    # "other" too small to show, so the smallest shown unit (Plant) is hidden with it.
    assert rows == {"(not set)": ("8", "6", "75.0"), "Plant": ("", "", ""), "other": ("", "", "")}
    unit_page = client.get(reverse("engagement:org_unit", args=[big.slug]), PERIOD).content.decode()
    assert '<svg class="chart"' in unit_page
    small_page = client.get(reverse("engagement:org_unit", args=[small.slug]), PERIOD).content.decode()
    assert "figures are not shown" in small_page and '<svg class="chart"' not in small_page
    assert client.get(reverse("engagement:site", args=[site.slug]), PERIOD).status_code == 200
    # HR analysts see every community's dashboard, without being a member.
    assert client.get(reverse("engagement:community", args=[community.slug]), PERIOD).status_code == 200


def test_dashboard_queries_do_not_grow_with_people(client, hr_analyst, community, django_assert_max_num_queries):  # noqa: F811
    client.force_login(hr_analyst)
    url = reverse("engagement:community", args=[community.slug])
    with django_assert_max_num_queries(40) as first:
        client.get(url, PERIOD)
    for i in range(12):
        member(community, person(first_name=f"N{i}").user)
    with django_assert_max_num_queries(len(first.captured_queries)):
        client.get(url, PERIOD)


def test_periods_are_weeks_or_months():
    assert [p.label for p in metrics.periods(JAN.start.date(), FEB.start.date(), "month")] == ["2026-01", "2026-02"]


def test_a_division_counts_the_people_of_its_departments(client, hr_analyst):
    """A new user's finding: a division's dashboard said "fewer than 5 people" while its two
    departments held 41: only the division's direct members were counted."""
    division = OrgUnitFactory(name="Technology")
    it, lab = OrgUnitFactory(name="IT", parent=division), OrgUnitFactory(name="R&D", parent=division)
    c = CommunityFactory()
    people = [person(first_name=f"I{i}", org_unit=it).user for i in range(3)]
    people += [person(first_name=f"R{i}", org_unit=lab).user for i in range(3)]
    for user in people[:4]:
        PostFactory(community=c, author=user, created_at=datetime(2026, 1, 10, tzinfo=UTC))
    client.force_login(hr_analyst)
    url = reverse("engagement:org_unit", args=[division.slug])
    page = client.get(url, PERIOD).content.decode()
    assert "figures are not shown" not in page and '<svg class="chart"' in page
    rows = list(csv.reader(io.StringIO(client.get(url, {**PERIOD, "csv": "active"}).content.decode())))
    assert rows[1] == ["2026-01", "4"]


def test_a_percentage_axis_ends_at_100():
    from engagement import charts

    svg = charts.line_chart([("2026-01", 100.0), ("2026-02", 95.2)], label="Answered", unit=" %")
    assert ">100</text>" in svg and ">108</text>" not in svg
    svg = charts.line_chart([("2026-01", 100.0), ("2026-02", 95.2)], label="Posts")
    assert ">108</text>" in svg  # other figures keep their headroom
