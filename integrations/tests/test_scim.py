"""SCIM 2.0 against the request examples of RFC 7644 and the way Entra ID and Okta send them."""

import json

import pytest
from django.contrib.auth.models import Group

from directory.models import OrgUnit, Profile
from integrations.scim.models import ScimIdentity
from integrations.tests.factories import bearer, make_service_account, make_token
from rse.accounts.models import User
from rse.accounts.roles import Role
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db
SCIM = "application/scim+json"
USER = "urn:ietf:params:scim:schemas:core:2.0:User"
PATCH = "urn:ietf:params:scim:api:messages:2.0:PatchOp"
ERROR = "urn:ietf:params:scim:api:messages:2.0:Error"


@pytest.fixture
def scim(client):
    account = make_service_account("Entra ID")
    _token, raw = make_token(account.user, scopes=["scim"], service_account=account)
    headers = bearer(raw)

    class Scim:
        def get(self, path, **params):
            return client.get(f"/scim/v2/{path}", params, **headers)

        def send(self, method, path, body):
            call = getattr(client, method)
            return call(f"/scim/v2/{path}", json.dumps(body), content_type=SCIM, **headers)

        def post(self, path, body):
            return self.send("post", path, body)

        def put(self, path, body):
            return self.send("put", path, body)

        def patch(self, path, body):
            return self.send("patch", path, body)

        def delete(self, path):
            return client.delete(f"/scim/v2/{path}", **headers)

    return Scim()


# RFC 7644 §3.3, with the e-mail address of RFC 7643 §8.2 (every account here has one).
BJENSEN = {
    "schemas": [USER],
    "userName": "bjensen",
    "externalId": "bjensen",
    "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara"},
    "emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
}


def _create(scim, body=BJENSEN):
    response = scim.post("Users", body)
    assert response.status_code == 201, response.content
    return response.json()


def test_create_user_rfc_example(scim):
    created = _create(scim)
    assert created["userName"] == "bjensen"
    assert created["externalId"] == "bjensen"
    assert created["name"]["givenName"] == "Barbara" and created["name"]["familyName"] == "Jensen"
    assert created["emails"][0]["value"] == "bjensen@example.com"
    assert created["active"] is True
    assert created["meta"]["resourceType"] == "User"
    assert created["meta"]["location"].endswith(f"/scim/v2/Users/{created['id']}")
    user = User.objects.get(pk=created["id"])
    assert user.email == "bjensen@example.com" and not user.has_usable_password()
    assert user.groups.filter(name=Role.EMPLOYEE.value).exists()
    assert Profile.objects.get(user=user).search_name == "barbara jensen"


def test_create_answers_scim_json_with_location(scim):
    response = scim.post("Users", BJENSEN)
    assert response["Content-Type"].startswith(SCIM)
    assert response["Location"].endswith(f"/scim/v2/Users/{response.json()['id']}")


def test_the_rfc_example_without_any_email_is_refused_with_a_reason(scim):
    body = {k: v for k, v in BJENSEN.items() if k != "emails"}
    response = scim.post("Users", body)
    assert response.status_code == 400
    assert response.json()["schemas"] == [ERROR] and response.json()["scimType"] == "invalidValue"


def test_a_second_create_of_the_same_user_is_a_conflict(scim):
    _create(scim)
    response = scim.post("Users", BJENSEN)
    assert response.status_code == 409
    assert response.json()["scimType"] == "uniqueness"


def test_filter_username_eq_rfc_example(scim):
    created = _create(scim)
    UserFactory(email="someone@example.com")
    listing = scim.get("Users", filter='userName eq "bjensen"').json()
    assert listing["schemas"] == ["urn:ietf:params:scim:api:messages:2.0:ListResponse"]
    assert listing["totalResults"] == 1
    assert [r["id"] for r in listing["Resources"]] == [created["id"]]
    assert scim.get("Users", filter='userName eq "nobody"').json()["totalResults"] == 0


def test_filter_finds_people_provisioned_before_scim_by_email(scim):
    """A person from the HR file or signed up before: Entra ID matches them by userName (their e-mail)."""
    person = UserFactory(email="marc.dubois@example.com")
    listing = scim.get("Users", filter='userName eq "Marc.Dubois@example.com"').json()
    assert [r["id"] for r in listing["Resources"]] == [str(person.pk)]


def test_unsupported_filters_are_refused_not_ignored(scim):
    response = scim.get("Users", filter='name.familyName co "J"')
    assert response.status_code == 400 and response.json()["scimType"] == "invalidFilter"


