import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from communities import services
from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, member
from rse.accounts.tests.factories import UserFactory
from rse.trail.models import Event

pytestmark = pytest.mark.django_db
V = Community.Visibility
S = Membership.Status
R = Membership.Role


def count(community):
    community.refresh_from_db()
    return community.members_count


def test_create_makes_the_creator_owner_with_tags(user):
    community = services.do_create_community(user, name="Lean & co", visibility=V.RESTRICTED, tags="Lean, kaizen;5S")
    assert community.slug == "lean-co"
    assert community.memberships.get(user=user).role == R.OWNER
    assert sorted(t.slug for t in community.tags.all()) == ["5s", "kaizen", "lean"]
    assert count(community) == 1
    again = services.do_create_community(user, name="Lean, co.")  # another name, the same slug
    # A random tail, never "-2": a counter would tell how many communities (seen or not) came first.
    assert again.slug.startswith("lean-co-") and len(again.slug) == len("lean-co-") + 8


def test_create_validates(user):
    with pytest.raises(ValidationError) as exc:
        services.do_create_community(user, name=" ", visibility="public")
    assert set(exc.value.message_dict) == {"name", "visibility"}


def test_join_open_is_immediate_and_counted(user):
    community = CommunityFactory(visibility=V.OPEN)
    membership = services.do_join_community(user, community)
    assert membership.status == S.ACTIVE
    assert count(community) == 1
    assert Event.objects.filter(verb="communities.joined", community_id=community.pk, actor=user).exists()
    services.do_join_community(user, community)  # twice is once
    assert count(community) == 1


def test_restricted_request_then_approval_by_animator(user, notifications, django_capture_on_commit_callbacks):
    community = CommunityFactory(visibility=V.RESTRICTED)
    animator = member(community, role=R.ANIMATOR)
    plain = member(community)
    with django_capture_on_commit_callbacks(execute=True):
        membership = services.do_join_community(user, community)
    assert membership.status == S.PENDING
    assert notifications.recipients("join_request") == {animator.pk}
    with pytest.raises(PermissionDenied):
        services.do_approve_membership(plain, membership)
    before = count(community)
    services.do_approve_membership(animator, membership)
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE
    assert count(community) == before + 1


def test_reject_removes_the_request(user):
    community = CommunityFactory(visibility=V.PRIVATE)
    owner = member(community, role=R.OWNER)
    membership = services.do_join_community(user, community)
    services.do_reject_membership(owner, membership)
    assert not Membership.objects.filter(pk=membership.pk).exists()


def test_secret_takes_no_request_but_invitations(user, notifications, django_capture_on_commit_callbacks):
    community = CommunityFactory(visibility=V.SECRET)
    owner = member(community, role=R.OWNER)
    with pytest.raises(PermissionDenied):
        services.do_join_community(user, community)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = services.do_invite_member(owner, community, user)
    assert invitation.status == S.INVITED
    assert notifications.recipients("invitation") == {user.pk}
    services.do_accept_invitation(user, community)
    assert Membership.objects.get(pk=invitation.pk).status == S.ACTIVE


def test_decline_invitation(user):
    community = CommunityFactory(visibility=V.PRIVATE)
    owner = member(community, role=R.OWNER)
    services.do_invite_member(owner, community, user)
    services.do_decline_invitation(user, community)
    assert not community.memberships.filter(user=user).exists()
    with pytest.raises(ValidationError):
        services.do_accept_invitation(user, community)


def test_leave_and_last_owner_cannot_leave(user):
    community = services.do_create_community(user, name="Solo")
    with pytest.raises(ValidationError):
        services.do_leave_community(user, community)
    other = UserFactory()
    services.do_join_community(other, community)
    services.do_leave_community(other, community)
    assert count(community) == 1


def test_remove_member_and_owner_protection(user):
    community = CommunityFactory()
    owner = member(community, role=R.OWNER)
    animator = member(community, role=R.ANIMATOR)
    victim = member(community)
    services.do_remove_member(animator, community.memberships.get(user=victim))
    assert not community.memberships.filter(user=victim).exists()
    with pytest.raises(PermissionDenied):
        services.do_remove_member(animator, community.memberships.get(user=owner))


def test_roles_changed_by_owner_only(user):
    community = CommunityFactory()
    owner = member(community, role=R.OWNER)
    animator = member(community, role=R.ANIMATOR)
    target = member(community)
    with pytest.raises(PermissionDenied):
        services.do_set_member_role(animator, community.memberships.get(user=target), R.ANIMATOR)
    services.do_set_member_role(owner, community.memberships.get(user=target), R.ANIMATOR)
    assert community.memberships.get(user=target).role == R.ANIMATOR


