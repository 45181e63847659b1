"""Issue 14, "Imports": every CSV import (HR, contacts CSV, LinkedIn, repository items, starter
content) reads the usual header variants, lists every column it ignores in the preview, refuses a
file with a header and no rows, and says a binary file is not a text CSV."""

import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile

from animation.seeding.models import StarterImport
from animation.seeding.services import do_preview_starter_import
from communities.models import Membership
from communities.tests.factories import CommunityFactory, member
from directory.imports import ImportRefused, do_confirm_import, do_create_import, run_import
from directory.models import ImportJob, Profile
from directory.tests.factories import ProfileFactory
from repository import imports as item_imports
from repository.models import ImportJob as ItemImportJob
from repository.models import Item
from repository.tests.factories import ItemTypeFactory
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role
from rse.accounts.tests.factories import UserFactory
from rse.lib.csvfiles import Columns, header_key

pytestmark = pytest.mark.django_db
PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4\x89" * 20


def upload(content: bytes, name="file.csv"):
    return SimpleUploadedFile(name, content, "text/csv")


@pytest.fixture
def hr_user():
    profile = ProfileFactory()
    do_grant_role(profile.user, Role.HR_ANALYST)
    return profile.user


def hr_preview(hr_user, content: bytes):
    return do_create_import(hr_user, ImportJob.Kind.HR, upload(content))


# --- Header variants --------------------------------------------------------------------------


def test_header_names_are_compared_without_case_accents_or_separators():
    assert header_key("  Org_Unit ") == header_key("ORG-UNIT") == header_key("org.unit") == "org unit"
    assert header_key("Prénom") == "prenom"
    columns = Columns({"org_unit_path": ("org unit", "department")})
    assert columns.resolve(["Org_Unit", "DEPARTMENT", "Shoe size"]) == (
        ["org_unit_path", "org_unit_path", None],
        ["Shoe size"],
    )


@pytest.mark.parametrize(
    "org_header", ["org_unit", "Org Unit", "department", "Département", "SERVICE", "org_unit_path"]
)
def test_the_hr_org_column_is_read_under_its_usual_names(hr_user, org_header):
    content = (
        f"Employee ID;E-mail;Prénom;Nom;Job Title;{org_header};Location;Manager ID;Active\n"
        "E1;ada@lumen.example;Ada;Lovelace;Engineer;Groupe Lumen/Technology;Paris;;yes\n"
    ).encode()
    job = hr_preview(hr_user, content)
    assert not job.blocking_errors and not job.rejected and not job.preview["warnings"], job.preview
    do_confirm_import(hr_user, job)
    run_import(job.pk)
    profile = Profile.objects.select_related("org_unit__parent", "site", "user").get(employee_id="E1")
    assert (profile.org_unit.name, profile.org_unit.parent.name) == ("Technology", "Groupe Lumen")
    assert (profile.user.first_name, profile.user.last_name, profile.job_title) == ("Ada", "Lovelace", "Engineer")
    assert profile.site.name == "Paris"


def test_every_ignored_hr_column_is_a_warning_in_the_preview(hr_user):
    content = b"employee_id,email,first_name,last_name,Shoe size,Badge\nE1,ada@lumen.example,Ada,Lovelace,38,B-12\n"
    job = hr_preview(hr_user, content)
    assert any("“Shoe size”" in w and "“Badge”" in w for w in job.preview["warnings"]), job.preview["warnings"]


def test_contact_csv_headers_variants_and_ignored_columns(user):
    content = (
        "Prénom,Nom de famille,Société,E-mail 1 - Value,E-mail 2 - Value,Mobile Phone,Birthday\n"
        "Ada,Lovelace,Analytical,ada@example.com,ada@home.example,+44 1,1815-12-10\n"
    ).encode()
    job = do_create_import(user, ImportJob.Kind.CSV, upload(content))
    row = job.rows[0]["data"]
    assert (row["name"], row["company"]) == ("Ada Lovelace", "Analytical")
    assert row["emails"] == ["ada@example.com", "ada@home.example"] and row["phones"] == ["+44 1"]
    assert any("“Birthday”" in w for w in job.preview["warnings"]), job.preview["warnings"]


