import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory import imports
from directory.imports import ImportRefused, decode_bytes, do_confirm_import, do_create_import
from directory.models import Contact, FollowSuggestion, ImportJob
from directory.tests.conftest import DATA, committed, data_file
from directory.tests.factories import ContactFactory, person

pytestmark = pytest.mark.django_db


def _import(user, kind, name):
    job = do_create_import(user, kind, data_file(name))
    with committed():
        do_confirm_import(user, job)
    job.refresh_from_db()
    return job


@pytest.mark.parametrize(
    ("name", "encoding"),
    [
        ("contacts_utf8.csv", "utf-8"),
        ("contacts_utf8_bom.csv", "utf-8-sig"),
        ("contacts_utf16.csv", "utf-16"),
        ("contacts_cp1252.csv", "windows-1252"),
    ],
)
def test_csv_encodings_are_read_correctly(user, name, encoding):
    job = _import(user, ImportJob.Kind.CSV, name)
    assert job.encoding == encoding
    assert job.rejected == []
    assert job.status == ImportJob.Status.DONE
    helene = Contact.objects.get(owner=user, name="Hélène Dupré")
    assert helene.company == "Acier Durable"
    assert helene.emails == ["helene.dupre@acier.example"]
    assert helene.phones == ["+33 6 11 22 33 44"]
    assert Contact.objects.filter(owner=user, name="François Œuvrard", company="Cabinet Martin").exists()


def test_csv_several_emails_and_tags(user):
    _import(user, ImportJob.Kind.CSV, "contacts_utf8.csv")
    jurgen = Contact.objects.get(owner=user, name="Jürgen Müller")
    assert jurgen.emails == ["j.muller@becker.example", "jurgen@gmail.example"]
    helene = Contact.objects.get(owner=user, name="Hélène Dupré")
    assert helene.tags == ["client", "vip"]
    assert helene.notes == "Rencontrée au salon, très réactive"


def test_malformed_rows_are_rejected_with_their_line_and_reason(user):
    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_malformed.csv"))
    reasons = {r["line"]: r["reason"] for r in job.rejected}
    assert "missing name" in reasons[3]
    assert "bad e-mail" in reasons[4]
    assert "duplicate of line 2" in reasons[5]
    assert "unreadable line" in reasons[6] and "columns" in reasons[6]
    assert "unreadable line" in reasons[7]
    assert [r["data"]["name"] for r in job.rows] == ["Alice Valid", "Eve Valid"]
    assert job.rows[1]["data"]["company"] == "Acmé"  # the rest of the file stays UTF-8
    assert job.preview["counts"] == {"create": 2, "update": 0, "skip": 0, "suggest": 0, "reject": 5}
    assert not Contact.objects.exists()  # a preview writes nothing


def test_preview_page_lists_rejected_rows(logged_client, user):
    response = logged_client.post(
        reverse("directory:import_new", args=["csv"]), {"file": data_file("contacts_malformed.csv")}
    )
    job = ImportJob.objects.get(owner=user)
    assert response.status_code == 302 and response["Location"] == reverse("directory:import", args=[job.pk])
    page = logged_client.get(response["Location"]).content.decode()
    assert "missing name" in page and "bad e-mail" in page and "duplicate of line 2" in page
    assert "Confirm the import" in page


def test_vcard_30_with_photo_and_several_emails(user):
    job = _import(user, ImportJob.Kind.VCARD, "contacts_v3.vcf")
    assert job.rejected == []
    helene = Contact.objects.get(owner=user, name="Hélène Dupré")
    assert helene.emails == ["helene.dupre@acier.example", "helene@perso.example"]
    assert helene.phones == ["+33 6 11 22 33 44", "+33 1 40 00 00 00"]
    assert helene.company == "Acier Durable"
    assert helene.job_title == "Acheteuse"
    assert helene.tags == ["client", "vip"]
    assert helene.notes == "Rencontrée au salon, très réactive"
    assert helene.url == "https://acier.example"
    assert Contact.objects.filter(owner=user).count() == 2
    _assert_small_jpeg(helene.photo)


def test_vcard_40_with_photo_and_several_emails(user):
    job = _import(user, ImportJob.Kind.VCARD, "contacts_v4.vcf")
    assert job.rejected == []
    ana = Contact.objects.get(owner=user, name="Ana Ribeiro")
    assert ana.emails == ["ana@lisboa-labs.example", "ana.ribeiro@mail.example"]
    assert ana.phones == ["+351-91-000-0000"]
    assert ana.company == "Lisboa Labs"
    _assert_small_jpeg(ana.photo)  # a PNG data: URI, kept as our small JPEG


def _assert_small_jpeg(photo):
    from PIL import Image

    assert photo, "the card's photo came in"
    with photo.open("rb") as handle, Image.open(handle) as image:
        assert image.format == "JPEG" and max(image.size) <= 160


