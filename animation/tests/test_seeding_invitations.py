"""Bulk invitations: by org unit, site, skill or a list of e-mails, with a preview and an error
per row; invitees accept or decline (nobody is added without consent); starter content CSV."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from animation.seeding import services
from animation.seeding.models import BulkInvitation, StarterImport
from animation.seeding.tasks import run_bulk_invitation_task, run_starter_import_task
from communities.models import Membership, Post
from communities.services import do_accept_invitation, do_decline_invitation
from communities.tests.factories import member
from directory.tests.factories import OrgUnitFactory, SiteFactory, SkillFactory, UserSkillFactory, person
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_an_email_list_is_previewed_row_by_row_then_invited_with_consent(
    community, animator, client, django_capture_on_commit_callbacks
):
    ann, bob = UserFactory(email="ann@example.com"), UserFactory(email="bob@example.com")
    already = member(community, UserFactory(email="member@example.com"))
    gone = UserFactory(email="gone@example.com", is_active=False)
    text = "ann@example.com, BOB@example.com\nnobody@example.com\nnot-an-address\nann@example.com\nmember@example.com\ngone@example.com"
    client.force_login(animator)
    response = client.post(reverse("animation:invite", args=[community.slug]), {"emails": text})
    bulk = BulkInvitation.objects.get()
    assert response.url == reverse("animation:invite_preview", args=[community.slug, bulk.pk])
    actions = [(r["line"], r["email"], r["action"]) for r in bulk.rows]
    assert actions == [
        (1, "ann@example.com", "invite"), (1, "bob@example.com", "invite"), (2, "nobody@example.com", "unknown"),
        (3, "not-an-address", "invalid"), (4, "ann@example.com", "duplicate"), (5, "member@example.com", "member"),
        (6, "gone@example.com", "left"),
    ]  # fmt: skip
    page = client.get(response.url).content.decode()
    assert "Error: nobody with this e-mail address" in page and "Error: not an e-mail address" in page
    assert "2 people will be invited" in page
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "confirm"})
    run_bulk_invitation_task(bulk.pk)  # twice is once
    bulk.refresh_from_db()
    assert bulk.status == "done" and bulk.invited == 2
    statuses = dict(Membership.objects.filter(community=community).values_list("user__email", "status"))
    assert statuses["ann@example.com"] == statuses["bob@example.com"] == Membership.Status.INVITED
    assert already.pk and gone.pk
    do_accept_invitation(ann, community)
    do_decline_invitation(bob, community)
    assert Membership.objects.get(community=community, user=ann).status == Membership.Status.ACTIVE
    assert not Membership.objects.filter(community=community, user=bob).exists()


def test_people_are_chosen_by_org_unit_site_or_skill(community, animator):
    unit, child = OrgUnitFactory(), None
    child = OrgUnitFactory(parent=unit)
    site, skill = SiteFactory(), SkillFactory(name="Lean")
    in_unit = person("Una", "Unit", org_unit=child).user
    at_site = person("Sid", "Site", site=site).user
    skilled = UserSkillFactory(skill=skill).user
    for source, expected in (({"org_unit": unit}, in_unit), ({"site": site}, at_site), ({"skill": skill}, skilled)):
        bulk = services.do_preview_bulk_invitation(animator, community, **source)
        assert [(r["user_id"], r["action"]) for r in bulk.rows] == [(expected.pk, "invite")]


def test_nothing_chosen_or_a_member_gets_a_clear_refusal(community, animator, client):
    client.force_login(animator)
    page = client.post(reverse("animation:invite", args=[community.slug]), {"emails": ""}).content.decode()
    assert "Choose an org unit" in page
    client.force_login(member(community))
    assert client.get(reverse("animation:invite", args=[community.slug])).status_code == 403


def test_the_api_previews_and_confirms(api, community, django_capture_on_commit_callbacks):
    UserFactory(email="zoe@example.com")
    preview = api.post(f"/api/v1/communities/{community.slug}/bulk-invitations/",
                       {"emails": ["zoe@example.com", "nobody@example.com"]}, content_type="application/json")  # fmt: skip
    assert preview.status_code == 201
    assert [r["action"] for r in preview.json()["rows"]] == ["invite", "unknown"]
    with django_capture_on_commit_callbacks(execute=True):
        done = api.post(f"/api/v1/bulk-invitations/{preview.json()['id']}/")
    assert done.status_code == 202
    assert api.get(f"/api/v1/bulk-invitations/{preview.json()['id']}/").json()["invited"] == 1
    assert api.post(f"/api/v1/bulk-invitations/{preview.json()['id']}/").status_code == 400


CSV = (
    b"question;details;answer\n"
    b"How do I book a room?;For meetings;Use the booking page.\n"
    b";no question here;\n"
    b"Where is the canteen?;;\n"
    b'"Broken;quote\n'
)


def test_starter_content_is_previewed_then_published_with_accepted_answers(
    community, animator, client, django_capture_on_commit_callbacks
):
    client.force_login(animator)
    upload = SimpleUploadedFile("faq.csv", CSV, content_type="text/csv")
    response = client.post(reverse("animation:starter", args=[community.slug]), {"file": upload})
    job = StarterImport.objects.get()
    assert response.url == reverse("animation:starter_preview", args=[community.slug, job.pk])
    assert [r["line"] for r in job.rows] == [2, 4] and [r["line"] for r in job.rejected] == [3, 5]
    page = client.get(response.url).content.decode()
    assert "the question is empty" in page and "never closed" in page
    assert not Post.objects.filter(community=community).exists()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(response.url, {"action": "confirm"})
    run_starter_import_task(job.pk)  # twice is once
    questions = Post.objects.filter(community=community, kind="question").order_by("id")
    assert [q.title for q in questions] == ["How do I book a room?", "Where is the canteen?"]
    assert questions[0].accepted_comment.body_md == "Use the booking page." and questions[1].accepted_comment is None


def test_a_file_without_a_question_column_is_refused_as_a_whole(community, animator, client):
    client.force_login(animator)
    upload = SimpleUploadedFile("x.csv", b"name,email\nAnn,ann@example.com\n", content_type="text/csv")
    page = client.post(reverse("animation:starter", args=[community.slug]), {"file": upload}).content.decode()
    assert "needs a “question” column" in page and not StarterImport.objects.exists()


@pytest.mark.real_limits
def test_confirming_a_bulk_invitation_spends_the_animators_invitation_budget(community, animator, client, settings):
    """Issue 13, hole 7: one budget of invitations per person, single or bulk, pages or API."""
    settings.RSE_RATE_LIMITS = {**settings.RSE_RATE_LIMITS, "invite": "1/hour"}
    UserFactory(email="ann@example.com")
    client.force_login(animator)
    client.post(reverse("animation:invite", args=[community.slug]), {"emails": "ann@example.com"})
    bulk = BulkInvitation.objects.get()
    before = bulk.status
    assert (
        client.post(reverse("community_invite", args=[community.slug]), {"email": UserFactory().email}).status_code
        == 302
    )
    refused = client.post(reverse("animation:invite_preview", args=[community.slug, bulk.pk]), {"action": "confirm"})
    assert refused.status_code == 429 and refused["Retry-After"]
    bulk.refresh_from_db()
    assert bulk.status == before and not Membership.objects.filter(user__email="ann@example.com").exists()
    assert client.get(reverse("animation:invite_preview", args=[community.slug, bulk.pk])).status_code == 200
