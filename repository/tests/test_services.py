import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from repository import services
from repository.models import FieldDefinition, Item, ItemChange, ItemRelation
from repository.selectors import find_similar_items
from repository.tests.factories import FieldDefinitionFactory, ItemFactory, ItemTypeFactory
from rse.trail.models import Event

K = FieldDefinition.Kind


def _create(user, item_type, **data):
    cleaned = services.check_item_data(user, item_type, {"fields": {}, **data})
    return services.do_create_item(user, item_type, cleaned)


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "stored"),
    [
        (K.TEXT, {}, "  hello  ", "hello"),
        (K.NUMBER, {}, "1 250,5", 1250.5),
        (K.NUMBER, {}, 42, 42),
        (K.DATE, {}, "31/12/2026", "2026-12-31"),
        (K.DATE, {}, datetime.date(2026, 1, 2), "2026-01-02"),
        (K.URL, {}, "https://example.com/x", "https://example.com/x"),
        (K.CHOICE, {"choices": "Energy\nRetail"}, "retail", "Retail"),
    ],
)
def test_custom_field_values_are_converted(user, kind, extra, raw, stored):
    definition = FieldDefinitionFactory(kind=kind, **extra)
    assert services.clean_field_value(definition, raw, user=user) == stored


@pytest.mark.parametrize(
    ("kind", "extra", "raw", "message"),
    [
        (K.TEXT, {}, "x" * 1001, "under 1000"),
        (K.NUMBER, {}, "twelve", "Enter a number"),
        (K.NUMBER, {}, True, "Enter a number"),
        (K.NUMBER, {}, "1e400", "below one quadrillion"),
        (K.NUMBER, {}, 10**20, "below one quadrillion"),
        (K.DATE, {}, "2026-13-45", "YYYY-MM-DD"),
        (K.URL, {}, "javascript:alert(1)", "http://"),
        (K.URL, {}, "not a url", "http://"),
        (K.CHOICE, {"choices": "Energy\nRetail"}, "Mining", "not one of the choices: Energy, Retail"),
        (K.PERSON, {}, "nobody@example.com", "No active person"),
        (K.ITEM, {}, "no-such-item", "No item matches"),
    ],
)
def test_custom_field_values_are_rejected_with_a_clear_message(user, kind, extra, raw, message):
    definition = FieldDefinitionFactory(kind=kind, **extra)
    with pytest.raises(ValidationError) as exc:
        services.clean_field_value(definition, raw, user=user)
    assert message in " ".join(exc.value.messages)


def test_person_field_accepts_an_email_and_stores_the_id(user, other_user):
    definition = FieldDefinitionFactory(kind=K.PERSON)
    assert services.clean_field_value(definition, other_user.email.upper(), user=user) == other_user.pk
    other_user.is_active = False
    other_user.save()
    with pytest.raises(ValidationError):
        services.clean_field_value(definition, other_user.pk, user=user)


def test_item_link_checks_the_target_type_and_visibility(user, customer_type, project_type, secret_group):
    definition = project_type.field_definitions.get(key="customer")
    customer = ItemFactory(item_type=customer_type, external_id="C1")
    other_project = ItemFactory(item_type=project_type)
    assert services.clean_field_value(definition, "C1", user=user) == customer.pk
    assert services.clean_field_value(definition, customer.slug, user=user) == customer.pk
    with pytest.raises(ValidationError, match="No Customer matches"):
        services.clean_field_value(definition, other_project.pk, user=user)
    customer.restricted_to.add(secret_group)
    with pytest.raises(ValidationError):
        services.clean_field_value(definition, customer.pk, user=user)


def test_required_and_unknown_fields_are_named(user, customer_type):
    FieldDefinitionFactory(item_type=customer_type, key="siret", label="SIRET", required=True)
    with pytest.raises(ValidationError) as exc:
        services.check_item_data(user, customer_type, {"name": "Acme", "fields": {"colour": "red"}})
    errors = exc.value.message_dict
    assert errors["fields.siret"] == ["This field is required."]
    assert "Unknown field" in errors["fields.colour"][0]


def test_create_renders_markdown_writes_history_and_trail(user, customer_type):
    item = _create(user, customer_type, name="Acme", description_md="**big** <script>x</script>", tags="a, b, A")
    assert item.slug == "acme"
    assert "<strong>big</strong>" in item.description_html
    assert "<script>" not in item.description_html
    assert sorted(item.tags.values_list("name", flat=True)) == ["a", "b"]
    assert list(item.owners.all()) == [user]
    change = ItemChange.objects.get(item=item)
    assert change.action == ItemChange.Action.CREATED and change.actor == user
    assert change.changes["name"] == [None, "Acme"]
    assert Event.objects.filter(verb="repository.item_created", object_id=item.pk).exists()


