import csv
import io

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from directory.imports import do_confirm_import, do_create_import
from directory.models import Contact, ImportJob
from directory.services import do_create_contact, do_toggle_star
from directory.tests.conftest import committed
from directory.tests.factories import ContactFactory, person
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _contact(owner, **kwargs):
    data = {
        "name": "Hélène Dupré",
        "company": "Acier Durable",
        "job_title": "Acheteuse",
        "emails": ["helene@acier.example", "h@perso.example"],
        "phones": ["+33 6 11 22 33 44"],
        "notes": "Line one\nLine, two; with separators",
        "tags": ["client", "vip"],
        "url": "https://acier.example",
    }
    data.update(kwargs)
    return do_create_contact(owner, data)


def test_create_edit_delete_contact_in_the_browser(logged_client, user):
    response = logged_client.post(
        reverse("directory:contact_new"),
        {
            "name": "Ana Ribeiro",
            "company": "Lisboa Labs",
            "emails": "ana@lisboa.example\nana@mail.example",
            "tags": "partner, R&D",
        },
    )
    contact = Contact.objects.get(owner=user)
    assert response["Location"] == reverse("directory:contact", args=[contact.pk])
    assert contact.emails == ["ana@lisboa.example", "ana@mail.example"] and contact.tags == ["partner", "R&D"]
    logged_client.post(
        reverse("directory:contact_edit", args=[contact.pk]), {"name": "Ana R.", "emails": "ana@lisboa.example"}
    )
    contact.refresh_from_db()
    assert contact.name == "Ana R." and contact.emails == ["ana@lisboa.example"]
    logged_client.post(reverse("directory:contact_delete", args=[contact.pk]))
    assert not Contact.objects.exists()


def test_contact_form_errors(logged_client, user):
    response = logged_client.post(reverse("directory:contact_new"), {"name": "", "emails": "bad(at)mail"})
    assert response.status_code == 200
    assert "This field is required" in response.content.decode()
    response = logged_client.post(reverse("directory:contact_new"), {"name": "X", "emails": "bad(at)mail"})
    assert "not a valid e-mail address" in response.content.decode()
    _contact(user)
    response = logged_client.post(reverse("directory:contact_new"), {"name": "Same", "emails": "helene@acier.example"})
    assert "already in your contacts" in response.content.decode()


def test_contact_can_link_a_visible_customer_item(logged_client, user):
    customer = ItemType.objects.create(name="Customer", slug="customer")
    item = Item.objects.create(item_type=customer, name="Acier Durable", slug="acier-durable")
    logged_client.post(reverse("directory:contact_new"), {"name": "Buyer", "item": item.pk})
    assert Contact.objects.get(owner=user).item == item


def test_someone_elses_contact_is_404(client, user, other_user):
    contact = _contact(user)
    client.force_login(other_user)
    for name in ("directory:contact", "directory:contact_edit", "directory:contact_vcard"):
        assert client.get(reverse(name, args=[contact.pk])).status_code == 404
    assert client.post(reverse("directory:contact_delete", args=[contact.pk])).status_code == 404
    assert Contact.objects.filter(pk=contact.pk).exists()


def test_contact_list_search_and_tags(logged_client, user):
    _contact(user)
    ContactFactory(owner=user, name="Other Person", search_text="other person")
    page = logged_client.get(reverse("directory:contacts"), {"q": "helene acier"}).content.decode()
    assert "Hélène Dupré" in page and "Other Person" not in page
    page = logged_client.get(reverse("directory:contacts"), {"tag": "vip"}).content.decode()
    assert "Hélène Dupré" in page and "Other Person" not in page


def test_contact_list_query_count_is_constant(logged_client, user, django_assert_num_queries):
    _contact(user)
    logged_client.get(reverse("directory:contacts"))  # warm the session and bell caches
    with django_assert_num_queries(3) as one:  # the user comes with its roles (rse/accounts/roles.py)
        logged_client.get(reverse("directory:contacts"))
    for i in range(12):
        colleague = person("Col", f"League{i}")
        do_toggle_star(user, colleague.user)
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get(reverse("directory:contacts"))
    assert len(response.context["page"].items) == 13