def test_paging_with_start_index_and_count(scim):
    User.objects.filter(service_account__isnull=True).delete()  # the administrators the fixture made
    for n in range(5):
        UserFactory(email=f"page{n}@example.com")
    first = scim.get("Users", startIndex=1, count=2).json()
    second = scim.get("Users", startIndex=3, count=2).json()
    assert first["totalResults"] == 5 and first["itemsPerPage"] == 2 and second["startIndex"] == 3
    ids = [r["id"] for r in first["Resources"] + second["Resources"]]
    assert len(set(ids)) == 4
    assert scim.get("Users", count=0).json()["Resources"] == []


def test_list_query_count_does_not_grow(scim, django_assert_max_num_queries):
    UserFactory()
    scim.get("Users")  # warm up
    with django_assert_max_num_queries(8) as one:
        before = len(scim.get("Users").json()["Resources"])
    for _ in range(10):
        UserFactory()
    with django_assert_max_num_queries(len(one.captured_queries)):
        assert len(scim.get("Users").json()["Resources"]) == before + 10


def test_replace_user_rfc_example(scim):
    created = _create(scim)
    # RFC 7644 §3.5.1
    body = {
        "schemas": [USER],
        "id": created["id"],
        "userName": "bjensen",
        "externalId": "bjensen",
        "name": {"formatted": "Ms. Barbara J Jensen III", "familyName": "Jensen", "givenName": "Barbara",
                 "middleName": "Jane"},
        "roles": [],
        "emails": [{"value": "bjensen@example.com"}, {"value": "babs@jensen.org"}],
    }  # fmt: skip
    response = scim.put(f"Users/{created['id']}", body)
    assert response.status_code == 200, response.content
    assert response.json()["emails"][0]["value"] == "bjensen@example.com"
    assert User.objects.get(pk=created["id"]).is_active


def test_patch_add_replace_and_remove_by_path(scim):
    created = _create(scim)
    response = scim.patch(
        f"Users/{created['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "add", "path": "title", "value": "Tour Guide"},
                {"op": "replace", "path": "name.familyName", "value": "Jensen-Smith"},
                {"op": "replace", "path": 'emails[type eq "work"].value', "value": "babs@example.com"},
                {
                    "op": "add",
                    "path": "urn:ietf:params:scim:schemas:extension:enterprise:2.0:User:employeeNumber",
                    "value": "E-701",
                },
            ],
        },
    )
    assert response.status_code == 200, response.content
    user = User.objects.select_related("profile").get(pk=created["id"])
    assert (user.last_name, user.email, user.profile.job_title, user.profile.employee_id) == (
        "Jensen-Smith", "babs@example.com", "Tour Guide", "E-701",
    )  # fmt: skip
    assert response.json()["urn:ietf:params:scim:schemas:extension:enterprise:2.0:User"]["employeeNumber"] == "E-701"
    scim.patch(f"Users/{created['id']}", {"schemas": [PATCH], "Operations": [{"op": "remove", "path": "title"}]})
    assert Profile.objects.get(user_id=created["id"]).job_title == ""


def test_patch_without_path_rfc_example(scim):
    created = _create(scim)
    # RFC 7644 §3.5.2.3: replace with a value object and no path
    response = scim.patch(
        f"Users/{created['id']}",
        {
            "schemas": [PATCH],
            "Operations": [
                {"op": "replace", "value": {"emails": [{"value": "bjensen@example.com", "type": "work", "primary": True}],
                                            "nickName": "Babs"}}
            ],
        },
    )  # fmt: skip
    assert response.status_code == 200, response.content


@pytest.mark.parametrize(
    "operation",
    [
        {"op": "Replace", "path": "active", "value": "False"},  # Entra ID: capitalised op, string boolean
        {"op": "replace", "value": {"active": False}},  # Okta: no path, an object of attributes
        {"op": "replace", "value": {"active": "false"}},
    ],
    ids=["entra", "okta", "string-in-object"],
)
def test_deactivation_ends_sessions_and_keeps_content(scim, client, operation):
    from communities.tests.factories import PostFactory

    created = _create(scim)
    user = User.objects.get(pk=created["id"])
    post = PostFactory(author=user)
    browser = client.__class__()
    browser.force_login(user)
    assert browser.get("/people/me/").status_code == 302  # logged in: redirected to the profile
    response = scim.patch(f"Users/{created['id']}", {"schemas": [PATCH], "Operations": [operation]})
    assert response.status_code == 200, response.content
    assert response.json()["active"] is False
    user.refresh_from_db()
    assert not user.is_active
    page = browser.get("/people/me/")
    assert page.status_code == 302 and "/accounts/login/" in page["Location"]
    post.refresh_from_db()
    assert post.author_id == user.pk
    # Reactivated the same way
    scim.patch(
        f"Users/{created['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "Replace", "path": "active", "value": "True"}]},
    )
    user.refresh_from_db()
    assert user.is_active


