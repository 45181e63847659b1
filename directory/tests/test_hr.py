import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from directory.imports import do_confirm_import, do_create_import
from directory.models import ImportJob, OrgUnit, Profile, Site
from directory.tests.conftest import DATA, committed, data_file
from directory.tests.factories import person
from rse.accounts.models import User
from rse.accounts.roles import Role, has_role
from rse.trail.models import Event

pytestmark = pytest.mark.django_db


def sync(actor, name):
    job = do_create_import(actor, ImportJob.Kind.HR, data_file(name))
    with committed():
        do_confirm_import(actor, job)
    job.refresh_from_db()
    return job


def test_hr_sync_creates_people_and_resolves_managers_whatever_the_order(hr_user):
    job = sync(hr_user, "hr_employees.csv")
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.result["create"] == 4
    by_id = {p.employee_id: p for p in Profile.objects.filter(employee_id__isnull=False).select_related("user")}
    assert by_id["E3"].manager_id == by_id["E2"].user_id  # E3 listed before its manager E2
    assert by_id["E2"].manager_id == by_id["E1"].user_id
    assert by_id["E1"].manager_id is None
    helene = by_id["E2"]
    assert helene.user.first_name == "Hélène" and helene.search_name == "helene dupre"
    assert helene.job_title == "Head of IT" and helene.site.name == "Paris"
    it = helene.org_unit
    assert [it.name, it.parent.name, it.parent.parent.name] == ["IT", "Technology", "Groupe Lumen"]
    assert has_role(User.objects.get(pk=helene.user_id), Role.EMPLOYEE)
    assert not helene.user.has_usable_password()
    assert Event.objects.filter(verb="directory.hr_sync_applied").count() == 1


def test_leavers_are_deactivated_never_deleted(hr_user):
    sync(hr_user, "hr_employees.csv")
    leaver = User.objects.get(email="hugo.leaver@lumen.example")
    assert leaver.is_active is False
    assert Profile.objects.filter(user=leaver, employee_id="E4").exists()


def test_existing_people_are_updated_and_reactivated(hr_user):
    existing = person("Old", "Name", email="helene.dupre@lumen.example", employee_id=None)
    gone = person("Hugo", "Leaver", email="hugo.leaver@lumen.example", employee_id="E4")
    job = sync(hr_user, "hr_employees.csv")
    existing.refresh_from_db()
    existing.user.refresh_from_db()
    assert existing.employee_id == "E2" and existing.user.first_name == "Hélène"
    gone.user.refresh_from_db()
    assert gone.user.is_active is False
    assert job.result["create"] == 2 and job.result["update"] == 2
    assert User.objects.filter(email="helene.dupre@lumen.example").count() == 1


def test_hr_sync_is_idempotent(hr_user):
    sync(hr_user, "hr_employees.csv")
    snapshot = sorted(
        Profile.objects.filter(employee_id__isnull=False).values_list(
            "employee_id", "manager_id", "org_unit_id", "site_id", "job_title", "updated_at"
        )
    )
    units, sites = OrgUnit.objects.count(), Site.objects.count()
    again = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_employees.csv"))
    assert again.preview["counts"]["create"] == again.preview["counts"]["update"] == 0
    assert again.preview["counts"]["skip"] == 4
    with committed():
        do_confirm_import(hr_user, again)
    again.refresh_from_db()
    assert again.result["managers"] == 0
    after = sorted(
        Profile.objects.filter(employee_id__isnull=False).values_list(
            "employee_id", "manager_id", "org_unit_id", "site_id", "job_title", "updated_at"
        )
    )
    assert after == snapshot
    assert (OrgUnit.objects.count(), Site.objects.count()) == (units, sites)


def test_manager_cycle_is_refused_with_the_rows_named(hr_user):
    job = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_cycle.csv"))
    assert len(job.blocking_errors) == 1
    message = job.blocking_errors[0]
    for fragment in ("line 3 (E2)", "line 4 (E3)", "line 5 (E4)"):
        assert fragment in message
    assert "line 2" not in message
    with pytest.raises(ValidationError), committed():
        do_confirm_import(hr_user, job)
    assert not User.objects.filter(email__endswith="@lumen.example").exists()
    assert job.status_label == "Refused: see why"  # not "waiting for confirmation" in the lists


def test_cycle_through_people_already_in_the_directory_is_refused(hr_user):
    boss = person("Boss", "One", employee_id="X1")
    person("Report", "Two", employee_id="X2", manager=boss.user)
    upload = (
        f"employee_id,email,first_name,last_name,manager_employee_id\nX1,{boss.user.email},Boss,One,X2\n"
    ).encode()
    from django.core.files.uploadedfile import SimpleUploadedFile

    job = do_create_import(hr_user, ImportJob.Kind.HR, SimpleUploadedFile("hr.csv", upload))
    assert job.blocking_errors and "X2" in job.blocking_errors[0]


