from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase

from directory.tests.factories import ProfileFactory
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role

DATA = Path(__file__).parent / "data"


def data_file(name) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, (DATA / name).read_bytes())


@pytest.fixture
def me(user):
    """The logged-in user's profile."""
    return ProfileFactory(user=user)


@pytest.fixture
def hr_user(db):
    profile = ProfileFactory()
    do_grant_role(profile.user, Role.HR_ANALYST)
    return profile.user


@pytest.fixture
def admin_user(db):
    profile = ProfileFactory()
    do_grant_role(profile.user, Role.ADMINISTRATOR)
    return profile.user


def committed():
    """`with committed():` runs the on_commit callbacks (tasks sent with delay_on_commit) on exit,
    as a real commit would; pytest-django's transaction otherwise never commits."""
    return TestCase.captureOnCommitCallbacks(using="default", execute=True)
