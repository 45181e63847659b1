"""Issue 13, holes 5 and 6 (repository): an external id neither confirms nor lets anyone touch an
item they may not see, live or deleted. Each attack goes over HTTP; a refused write changes nothing."""

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse
from django.utils import timezone

from repository import imports
from repository.models import Item, ItemChange
from repository.tests.factories import ItemFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOT_AVAILABLE = "This external id is not available: choose another one."


@pytest.fixture
def orion(project_type, secret_group):
    """The demo's restricted project, as seed_demo makes it."""
    item = ItemFactory(
        item_type=project_type,
        name="Project Orion (acquisition)",
        slug="project-orion-acquisition",
        external_id="PRJ-2026-999",
        description_md="Due diligence",
        fields={"budget": 1_000_000},
    )
    item.restricted_to.add(secret_group)
    return item


@pytest.fixture
def sync_account(db):
    """The CRM's service account: may synchronise items, is in no restricted group."""
    user = UserFactory()
    user.user_permissions.add(Permission.objects.get(codename="change_item"))
    return user


def _row(item):
    item.refresh_from_db()
    return (item.name, item.description_md, item.fields, item.status, item.deleted_at, item.external_id, item.slug)


def _put(client, external_id, data):
    return client.put(
        reverse("api-repository-item-upsert", args=["project", external_id]), data, content_type="application/json"
    )


@pytest.mark.parametrize("deleted", [False, True])
def test_a_sync_account_cannot_revive_or_overwrite_a_restricted_item(client, orion, sync_account, deleted):
    if deleted:
        Item.objects.filter(pk=orion.pk).update(deleted_at=timezone.now())
    before, history = _row(orion), ItemChange.objects.filter(item=orion).count()
    client.force_login(sync_account)
    response = _put(client, "PRJ-2026-999", {"name": "Owned", "description": "pwned", "fields": {"budget": 1}})
    assert response.status_code == 404
    assert "Orion" not in response.content.decode()
    assert _row(orion) == before  # not revived, not overwritten
    assert ItemChange.objects.filter(item=orion).count() == history


def test_a_deleted_item_the_account_may_see_is_revived_by_its_master(client, project_type, sync_account):
    item = ItemFactory(item_type=project_type, name="Pilot", external_id="ERP-7", deleted_at=timezone.now())
    client.force_login(sync_account)
    response = _put(client, "ERP-7", {"name": "Pilot again"})
    assert response.status_code == 200, response.content
    item.refresh_from_db()
    assert item.deleted_at is None and item.name == "Pilot again"


@pytest.mark.parametrize("deleted", [False, True])
def test_a_csv_import_cannot_revive_or_overwrite_a_restricted_item(
    client, orion, sync_account, deleted, django_capture_on_commit_callbacks
):
    from django.core.files.uploadedfile import SimpleUploadedFile

    if deleted:
        Item.objects.filter(pk=orion.pk).update(deleted_at=timezone.now())
    before = _row(orion)
    upload = SimpleUploadedFile("p.csv", b"external_id,name,description\nPRJ-2026-999,Owned,pwned\n", "text/csv")
    with django_capture_on_commit_callbacks(execute=True):
        job = imports.do_start_import(sync_account, orion.item_type, upload)
    job.refresh_from_db()
    assert [(r["line"], r["reason"]) for r in job.preview if r["action"] == "reject"] == [(2, NOT_AVAILABLE)]
    client.force_login(sync_account)
    page = client.get(reverse("repository:import_detail", args=[job.pk])).content.decode()
    assert NOT_AVAILABLE in page and "not allowed to change" not in page
    if job.status == job.Status.PREVIEW:
        with django_capture_on_commit_callbacks(execute=True):
            imports.do_confirm_import(sync_account, job)
    assert _row(orion) == before


def test_the_external_id_collision_message_does_not_confirm_a_hidden_item(client, orion, project_type):
    employee = UserFactory()
    client.force_login(employee)
    form = {"name": "My project", "status": "active", "external_id": "PRJ-2026-999"}
    page = client.post(reverse("repository:item_create", args=["project"]), form).content.decode()
    assert NOT_AVAILABLE in page
    assert "already has this external id" not in page and "Orion" not in page
    free = client.post(reverse("repository:item_create", args=["project"]), {**form, "external_id": "PRJ-1"})
    assert free.status_code == 302
    # An item the person sees is named as before: nothing hidden there.
    ItemFactory(item_type=project_type, name="Visible", external_id="PRJ-2")
    page = client.post(reverse("repository:item_create", args=["project"]), {**form, "external_id": "PRJ-2"})
    assert "Another Project already has this external id." in page.content.decode()
    assert Item.objects.filter(external_id="PRJ-2026-999").count() == 1