def test_cycle_page_shows_the_error_and_no_confirm_button(client, hr_user):
    client.force_login(hr_user)
    response = client.post(reverse("directory:import_new", args=["hr"]), {"file": data_file("hr_cycle.csv")})
    page = client.get(response["Location"]).content.decode()
    assert "Manager cycle" in page and "line 3 (E2)" in page
    assert "Confirm the import" not in page
    # A blocked file promises nothing: no counts of rows "to create" contradicting the error.
    assert "Nothing will be imported" in page
    assert "To create" not in page


def test_malformed_hr_rows_are_named(hr_user):
    job = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_malformed.csv"))
    reasons = {r["line"]: r["reason"] for r in job.rejected}
    assert "missing employee id" in reasons[3]
    assert "bad e-mail" in reasons[4]
    assert "duplicate employee id E1 (line 2)" in reasons[5]
    assert "missing name" in reasons[6]
    assert "active" in reasons[7]
    assert [r["employee_id"] for r in job.rows] == ["E1", "E5"]
    assert any("E99" in w for w in job.preview["warnings"])


def test_missing_columns_refuse_the_file(hr_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from directory.imports import ImportRefused

    with pytest.raises(ImportRefused, match="employee_id"):
        do_create_import(hr_user, ImportJob.Kind.HR, SimpleUploadedFile("x.csv", b"email,first_name\na@b.c,A\n"))


def test_only_hr_and_admins_provision(client, user, me, admin_user):
    with pytest.raises(PermissionDenied):
        do_create_import(user, ImportJob.Kind.HR, data_file("hr_employees.csv"))
    client.force_login(user)
    assert client.get(reverse("directory:import_new", args=["hr"])).status_code == 403
    assert (
        client.post(reverse("directory:import_new", args=["hr"]), {"file": data_file("hr_employees.csv")}).status_code
        == 403
    )
    client.force_login(admin_user)
    assert client.get(reverse("directory:hr_sync")).status_code == 302
    assert client.get(reverse("directory:import_new", args=["hr"])).status_code == 200


def test_hr_browser_flow_shows_a_clear_report(client, hr_user):
    client.force_login(hr_user)
    response = client.post(reverse("directory:import_new", args=["hr"]), {"file": data_file("hr_employees.csv")})
    page = client.get(response["Location"]).content.decode()
    assert "To create" in page and "To deactivate" in page
    job = ImportJob.objects.get(owner=hr_user)
    with committed():
        client.post(reverse("directory:import_confirm", args=[job.pk]))
    report = client.get(reverse("directory:import", args=[job.pk])).content.decode()
    assert "Import finished" in report and "Deactivated" in report


def test_sync_hr_command(hr_user, capsys):
    call_command("sync_hr", str(DATA / "hr_employees.csv"), "--as", hr_user.email)
    assert Profile.objects.filter(employee_id__in=["E1", "E2", "E3", "E4"]).count() == 4
    call_command("sync_hr", str(DATA / "hr_employees.csv"), "--as", hr_user.email)
    out = capsys.readouterr().out
    assert "0 created, 0 updated, 4 unchanged" in out


def test_sync_hr_command_refuses_cycles(hr_user):
    with pytest.raises(CommandError, match="Nothing was imported"):
        call_command("sync_hr", str(DATA / "hr_cycle.csv"), "--as", hr_user.email)


def test_sync_hr_dry_run_changes_nothing(hr_user):
    call_command("sync_hr", str(DATA / "hr_employees.csv"), "--as", hr_user.email, "--dry-run")
    assert not Profile.objects.filter(employee_id="E1").exists()


def test_bench_runs_and_rolls_back(hr_user):
    from directory.bench import run

    timings = run(rows=60, out=lambda *_: None)
    first, second, third = timings.values()
    assert first[2]["create"] == 60 and first[2]["managers"] == 59
    assert second[2]["skip"] == 60
    assert third[2]["update"] == 60
    assert not User.objects.filter(email__endswith="@bench.example").exists()


def test_site_is_found_by_its_city(hr_user):
    paris = Site.objects.create(name="Paris — La Défense", slug="paris-la-defense", city="Paris")
    job = sync(hr_user, "hr_employees.csv")
    assert job.result["new_sites"] == ["Lyon"]
    assert Profile.objects.get(employee_id="E1").site == paris


def test_email_conflict_is_reported_not_applied(client, hr_user):
    person("Someone", "Else", email="helene.dupre@lumen.example")
    person("Marc", "Ceo", email="other@lumen.example", employee_id="E1")
    from django.core.files.uploadedfile import SimpleUploadedFile

    upload = SimpleUploadedFile(
        "hr.csv", b"employee_id,email,first_name,last_name\nE1,helene.dupre@lumen.example,Marc,Ceo\n"
    )
    job = do_create_import(hr_user, ImportJob.Kind.HR, upload)
    assert job.preview["counts"]["reject"] == 1
    assert "already belongs to another person" in job.preview["rows"][0]["reason"]
    with committed():
        do_confirm_import(hr_user, job)
    job.refresh_from_db()
    assert job.result["rejected"][0]["line"] == 2
    assert User.objects.get(email="other@lumen.example").profile.employee_id == "E1"
    client.force_login(hr_user)
    page = client.get(reverse("directory:import", args=[job.pk])).content.decode()
    assert "already belongs to another person" in page


def test_full_sync_deactivates_employees_missing_from_the_file(hr_user):
    gone = person("Already", "Gone", employee_id="E900")
    untouched = person("No", "EmployeeId")  # never provisioned by HR: not concerned
    job = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_employees.csv"), full_sync=True)
    assert job.preview["counts"]["missing"] == 1
    with committed():
        do_confirm_import(hr_user, job)
    gone.user.refresh_from_db()
    untouched.user.refresh_from_db()
    assert gone.user.is_active is False and Profile.objects.filter(pk=gone.pk).exists()
    assert untouched.user.is_active is True


def test_without_full_sync_missing_employees_stay(hr_user):
    kept = person("Still", "Here", employee_id="E901")
    sync(hr_user, "hr_employees.csv")
    kept.user.refresh_from_db()
    assert kept.user.is_active is True


def test_full_sync_warns_when_most_people_would_leave(hr_user):
    for i in range(5):
        person("Many", f"Provisioned{i}", employee_id=f"P{i}")
    job = do_create_import(hr_user, ImportJob.Kind.HR, data_file("hr_employees.csv"), full_sync=True)
    assert any("complete list" in w for w in job.preview["warnings"])


def test_full_sync_from_the_browser_and_command(client, hr_user):
    gone = person("Browser", "Gone", employee_id="E902")
    client.force_login(hr_user)
    response = client.post(
        reverse("directory:import_new", args=["hr"]), {"file": data_file("hr_employees.csv"), "full_sync": "on"}
    )
    assert "Missing from the file" in client.get(response["Location"]).content.decode()
    ImportJob.objects.all().delete()
    call_command("sync_hr", str(DATA / "hr_employees.csv"), "--as", hr_user.email, "--full")
    gone.user.refresh_from_db()
    assert gone.user.is_active is False


def test_a_new_employee_id_cannot_take_over_a_provisioned_colleagues_account(hr_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    marc = person("Marc", "Dubois", email="marc.dubois@lumen.example", employee_id="E10004")
    upload = SimpleUploadedFile(
        "hr.csv", b"employee_id,email,first_name,last_name\nE90007,marc.dubois@lumen.example,Email,Clash\n"
    )
    job = do_create_import(hr_user, ImportJob.Kind.HR, upload)
    assert job.preview["counts"]["reject"] == 1 and job.preview["counts"]["update"] == 0
    assert "already belongs to employee E10004" in job.preview["rows"][0]["reason"]
    with committed():
        do_confirm_import(hr_user, job)
    marc.refresh_from_db()
    assert (marc.user.first_name, marc.employee_id) == ("Marc", "E10004")


def test_a_full_sync_never_deactivates_someone_whose_row_was_rejected(hr_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    typo = person("Typo", "Person", email="typo@lumen.example", employee_id="E7")
    kept = person("Kept", "Person", email="kept@lumen.example", employee_id="E8")
    upload = SimpleUploadedFile(
        "hr.csv",
        b"employee_id,email,first_name,last_name\nE7,not-an-email,Typo,Person\nE8,kept@lumen.example,Kept,Person\n",
    )
    job = do_create_import(hr_user, ImportJob.Kind.HR, upload, full_sync=True)
    assert job.preview["counts"]["missing"] == 0 and len(job.rejected) == 1
    with committed():
        do_confirm_import(hr_user, job)
    typo.user.refresh_from_db()
    kept.user.refresh_from_db()
    assert typo.user.is_active and kept.user.is_active


def test_a_full_sync_with_unreadable_lines_is_refused(hr_user):
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = b'employee_id,email,first_name,last_name\n"E9,broken@lumen.example,Broken,Quote\nE8,k@lumen.example,K,P\n'
    job = do_create_import(hr_user, ImportJob.Kind.HR, SimpleUploadedFile("hr.csv", content), full_sync=True)
    assert job.blocking_errors and "complete list" in job.blocking_errors[-1]
    partial = do_create_import(hr_user, ImportJob.Kind.HR, SimpleUploadedFile("hr.csv", content))
    assert not partial.blocking_errors  # a partial sync goes on without the unreadable line
