"""Contact photos: from vCards (3.0 inline, 4.0 data: URI), by hand, out again, for the owner only."""

import base64
import io

import pytest
import vobject
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from directory.imports import do_confirm_import, do_create_import
from directory.models import Contact, ImportJob
from directory.tests.conftest import committed, data_file
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def png(size=(400, 300), color="navy") -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, "PNG")
    return out.getvalue()


def vcf(*cards) -> SimpleUploadedFile:
    return SimpleUploadedFile("cards.vcf", "".join(cards).encode())


def card(name, photo_line=""):
    return f"BEGIN:VCARD\r\nVERSION:3.0\r\nFN:{name}\r\n{photo_line}END:VCARD\r\n"


def _import(user, upload):
    job = do_create_import(user, ImportJob.Kind.VCARD, upload)
    with committed():
        do_confirm_import(user, job)
    job.refresh_from_db()
    return job


def _image(field):
    with field.open("rb") as handle, Image.open(handle) as image:
        return image.format, image.size


def test_an_unreadable_photo_costs_the_photo_not_the_contact_and_says_so(user):
    good = base64.b64encode(png()).decode()
    upload = vcf(
        card("With Photo", f"PHOTO;ENCODING=b;TYPE=PNG:{good}\r\n"),
        card("Broken Photo", "PHOTO;ENCODING=b;TYPE=JPEG:bm90IGFuIGltYWdl\r\n"),
        card("Web Photo", "PHOTO;VALUE=uri:https://cdn.example/p.jpg\r\n"),
    )
    job = do_create_import(user, ImportJob.Kind.VCARD, upload)
    assert job.rejected == []
    broken, web = job.preview["warnings"]
    assert "Broken Photo" in broken and "line 6" in broken.lower() and "not an image" in broken
    assert "Web Photo" in web and "web address" in web
    with committed():
        do_confirm_import(user, job)
    contacts = {c.name: c for c in Contact.objects.filter(owner=user)}
    assert set(contacts) == {"With Photo", "Broken Photo", "Web Photo"}
    assert _image(contacts["With Photo"].photo) == ("JPEG", (160, 120))
    assert not contacts["Broken Photo"].photo and not contacts["Web Photo"].photo  # a web address is never fetched


def test_a_photo_over_2_mb_is_named_as_too_large(user, monkeypatch):
    from directory import imports

    monkeypatch.setattr(imports, "PHOTO_MAX_RAW", 100)
    good = base64.b64encode(png()).decode()
    job = do_create_import(user, ImportJob.Kind.VCARD, vcf(card("Big Photo", f"PHOTO;ENCODING=b;TYPE=PNG:{good}\r\n")))
    assert "larger than 2 MB" in job.preview["warnings"][0] and job.rows


def test_a_photo_chosen_by_hand_is_not_replaced_by_a_reimport(user, logged_client):
    contact = _import(user, data_file("contacts_v3.vcf")) and Contact.objects.get(owner=user, name="Hélène Dupré")
    response = logged_client.post(
        reverse("directory:contact_edit", args=[contact.pk]),
        {"name": contact.name, "photo": SimpleUploadedFile("me.png", png((50, 50), "red"), "image/png")},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    mine = contact.photo.name
    job = _import(user, data_file("contacts_v3.vcf"))
    contact.refresh_from_db()
    assert contact.photo.name == mine and job.result["update"] == 0


def test_the_photo_is_served_to_the_owner_only(user, logged_client, client):
    _import(user, data_file("contacts_v3.vcf"))
    contact = Contact.objects.get(owner=user, name="Hélène Dupré")
    url = reverse("directory:contact_photo", args=[contact.pk])
    response = logged_client.get(url)
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    assert url in logged_client.get(reverse("directory:contacts")).content.decode()
    client.force_login(UserFactory())
    assert client.get(url).status_code == 404


@pytest.mark.parametrize("version", ["3.0", "4.0"])
def test_exported_cards_carry_the_photo_and_come_back_with_it(user, logged_client, version):
    _import(user, data_file("contacts_v4.vcf"))
    contact = Contact.objects.get(owner=user, name="Ana Ribeiro")
    exported = logged_client.get(reverse("directory:contact_vcard", args=[contact.pk]), {"version": version})
    text = exported.content.decode()
    assert "PHOTO" in text
    if version == "3.0":
        assert vobject.readOne(text).photo.value[:2] == b"\xff\xd8"
    friend = UserFactory()
    _import(friend, SimpleUploadedFile("ana.vcf", exported.content))
    assert _image(Contact.objects.get(owner=friend).photo)[0] == "JPEG"


def test_a_bad_photo_in_the_form_shows_an_error_and_creates_nothing(logged_client, user):
    response = logged_client.post(
        reverse("directory:contact_new"),
        {"name": "Paul Petit", "photo": SimpleUploadedFile("x.png", b"not an image", "image/png")},
    )
    assert response.status_code == 200
    assert response.context["form"].errors["photo"]
    assert not Contact.objects.filter(owner=user).exists()
    response = logged_client.post(
        reverse("directory:contact_new"),
        {"name": "Paul Petit", "photo": SimpleUploadedFile("p.png", png(), "image/png")},
    )
    contact = Contact.objects.get(owner=user)
    assert response.status_code == 302 and _image(contact.photo) == ("JPEG", (160, 120))
    logged_client.post(
        reverse("directory:contact_edit", args=[contact.pk]), {"name": "Paul Petit", "remove_photo": "on"}
    )
    contact.refresh_from_db()
    assert not contact.photo


def test_the_photo_file_goes_with_its_contact_however_the_contact_goes(user, django_capture_on_commit_callbacks):
    from directory.services import do_delete_contact

    for name in ("One", "Two"):
        with django_capture_on_commit_callbacks(execute=True):
            job = do_create_import(
                user,
                ImportJob.Kind.VCARD,
                vcf(card(name, f"PHOTO;ENCODING=b;TYPE=PNG:{base64.b64encode(png()).decode()}\r\n")),
            )
            do_confirm_import(user, job)
    one, two = Contact.objects.filter(owner=user).order_by("name")
    files = [(c.photo.storage, c.photo.name) for c in (one, two)]
    assert all(storage.exists(name) for storage, name in files)
    with django_capture_on_commit_callbacks(execute=True):
        do_delete_contact(user, one)  # one by one
        Contact.objects.filter(pk=two.pk).delete()  # in bulk, as unstarring or anonymising does
    assert not any(storage.exists(name) for storage, name in files)