def test_star_a_colleague(logged_client, user, me):
    colleague = person("Star", "Colleague")
    response = logged_client.post(reverse("directory:star", args=[colleague.user_id]), HTTP_HX_REQUEST="true")
    assert "In my contacts" in response.content.decode()
    contact = Contact.objects.get(owner=user)
    assert contact.colleague == colleague.user and contact.emails == [colleague.user.email]
    logged_client.post(reverse("directory:star", args=[colleague.user_id]))
    assert not Contact.objects.exists()


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_vcard_export_of_one_contact_round_trips(logged_client, user, version):
    contact = _contact(user)
    response = logged_client.get(reverse("directory:contact_vcard", args=[contact.pk]), {"version": version})
    assert response["Content-Type"].startswith("text/vcard")
    text = response.content.decode()
    assert f"VERSION:{version}" in text
    card = vobject.readOne(text)
    assert card.fn.value == "Hélène Dupré"
    assert [e.value for e in card.contents["email"]] == contact.emails
    assert card.contents["note"][0].value == contact.notes
    # Importing what we exported changes nothing.
    job = do_create_import(user, ImportJob.Kind.VCARD, SimpleUploadedFile("c.vcf", response.content))
    assert job.preview["counts"]["skip"] == 1 and job.preview["counts"]["create"] == 0, job.preview


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_whole_book_export_and_reimport_is_stable(logged_client, user, version):
    _contact(user)
    _contact(user, name="Jürgen Müller", emails=["j@becker.example"], company="Becker")
    colleague = person("Star", "Colleague")
    do_toggle_star(user, colleague.user)
    response = logged_client.get(reverse("directory:contacts_export"), {"version": version})
    cards = list(vobject.readComponents(response.content.decode()))
    assert len(cards) == 3
    job = do_create_import(user, ImportJob.Kind.VCARD, SimpleUploadedFile("all.vcf", response.content))
    assert job.preview["counts"]["create"] == 0 and job.preview["counts"]["skip"] == 3


def test_csv_export_and_reimport_is_stable(logged_client, user):
    _contact(user)
    response = logged_client.get(reverse("directory:contacts_export"), {"format": "csv"})
    text = response.content.decode("utf-8-sig")
    rows = list(csv.DictReader(io.StringIO(text)))
    assert rows[0]["name"] == "Hélène Dupré" and rows[0]["emails"] == "helene@acier.example; h@perso.example"
    job = do_create_import(user, ImportJob.Kind.CSV, SimpleUploadedFile("c.csv", response.content))
    assert job.rejected == []
    assert job.preview["counts"]["skip"] == 1, job.preview
    with committed():
        do_confirm_import(user, job)
    assert Contact.objects.filter(owner=user).count() == 1


def test_csv_export_defuses_formulas_and_numbers_and_imports_them_back(logged_client, user):
    """OWASP: every text cell beginning with = + - @ tab or CR is quoted (a contact named -2-3
    opened in Excel as -5); our CSV import takes the quote off again."""
    _contact(user, name='=HYPERLINK("http://evil")', phones=["+33 6 11 22 33 44"], emails=["x@evil.example"])
    _contact(user, name="-2-3", company="+1", job_title="@SUM(A1)", emails=["y@evil.example"])
    response = logged_client.get(reverse("directory:contacts_export"), {"format": "csv"})
    rows = {r["emails"]: r for r in csv.DictReader(io.StringIO(response.content.decode("utf-8-sig")))}
    first, second = rows["x@evil.example"], rows["y@evil.example"]
    assert first["name"].startswith("'=") and first["phones"] == "'+33 6 11 22 33 44"
    assert (second["name"], second["company"], second["job_title"]) == ("'-2-3", "'+1", "'@SUM(A1)")
    other = UserFactory()
    job = do_create_import(other, ImportJob.Kind.CSV, SimpleUploadedFile("c.csv", response.content))
    names = {r["data"]["name"]: r["data"] for r in job.rows}
    assert names["-2-3"]["company"] == "+1" and names['=HYPERLINK("http://evil")']["phones"] == ["+33 6 11 22 33 44"]


def test_starring_a_colleague_keeps_an_imported_contact_notes(user):
    colleague = person("Star", "Colleague", email="star@corp.example")
    imported = do_create_contact(
        user, {"name": "S. Colleague", "emails": ["star@corp.example"], "notes": "met at fair"}
    )
    assert do_toggle_star(user, colleague.user) is True
    imported.refresh_from_db()
    assert imported.colleague == colleague.user and imported.notes == "met at fair"
    assert imported.match_key == f"user:{colleague.user_id}"
    assert Contact.objects.filter(owner=user).count() == 1


def test_contact_cannot_link_an_item_the_owner_cannot_see(logged_client, user):
    from django.contrib.auth.models import Group

    customer = ItemType.objects.create(name="Customer", slug="customer")
    secret = Item.objects.create(item_type=customer, name="Secret deal", slug="secret-deal")
    secret.restricted_to.add(Group.objects.create(name="Board"))
    response = logged_client.post(reverse("directory:contact_new"), {"name": "Buyer", "item": secret.pk})
    assert response.status_code == 200 and not Contact.objects.exists()
    api = logged_client.post("/api/v1/contacts/", {"name": "Buyer", "item": secret.pk}, content_type="application/json")
    assert api.status_code == 400 and "item" in api.json()


def test_the_book_is_sorted_by_name_whatever_the_accents_and_case(logged_client, user):
    for name in ("Webby Walter", "Émilie Masson", "élodie Petit", "Zoé Blanc", "Arnaud Roy"):
        do_create_contact(user, {"name": name, "emails": []})
    html = logged_client.get(reverse("directory:contacts")).content.decode()
    order = sorted(("Webby Walter", "Émilie Masson", "élodie Petit", "Zoé Blanc", "Arnaud Roy"), key=html.index)
    assert order == ["Arnaud Roy", "élodie Petit", "Émilie Masson", "Webby Walter", "Zoé Blanc"]
    api = logged_client.get("/api/v1/contacts/").json()["results"]
    assert [c["name"] for c in api] == order
