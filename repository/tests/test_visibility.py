"""The access matrix: a restricted item never shows, through any door, outside its groups."""

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repository import services
from repository.models import Item
from repository.selectors import autocomplete_items, search_items
from repository.tests.factories import ItemFactory

SECRET = "Orion Holdings"


@pytest.fixture
def secret(customer_type, secret_group, admin_user):
    item = ItemFactory(
        item_type=customer_type, name=SECRET, slug="orion", external_id="C-ORION", description_md="merger target"
    )
    item.restricted_to.add(secret_group)
    services.do_add_document(
        admin_user, item, name="Due diligence", uploaded=SimpleUploadedFile("dd.txt", b"confidential")
    )
    services.update_search_vector([item.pk])
    return item


@pytest.fixture
def public(customer_type):
    item = ItemFactory(item_type=customer_type, name="Orion Public Library", slug="orion-public", external_id="C-PUB")
    services.update_search_vector([item.pk])
    return item


@pytest.fixture
def insider(secret_group):
    from rse.accounts.tests.factories import UserFactory

    person = UserFactory()
    person.groups.add(secret_group)
    return person


def _paths(item):
    document = item.documents.get()
    return {
        "page": reverse("repository:item", args=[item.slug]),
        "history": reverse("repository:item_history", args=[item.slug]),
        "edit": reverse("repository:item_edit", args=[item.slug]),
        "document": reverse("repository:document", args=[item.slug, document.pk]),
        "download": reverse("repository:document_download", args=[item.slug, document.pk, 1]),
        "api_detail": reverse("api-repository-item", args=[item.pk]),
        "api_by_external_id": reverse("api-repository-item-upsert", args=["customer", item.external_id]),
    }


@pytest.mark.parametrize(
    "door", ["page", "history", "edit", "document", "download", "api_detail", "api_by_external_id"]
)
def test_restricted_item_is_404_for_outsiders_and_open_to_its_group(client, user, insider, secret, door):
    url = _paths(secret)[door]
    client.force_login(user)
    assert client.get(url).status_code == 404
    client.force_login(insider)
    # The insider is no owner: only the edit form stays closed (403), everything else opens.
    assert client.get(url).status_code == (403 if door == "edit" else 200)


def test_restricted_item_is_absent_from_lists_search_and_autocomplete(client, user, insider, secret, public):
    for person, sees_secret in ((user, False), (insider, True)):
        client.force_login(person)
        pages = {
            "browse": client.get(reverse("repository:browse")).content.decode(),
            "browse_search": client.get(reverse("repository:browse"), {"q": "orion"}).content.decode(),
            "autocomplete": client.get(reverse("repository:autocomplete"), {"q": "orion"}).content.decode(),
            "similar": client.get(reverse("repository:similar"), {"type": "customer", "name": SECRET}).content.decode(),
            "api_list": client.get(reverse("api-repository-items")).content.decode(),
            "api_search": client.get(reverse("api-repository-items"), {"q": "orion"}).content.decode(),
        }
        for name, html in pages.items():
            if name != "similar":
                assert "Orion Public Library" in html, name
            assert (SECRET in html) is sees_secret, name
        assert ([i.pk for i in search_items(person, "orion")].count(secret.pk) == 1) is sees_secret
        assert ([i.pk for i in search_items(person, "diligence")] == [secret.pk]) is sees_secret
        assert (secret in autocomplete_items(person, "orion")) is sees_secret


def test_api_upsert_cannot_reach_a_restricted_item(client, user, secret, secret_group):
    # Even a sync account (repository.change_item) outside the group gets a 404, not the item.
    from django.contrib.auth.models import Permission

    user.user_permissions.add(Permission.objects.get(codename="change_item"))
    client.force_login(user)
    url = reverse("api-repository-item-upsert", args=["customer", "C-ORION"])
    response = client.put(url, {"name": "Renamed"}, content_type="application/json")
    assert response.status_code == 404
    secret.refresh_from_db()
    assert secret.name == SECRET
    assert Item.objects.filter(external_id="C-ORION").count() == 1


def test_conversations_fragment_hides_posts_about_a_restricted_item(client, user, insider, secret):
    Community, Post = apps.get_model("communities", "Community"), apps.get_model("communities", "Post")
    community = Community.objects.create(name="Everyone", slug="everyone")
    post = Post.objects.create(community=community, author=insider, title="Orion status", body_md="x")
    post.items.add(secret)
    url = reverse("item_conversations", args=[secret.pk])
    client.force_login(user)
    assert "Orion status" not in client.get(url).content.decode()
    client.force_login(insider)
    assert "Orion status" in client.get(url).content.decode()


def test_relations_to_a_restricted_item_are_hidden_on_the_other_side(client, user, project_type, secret, admin_user):
    project = services.do_create_item(
        admin_user,
        project_type,
        services.check_item_data(admin_user, project_type, {"name": "Merger", "fields": {"customer": secret.pk}}),
    )
    client.force_login(user)
    html = client.get(reverse("repository:item", args=[project.slug])).content.decode()
    assert SECRET not in html
    client.force_login(admin_user)
    html = client.get(reverse("repository:item", args=[project.slug])).content.decode()
    assert SECRET in html


def test_anonymous_sees_nothing(client, public):
    assert client.get(reverse("repository:item", args=[public.slug])).status_code == 302
    assert client.get(reverse("api-repository-items")).status_code == 401  # Bearer realm="api" in WWW-Authenticate
