import csv
import io
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from communities.models import Post
from communities.tests.factories import CommunityFactory, PostFactory, member
from directory.tests.factories import OrgUnitFactory, person
from engagement import exports
from engagement.models import AnalyticsOptOut, Export, ExportAudit
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role

pytestmark = pytest.mark.django_db

FORM = {"since": "2026-01-01", "until": "2026-02-28", "granularity": "month", "group_by": "org_unit"}


@pytest.fixture
def org():
    """Two org units of 6, one of 2 (merged into a suppressed "other"); the first is named like a
    formula, as HR data may be."""
    units = [
        OrgUnitFactory(name='=HYPERLINK("http://evil")'),
        OrgUnitFactory(name="Sales"),
        OrgUnitFactory(name="Tiny"),
    ]
    community = CommunityFactory()
    people = []
    for unit, size in zip(units, (6, 6, 2), strict=True):
        for i in range(size):
            user = person(first_name=f"{unit.name[:3]}{i}", org_unit=unit).user
            member(community, user)
            people.append(user)
    for i, user in enumerate(people):
        PostFactory(community=community, author=user, created_at=datetime(2026, 1, 3 + i, tzinfo=UTC))
    PostFactory(
        community=community, author=people[0], kind=Post.Kind.QUESTION, created_at=datetime(2026, 2, 3, tzinfo=UTC)
    )
    return units, people


def _export(client, user, django_capture_on_commit_callbacks, **extra):
    client.force_login(user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("engagement:export_new"), {**FORM, "format": "csv", **extra})
    assert response.status_code == 302, response.content
    return Export.objects.latest("pk")


def _files(settings):
    root = settings.RSE_PRIVATE_ROOT / "engagement" / "exports"
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def test_hr_analyst_exports_csv_aggregates_with_small_groups_hidden(
    client, hr_analyst, org, django_capture_on_commit_callbacks, set_min_group_size
):
    set_min_group_size(5)
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks)
    assert export.status == Export.Status.DONE and export.done == export.total == 2
    page = client.get(reverse("engagement:export", args=[export.pk]))
    assert reverse("engagement:export_download", args=[export.pk]) in page.content.decode()
    response = client.get(reverse("engagement:export_download", args=[export.pk]))
    raw = b"".join(response.streaming_content)
    assert raw.startswith(b"\xef\xbb\xbf")  # UTF-8 with a BOM, for Excel
    body = raw.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(body)))
    assert list(rows[0]) == [
        "period", "group", "headcount", "active_people", "contributors", "posts", "comments", "reactions",
        "questions", "questions_answered", "median_hours_to_first_answer",
    ]  # fmt: skip
    groups = {(r["period"], r["group"]) for r in rows}
    assert ("2026-01", "Tiny") not in groups and ("2026-01", "other") in groups
    for row in rows:
        assert row["headcount"] == "" or int(row["headcount"]) >= 5
    # The formula-like name is neutralised; "other" (2 people) is hidden, and so is the smallest
    # shown group with it (6 people each: the first by id, the formula-named one).
    named = [r for r in rows if r["group"].startswith("'=HYPERLINK")]
    assert len(named) == 2 and named[0]["posts"] == ""
    sales = next(r for r in rows if r["group"] == "Sales" and r["period"] == "2026-01")
    assert (sales["headcount"], sales["posts"]) == ("6", "6")
    audit = ExportAudit.objects.get()
    assert audit.actor == hr_analyst and audit.rows == len(rows) and audit.parameters["group_by"] == "org_unit"
    assert audit.parameters["min_group_size"] == 5


def test_xlsx_cells_are_text_never_formulas(
    client, hr_analyst, org, django_capture_on_commit_callbacks, set_min_group_size
):
    set_min_group_size(3)
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks, format="xlsx")
    with export.file.open("rb") as handle:
        sheet = openpyxl.load_workbook(handle).active
    cells = [cell for row in sheet.iter_rows() for cell in row]
    assert all(cell.data_type != "f" for cell in cells)
    names = [cell.value for cell in cells if isinstance(cell.value, str) and "HYPERLINK" in cell.value]
    assert names and all(name.startswith("'=") for name in names)
    numbers = [row[2].value for row in sheet.iter_rows(min_row=2) if row[1].value == "Sales"]
    assert numbers == [6, 6]


def test_an_export_run_twice_leaves_one_file(client, hr_analyst, org, django_capture_on_commit_callbacks, settings):
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks)
    assert exports.run_export(export.pk) is None  # a redelivered message: not claimed again
    # A retry after the job looked stalled runs it again from the start: same name, one file.
    Export.objects.filter(pk=export.pk).update(status=Export.Status.QUEUED)
    assert exports.run_export(export.pk) is not None
    assert len(_files(settings)) == 1
    assert ExportAudit.objects.count() == 1


def test_files_are_deleted_after_their_days_but_the_log_stays(
    client, hr_analyst, org, django_capture_on_commit_callbacks, settings
):
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks)
    assert exports.do_purge_expired_exports(now=timezone.now() + timedelta(days=6)) == 0
    assert exports.do_purge_expired_exports(now=timezone.now() + timedelta(days=8)) == 1
    assert _files(settings) == [] and ExportAudit.objects.count() == 1
    assert client.get(reverse("engagement:export_download", args=[export.pk])).status_code == 404


@pytest.mark.parametrize("role", [None, Role.COMMUNITY_MANAGER, Role.INTERNAL_COMMS, Role.STAFF_REPRESENTATIVE])
def test_only_hr_analysts_and_administrators_export(client, role):
    user = person().user
    if role:
        do_grant_role(user, role)
    client.force_login(user)
    assert client.get(reverse("engagement:export_new")).status_code == 403
    response = client.post(
        reverse("api-engagement-exports"), {**FORM, "format": "csv"}, content_type="application/json"
    )
    assert response.status_code == 403
    assert Export.objects.count() == 0