def test_broken_vcard_file_keeps_good_cards_and_names_bad_ones(user):
    job = do_create_import(user, ImportJob.Kind.VCARD, data_file("contacts_broken.vcf"))
    assert [r["data"]["name"] for r in job.rows] == ["Good Card"]
    reasons = sorted(r["reason"] for r in job.rejected)
    assert len(reasons) == 4
    assert any("outside" in r for r in reasons)
    assert any("missing name" in r for r in reasons)
    assert any("bad e-mail" in r for r in reasons)
    assert any("unreadable card" in r for r in reasons)


def test_linkedin_colleagues_become_suggestions_others_contacts(user):
    camille = person("Camille", "Durand", email="camille.durand@demo.rse.example")
    job = _import(user, ImportJob.Kind.LINKEDIN, "Connections.csv")
    assert job.result["suggest"] == 1
    assert FollowSuggestion.objects.filter(user=user, suggested=camille.user, source="linkedin").exists()
    assert not Contact.objects.filter(owner=user, name="Camille Durand").exists()
    ana = Contact.objects.get(owner=user, name="Ana Ribeiro")
    assert ana.company == "Lisboa Labs" and ana.job_title == "CTO" and ana.emails == []
    assert ana.url == "https://www.linkedin.com/in/ana-ribeiro"
    assert "LinkedIn" in ana.tags
    reasons = {r["reason"].split(":")[0] for r in job.rejected}
    assert reasons == {"missing name", "bad e-mail"}


def test_linkedin_suggestion_shows_on_suggestions_page(logged_client, user, me):
    camille = person("Camille", "Durand", email="camille.durand@demo.rse.example")
    _import(user, ImportJob.Kind.LINKEDIN, "Connections.csv")
    page = logged_client.get(reverse("directory:suggestions")).content.decode()
    assert "Camille Durand" in page and "LinkedIn connection" in page
    assert str(reverse("directory:follow", args=[camille.user_id])) in page


@pytest.mark.parametrize(
    ("kind", "name"),
    [
        (ImportJob.Kind.CSV, "contacts_utf8.csv"),
        (ImportJob.Kind.CSV, "contacts_cp1252.csv"),
        (ImportJob.Kind.VCARD, "contacts_v3.vcf"),
        (ImportJob.Kind.VCARD, "contacts_v4.vcf"),
        (ImportJob.Kind.LINKEDIN, "Connections.csv"),
    ],
)
def test_importing_the_same_file_again_changes_nothing(user, kind, name):
    person("Camille", "Durand", email="camille.durand@demo.rse.example")
    _import(user, kind, name)
    before = sorted(Contact.objects.filter(owner=user).values_list("name", "emails", "phones", "tags", "updated_at"))
    suggestions = FollowSuggestion.objects.count()
    again = do_create_import(user, kind, data_file(name))
    counts = again.preview["counts"]
    assert counts["create"] == counts["update"] == counts["suggest"] == 0
    assert counts["skip"] == len(again.rows)
    with committed():
        do_confirm_import(user, again)
    after = sorted(Contact.objects.filter(owner=user).values_list("name", "emails", "phones", "tags", "updated_at"))
    assert after == before
    assert FollowSuggestion.objects.count() == suggestions


def test_reimport_updates_existing_contacts_without_losing_their_data(user):
    ContactFactory(
        owner=user,
        name="Hélène Dupré",
        emails=["helene.dupre@acier.example"],
        phones=["+33 1 99"],
        match_key="email:helene.dupre@acier.example",
    )
    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    assert job.preview["counts"]["update"] == 1 and job.preview["counts"]["create"] == 2
    with committed():
        do_confirm_import(user, job)
    helene = Contact.objects.get(owner=user, name="Hélène Dupré")
    assert helene.phones == ["+33 1 99", "+33 6 11 22 33 44"]
    assert Contact.objects.filter(owner=user).count() == 3


def test_nothing_is_half_imported_when_apply_fails(user, monkeypatch):
    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))

    def explode(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(imports.FollowSuggestion.objects, "bulk_create", explode)
    with pytest.raises(RuntimeError), committed():
        do_confirm_import(user, job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and "disk full" in job.error
    assert not Contact.objects.filter(owner=user).exists()


def test_file_over_size_limit_is_refused(logged_client, user, settings):
    settings.RSE_MAX_UPLOAD_BYTES = 100
    response = logged_client.post(
        reverse("directory:import_new", args=["csv"]), {"file": data_file("contacts_utf8.csv")}
    )
    assert response.status_code == 200
    assert "larger than" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_too_many_rows_are_refused(user, settings):
    settings.RSE_IMPORT_MAX_ROWS = 2
    with pytest.raises(ImportRefused, match="at most 2"):
        do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))


