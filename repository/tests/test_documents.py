import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repository import services
from repository.models import Document, DocumentVersion, ItemChange
from repository.tests.factories import ItemFactory


def _file(content=b"hello", name="plan.txt"):
    return SimpleUploadedFile(name, content, content_type="text/plain")


@pytest.fixture
def item(customer_type):
    return ItemFactory(item_type=customer_type, name="Acme", slug="acme")


def _download(client, item, document, number):
    response = client.get(reverse("repository:document_download", args=[item.slug, document.pk, number]))
    return response, b"".join(response.streaming_content) if response.status_code == 200 else b""


def test_upload_new_version_history_and_download_any_version(logged_client, user, other_user, item):
    response = logged_client.post(
        reverse("repository:document_add", args=[item.slug]),
        {"name": "Account plan", "description": "Goals", "file": _file(b"version one"), "comment": ""},
    )
    assert response.status_code == 302
    document = Document.objects.get(item=item)
    # Another colleague (not an owner) uploads a newer version.
    logged_client.force_login(other_user)
    response = logged_client.post(
        reverse("repository:document", args=[item.slug, document.pk]),
        {"file": _file(b"version two", "plan-v2.txt"), "comment": "Signed"},
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.version_count == 2 and document.current_version.number == 2
    page = logged_client.get(reverse("repository:document", args=[item.slug, document.pk]))
    html = page.content.decode()
    assert "v1" in html and "v2" in html and "Signed" in html and "plan-v2.txt" in html
    _response, old = _download(logged_client, item, document, 1)
    _response, new = _download(logged_client, item, document, 2)
    assert (old, new) == (b"version one", b"version two")
    response, _ = _download(logged_client, item, document, 1)
    assert 'attachment; filename="plan.txt"' in response["Content-Disposition"]
    assert list(ItemChange.objects.filter(item=item).values_list("action", flat=True)) == [
        ItemChange.Action.VERSION_ADDED,
        ItemChange.Action.DOCUMENT_ADDED,
    ]


def test_files_are_stored_through_the_storage_api_outside_public_names(user, item):
    document = services.do_add_document(user, item, name="Plan", uploaded=_file(b"x", "../../etc/passwd.txt"))
    version = document.current_version
    assert version.file.name.startswith(f"repository/{item.pk}/{document.pk}/v1-")
    assert len(version.file.name.split("/")[3]) > 12  # v1-<random token>: not guessable
    assert ".." not in version.file.name
    assert version.original_name == "passwd.txt"


def test_too_big_file_is_refused_with_the_limit(logged_client, item, settings):
    settings.RSE_MAX_UPLOAD_BYTES = 1_048_576
    response = logged_client.post(
        reverse("repository:document_add", args=[item.slug]), {"file": _file(b"x" * 1_100_000)}
    )
    assert response.status_code == 400
    assert "the limit is 1 MB" in response.content.decode()
    assert not DocumentVersion.objects.exists()


def test_forbidden_type_is_refused_with_the_accepted_types(logged_client, item):
    response = logged_client.post(
        reverse("repository:document_add", args=[item.slug]), {"file": _file(b"MZ", "run.exe")}
    )
    assert response.status_code == 400
    html = response.content.decode()
    assert "“.exe” are not accepted" in html and ".pdf" in html
    assert not Document.objects.exists()


def test_new_version_with_a_bad_file_shows_the_error(logged_client, user, item):
    document = services.do_add_document(user, item, name="Plan", uploaded=_file())
    response = logged_client.post(
        reverse("repository:document", args=[item.slug, document.pk]), {"file": _file(b"", "empty.txt")}
    )
    assert response.status_code == 400
    assert DocumentVersion.objects.filter(document=document).count() == 1


def test_missing_version_is_404(logged_client, user, item):
    document = services.do_add_document(user, item, name="Plan", uploaded=_file())
    response, _ = _download(logged_client, item, document, 7)
    assert response.status_code == 404
