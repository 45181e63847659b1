from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from communities import services
from communities.models import Attachment, Community
from communities.tests.factories import CommunityFactory, member

pytestmark = pytest.mark.django_db
DATA = Path(__file__).parent / "data"


def upload(name, content=None):
    data = content if content is not None else (DATA / name).read_bytes()
    return SimpleUploadedFile(name, data)


def test_images_inline_and_files_downloadable_through_the_permission_check(client, user):
    private = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    member(private, user)
    post = services.do_create_post(
        user, private, title="Files", body_md="see", files=[upload("square.png"), upload("notes.txt")]
    )
    image, text = Attachment.objects.filter(post=post).order_by("id")
    assert image.is_image and not text.is_image
    client.force_login(user)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert f'<img src="{reverse("attachment_download", args=[image.pk])}"' in page
    response = client.get(reverse("attachment_download", args=[text.pk]))
    assert response.status_code == 200 and "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == b"meeting notes\n"
    inline = client.get(reverse("attachment_download", args=[image.pk]))
    assert inline["Content-Type"] == "image/png" and "inline" in inline["Content-Disposition"]
    client.force_login(member(CommunityFactory()))  # not a member of the private community
    assert client.get(reverse("attachment_download", args=[text.pk])).status_code == 404


def test_limits_with_clear_messages(user, settings):
    community = CommunityFactory()
    member(community, user)
    with pytest.raises(ValidationError, match="not a valid image"):
        services.do_create_post(user, community, title="x", files=[upload("fake.png")])
    with pytest.raises(ValidationError, match="not accepted"):
        services.do_create_post(user, community, title="x", files=[upload("run.exe", b"MZ")])
    settings.RSE_MAX_UPLOAD_BYTES = 10
    with pytest.raises(ValidationError, match="too large"):
        services.do_create_post(user, community, title="x", files=[upload("notes.txt")])
    settings.RSE_MAX_UPLOAD_BYTES = 10_000
    with pytest.raises(ValidationError, match="At most 5 files"):
        services.do_create_post(user, community, title="x", files=[upload("notes.txt") for _ in range(6)])
    assert not Attachment.objects.exists()


def test_browser_upload_error_is_shown(logged_client, user):
    community = CommunityFactory()
    member(community, user)
    response = logged_client.post(
        reverse("post_create", args=[community.slug]),
        {"kind": "discussion", "title": "x", "files": [upload("fake.png")]},
    )
    assert response.status_code == 200 and "not a valid image" in response.content.decode()


def test_cover_image_is_validated(user, logged_client):
    with pytest.raises(ValidationError, match="cover"):
        services.do_create_community(user, name="Bad cover", cover=upload("fake.png"))
    community = services.do_create_community(user, name="Good cover", cover=upload("square.png"))
    assert community.cover.name.endswith(".png")
    response = logged_client.post(
        reverse("community_create"), {"name": "Web", "visibility": "open", "cover": upload("fake.png")}
    )
    assert response.status_code == 200 and not Community.objects.filter(name="Web").exists()


def test_api_upload(api, user):
    community = CommunityFactory()
    member(community, user)
    response = api.post(
        f"/api/v1/communities/{community.slug}/posts/",
        {"title": "pic", "files": [upload("square.png")]},
        format="multipart",
    )
    assert response.status_code == 201 and response.json()["attachments"][0]["is_image"]
    bad = api.post(
        f"/api/v1/communities/{community.slug}/posts/",
        {"title": "pic", "files": [upload("fake.png")]},
        format="multipart",
    )
    assert bad.status_code == 400 and "files" in bad.json()
