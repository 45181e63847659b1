"""Issue 13, hole 1: HR provisioning must not be a way to take over the accounts that run the
platform. Each attack is run over HTTP (or the sync_hr command) and must change nothing."""

import io

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from directory.imports import do_confirm_import, do_create_import
from directory.models import ImportJob, Profile
from directory.tests.conftest import committed
from directory.tests.factories import person
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role

pytestmark = pytest.mark.django_db

ATTACK = b"employee id,email,first name,last name\nE10000,attacker.mailbox@evil.example,Alice,Martin\n"


def _upload(content, name="hr.csv"):
    return SimpleUploadedFile(name, content)


def _snapshot(*users):
    return [
        User.objects.filter(pk=u.pk).values("email", "is_active", "is_staff", "is_superuser", "password").get()
        for u in users
    ]


@pytest.fixture
def demo(db):
    """The demo organisation's accounts and directory, as `seed_demo` makes them."""
    from directory.demo import seed_directory
    from rse.accounts.demo import seed_accounts

    seed_accounts()
    seed_directory()
    return {
        "admin": User.objects.get(email="admin@demo.rse.example"),
        "hr": User.objects.get(email="lea.petit@demo.rse.example"),
    }


def test_the_issues_csv_cannot_take_over_the_superuser(client, demo):
    admin, hr = demo["admin"], demo["hr"]
    assert admin.profile.employee_id == "E10000" and admin.is_superuser
    before = _snapshot(admin)
    client.force_login(hr)
    response = client.post(reverse("directory:import_new", args=["hr"]), {"file": _upload(ATTACK)})
    assert response.status_code == 302
    page = client.get(response["Location"]).content.decode()
    # The preview refuses the row and says why, on its line.
    job = ImportJob.objects.get(owner=hr)
    assert job.preview["counts"]["reject"] == 1 and job.preview["counts"]["update"] == 0
    row = job.preview["rows"][0]
    assert row["line"] == 2 and row["action"] == "reject"
    assert "administrator or staff account" in row["reason"] and "e-mail" in row["reason"]
    assert "administrator or staff account" in page and "<td>2</td>" in page
    with committed():
        client.post(reverse("directory:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE, job.error
    assert job.result["rejected"][0]["line"] == 2
    assert _snapshot(admin) == before
    assert not mail.outbox
    # The attacker's password reset finds no account behind their address.
    client.logout()
    client.post(reverse("password_reset"), {"email": "attacker.mailbox@evil.example"})
    assert not mail.outbox


def test_the_same_row_from_the_sync_command_is_refused_and_named(demo):
    admin = demo["admin"]
    before = _snapshot(admin)
    path = f"{__import__('tempfile').mkdtemp()}/hr.csv"
    with open(path, "wb") as handle:
        handle.write(ATTACK)
    out = io.StringIO()
    call_command("sync_hr", path, "--as", demo["hr"].email, stdout=out)
    assert "line 2: refused:" in out.getvalue() and "administrator or staff account" in out.getvalue()
    assert _snapshot(admin) == before


@pytest.mark.parametrize(
    ("email", "active", "why"),
    [
        ("new.address@lumen.example", "yes", "change its e-mail address"),
        (None, "no", "deactivate it"),
    ],
)
@pytest.mark.parametrize("kind", ["superuser", "staff", "administrator role"])
def test_rows_changing_a_protected_account_are_refused(hr_user, kind, email, active, why):
    target = person("Root", "Account", email="root@lumen.example", employee_id="E500")
    user = target.user
    if kind == "superuser":
        User.objects.filter(pk=user.pk).update(is_superuser=True)
    elif kind == "staff":
        User.objects.filter(pk=user.pk).update(is_staff=True)
    else:  # the group alone, as an administrator could set it in /admin/
        user.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    before = _snapshot(user)
    csv = f"employee_id,email,first_name,last_name,active\nE500,{email or user.email},Root,Renamed,{active}\n"
    job = do_create_import(hr_user, ImportJob.Kind.HR, _upload(csv.encode()))
    assert job.preview["counts"]["reject"] == 1
    assert why in job.preview["rows"][0]["reason"] and "E500" in job.preview["rows"][0]["reason"]
    with committed():
        do_confirm_import(hr_user, job)
    assert _snapshot(user) == before
    assert User.objects.get(pk=user.pk).last_name == "Account"  # the whole row is refused
    assert not mail.outbox


def test_a_deactivated_administrator_is_not_reactivated_by_provisioning(hr_user):
    target = person("Old", "Admin", email="old.admin@lumen.example", employee_id="E501", is_active=False)
    User.objects.filter(pk=target.user_id).update(is_superuser=True, is_staff=True)
    job = do_create_import(
        hr_user,
        ImportJob.Kind.HR,
        _upload(b"employee_id,email,first_name,last_name\nE501,old.admin@lumen.example,Old,Admin\n"),
    )
    assert "reactivate it" in job.preview["rows"][0]["reason"]
    with committed():
        do_confirm_import(hr_user, job)
    assert User.objects.get(pk=target.user_id).is_active is False


def test_names_and_titles_of_an_administrator_still_come_from_hr(hr_user):
    target = person("Alice", "Martin", email="alice@lumen.example", employee_id="E502")
    do_grant_role(target.user, Role.ADMINISTRATOR)
    csv = b"employee_id,email,first_name,last_name,title\nE502,alice@lumen.example,Alice,Martin-Durand,CIO\n"
    job = do_create_import(hr_user, ImportJob.Kind.HR, _upload(csv))
    assert job.preview["counts"]["update"] == 1 and job.preview["counts"]["reject"] == 0
    with committed():
        do_confirm_import(hr_user, job)
    target.refresh_from_db()
    assert target.user.last_name == "Martin-Durand" and target.job_title == "CIO"


def test_a_full_sync_never_deactivates_an_administrator(client, hr_user):
    """Even missing from the complete list, every administrator stays: never the last one."""
    admin = person("Only", "Admin", email="only.admin@lumen.example", employee_id="E600")
    do_grant_role(admin.user, Role.ADMINISTRATOR)
    staff = person("Staff", "Member", email="staff@lumen.example", employee_id="E601")
    User.objects.filter(pk=staff.user_id).update(is_staff=True)
    leaver = person("Plain", "Leaver", email="plain@lumen.example", employee_id="E602")
    client.force_login(hr_user)
    csv = b"employee_id,email,first_name,last_name\nE603,new.person@lumen.example,New,Person\n"
    response = client.post(reverse("directory:import_new", args=["hr"]), {"file": _upload(csv), "full_sync": "on"})
    page = client.get(response["Location"]).content.decode()
    assert "2 administrator or staff accounts are missing from this file: they stay active" in page
    job = ImportJob.objects.get(owner=hr_user)
    assert job.preview["counts"]["missing"] == 1
    with committed():
        client.post(reverse("directory:import_confirm", args=[job.pk]))
    assert User.objects.get(pk=admin.user_id).is_active
    assert User.objects.get(pk=staff.user_id).is_active
    assert User.objects.get(pk=leaver.user_id).is_active is False
    assert User.objects.filter(is_superuser=True, is_active=True).exists()


def test_an_email_change_is_told_to_the_old_address_in_the_persons_language(hr_user):
    target = person("Chloé", "Girard", email="chloe.girard@lumen.example", employee_id="E700")
    User.objects.filter(pk=target.user_id).update(language="fr")
    other = person("Paul", "Other", email="paul@lumen.example", employee_id="E701")
    csv = (
        "employee_id,email,first_name,last_name\n"
        "E700,chloe.martin@lumen.example,Chloé,Girard\n"
        "E701,paul@lumen.example,Paul,Other\n"
    ).encode()
    job = do_create_import(hr_user, ImportJob.Kind.HR, _upload(csv))
    with committed():
        do_confirm_import(hr_user, job)
    assert User.objects.get(pk=target.user_id).email == "chloe.martin@lumen.example"
    assert len(mail.outbox) == 1
    notice = mail.outbox[0]
    assert notice.to == ["chloe.girard@lumen.example"]  # the old address, not the new one
    assert "modifiée" in notice.subject
    assert "chloe.girard@lumen.example" in notice.body and "chloe.martin@lumen.example" in notice.body
    assert User.objects.get(pk=other.user_id).email == "paul@lumen.example"


def test_the_email_notice_is_sent_once_even_if_its_task_runs_twice(hr_user):
    from rse.accounts.tasks import send_email_changed_notice_task

    target = person("Run", "Twice", email="run.twice@lumen.example", employee_id="E702")
    assert send_email_changed_notice_task(target.user_id, "run.twice@lumen.example", "new@lumen.example")
    assert not send_email_changed_notice_task(target.user_id, "run.twice@lumen.example", "new@lumen.example")
    assert len(mail.outbox) == 1
    assert Profile.objects.filter(employee_id="E702").exists()
