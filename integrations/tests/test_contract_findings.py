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