def test_update_records_field_level_before_and_after(user, customer_type):
    FieldDefinitionFactory(item_type=customer_type, key="revenue", label="Revenue", kind=K.NUMBER)
    item = _create(user, customer_type, name="Acme", fields={"revenue": "10"})
    cleaned = services.check_item_data(
        user, customer_type, {"name": "Acme SA", "fields": {"revenue": "12"}}, instance=item
    )
    changes = services.do_update_item(user, item, cleaned)
    assert changes == {"name": ["Acme", "Acme SA"], "fields.revenue": [10, 12]}
    last = ItemChange.objects.filter(item=item).first()
    assert last.action == ItemChange.Action.UPDATED and last.changes == changes
    assert item.slug == "acme"  # stable slug
    # Saving the same values again changes nothing and records nothing.
    assert services.do_update_item(user, item, cleaned) == {}
    assert ItemChange.objects.filter(item=item).count() == 2


def test_only_owners_creator_and_admins_edit(user, other_user, admin_user, customer_type):
    item = _create(user, customer_type, name="Acme")
    with pytest.raises(PermissionDenied):
        services.do_update_item(other_user, item, {"name": "Hacked"})
    services.do_update_item(admin_user, item, {"name": "Acme 2"})
    item.refresh_from_db()
    assert item.name == "Acme 2"


def test_only_admins_or_owners_restrict(user, other_user, customer_type, secret_group):
    item = ItemFactory(item_type=customer_type, created_by=user)
    with pytest.raises(ValidationError) as exc:
        services.check_item_data(
            other_user, customer_type, {"restricted_to": [secret_group]}, instance=item, partial=True
        )
    assert "restricted_to" in exc.value.message_dict
    cleaned = services.check_item_data(
        user, customer_type, {"restricted_to": [secret_group]}, instance=item, partial=True
    )
    assert cleaned["restricted_to"] == [secret_group]


def test_item_link_fields_become_relations(user, customer_type, project_type):
    acme = _create(user, customer_type, name="Acme")
    globex = _create(user, customer_type, name="Globex")
    project = _create(user, project_type, name="Pilot", fields={"customer": acme.pk})
    relation = ItemRelation.objects.get(source=project)
    assert (relation.target, relation.label) == (acme, "Customer")
    cleaned = services.check_item_data(
        user, project_type, {"fields": {"customer": globex.pk}}, instance=project, partial=True
    )
    services.do_update_item(user, project, cleaned)
    assert list(ItemRelation.objects.filter(source=project).values_list("target", flat=True)) == [globex.pk]
    services.do_update_item(user, project, {"fields": {}})
    assert not ItemRelation.objects.filter(source=project).exists()


def test_duplicate_names_are_found_in_the_same_type_only(user, customer_type, project_type):
    existing = _create(user, customer_type, name="Aéroline Industries")
    ItemFactory(item_type=project_type, name="Aeroline Industries")
    similar = find_similar_items(user, customer_type, "aeroline  industrie")
    assert similar == [existing]
    assert find_similar_items(user, customer_type, "Globex") == []
    assert find_similar_items(user, customer_type, "Aeroline Industries", exclude_pk=existing.pk) == []


def test_duplicates_restricted_away_from_the_user_are_not_offered(user, customer_type, secret_group):
    hidden = ItemFactory(item_type=customer_type, name="Orion Holdings")
    hidden.restricted_to.add(secret_group)
    assert find_similar_items(user, customer_type, "Orion Holdings") == []


def test_slugs_stay_unique(user, customer_type):
    first = _create(user, customer_type, name="Acme")
    second = _create(user, customer_type, name="Acme")
    assert (first.slug, second.slug) == ("acme", "acme-2")


def test_external_id_is_unique_per_type(user, customer_type):
    _create(user, customer_type, name="Acme", external_id="C1")
    with pytest.raises(ValidationError) as exc:
        services.check_item_data(user, customer_type, {"name": "Other", "external_id": "C1"})
    assert "external_id" in exc.value.message_dict
    other_type = ItemTypeFactory()
    services.check_item_data(user, other_type, {"name": "Other", "external_id": "C1"})


def test_follow_and_unfollow_are_idempotent(user, customer_type):
    item = ItemFactory(item_type=customer_type)
    services.do_follow_item(user, item)
    services.do_follow_item(user, item)
    assert item.follows.count() == 1
    services.do_unfollow_item(user, item)
    services.do_unfollow_item(user, item)
    assert item.follows.count() == 0
    assert Event.objects.filter(verb="repository.item_followed").count() == 1


def test_item_count_is_unchanged_by_failed_validation(user, customer_type):
    with pytest.raises(ValidationError):
        services.check_item_data(user, customer_type, {"name": "   "})
    assert Item.objects.count() == 0