def test_repository_import_reads_header_variants_and_lists_ignored_columns(django_capture_on_commit_callbacks):
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    customer = ItemTypeFactory(name="Customer", slug="customer")
    content = "Référence;Raison sociale;Statut;Mots-clés;Fax\nC-9;Acme;active;b2b;01 02\n".encode()
    with django_capture_on_commit_callbacks(execute=True):
        job = item_imports.do_start_import(admin, customer, upload(content))
    job.refresh_from_db()
    assert job.status == ItemImportJob.Status.PREVIEW, job.error
    assert job.counts["create"] == 1 and job.counts["ignored_columns"] == ["Fax"]


def test_starter_import_reads_variants_and_warns_about_ignored_columns(user):
    community = CommunityFactory()
    member(community, user, role=Membership.Role.ANIMATOR)
    content = "Titre;Réponse;Owner\nWhere is the canteen?;Ground floor;Ann\n".encode()
    job = do_preview_starter_import(user, community, upload(content))
    assert job.rows[0]["question"] == "Where is the canteen?" and job.rows[0]["answer"] == "Ground floor"
    assert any("“Owner”" in w for w in StarterImport.objects.get(pk=job.pk).warnings)


# --- A header and no rows ----------------------------------------------------------------------


def test_a_header_only_csv_is_refused_by_every_import(hr_user, user, django_capture_on_commit_callbacks):
    with pytest.raises(ImportRefused, match="no rows"):
        hr_preview(hr_user, b"employee_id,email,first_name,last_name\n")
    with pytest.raises(ImportRefused, match="no rows"):
        do_create_import(user, ImportJob.Kind.CSV, upload(b"name,email\r\n\r\n"))
    with pytest.raises(ImportRefused, match="no rows"):
        do_create_import(user, ImportJob.Kind.LINKEDIN, upload(b"Notes:\n\nFirst Name,Last Name,URL\n"))
    community = CommunityFactory()
    member(community, user, role=Membership.Role.ANIMATOR)
    with pytest.raises(ImportRefused, match="no rows"):
        do_preview_starter_import(user, community, upload(b"question,answer\n"))
    assert not ImportJob.objects.exists() and not StarterImport.objects.exists()
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    with django_capture_on_commit_callbacks(execute=True):
        job = item_imports.do_start_import(admin, ItemTypeFactory(), upload(b"external_id,name\n"))
    job.refresh_from_db()
    assert job.status == ItemImportJob.Status.FAILED and "no rows" in job.error


def test_the_hr_page_says_no_rows_and_offers_no_confirm_button(client, hr_user):
    client.force_login(hr_user)
    page = client.post("/people/imports/hr/new/", {"file": upload(b"employee_id,email,first_name,last_name\n")})
    text = page.content.decode()
    assert "no rows" in text and not ImportJob.objects.exists()


# --- Binary files ------------------------------------------------------------------------------


def test_a_png_renamed_csv_is_told_it_is_not_a_text_csv(hr_user, user, django_capture_on_commit_callbacks):
    with pytest.raises(ImportRefused, match="PNG image, not a text CSV"):
        hr_preview(hr_user, PNG)
    with pytest.raises(ImportRefused, match="PNG image, not a text CSV"):
        do_create_import(user, ImportJob.Kind.CSV, upload(PNG, "photo.csv"))
    admin = UserFactory()
    admin.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    with django_capture_on_commit_callbacks(execute=True):
        job = item_imports.do_start_import(admin, ItemTypeFactory(), upload(PNG))
    job.refresh_from_db()
    assert job.status == ItemImportJob.Status.FAILED and "not a text CSV" in job.error
    assert not Item.objects.exists()


def test_binary_data_without_a_known_signature_is_not_text(user):
    noise = bytes(range(256)) * 40
    with pytest.raises(ImportRefused, match="not text"):
        do_create_import(user, ImportJob.Kind.CSV, upload(noise))


def test_an_xlsx_is_told_to_be_saved_as_csv(user):
    with pytest.raises(ImportRefused, match="Excel or OpenDocument workbook"):
        do_create_import(user, ImportJob.Kind.CSV, upload(b"PK\x03\x04" + b"\x00" * 200, "people.csv"))
