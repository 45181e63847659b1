import pytest

from communities.models import Membership
from communities.tests.factories import CommunityFactory, member


@pytest.fixture
def community(db):
    return CommunityFactory(name="Lean", slug="lean")


@pytest.fixture
def animator(community):
    return member(community, role=Membership.Role.ANIMATOR)


@pytest.fixture
def api(client, animator):
    client.force_login(animator)
    return client
