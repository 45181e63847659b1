"""The Animate space: a tab of the community page for its animators, owners and administrators only."""

import pytest
from django.urls import reverse

from communities.models import Community, Membership
from communities.tests.factories import CommunityFactory, MembershipFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def _animate_url(community):
    return reverse("animation:index", args=[community.slug])


@pytest.mark.parametrize("role", [Membership.Role.ANIMATOR, Membership.Role.OWNER])
def test_animators_and_owners_see_the_tab_and_open_the_space(client, role):
    community = CommunityFactory()
    user = UserFactory()
    MembershipFactory(community=community, user=user, role=role)
    client.force_login(user)
    page = client.get(reverse("community_detail", args=[community.slug])).content.decode()
    assert _animate_url(community) in page
    assert client.get(_animate_url(community)).status_code == 200


def test_administrators_animate_every_community(client):
    community = CommunityFactory(visibility=Community.Visibility.PRIVATE)
    admin = UserFactory(is_superuser=True, is_staff=True)
    client.force_login(admin)
    assert client.get(_animate_url(community)).status_code == 200


def test_members_get_no_tab_and_a_403(client):
    community = CommunityFactory()
    member = UserFactory()
    MembershipFactory(community=community, user=member, role=Membership.Role.MEMBER)
    client.force_login(member)
    page = client.get(reverse("community_detail", args=[community.slug])).content.decode()
    assert _animate_url(community) not in page
    assert client.get(_animate_url(community)).status_code == 403


def test_outsiders_of_a_secret_community_get_a_404(client):
    community = CommunityFactory(visibility=Community.Visibility.SECRET)
    client.force_login(UserFactory())
    assert client.get(_animate_url(community)).status_code == 404
