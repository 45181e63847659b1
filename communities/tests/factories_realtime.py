"""Factories for the realtime and notifications tests: the communities ones re-exported from
factories.py, plus business items (restricted or not) for item subscriptions."""

import factory
from django.contrib.auth.models import Group

from communities.tests.factories import CommentFactory, CommunityFactory, MembershipFactory, PostFactory  # noqa: F401
from repository.models import Item, ItemType


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
