"""Factories for the realtime and notifications tests, on the foundation models directly
(named apart from factories.py, which the posts/feeds work owns)."""

import factory
from django.contrib.auth.models import Group

from communities.models import Comment, Community, Membership, Post
from repository.models import Item, ItemType
from rse.accounts.tests.factories import UserFactory


class CommunityFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Community

    name = factory.Sequence(lambda n: f"Live community {n}")
    slug = factory.Sequence(lambda n: f"live-community-{n}")
    visibility = Community.Visibility.OPEN


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    community = factory.SubFactory(CommunityFactory)
    user = factory.SubFactory(UserFactory)
    role = Membership.Role.MEMBER
    status = Membership.Status.ACTIVE


class PostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Post

    community = factory.SubFactory(CommunityFactory)
    author = factory.SubFactory(UserFactory)
    title = factory.Sequence(lambda n: f"Post number {n}")
    body_md = "Some words about the daily stand-up."


class CommentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Comment

    post = factory.SubFactory(PostFactory)
    author = factory.SubFactory(UserFactory)
    body_md = "I agree."


class ItemTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemType
        django_get_or_create = ("slug",)

    name = "Customer"
    slug = "customer"


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item

    item_type = factory.SubFactory(ItemTypeFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    slug = factory.Sequence(lambda n: f"item-{n}")


def restricted_item(group_name="Board"):
    item = ItemFactory()
    item.restricted_to.add(Group.objects.get_or_create(name=group_name)[0])
    return item