def test_an_analyst_does_not_see_another_analysts_export(
    client, hr_analyst, admin_user, org, django_capture_on_commit_callbacks
):
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks)
    other = person().user
    do_grant_role(other, Role.HR_ANALYST)
    client.force_login(other)
    assert client.get(reverse("engagement:export_download", args=[export.pk])).status_code == 403
    assert client.get(reverse("api-engagement-export", args=[export.pk])).status_code == 403
    client.force_login(admin_user)
    assert client.get(reverse("engagement:export", args=[export.pk])).status_code == 200


def test_api_returns_the_job_then_its_download_link(client, admin_user, org, django_capture_on_commit_callbacks):
    client.force_login(admin_user)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            "/api/v1/engagement/exports/", {**FORM, "format": "xlsx"}, content_type="application/json"
        )
    assert response.status_code == 202
    assert response.json()["status"] == "queued" and response.json()["download_url"] is None
    detail = client.get(f"/api/v1/engagement/exports/{response.json()['id']}/").json()
    assert detail["status"] == "done" and detail["progress"] == 100
    assert detail["download_url"].endswith(f"/engagement/exports/{detail['id']}/download/")
    bad = client.post("/api/v1/engagement/exports/", {**FORM, "format": "pdf"}, content_type="application/json")
    assert bad.status_code == 400


def test_individual_rows_need_an_administrator(
    client, hr_analyst, org, django_capture_on_commit_callbacks, set_min_group_size
):
    client.force_login(hr_analyst)
    response = client.post(
        "/api/v1/engagement/exports/",
        {**FORM, "format": "csv", "individual_rows": True},
        content_type="application/json",
    )
    assert response.status_code == 400
    set_min_group_size(5, individual_rows=True)
    AnalyticsOptOut.objects.create(user=org[1][0])
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks, individual_rows="on")
    body = export.file.open("rb").read().decode()
    pseudonyms = [line.split(",")[1] for line in body.splitlines() if ",P-" in line]
    assert len(pseudonyms) == 13  # 14 people posted in January, one opted out
    assert "Example" not in body


def test_command_line_writes_the_same_file_and_the_log(
    client, hr_analyst, org, django_capture_on_commit_callbacks, tmp_path
):
    export = _export(client, hr_analyst, django_capture_on_commit_callbacks)
    web = export.file.open("rb").read()
    output = tmp_path / "out.csv"
    call_command(
        "export_engagement", "--since", "2026-01-01", "--until", "2026-02-28", "--granularity", "month",
        "--group-by", "org_unit", "--format", "csv", "--output", str(output), "--as", hr_analyst.email,
        stdout=io.StringIO(),
    )  # fmt: skip
    assert output.read_bytes() == web
    audit = ExportAudit.objects.latest("pk")
    assert audit.source == Export.Source.COMMAND and audit.actor == hr_analyst


def test_opting_out_is_a_toggle_on_my_page(client):
    user = person().user
    client.force_login(user)
    client.post(reverse("engagement:opt_out"), {"opted_out": "1"})
    assert AnalyticsOptOut.objects.filter(user=user).exists()
    assert "Count me again" in client.get(reverse("engagement:index")).content.decode()
    client.post(reverse("engagement:opt_out"), {"opted_out": "0"})
    assert not AnalyticsOptOut.objects.filter(user=user).exists()


def test_works_council_page_for_staff_representatives(
    client, staff_rep, hr_analyst, org, django_capture_on_commit_callbacks
):
    _export(client, hr_analyst, django_capture_on_commit_callbacks)
    client.force_login(staff_rep)
    page = client.get(reverse("engagement:works_council")).content.decode()
    assert "Minimum group size" in page and "median_hours_to_first_answer" in page
    assert hr_analyst.email in page and "off" in page
    client.force_login(person().user)
    assert client.get(reverse("engagement:works_council")).status_code == 403


def test_a_period_past_three_years_is_refused(client, hr_analyst):
    client.force_login(hr_analyst)
    response = client.post(reverse("engagement:export_new"), {**FORM, "since": "2020-01-01", "format": "csv"})
    assert response.status_code == 200 and Export.objects.count() == 0
    assert date(2020, 1, 1)  # the form stays with its error


def test_the_form_shows_its_dates_in_french_too(client, hr_analyst):
    from django.utils import translation

    client.force_login(hr_analyst)
    with translation.override("fr"):
        page = client.get(reverse("engagement:export_new"), HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    today = timezone.localdate().isoformat()
    assert f'value="{today}"' in page  # <input type="date"> only takes ISO dates


@pytest.mark.parametrize(
    ("since", "until"), [("2026-01-01", "9999-12-31"), ("0001-01-01", "0001-12-31"), ("1999-12-31", "2000-06-30")]
)
def test_dates_out_of_range_are_refused_not_a_500_nor_a_failed_job(client, hr_analyst, since, until):
    """A new user's finding: until 9999-12-31 answered 500, since 0001-01-01 made a job that failed
    with "date value out of range"."""
    client.force_login(hr_analyst)
    response = client.post(reverse("engagement:export_new"), {**FORM, "format": "csv", "since": since, "until": until})
    assert response.status_code == 200 and Export.objects.count() == 0
    assert "Choose dates between 2000 and 2099." in response.content.decode()
    for path in ("/engagement/dashboard/", f"/engagement/org-units/{hr_analyst.profile.org_unit.slug}/"):
        page = client.get(path, {"since": since, "until": until})
        assert page.status_code == 200 and "Choose dates between 2000 and 2099." in page.content.decode()
