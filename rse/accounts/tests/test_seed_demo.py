import io

import pytest
from django.apps import apps
from django.core.management import call_command

from rse.accounts.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return {
        model._meta.label: model.objects.count()
        for model in apps.get_models()
        if model._meta.app_label in {"accounts", "directory", "repository", "communities", "engagement"}
    }


def test_seed_demo_is_idempotent_and_believable():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first

    assert 140 <= first["accounts.User"] <= 170
    assert first["directory.OrgUnit"] >= 10
    assert first["directory.Site"] == 3
    assert first["communities.Community"] >= 12
    assert first["communities.Post"] >= 100
    assert first["communities.Comment"] > 0 and first["communities.Reaction"] > 0
    admin = User.objects.get(email="admin@demo.rse.example")
    assert admin.check_password("demo-rse-2026") and admin.is_superuser
