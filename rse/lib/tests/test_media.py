"""Issue 13, hole 9: media in production (DEBUG off, as in every test). Profile photos and covers
are served by the application under unguessable names and kept by browsers; nothing else in the
media folder is reachable by URL, attachments and documents only through their permission views,
which hand the bytes to the proxy when one is configured."""

import io
import json
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import services as community_services
from communities.models import Attachment, Community
from communities.tests.factories import CommunityFactory, member
from directory import services as directory_services
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2].parent / "communities" / "tests" / "data"
PNG = (DATA / "square.png").read_bytes()


def fetch(client, url):
    response = client.get(url)
    body = b"".join(response.streaming_content) if response.streaming else response.content
    return response, body


def test_profile_photos_are_served_in_production_under_unguessable_names(client):
    person = UserFactory(first_name="Alice", last_name="Martin")
    directory_services.do_update_profile(person, data={}, photo=SimpleUploadedFile("alice-martin.png", PNG))
    name = person.profile.photo.name
    assert re.fullmatch(r"photos/[A-Za-z0-9_-]{24}\.jpg", name), name  # random: neither who nor what
    client.force_login(UserFactory())
    page = client.get(reverse("directory:profile", args=[person.pk])).content.decode()
    url = re.search(r'<img src="(/media/photos/[^"]+)"', page).group(1)
    response, body = fetch(client, url)
    assert response.status_code == 200 and body.startswith(b"\xff\xd8")  # the JPEG we keep
    assert response["Content-Type"] == "image/jpeg" and "inline" in response["Content-Disposition"]
    assert "max-age=31536000" in response["Cache-Control"] and "immutable" in response["Cache-Control"]
    assert response["X-Content-Type-Options"] == "nosniff"
    client.logout()
    assert client.get(url).status_code == 302  # not for people who are not signed in


def test_covers_are_served_under_unguessable_names(client, user):
    community = community_services.do_create_community(
        user, name="Aurora", visibility=Community.Visibility.OPEN, cover=SimpleUploadedFile("project-aurora.png", PNG)
    )
    assert re.fullmatch(r"covers/[A-Za-z0-9_-]{24}\.png", community.cover.name), community.cover.name
    client.force_login(user)
    response, body = fetch(client, community.cover.url)
    assert response.status_code == 200 and body == PNG and response["Content-Type"] == "image/png"


@pytest.fixture
def private_attachment(user):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    member(private, user)
    post = community_services.do_create_post(
        user, private, title="Salaries", body_md="see", files=[SimpleUploadedFile("salaries.txt", b"secret figures")]
    )
    return Attachment.objects.get(post=post)


def test_the_media_url_never_serves_attachments_documents_or_contact_photos(client, private_attachment):
    outsider = UserFactory()
    client.force_login(outsider)
    name = private_attachment.file.name
    assert (Path(settings.MEDIA_ROOT) / name).exists()
    for url in (
        f"/media/{name}",
        f"/media/photos/../{name}",
        "/media/photos/%2e%2e/" + name,
        "/media/contacts/x.jpg",
        "/media/repository/1/1/v1-x/plan.txt",
    ):
        response, body = fetch(client, url)
        assert response.status_code == 404 and b"secret figures" not in body, url
    assert client.get(reverse("attachment_download", args=[private_attachment.pk])).status_code == 404


def test_behind_nginx_the_permission_view_hands_the_file_to_the_proxy(client, user, private_attachment, settings):
    settings.RSE_MEDIA_SENDFILE = "x-accel-redirect"
    client.force_login(user)
    response = client.get(reverse("attachment_download", args=[private_attachment.pk]))
    assert response.status_code == 200 and response.content == b""
    assert response["X-Accel-Redirect"] == f"/protected-media/{private_attachment.file.name}"
    assert 'attachment; filename="salaries.txt"' == response["Content-Disposition"]
    assert "sandbox" in response["Content-Security-Policy"]
    client.force_login(UserFactory())  # not a member: refused before anything reaches the proxy
    refused = client.get(reverse("attachment_download", args=[private_attachment.pk]))
    assert refused.status_code == 404 and "X-Accel-Redirect" not in refused
    settings.RSE_MEDIA_SENDFILE = "x-sendfile"
    client.force_login(user)
    response = client.get(reverse("attachment_download", args=[private_attachment.pk]))
    assert response["X-Sendfile"] == str(Path(settings.MEDIA_ROOT) / private_attachment.file.name)


def test_s3_compatible_storage_is_configured_from_the_environment():
    code = (
        "import json, rse.settings as s; print(json.dumps({'storage': s.STORAGES['default']['BACKEND'], "
        "'endpoint': s.AWS_S3_ENDPOINT_URL, 'acl': s.AWS_DEFAULT_ACL}))"
    )
    root = Path(settings.BASE_DIR)
    env = {
        "PATH": "/usr/bin:/bin",
        "PYTHONPATH": str(root),
        "AWS_STORAGE_BUCKET_NAME": "rse-media",
        "AWS_S3_ENDPOINT_URL": "https://s3.example.com",
    }
    out = subprocess.run([sys.executable, "-c", code], env=env, cwd=root, capture_output=True, text=True, check=True)  # noqa: S603
    config = json.loads(out.stdout)
    assert config == {"storage": "rse.lib.s3.MediaS3Storage", "endpoint": "https://s3.example.com", "acl": None}


def test_photos_in_a_bucket_keep_stable_urls_served_by_the_application(client, settings, monkeypatch):
    from rse.lib import files
    from rse.lib.s3 import MediaS3Storage

    storage = MediaS3Storage(bucket_name="rse-media", endpoint_url="https://s3.example.com")
    assert storage.url("photos/AbC_12.jpg") == "/media/photos/AbC_12.jpg"  # no signed link to expire

    class Bucket:  # what S3 would answer, without a network
        def open(self, name, mode="rb"):
            assert name == "photos/AbC_12.jpg"
            return io.BytesIO(PNG)

    monkeypatch.setattr(files, "default_storage", Bucket())
    settings.RSE_MEDIA_SENDFILE = "x-accel-redirect"  # only for the local folder: a bucket is streamed
    client.force_login(UserFactory())
    response, body = fetch(client, "/media/photos/AbC_12.jpg")
    assert response.status_code == 200 and body == PNG and "X-Accel-Redirect" not in response
