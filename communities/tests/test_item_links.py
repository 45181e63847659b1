"""`[[item]]` links in conversations: never reveal a restricted item to people outside its groups."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from communities import services
from communities.tests.factories import CommunityFactory, member
from repository.tests.factories import ItemFactory, ItemTypeFactory
from rse.accounts.tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def items():
    kind = ItemTypeFactory(name="Project", slug="project")
    public = ItemFactory(item_type=kind, name="Aurora rollout", slug="aurora-rollout")
    secret = ItemFactory(item_type=kind, name="Orion acquisition", slug="orion-acquisition")
    group = Group.objects.create(name="M&A")
    secret.restricted_to.add(group)
    return public, secret, group


def test_public_item_link_shows_its_name(items):
    public, _secret, _group = items
    community = CommunityFactory()
    post = services.do_create_post(member(community), community, title="T", body_md="About [[Aurora rollout]]")
    assert "Aurora rollout" in post.body_html
    assert reverse("repository:item", args=[public.slug]) in post.body_html
    assert list(post.items.all()) == [public]


def test_restricted_item_link_names_nothing_and_only_opens_for_its_groups(items, client):
    _public, secret, group = items
    community = CommunityFactory()
    insider = member(community)
    insider.groups.add(group)
    post = services.do_create_post(insider, community, title="T", body_md="Status of [[Orion acquisition]]")

    assert list(post.items.all()) == [secret]
    assert "Orion" not in post.body_html and "orion" not in post.body_html
    link = reverse("repository:item_by_id", args=[secret.pk])
    assert link in post.body_html

    outsider = member(community)
    client.force_login(outsider)
    page = client.get(reverse("post_detail", args=[post.pk])).content.decode()
    assert "Orion" not in page
    assert client.get(link).status_code == 404

    client.force_login(insider)
    assert client.get(link).url == reverse("repository:item", args=[secret.slug])


def test_an_author_cannot_link_an_item_they_cannot_see(items):
    _public, secret, _group = items
    community = CommunityFactory()
    post = services.do_create_post(
        member(community, UserFactory()), community, title="T", body_md="[[Orion acquisition]]"
    )
    assert list(post.items.all()) == []
    assert "[[Orion acquisition]]" in post.body_html
