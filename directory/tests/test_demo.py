import io

import pytest
from django.core.management import call_command

from directory.models import Contact, Endorsement, Follow, Profile, UserSkill
from rse.accounts.models import User

pytestmark = pytest.mark.django_db


def _counts():
    return [m.objects.count() for m in (User, Profile, UserSkill, Endorsement, Follow, Contact)]


def test_seed_demo_is_idempotent():
    call_command("seed_demo", stdout=io.StringIO())
    first = _counts()
    assert first[3] > 0 and first[5] > 0  # endorsements and contacts are seeded
    call_command("seed_demo", stdout=io.StringIO())
    assert _counts() == first