def test_browser_join_request_approve_flow(client, user):
    community = CommunityFactory(visibility=V.RESTRICTED)
    animator = member(community, role=R.ANIMATOR)
    client.force_login(user)
    client.post(reverse("community_join", args=[community.slug]))
    membership = community.memberships.get(user=user)
    assert membership.status == S.PENDING
    client.force_login(animator)
    page = client.get(reverse("community_members", args=[community.slug]))
    assert user.display_name in page.content.decode()
    client.post(reverse("membership_action", args=[membership.pk, "approve"]))
    membership.refresh_from_db()
    assert membership.status == S.ACTIVE


def test_browser_invite_accept(client, user):
    community = CommunityFactory(visibility=V.SECRET)
    owner = member(community, role=R.OWNER)
    client.force_login(owner)
    client.post(reverse("community_invite", args=[community.slug]), {"email": user.email})
    client.force_login(user)
    page = client.get(reverse("community_detail", args=[community.slug]))
    assert "You are invited" in page.content.decode()
    client.post(reverse("community_invitation", args=[community.slug, "accept"]))
    assert community.memberships.get(user=user).status == S.ACTIVE


def test_api_memberships(api, api_for, user):
    community = CommunityFactory(visibility=V.RESTRICTED)
    animator = member(community, role=R.ANIMATOR)
    response = api.post(f"/api/v1/communities/{community.slug}/join/")
    assert response.status_code == 200 and response.json()["status"] == "pending"
    membership = community.memberships.get(user=user)
    assert api.post(f"/api/v1/memberships/{membership.pk}/approve/").status_code == 403
    pending = api_for(animator).get(f"/api/v1/communities/{community.slug}/members/?status=pending").json()
    assert [m["user"]["id"] for m in pending["results"]] == [user.pk]
    assert api_for(animator).post(f"/api/v1/memberships/{membership.pk}/approve/").json()["status"] == "active"
    assert api.post(f"/api/v1/communities/{community.slug}/leave/").status_code == 204
    bad = api_for(animator).post(f"/api/v1/communities/{community.slug}/invite/", {"email": "nobody@x.y"})
    assert bad.status_code == 400 and "detail" in bad.json()


def test_an_animator_is_offered_remove_for_members_not_for_owners(client):
    community = CommunityFactory()
    owner = member(community, role=R.OWNER)
    animator = member(community, role=R.ANIMATOR)
    plain = member(community)
    client.force_login(animator)
    html = client.get(reverse("community_members", args=[community.slug])).content.decode()
    owner_row, plain_row = (
        html.split(f'<span class="grow">{person.display_name}</span>')[1].split("</li>")[0] for person in (owner, plain)
    )
    assert "Remove" in plain_row and "Remove" not in owner_row
    client.force_login(owner)
    html = client.get(reverse("community_members", args=[community.slug])).content.decode()
    assert "Remove" in html.split(f'<span class="grow">{animator.display_name}</span>')[1].split("</li>")[0]


def test_a_second_community_with_the_same_name_is_refused_unless_the_first_is_secret(user):
    CommunityFactory(name="Data & AI")
    with pytest.raises(ValidationError) as refused:
        services.do_create_community(user, name="  data  &  ai ")
    assert "already exists" in str(refused.value)
    secret = services.do_create_community(UserFactory(), name="Project Falcon", visibility=V.SECRET)
    falcon = services.do_create_community(user, name="Project Falcon")  # the secret one stays unknown
    assert falcon.pk != secret.pk and falcon.slug == "project-falcon"  # as if the secret one did not exist
    services.do_update_community(user, falcon, name="Project Falcon", description_md="Renamed? No: same name")
    with pytest.raises(ValidationError):
        services.do_update_community(user, falcon, name="Data & AI")


def test_an_archived_community_offers_no_join_button(client, user):
    from django.utils import timezone

    community = CommunityFactory(visibility=V.OPEN, slug="old-club", name="Old club")
    fresh = CommunityFactory(visibility=V.RESTRICTED, slug="new-club", name="New club")
    client.force_login(user)
    assert "Ask to join" in client.get(reverse("community_detail", args=[fresh.slug])).content.decode()
    assert ">Join<" in client.get(reverse("community_detail", args=[community.slug])).content.decode()
    Community.objects.filter(pk=community.pk).update(archived_at=timezone.now())
    page = client.get(reverse("community_detail", args=[community.slug])).content.decode()
    listing = client.get(reverse("community_list"), {"q": "club"}).content.decode()
    assert ">Join<" not in page and listing.count("Ask to join") == 1 and ">Join<" not in listing
