import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from repository.models import Item, ItemChange
from repository.tests.factories import FieldDefinitionFactory, ItemFactory


@pytest.fixture
def sync_client(client, user):
    user.user_permissions.add(Permission.objects.get(codename="change_item"))
    client.force_login(user)
    return client


def _put(client, type_slug, external_id, data):
    url = reverse("api-repository-item-upsert", args=[type_slug, external_id])
    return client.put(url, data, content_type="application/json")


def test_upsert_creates_then_updates_by_external_id(sync_client, project_type, customer_type):
    acme = ItemFactory(item_type=customer_type, name="Acme", external_id="C-1")
    response = _put(
        sync_client,
        "project",
        "ERP-42",
        {
            "name": "Pilot",
            "description": "A *pilot*",
            "tags": ["lean"],
            "fields": {"customer": "C-1", "budget": "12,5"},
        },
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["external_id"] == "ERP-42" and body["type"] == "project"
    assert body["fields"] == {"customer": acme.pk, "budget": 12.5}
    assert "<em>pilot</em>" in body["description_html"] and body["tags"] == ["lean"]

    response = _put(sync_client, "project", "ERP-42", {"name": "Pilot phase 2", "fields": {"budget": 20}})
    assert response.status_code == 200
    item = Item.objects.get(external_id="ERP-42")
    assert item.name == "Pilot phase 2"
    assert item.fields == {"customer": acme.pk, "budget": 20}  # fields not sent are kept
    assert item.slug == "pilot"  # stable
    assert Item.objects.filter(external_id="ERP-42").count() == 1
    assert list(ItemChange.objects.filter(item=item).values_list("action", flat=True)) == ["imported", "created"]
    # The same PUT again: 200, nothing recorded.
    assert _put(sync_client, "project", "ERP-42", {"name": "Pilot phase 2"}).status_code == 200
    assert ItemChange.objects.filter(item=item).count() == 2

    got = sync_client.get(reverse("api-repository-item-upsert", args=["project", "ERP-42"]))
    assert got.status_code == 200 and got.json()["name"] == "Pilot phase 2"


@pytest.mark.parametrize(
    ("payload", "field", "reason"),
    [
        ({}, "name", "An item needs a name."),
        ({"name": "X", "status": "lost"}, "status", "Unknown status"),
        ({"name": "X", "fields": {"budget": "much"}}, "fields.budget", "Enter a number"),
        ({"name": "X", "fields": {"colour": "red"}}, "fields.colour", "Unknown field"),
        ({"name": "X", "fields": ["budget"]}, "fields", "object"),
        ({"name": "X", "owner": "me"}, "owner", "Unknown attribute"),
    ],
)
def test_upsert_bad_input_is_400_with_reasons(sync_client, project_type, payload, field, reason):
    response = _put(sync_client, "project", "ERP-1", payload)
    assert response.status_code == 400
    assert reason in " ".join(response.json()[field])
    assert not Item.objects.exists()


def test_upsert_needs_sync_rights_and_a_known_type(logged_client, sync_client, project_type):
    assert _put(sync_client, "nope", "X", {"name": "X"}).status_code == 404
    sync_client.logout()
    assert _put(logged_client, "project", "X", {"name": "X"}).status_code in (401, 403)


def test_non_admin_without_permission_gets_403(client, other_user, project_type):
    client.force_login(other_user)
    response = _put(client, "project", "X", {"name": "X"})
    assert response.status_code == 403
    assert not Item.objects.exists()


def test_types_list_their_fields(logged_client, project_type):
    FieldDefinitionFactory(item_type=project_type, key="phase", label="Phase", kind="choice", choices="A\nB")
    data = logged_client.get(reverse("api-repository-types")).json()
    project = next(t for t in data if t["slug"] == "project")
    phase = next(f for f in project["fields"] if f["key"] == "phase")
    assert phase["choices"] == ["A", "B"] and phase["kind"] == "choice"
    customer = next(f for f in project["fields"] if f["key"] == "customer")
    assert customer["target_type"] == "customer"


def test_list_filters_by_type_and_query(logged_client, customer_type, project_type):
    ItemFactory(item_type=customer_type, name="Acme")
    ItemFactory(item_type=project_type, name="Acme rollout")
    names = [
        i["name"] for i in logged_client.get(reverse("api-repository-items"), {"type": "customer"}).json()["results"]
    ]
    assert names == ["Acme"]
    results = logged_client.get(reverse("api-repository-items"), {"q": "rollout"}).json()["results"]
    assert [r["name"] for r in results] == ["Acme rollout"] and "<mark>" not in results[0]["name"]


def test_list_query_count_does_not_grow(logged_client, user, customer_type, django_assert_num_queries):
    def make(n):
        for i in range(n):
            item = ItemFactory(item_type=customer_type)
            item.owners.add(user)
            item.tags.create(name=f"tag-{item.pk}-{i}")

    make(1)
    url = reverse("api-repository-items")
    logged_client.get(url)  # warm the session and bell caches
    with django_assert_num_queries(4) as one:  # the user comes with its roles (rse/accounts/roles.py)
        assert len(logged_client.get(url).json()["results"]) == 1
    make(9)
    with django_assert_num_queries(len(one.captured_queries)):
        assert len(logged_client.get(url).json()["results"]) == 10
