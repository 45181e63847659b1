import pytest
from django.contrib.auth.models import Group

from repository.models import FieldDefinition
from repository.tests.factories import FieldDefinitionFactory, ItemTypeFactory
from rse.accounts.roles import Role
from rse.accounts.tests.factories import UserFactory

K = FieldDefinition.Kind


@pytest.fixture
def customer_type(db):
    return ItemTypeFactory(name="Customer", slug="customer")


@pytest.fixture
def project_type(db, customer_type):
    project = ItemTypeFactory(name="Project", slug="project")
    FieldDefinitionFactory(item_type=project, key="customer", label="Customer", kind=K.ITEM, target_type=customer_type)
    FieldDefinitionFactory(item_type=project, key="budget", label="Budget", kind=K.NUMBER)
    return project


@pytest.fixture
def admin_user(db):
    user = UserFactory()
    user.groups.add(Group.objects.get_or_create(name=Role.ADMINISTRATOR.value)[0])
    return user


@pytest.fixture
def admin_client(client, admin_user):
    client.force_login(admin_user)
    return client


@pytest.fixture
def secret_group(db):
    return Group.objects.create(name="Mergers & acquisitions")
