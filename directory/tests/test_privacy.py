import json

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from directory.models import Contact, Endorsement, Follow, Profile, UserSkill
from directory.services import do_anonymise_user, do_create_contact, do_follow
from directory.tests.factories import SkillFactory, person
from rse.trail.models import Event

pytestmark = pytest.mark.django_db


def test_download_my_data(logged_client, user, me, other_user):
    colleague = person("Fol", "Lowed")
    do_follow(user, colleague.user)
    do_create_contact(user, {"name": "Ana Ribeiro", "emails": ["ana@lisboa.example"], "notes": "secret note"})
    us = UserSkill.objects.create(user=user, skill=SkillFactory(name="Python"))
    Endorsement.objects.create(user_skill=us, endorser=other_user)
    response = logged_client.get(reverse("directory:my_data"))
    assert response["Content-Disposition"].startswith("attachment")
    data = json.loads(response.content)
    assert data["account"]["email"] == user.email
    assert data["profile"]["phone_mobile"] == me.phone_mobile
    assert data["following"] == [colleague.user.email]
    assert data["contacts"][0]["notes"] == "secret note"
    assert data["skills"] == ["Python"]
    assert data["endorsements_received"][0]["by"] == other_user.email


def test_my_data_holds_only_mine(logged_client, user, me, other_user):
    do_create_contact(other_user, {"name": "Not Mine", "emails": ["x@y.example"]})
    data = json.loads(logged_client.get(reverse("directory:my_data")).content)
    assert data["contacts"] == []


def _leaver():
    leaver = person("Léo", "Leaver", phone_mobile="+33 6 55", bio_md="about me", employee_id="E77")
    leaver.user.is_active = False
    leaver.user.save()
    return leaver


def test_admin_anonymises_a_leaver(client, admin_user):
    leaver = _leaver()
    report = person("Report", "Person", manager=leaver.user)
    do_create_contact(leaver.user, {"name": "Ext", "emails": ["e@x.example"]})
    UserSkill.objects.create(user=leaver.user, skill=SkillFactory())
    Follow.objects.create(follower=report.user, followed=leaver.user)
    client.force_login(admin_user)
    page = client.get(reverse("directory:profile", args=[leaver.user_id])).content.decode()
    assert "Anonymise" in page
    response = client.post(reverse("directory:anonymise", args=[leaver.user_id]))
    assert response.status_code == 302
    leaver.refresh_from_db()
    leaver.user.refresh_from_db()
    assert leaver.user.first_name == "Former" and "Léo" not in leaver.user.email
    assert leaver.anonymised_at and leaver.phone_mobile == "" and leaver.bio_md == "" and leaver.employee_id is None
    assert not leaver.user.has_usable_password()
    assert not Contact.objects.filter(owner=leaver.user).exists()
    assert not UserSkill.objects.filter(user=leaver.user).exists()
    assert not Follow.objects.filter(followed=leaver.user).exists()
    assert Profile.objects.get(pk=report.pk).manager_id is None
    assert Event.objects.filter(verb="directory.user_anonymised", actor=admin_user).exists()
    assert client.get(reverse("directory:profile", args=[leaver.user_id])).status_code == 404


def test_only_admins_anonymise_and_only_leavers(client, user, me, admin_user):
    leaver = _leaver()
    with pytest.raises(PermissionDenied):
        do_anonymise_user(user, leaver.user)
    client.force_login(user)
    assert client.post(reverse("directory:anonymise", args=[leaver.user_id])).status_code == 403
    active = person("Still", "Here")
    with pytest.raises(ValidationError, match="Deactivate"):
        do_anonymise_user(admin_user, active.user)
    leaver.user.refresh_from_db()
    assert leaver.user.first_name == "Léo"


def test_admin_action_anonymises(client, admin_user):
    leaver = _leaver()
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:directory_profile_changelist"),
        {"action": "anonymise_leavers", "_selected_action": [leaver.pk]},
    )
    assert response.status_code == 302
    leaver.refresh_from_db()
    assert leaver.anonymised_at is not None
