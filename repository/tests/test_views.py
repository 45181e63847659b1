import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repository import services
from repository.models import FieldDefinition, Item, ItemFollow
from repository.tests.factories import FieldDefinitionFactory, ItemFactory
from rse.accounts.tests.factories import UserFactory

K = FieldDefinition.Kind


def _create(user, item_type, **data):
    return services.do_create_item(user, item_type, services.check_item_data(user, item_type, {"fields": {}, **data}))


def test_create_form_builds_custom_fields_and_shows_their_errors(logged_client, project_type):
    FieldDefinitionFactory(item_type=project_type, key="kickoff", label="Kick-off", kind=K.DATE, required=True)
    FieldDefinitionFactory(item_type=project_type, key="phase", label="Phase", kind=K.CHOICE, choices="Discovery\nRun")
    FieldDefinitionFactory(item_type=project_type, key="site", label="Site web", kind=K.URL)
    url = reverse("repository:item_create", args=["project"])
    html = logged_client.get(url).content.decode()
    assert 'name="f_kickoff"' in html and 'type="date"' in html and '<option value="Discovery">' in html
    response = logged_client.post(url, {"name": "Pilot", "status": "active", "f_budget": "abc", "f_site": "nope"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "f_kickoff" in errors and "f_budget" in errors and "f_site" in errors
    assert not Item.objects.exists()


def test_create_form_creates_the_item(logged_client, user, project_type, customer_type):
    acme = ItemFactory(item_type=customer_type, name="Acme")
    response = logged_client.post(
        reverse("repository:item_create", args=["project"]),
        {
            "name": "Pilot",
            "status": "active",
            "description_md": "Hi",
            "tags": "a, b",
            "f_customer": acme.pk,
            "f_budget": "3.5",
        },
    )
    item = Item.objects.get(name="Pilot")
    assert response.status_code == 302 and response["Location"] == item.get_absolute_url()
    assert item.fields == {"customer": acme.pk, "budget": 3.5}
    assert item.created_by == user


def test_duplicate_warning_offers_the_existing_item_and_create_anyway(logged_client, user, customer_type):
    existing = _create(user, customer_type, name="Société Générale d'Équipement")
    url = reverse("repository:item_create", args=["customer"])
    data = {"name": "Societe generale d'equipement", "status": "active"}
    response = logged_client.post(url, data)
    html = response.content.decode()
    assert response.status_code == 200 and "This may already exist" in html
    assert existing.get_absolute_url() in html and 'name="confirm_duplicate"' in html
    assert Item.objects.count() == 1
    response = logged_client.post(url, {**data, "confirm_duplicate": "1"})
    assert response.status_code == 302
    assert Item.objects.count() == 2


def test_live_similar_fragment(logged_client, user, customer_type):
    existing = _create(user, customer_type, name="Globex Corporation")
    html = logged_client.get(
        reverse("repository:similar"), {"type": "customer", "name": "globex corporatio"}
    ).content.decode()
    assert existing.get_absolute_url() in html
    html = logged_client.get(reverse("repository:similar"), {"type": "customer", "name": "Initech"}).content.decode()
    assert existing.get_absolute_url() not in html


def test_edit_is_for_owners_and_shows_the_history(client, user, other_user, customer_type):
    item = _create(user, customer_type, name="Acme", description_md="old words")
    client.force_login(other_user)
    assert client.get(reverse("repository:item_edit", args=[item.slug])).status_code == 403
    client.force_login(user)
    response = client.post(
        reverse("repository:item_edit", args=[item.slug]),
        {"name": "Acme SA", "status": "inactive", "description_md": "new words", "owners": [user.pk]},
    )
    assert response.status_code == 302
    html = client.get(item.get_absolute_url()).content.decode()
    assert "<del>Acme</del>" in html and "<ins>Acme SA</ins>" in html
    assert "<del>old words</del>" in html and user.display_name in html


def test_history_names_people_as_they_are_now_and_keeps_older_rows_readable(logged_client, user, customer_type):
    from repository.models import ItemChange

    FieldDefinitionFactory(item_type=customer_type, key="manager", label="Manager", kind=K.PERSON)
    claire = UserFactory(first_name="Claire", last_name="Martin", email="claire.martin@example.com")
    item = _create(user, customer_type, name="Acme", owners=[user.pk])
    data = {"name": "Acme", "fields": {"manager": claire.email}, "owners": [claire.pk]}
    data = services.check_item_data(user, customer_type, data)
    services.do_update_item(user, item, data)
    change = ItemChange.objects.filter(item=item).order_by("-id").first()
    assert change.changes["fields.manager"] == [None, {"person": claire.pk}]
    assert change.changes["owners"] == [[{"person": user.pk}], [{"person": claire.pk}]]
    ItemChange.objects.create(item=item, actor=user, action="updated", changes={"owners": [["old@example.com"], []]})
    type(claire).objects.filter(pk=claire.pk).update(first_name="Claire-Marie")  # renamed since
    html = logged_client.get(item.get_absolute_url()).content.decode()
    assert "<ins>Claire-Marie Martin</ins>" in html and f"<del>{user.display_name}</del>" in html
    assert "claire.martin@example.com" not in html
    assert "<del>old@example.com</del>" in html


def test_follow_and_unfollow_with_htmx(logged_client, user, customer_type):
    item = ItemFactory(item_type=customer_type)
    url = reverse("repository:item_follow", args=[item.slug])
    html = logged_client.post(url, {"follow": "1"}, HTTP_HX_REQUEST="true").content.decode()
    assert "Unfollow" in html and "1 follower" in html
    assert ItemFollow.objects.filter(user=user, item=item).exists()
    html = logged_client.post(url, {"follow": "0"}, HTTP_HX_REQUEST="true").content.decode()
    assert ">Follow<" in html.replace("\n", "") or "Follow</button>" in html
    assert not ItemFollow.objects.exists()


def test_item_page_shows_everything_and_loads_conversations(logged_client, user, customer_type, project_type):
    acme = _create(user, customer_type, name="Acme", description_md="**Key** account", tags="vip")
    pilot = _create(user, project_type, name="Pilot", fields={"customer": acme.pk, "budget": 10})
    html = logged_client.get(acme.get_absolute_url()).content.decode()
    assert "<strong>Key</strong>" in html and "vip" in html
    assert pilot.get_absolute_url() in html  # the relation, seen from the customer
    assert f'hx-get="{reverse("item_conversations", args=[acme.pk])}"' in html and 'hx-trigger="load"' in html
    html = logged_client.get(pilot.get_absolute_url()).content.decode()
    assert acme.get_absolute_url() in html and "Budget" in html  # and from the project


def _fill(item, user, n):
    """n documents, owners, tags, followers, relations and history rows."""
    for i in range(n):
        services.do_add_document(user, item, name=f"Doc {i}", uploaded=SimpleUploadedFile(f"d{i}.txt", b"x"))
        other = UserFactory()
        item.owners.add(other)
        item.tags.create(name=f"t-{item.pk}-{i}-{n}")
        ItemFollow.objects.create(user=other, item=item)


def test_item_page_query_count_does_not_grow(
    logged_client, user, customer_type, project_type, django_assert_num_queries
):
    acme = _create(user, customer_type, name="Acme")
    FieldDefinitionFactory(item_type=customer_type, key="manager", label="Manager", kind=K.PERSON)
    services.do_update_item(user, acme, {"fields": {"manager": user.pk}})
    _create(user, project_type, name="P0", fields={"customer": acme.pk})
    _fill(acme, user, 1)
    url = acme.get_absolute_url()
    logged_client.get(url)  # warm the session and bell caches
    with django_assert_num_queries(11) as one:  # the user comes with its roles (rse/accounts/roles.py)
        logged_client.get(url)
    for i in range(1, 8):
        _create(user, project_type, name=f"P{i}", fields={"customer": acme.pk})
    _fill(acme, user, 6)
    with django_assert_num_queries(len(one.captured_queries)):
        html = logged_client.get(url).content.decode()
    assert "P7" in html and "Doc 5" in html


def test_browse_list_query_count_does_not_grow(logged_client, customer_type, django_assert_num_queries):
    def make(n):
        for _ in range(n):
            item = ItemFactory(item_type=customer_type)
            item.tags.create(name=f"tag-{item.pk}")

    make(1)
    url = reverse("repository:browse")
    logged_client.get(url, {"type": "customer"})  # warm the session and bell caches
    with django_assert_num_queries(4) as one:  # the user comes with its roles (rse/accounts/roles.py)
        logged_client.get(url, {"type": "customer"})
    make(20)
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get(url, {"type": "customer"})
    assert len(response.context["page"].items) == 21


def test_browse_is_keyset_paginated(logged_client, customer_type):
    for i in range(30):
        ItemFactory(item_type=customer_type, name=f"Item {i:02d}")
    first = logged_client.get(reverse("repository:browse"))
    page = first.context["page"]
    assert len(page.items) == 25 and page.next_cursor
    second = logged_client.get(reverse("repository:browse"), {"cursor": page.next_cursor})
    names = [i.name for i in page.items] + [i.name for i in second.context["page"].items]
    assert names == [f"Item {i:02d}" for i in range(30)]
    assert logged_client.get(reverse("repository:browse"), {"cursor": "garbage"}).status_code == 404


def test_search_results_have_snippets_and_rank_names_first(logged_client, user, customer_type):
    _create(user, customer_type, name="Turbine maintenance", description_md="Yearly plan")
    other = _create(user, customer_type, name="Acme", description_md="They buy a <b>turbine</b> every year")
    services.do_add_document(user, other, name="Turbine contract", uploaded=SimpleUploadedFile("c.txt", b"x"))
    doc_only = _create(user, customer_type, name="Globex")
    services.do_add_document(
        user, doc_only, name="Blades", description="for the turbine", uploaded=SimpleUploadedFile("b.txt", b"x")
    )
    response = logged_client.get(reverse("repository:browse"), {"q": "turbine"})
    results = response.context["results"]
    assert [r.name for r in results][0] == "Turbine maintenance"
    assert {r.name for r in results} == {"Turbine maintenance", "Acme", "Globex"}
    acme = next(r for r in results if r.name == "Acme")
    assert "<mark>turbine</mark>" in acme.snippet and "<b>" not in acme.snippet  # escaped
    globex = next(r for r in results if r.name == "Globex")
    assert "<mark>turbine</mark>" in globex.snippet


def test_autocomplete_fragment(logged_client, customer_type):
    ItemFactory(item_type=customer_type, name="Électricité de Lyon")
    ItemFactory(item_type=customer_type, name="Lyon Électricité")
    html = logged_client.get(reverse("repository:autocomplete"), {"q": "electricite"}).content.decode()
    assert html.index("Électricité de Lyon") < html.index("Lyon Électricité")  # prefix first
    assert 'role="option"' in html and "data-item-slug" in html
    assert "No matching item" in logged_client.get(reverse("repository:autocomplete"), {"q": "zzz"}).content.decode()


@pytest.mark.parametrize("url_name", ["repository:browse", "repository:choose_type", "repository:import_start"])
def test_pages_render_for_admins(admin_client, customer_type, url_name):
    assert admin_client.get(reverse(url_name)).status_code == 200


def test_snippet_highlighting_never_breaks_escaping(user, customer_type):
    from repository.selectors import search_items

    _create(user, customer_type, name="Amp tools", description_md="R&D <script>amp</script> lab")
    [result] = search_items(user, "amp")
    assert "<script>" not in result.snippet
    assert "&lt;script&gt;<mark>amp</mark>&lt;/script&gt;" in result.snippet
    assert "R&amp;D" in result.snippet


def test_large_repositories_type_linked_items_instead_of_picking(
    logged_client, user, customer_type, project_type, monkeypatch
):
    from repository import forms

    monkeypatch.setattr(forms, "SELECT_LIMIT", 2)
    for name in ("Acme", "Globex", "Initech"):
        ItemFactory(item_type=customer_type, name=name, external_id=name.upper())
    url = reverse("repository:item_create", args=["project"])
    html = logged_client.get(url).content.decode()
    assert '<input type="text" name="f_customer"' in html and "<option" not in html.split('name="f_customer"')[1][:200]
    response = logged_client.post(url, {"name": "Pilot", "status": "active", "f_customer": "globex"})
    assert response.status_code == 302
    pilot = Item.objects.get(name="Pilot")
    assert pilot.fields["customer"] == Item.objects.get(name="Globex").pk
    html = logged_client.get(reverse("repository:item_edit", args=[pilot.slug])).content.decode()
    assert 'value="item-' in html.split('name="f_customer"')[1][:120]  # the slug is shown back


def test_editing_an_item_keeps_its_link_to_an_item_the_editor_cannot_see(logged_client, user, project_type):
    from django.contrib.auth.models import Group

    from rse.accounts.tests.factories import UserFactory as Users

    admin = Users(is_superuser=True, is_staff=True)
    hidden = ItemFactory(item_type=project_type.field_definitions.get(key="customer").target_type, name="Orion")
    hidden.restricted_to.add(Group.objects.create(name="M&A team"))
    data = services.check_item_data(admin, project_type, {"name": "Battery B12", "fields": {"customer": hidden.pk}})
    item = services.do_create_item(admin, project_type, data)
    item.owners.add(user)
    page = logged_client.get(reverse("repository:item_edit", args=[item.slug])).content.decode()
    assert "Orion" not in page and "link is kept" in page
    response = logged_client.post(
        reverse("repository:item_edit", args=[item.slug]),
        {"name": "Battery B12", "status": "active", "description_md": "new words", "owners": [user.pk],
         "f_customer": ""},
    )  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:500]
    item.refresh_from_db()
    assert item.fields["customer"] == hidden.pk and item.description_md == "new words"
