"""What the contract test (test_contract.py) found, kept as plain tests that run in every pass."""

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("tags", [False, 3, {"a": 1}, [1, 2]])
def test_a_community_with_tags_that_are_not_texts_is_a_400(logged_client, tags):
    body = {"name": "Contract", "visibility": "open", "tags": tags}
    response = logged_client.post("/api/v1/communities/", body, content_type="application/json")
    assert response.status_code == 400


def test_a_contact_without_a_colleague_matches_the_schema(logged_client):
    response = logged_client.post("/api/v1/contacts/", {"name": "Ext"}, content_type="application/json")
    assert response.status_code == 201
    assert response.json()["colleague_id"] is None
    schema = logged_client.get("/api/v1/schema/?format=json").json()
    contact = schema["components"]["schemas"]["Contact"]["properties"]["colleague_id"]
    assert contact.get("nullable") is True


def test_posts_and_comments_say_their_empty_fields_are_nullable(client):
    schema = client.get("/api/v1/schema/?format=json").json()["components"]["schemas"]
    assert schema["Post"]["properties"]["edited_at"].get("nullable") is True
    assert schema["Post"]["properties"]["accepted_comment_id"].get("nullable") is True
    assert schema["Comment"]["properties"]["edited_at"].get("nullable") is True
    assert schema["Comment"]["properties"]["parent_id"].get("nullable") is True


def test_a_nul_character_in_a_post_is_a_400_not_a_500(logged_client, user):
    from communities.services.posts import do_create_post
    from communities.tests.factories import CommunityFactory, member

    community = CommunityFactory()
    member(community, user)
    post = do_create_post(user, community, title="T", body_md="B")
    edit = logged_client.patch(
        f"/api/v1/posts/{post.pk}/", "title=x&body_md=a%00b", content_type="application/x-www-form-urlencoded"
    )
    assert edit.status_code == 400
    create = logged_client.post(
        f"/api/v1/communities/{community.slug}/posts/",
        {"title": "x\x00", "body_md": "y"},
        content_type="application/json",
    )
    assert create.status_code == 400