def test_deactivation_tells_open_websockets(scim, monkeypatch):
    from rse.accounts import services as account_services

    created = _create(scim)
    ended = []
    monkeypatch.setattr(account_services, "end_live_sessions", lambda ids, **kw: ended.append((list(ids), kw)))
    scim.patch(
        f"Users/{created['id']}",
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": False}]},
    )
    assert ended == [([int(created["id"])], {"reason": "deactivated"})]


def test_bad_patches_are_400(scim):
    created = _create(scim)
    url = f"Users/{created['id']}"
    for body in (
        {"schemas": [PATCH]},
        {"schemas": [PATCH], "Operations": [{"op": "move", "path": "title", "value": "x"}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "maybe"}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "value": "x"}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "userName", "value": ""}]},
        {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "x" * 500}]},
    ):
        response = scim.patch(url, body)
        assert response.status_code == 400, body
        assert response.json()["schemas"] == [ERROR]


def test_delete_deactivates_keeps_the_account_and_answers_404_after(scim):
    created = _create(scim)
    assert scim.delete(f"Users/{created['id']}").status_code == 204
    user = User.objects.get(pk=created["id"])
    assert not user.is_active
    assert scim.get(f"Users/{created['id']}").status_code == 404
    assert scim.get("Users", filter='userName eq "bjensen"').json()["totalResults"] == 0
    # Assigned again: the same account comes back, active.
    again = scim.post("Users", BJENSEN)
    assert again.status_code == 201 and again.json()["id"] == created["id"] and again.json()["active"] is True


def test_administrator_accounts_are_protected_like_in_the_hr_sync(scim):
    admin = UserFactory(email="it.admin@example.com", is_staff=True)
    chief = UserFactory(email="chief@example.com")
    chief.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    for person in (admin, chief):
        off = scim.patch(
            f"Users/{person.pk}",
            {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "active", "value": "False"}]},
        )
        assert off.status_code == 403
        assert "administrator or staff account" in off.json()["detail"]
        moved = scim.patch(
            f"Users/{person.pk}",
            {
                "schemas": [PATCH],
                "Operations": [{"op": "replace", "path": "emails", "value": [{"value": "x@evil.example"}]}],
            },
        )
        assert moved.status_code == 403
        assert scim.delete(f"Users/{person.pk}").status_code == 403
        person.refresh_from_db()
        assert person.is_active and person.email.endswith("@example.com") and person.email != "x@evil.example"
    # Their names and titles may still change, as in the HR sync.
    ok = scim.patch(
        f"Users/{admin.pk}", {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "title", "value": "CIO"}]}
    )
    assert ok.status_code == 200


def test_email_change_is_told_to_the_old_address(scim, mailoutbox, django_capture_on_commit_callbacks):
    created = _create(scim)
    with django_capture_on_commit_callbacks(execute=True):
        scim.patch(f"Users/{created['id']}", {"schemas": [PATCH], "Operations": [{"op": "replace", "path": "emails", "value": [{"value": "new@example.com", "primary": True}]}]})  # fmt: skip
    assert User.objects.get(pk=created["id"]).email == "new@example.com"
    assert any("bjensen@example.com" in m.to for m in mailoutbox)


def test_service_accounts_are_not_scim_users(scim):
    listing = scim.get("Users").json()
    assert listing["totalResults"] == User.objects.filter(service_account__isnull=True).count()
    assert not any(r["userName"].endswith("service-accounts.invalid") for r in listing["Resources"])


# --- Groups = org units ------------------------------------------------------------------------