def test_csv_without_name_column_is_refused(user):
    upload = SimpleUploadedFile("x.csv", b"foo,bar\n1,2\n")
    with pytest.raises(ImportRefused, match="name"):
        do_create_import(user, ImportJob.Kind.CSV, upload)


def test_empty_file_is_refused(user):
    with pytest.raises(ImportRefused):
        do_create_import(user, ImportJob.Kind.CSV, SimpleUploadedFile("x.csv", b"  \n"))


def test_decode_utf16_without_bom():
    raw = (DATA / "contacts_utf8.csv").read_text("utf-8").encode("utf-16-le")
    decoded = decode_bytes(raw)
    assert decoded.encoding == "utf-16-le" and "Hélène" in decoded.text


def test_full_browser_flow_upload_preview_confirm_progress(logged_client, user):
    response = logged_client.post(
        reverse("directory:import_new", args=["vcard"]), {"file": data_file("contacts_v3.vcf")}
    )
    job = ImportJob.objects.get(owner=user)
    preview = logged_client.get(response["Location"]).content.decode()
    assert "To create" in preview
    assert not Contact.objects.exists()
    with committed():
        logged_client.post(reverse("directory:import_confirm", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    progress = logged_client.get(reverse("directory:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    assert "Import finished" in progress.content.decode()
    assert Contact.objects.filter(owner=user).count() == 2
    # Confirming twice does nothing more.
    with committed():
        logged_client.post(reverse("directory:import_confirm", args=[job.pk]))
    assert Contact.objects.filter(owner=user).count() == 2


def test_someone_elses_import_is_404(client, user, other_user):
    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    client.force_login(other_user)
    assert client.get(reverse("directory:import", args=[job.pk])).status_code == 404
    assert client.post(reverse("directory:import_confirm", args=[job.pk])).status_code == 404


def test_task_is_idempotent(user):
    from directory.tasks import apply_import_task

    job = _import(user, ImportJob.Kind.CSV, "contacts_utf8.csv")
    count = Contact.objects.count()
    apply_import_task(job.pk)  # a redelivery
    assert Contact.objects.count() == count


def test_cancel_import(logged_client, user):
    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    logged_client.post(reverse("directory:import_cancel", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == ImportJob.Status.CANCELLED
    with pytest.raises(Exception, match="already been confirmed"):
        do_confirm_import(user, job)


def test_inactive_user_cannot_import(user):
    user.is_active = False
    with pytest.raises(PermissionDenied):
        do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))


def test_progress_reads_the_cache_while_running(logged_client, user):
    from django.core.cache import cache

    from directory.imports import progress_key

    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.RUNNING)
    cache.set(progress_key(job.pk), 2)
    response = logged_client.get(reverse("directory:import_progress", args=[job.pk]), HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert 'value="2"' in content and "2 of 3 rows" in content and 'hx-trigger="every 1s"' in content
    cache.delete(progress_key(job.pk))


def test_transient_database_error_is_retried_then_reported(user, monkeypatch):
    from django.db import OperationalError

    from directory.tasks import apply_import_task

    job = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    ImportJob.objects.filter(pk=job.pk).update(status=ImportJob.Status.QUEUED)
    calls = []

    def locked(*args, **kwargs):
        calls.append(1)
        raise OperationalError("database is locked")

    monkeypatch.setattr(imports, "apply_contacts", locked)
    from celery.exceptions import Retry

    with pytest.raises(Retry):
        apply_import_task.apply(args=[job.pk])
    job.refresh_from_db()
    assert job.status == ImportJob.Status.QUEUED  # handed back for the retry
    apply_import_task.apply(args=[job.pk], retries=3)  # the last allowed retry fails too
    job.refresh_from_db()
    assert len(calls) == 2
    assert job.status == ImportJob.Status.FAILED and "locked" in job.error
    assert not Contact.objects.exists()


def test_purge_old_imports(user):
    from datetime import timedelta

    from django.utils import timezone

    from directory.tasks import purge_old_imports

    old = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    fresh = do_create_import(user, ImportJob.Kind.CSV, data_file("contacts_utf8.csv"))
    ImportJob.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=8))
    assert purge_old_imports() == 1
    assert list(ImportJob.objects.values_list("pk", flat=True)) == [fresh.pk]


def test_a_broken_quote_costs_its_line_and_the_rows_after_it_come_in(user):
    upload = SimpleUploadedFile(
        "c.csv", b'name,email\nAnn Air,ann@x.example\n"Unclosed quote,Dupont,x@y.example\nBob Bay,bob@x.example\n'
    )
    job = do_create_import(user, ImportJob.Kind.CSV, upload)
    assert [(r["line"], "never closed" in r["reason"]) for r in job.rejected] == [(3, True)]
    assert [r["data"]["name"] for r in job.rows] == ["Ann Air", "Bob Bay"]
