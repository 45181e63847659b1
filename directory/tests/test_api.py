import pytest

from directory.models import Contact, Endorsement, Follow, UserSkill
from directory.services import do_create_contact
from directory.tests.factories import OrgUnitFactory, SiteFactory, SkillFactory, person

pytestmark = pytest.mark.django_db


def test_api_needs_authentication(client):
    assert client.get("/api/v1/people/").status_code == 401
    assert client.get("/api/v1/contacts/").status_code == 401


def test_people_list_search_and_detail(logged_client, me):
    unit = OrgUnitFactory(name="IT", slug="it")
    helene = person("Hélène", "Dupré", org_unit=unit, site=SiteFactory(slug="paris"), languages="fr,en")
    person("Marc", "Dubois")
    us = UserSkill.objects.create(user=helene.user, skill=SkillFactory(name="Python"))
    Endorsement.objects.create(user_skill=us, endorser=me.user)
    data = logged_client.get("/api/v1/people/", {"q": "helene"}).json()
    assert [p["name"] for p in data["results"]] == ["Hélène Dupré"]
    assert data["results"][0]["org_unit"]["slug"] == "it" and data["results"][0]["languages"] == ["fr", "en"]
    assert [p["name"] for p in logged_client.get("/api/v1/people/", {"org_unit": "it"}).json()["results"]] == [
        "Hélène Dupré"
    ]
    detail = logged_client.get(f"/api/v1/people/{helene.user_id}/").json()
    assert detail["skills"] == [{"id": us.pk, "name": "Python", "endorsements": 1}]
    assert logged_client.get("/api/v1/people/999999/").status_code == 404


def test_people_api_query_count_is_constant(logged_client, me, django_assert_num_queries):
    unit = OrgUnitFactory()
    person("One", "Person", org_unit=unit)
    logged_client.get("/api/v1/people/")  # warm the session and bell caches
    with django_assert_num_queries(2) as one:
        logged_client.get("/api/v1/people/")
    for i in range(10):
        person("More", f"People{i}", org_unit=unit, site=SiteFactory())
    with django_assert_num_queries(len(one.captured_queries)):
        response = logged_client.get("/api/v1/people/")
    assert len(response.json()["results"]) == 12


def test_people_api_pagination(logged_client, me):
    for i in range(5):
        person("Page", f"Person{i}")
    first = logged_client.get("/api/v1/people/", {"page_size": 3}).json()
    second = logged_client.get(first["next"]).json()
    names = [p["name"] for p in first["results"] + second["results"]]
    assert len(names) == 6 and len(set(names)) == 6


def test_follow_through_the_api(logged_client, user, me):
    target = person("Api", "Followed")
    assert logged_client.post(f"/api/v1/people/{target.user_id}/follow/").status_code == 204
    assert Follow.objects.filter(follower=user, followed=target.user).exists()
    assert logged_client.delete(f"/api/v1/people/{target.user_id}/follow/").status_code == 204
    assert not Follow.objects.exists()
    assert logged_client.post(f"/api/v1/people/{user.pk}/follow/").status_code == 403


def test_org_units_api(logged_client, me):
    root = OrgUnitFactory(name="Groupe", slug="groupe")
    OrgUnitFactory(name="Child", slug="child", parent=root)
    data = logged_client.get("/api/v1/org-units/").json()["results"]
    assert {(u["slug"], u["parent_id"]) for u in data} == {("groupe", None), ("child", root.pk)}


def test_experts_api(logged_client, me):
    expert = person("Ex", "Pert")
    UserSkill.objects.create(user=expert.user, skill=SkillFactory(name="Négociation"))
    data = logged_client.get("/api/v1/experts/", {"q": "negociation"}).json()
    assert data[0]["person"]["id"] == expert.user_id and data[0]["reasons"] == ["declared Négociation"]
    assert logged_client.get("/api/v1/experts/").status_code == 400


def test_contacts_crud_through_the_api(logged_client, user):
    created = logged_client.post(
        "/api/v1/contacts/",
        {"name": "Ana Ribeiro", "emails": ["ana@lisboa.example"], "tags": ["partner"], "company": "Lisboa"},
        content_type="application/json",
    )
    assert created.status_code == 201, created.content
    contact_id = created.json()["id"]
    assert logged_client.get("/api/v1/contacts/").json()["results"][0]["name"] == "Ana Ribeiro"
    updated = logged_client.patch(
        f"/api/v1/contacts/{contact_id}/", {"job_title": "CTO"}, content_type="application/json"
    )
    assert updated.json()["job_title"] == "CTO" and updated.json()["emails"] == ["ana@lisboa.example"]
    bad = logged_client.post("/api/v1/contacts/", {"name": "", "emails": ["nope"]}, content_type="application/json")
    assert bad.status_code == 400 and "emails" in bad.json()
    duplicate = logged_client.post(
        "/api/v1/contacts/", {"name": "Again", "emails": ["ana@lisboa.example"]}, content_type="application/json"
    )
    assert duplicate.status_code == 400
    vcard = logged_client.get(f"/api/v1/contacts/{contact_id}/vcard/", {"version": "4.0"})
    assert vcard.status_code == 200 and "VERSION:4.0" in vcard.content.decode()
    export = logged_client.get("/api/v1/contacts/export/")
    assert "FN:Ana Ribeiro" in export.content.decode() and "VERSION:3.0" in export.content.decode()
    assert logged_client.delete(f"/api/v1/contacts/{contact_id}/").status_code == 204
    assert not Contact.objects.exists()


def test_other_peoples_contacts_are_invisible_in_the_api(client, user, other_user):
    contact = do_create_contact(user, {"name": "Private", "emails": ["p@x.example"]})
    client.force_login(other_user)
    assert client.get("/api/v1/contacts/").json()["results"] == []
    assert client.get(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert (
        client.patch(f"/api/v1/contacts/{contact.pk}/", {"name": "X"}, content_type="application/json").status_code
        == 404
    )
    assert client.delete(f"/api/v1/contacts/{contact.pk}/").status_code == 404
    assert client.get(f"/api/v1/contacts/{contact.pk}/vcard/").status_code == 404


def test_api_schema_builds(logged_client):
    assert logged_client.get("/api/v1/schema/").status_code == 200