def test_groups_are_org_units_with_members_rfc_examples(scim):
    babs = _create(scim)
    mandy = _create(scim, {**BJENSEN, "userName": "mandy", "externalId": "mandy",
                           "emails": [{"value": "mandy@example.com"}]})  # fmt: skip
    # RFC 7644 §3.3 (group creation) with a member
    created = scim.post("Groups", {"schemas": ["urn:ietf:params:scim:schemas:core:2.0:Group"],
                                   "displayName": "Tour Guides", "members": [{"value": babs["id"]}]})  # fmt: skip
    assert created.status_code == 201, created.content
    group = created.json()
    unit = OrgUnit.objects.get(pk=group["id"])
    assert unit.name == "Tour Guides"
    assert [m["value"] for m in group["members"]] == [babs["id"]]
    # RFC 7644 §3.5.2.1: add a member
    scim.patch(f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "add", "path": "members", "value": [{"display": "Mandy", "value": mandy["id"]}]}]})  # fmt: skip
    assert set(Profile.objects.filter(org_unit=unit).values_list("user_id", flat=True)) == {
        int(babs["id"]),
        int(mandy["id"]),
    }
    # RFC 7644 §3.5.2.2: remove one member by filter
    scim.patch(f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "remove", "path": f'members[value eq "{babs["id"]}"]'}]})  # fmt: skip
    assert list(Profile.objects.filter(org_unit=unit).values_list("user_id", flat=True)) == [int(mandy["id"])]
    # Entra ID: remove with a value list; replace displayName without a path
    scim.patch(f"Groups/{group['id']}", {"schemas": [PATCH], "Operations": [
        {"op": "Remove", "path": "members", "value": [{"value": mandy["id"]}]},
        {"op": "Replace", "value": {"displayName": "Guides"}}]})  # fmt: skip
    unit.refresh_from_db()
    assert unit.name == "Guides" and not Profile.objects.filter(org_unit=unit).exists()
    found = scim.get("Groups", filter='displayName eq "Guides"', excludedAttributes="members").json()
    assert [g["id"] for g in found["Resources"]] == [group["id"]] and "members" not in found["Resources"][0]
    # PUT replaces the members
    put = scim.put(f"Groups/{group['id']}", {"displayName": "Guides", "members": [{"value": babs["id"]}]})
    assert [m["value"] for m in put.json()["members"]] == [babs["id"]]
    # Deleting the group keeps its people, in no unit
    assert scim.delete(f"Groups/{group['id']}").status_code == 204
    assert not OrgUnit.objects.filter(pk=group["id"]).exists()
    assert Profile.objects.get(user_id=babs["id"]).org_unit is None


def test_group_errors(scim):
    assert scim.post("Groups", {"displayName": ""}).status_code == 400
    assert scim.post("Groups", {"displayName": "X", "members": [{"value": "999999"}]}).status_code == 400
    scim.post("Groups", {"displayName": "Sales"})
    assert scim.post("Groups", {"displayName": "sales"}).status_code == 409
    assert scim.get("Groups/abc").status_code == 404


# --- Discovery and access ----------------------------------------------------------------------


def test_discovery_endpoints(scim):
    config = scim.get("ServiceProviderConfig").json()
    assert config["patch"]["supported"] is True and config["filter"]["supported"] is True
    assert config["authenticationSchemes"][0]["type"] == "oauthbearertoken"
    schemas = scim.get("Schemas").json()
    assert {s["id"] for s in schemas["Resources"]} >= {USER, "urn:ietf:params:scim:schemas:core:2.0:Group"}
    assert scim.get(f"Schemas/{USER}").json()["name"] == "User"
    types = scim.get("ResourceTypes").json()
    assert {t["endpoint"] for t in types["Resources"]} == {"/Users", "/Groups"}
    assert scim.get("ResourceTypes/User").json()["schema"] == USER


def test_only_a_scim_token_gets_in(client, user):
    assert client.get("/scim/v2/Users").status_code == 401
    _token, raw = make_token(user, scopes=["read", "write"])
    refused = client.get("/scim/v2/Users", **bearer(raw))
    assert refused.status_code == 403 and refused.json()["schemas"] == [ERROR]
    client.force_login(UserFactory(is_superuser=True, is_staff=True))
    assert client.get("/scim/v2/Users").status_code == 401  # a browser session is not enough


def test_scim_identity_keeps_the_username_apart_from_the_email(scim):
    created = _create(scim, {**BJENSEN, "userName": "BJensen@corp.onmicrosoft.com"})
    identity = ScimIdentity.objects.get(user_id=created["id"])
    assert identity.user_name == "bjensen@corp.onmicrosoft.com"
    assert User.objects.get(pk=created["id"]).email == "bjensen@example.com"
    found = scim.get("Users", filter='userName eq "bjensen@corp.onmicrosoft.com"').json()
    assert found["totalResults"] == 1
