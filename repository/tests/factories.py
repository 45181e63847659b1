import factory

from repository.models import FieldDefinition, Item, ItemType
from rse.lib.text import normalize


class ItemTypeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ItemType
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Type {n}")
    slug = factory.Sequence(lambda n: f"type-{n}")


class FieldDefinitionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FieldDefinition

    item_type = factory.SubFactory(ItemTypeFactory)
    key = factory.Sequence(lambda n: f"field_{n}")
    label = factory.LazyAttribute(lambda o: o.key.replace("_", " ").title())
    kind = FieldDefinition.Kind.TEXT


class ItemFactory(factory.django.DjangoModelFactory):
    """A bare item row (no history): use services.do_create_item to test behaviour."""

    class Meta:
        model = Item

    item_type = factory.SubFactory(ItemTypeFactory)
    name = factory.Sequence(lambda n: f"Item {n}")
    normalized_name = factory.LazyAttribute(lambda o: normalize(o.name))
    slug = factory.Sequence(lambda n: f"item-{n}")
