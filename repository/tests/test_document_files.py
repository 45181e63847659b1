"""Issue 13, hole 9: an uploaded SVG (or HTML) document never runs in our origin."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from repository.models import Document
from repository.tests.factories import ItemFactory

SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>fetch("/api/v1/people/")</script></svg>'


def test_an_svg_document_with_a_script_is_only_ever_a_sandboxed_download(logged_client, customer_type):
    item = ItemFactory(item_type=customer_type, name="Acme", slug="acme")
    upload = SimpleUploadedFile("logo.svg", SVG, content_type="image/svg+xml")
    response = logged_client.post(
        reverse("repository:document_add", args=[item.slug]), {"name": "Logo", "file": upload, "comment": ""}
    )
    assert response.status_code == 302
    document = Document.objects.get(item=item)
    response = logged_client.get(reverse("repository:document_download", args=[item.slug, document.pk, 1]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    assert response["X-Content-Type-Options"] == "nosniff"
    policy = response["Content-Security-Policy"]
    assert "sandbox" in policy and "default-src 'none'" in policy and "script-src" not in policy
    assert b"".join(response.streaming_content) == SVG  # the file itself is unchanged
