from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repository import imports
from repository.models import FieldDefinition, ImportJob, Item, ItemChange, ItemRelation
from repository.tests.factories import ItemFactory

DATA = Path(__file__).parent / "data"


@pytest.fixture
def acme(customer_type):
    return ItemFactory(item_type=customer_type, name="Acme", external_id="C-1")


def _upload(name="projects.csv", content=None):
    return SimpleUploadedFile(name, content if content is not None else (DATA / name).read_bytes(), "text/csv")


@pytest.fixture
def run(django_capture_on_commit_callbacks):
    """Start (and confirm) an import, running the on-commit Celery tasks (eager in tests)."""

    def _import(user, item_type, name="projects.csv", content=None, confirm=True):
        with django_capture_on_commit_callbacks(execute=True):
            job = imports.do_start_import(user, item_type, _upload(name, content))
        job.refresh_from_db()
        if confirm and job.status == ImportJob.Status.PREVIEW:
            _confirm(user, job)
        return job

    def _confirm(user, job):
        with django_capture_on_commit_callbacks(execute=True):
            imports.do_confirm_import(user, job)
        job.refresh_from_db()

    _import.confirm = _confirm
    return _import


def _state():
    return sorted(
        (
            i.external_id,
            i.name,
            i.status,
            i.description_md,
            tuple(sorted(i.fields.items())),
            tuple(sorted(t.name for t in i.tags.all())),
        )
        for i in Item.objects.prefetch_related("tags")
    )


def test_preview_names_each_rejected_row_and_writes_nothing(run, admin_user, project_type, acme):
    job = run(admin_user, project_type, confirm=False)
    assert job.status == ImportJob.Status.PREVIEW
    assert {k: job.counts[k] for k in ("create", "update", "skip", "reject")} == {
        "create": 2,
        "update": 0,
        "skip": 0,
        "reject": 4,
    }
    reasons = {row["line"]: row["reason"] for row in job.preview if row["action"] == "reject"}
    assert "name: An item needs a name." in reasons[4]
    assert "budget: Enter a number" in reasons[5]
    assert "customer: No Customer matches “C-404”" in reasons[6]
    assert "already appears on line 2" in reasons[7]
    assert Item.objects.count() == 1  # only acme: nothing written before confirmation


def test_csv_upsert_twice_gives_the_same_state(run, admin_user, project_type, acme):
    first = run(admin_user, project_type)
    assert first.status == ImportJob.Status.DONE
    assert first.counts["applied"] == {"create": 2, "update": 0, "skip": 0, "reject": 4}
    pilot = Item.objects.get(external_id="P-1")
    assert pilot.fields == {"budget": 1200.5, "customer": acme.pk}
    assert "<strong>pilot</strong>" in pilot.description_html
    assert ItemRelation.objects.get(source=pilot).target == acme
    state, changes = _state(), ItemChange.objects.count()

    second = run(admin_user, project_type, confirm=False)
    assert {k: second.counts[k] for k in ("create", "update", "skip")} == {"create": 0, "update": 0, "skip": 2}
    assert second.status == ImportJob.Status.PREVIEW  # nothing to confirm: the button is disabled
    run.confirm(admin_user, second)
    assert second.counts["applied"]["create"] == 0 and second.counts["applied"]["update"] == 0
    assert _state() == state
    assert ItemChange.objects.count() == changes


def test_changed_rows_update_the_existing_items(run, admin_user, project_type, acme):
    run(admin_user, project_type)
    content = (DATA / "projects.csv").read_text().replace("Pilot line", "Pilot line 2")
    job = run(admin_user, project_type, content=content.encode(), confirm=False)
    assert job.counts["update"] == 1 and job.counts["skip"] == 1
    run.confirm(admin_user, job)
    assert Item.objects.get(external_id="P-1").name == "Pilot line 2"
    assert Item.objects.filter(external_id="P-1").count() == 1
    change = ItemChange.objects.filter(item__external_id="P-1").first()
    assert change.action == ItemChange.Action.IMPORTED and change.changes["name"] == ["Pilot line", "Pilot line 2"]


@pytest.mark.parametrize("name", ["projects.csv", "projects-bom.csv", "projects-utf16.csv", "projects-cp1252.csv"])
def test_encodings_are_read_correctly(run, admin_user, project_type, acme, name):
    run(admin_user, project_type, name=name)
    assert Item.objects.get(external_id="P-2").name == "Électra retrofit"
    assert Item.objects.get(external_id="P-1").fields["budget"] == 1200.5


def test_missing_columns_fail_with_the_reason(run, admin_user, project_type):
    job = run(admin_user, project_type, content=b"id_crm,label\n1,x\n")
    assert job.status == ImportJob.Status.FAILED
    assert "external_id" in job.error and "id_crm, label" in job.error


def test_too_many_rows_are_refused(run, admin_user, project_type, settings):
    settings.RSE_IMPORT_MAX_ROWS = 3
    content = "external_id,name\n" + "".join(f"X{i},Item {i}\n" for i in range(4))
    job = run(admin_user, project_type, content=content.encode())
    assert job.status == ImportJob.Status.FAILED
    assert "more than 3 rows" in job.error
    assert not Item.objects.exists()


def test_too_big_file_is_refused(admin_client, project_type, monkeypatch):
    monkeypatch.setattr(imports, "MAX_IMPORT_BYTES", 100)
    response = admin_client.post(
        reverse("repository:import_start"), {"item_type": project_type.pk, "file": _upload(content=b"x" * 200)}
    )
    assert "limited to 10 MB" in response.content.decode()
    assert not ImportJob.objects.exists()


def test_import_pages_upload_preview_confirm(admin_client, project_type, acme, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(
            reverse("repository:import_start"), {"item_type": project_type.pk, "file": _upload()}
        )
    job = ImportJob.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse("repository:import_detail", args=[job.pk])
    html = admin_client.get(response["Location"]).content.decode()
    assert "Rejected rows" in html and "No Customer matches" in html and "Confirm the import" in html
    progress = admin_client.get(reverse("repository:import_progress", args=[job.pk]))
    assert progress["HX-Refresh"] == "true"  # not working any more: the page reloads itself
    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(reverse("repository:import_confirm", args=[job.pk]))
    assert response.status_code == 302
    assert Item.objects.filter(item_type=project_type).count() == 2
    assert "2 created" in admin_client.get(reverse("repository:import_detail", args=[job.pk])).content.decode()


def test_progress_is_polled_while_the_job_works(admin_client, admin_user, project_type):
    job = ImportJob.objects.create(
        item_type=project_type, created_by=admin_user, original_name="big.csv", total_rows=1000, processed_rows=250
    )
    html = admin_client.get(reverse("repository:import_progress", args=[job.pk])).content.decode()
    assert 'hx-trigger="every 1s"' in html and 'value="250"' in html and "250 of 1000 rows" in html


def test_only_sync_accounts_import(logged_client, user, other_user, admin_user, project_type):
    assert logged_client.get(reverse("repository:import_start")).status_code == 403
    job = ImportJob.objects.create(item_type=project_type, created_by=admin_user, original_name="x.csv")
    assert logged_client.get(reverse("repository:import_detail", args=[job.pk])).status_code == 404


def _rows(n, customer="C-1", prefix="B"):
    lines = ["external_id,name,budget,customer,tags"]
    lines += [f'{prefix}-{i},{prefix} bulk {i},{i},{customer},"lean, bulk"' for i in range(n)]
    return ("\n".join(lines) + "\n").encode()


def test_import_queries_do_not_grow_per_row(run, admin_user, project_type, acme):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    run(admin_user, project_type, content=_rows(2, prefix="W"))  # warm the per-user caches
    with CaptureQueriesContext(connection) as small:
        run(admin_user, project_type, content=_rows(5))
    Item.objects.filter(external_id__startswith="B-").delete()
    with CaptureQueriesContext(connection) as big:
        run(admin_user, project_type, content=_rows(150))
    assert Item.objects.filter(external_id__startswith="B-").count() == 150
    # Only bulk INSERT batches grow (SQLite caps the variables per statement): no query per row.
    assert len(big.captured_queries) - len(small.captured_queries) <= 150 // 25


def test_bulk_import_writes_tags_relations_history_and_trail(run, admin_user, project_type, acme, customer_type):
    from rse.trail.models import Event

    globex = ItemFactory(item_type=customer_type, name="Globex", external_id="C-2")
    run(admin_user, project_type, content=_rows(3))
    item = Item.objects.get(external_id="B-1")
    assert sorted(item.tags.values_list("name", flat=True)) == ["bulk", "lean"]
    assert ItemRelation.objects.get(source=item).target == acme
    assert item.slug == "b-bulk-1"
    created = ItemChange.objects.get(item=item)
    assert created.action == "created" and created.actor == admin_user
    assert created.changes["fields.customer"] == [None, {"item": acme.pk, "name": "Acme"}]
    assert Event.objects.get(verb="repository.import_applied").data["create"] == 3
    # Re-import with another customer and no tags column: relation moves, tags stay.
    content = b"external_id,name,customer\nB-1,B bulk 1,C-2\n"
    job = run(admin_user, project_type, content=content)
    assert job.counts["applied"]["update"] == 1
    assert ItemRelation.objects.get(source=item).target == globex
    item.refresh_from_db()
    assert item.fields == {"budget": 1, "customer": globex.pk} and item.name == "B bulk 1"
    assert sorted(item.tags.values_list("name", flat=True)) == ["bulk", "lean"]
    change = ItemChange.objects.filter(item=item).first()
    assert change.action == "imported" and list(change.changes) == ["fields.customer"]


def test_a_broken_quote_costs_its_line_and_the_rows_after_it_come_in(run, admin_user, project_type):
    content = b'external_id,name\nP-1,Pilot line\n"P-2,Unclosed quote\nP-3,Paint shop\nP-4,Press line\n'
    job = run(admin_user, project_type, content=content)
    assert job.status == ImportJob.Status.DONE, job.error
    reasons = {row["line"]: row["reason"] for row in job.preview if row["action"] == "reject"}
    assert list(reasons) == [3] and "never closed" in reasons[3]
    assert sorted(Item.objects.values_list("external_id", flat=True)) == ["P-1", "P-3", "P-4"]


def test_imported_people_are_recorded_in_the_history_by_id_like_edits(run, admin_user, project_type):
    from repository.tests.factories import FieldDefinitionFactory
    from rse.accounts.tests.factories import UserFactory

    FieldDefinitionFactory(item_type=project_type, key="lead", label="Lead", kind=FieldDefinition.Kind.PERSON)
    lead = UserFactory(email="claire.martin@example.com")
    run(admin_user, project_type, content=b"external_id,name,lead\nP-7,Press line,claire.martin@example.com\n")
    change = ItemChange.objects.get(item__external_id="P-7")
    assert change.changes["fields.lead"] == [None, {"person": lead.pk}]
