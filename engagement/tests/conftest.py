from contextlib import contextmanager

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from directory.tests.factories import OrgUnitFactory, person
from engagement.models import EngagementSettings
from rse.accounts.roles import Role
from rse.accounts.services import do_grant_role


@pytest.fixture(autouse=True)
def _private_root(settings, tmp_path):
    settings.RSE_PRIVATE_ROOT = tmp_path / "private"


@pytest.fixture
def set_min_group_size(db):
    def set_it(n, **extra):
        EngagementSettings.objects.update_or_create(pk=1, defaults={"min_group_size": n, **extra})

    return set_it


def _with_role(role, **kwargs):
    profile = person(org_unit=OrgUnitFactory(), **kwargs)
    do_grant_role(profile.user, role)
    return profile.user


@pytest.fixture
def hr_analyst(db):
    return _with_role(Role.HR_ANALYST, first_name="Léa", last_name="Analyst")


@pytest.fixture
def admin_user(db):
    return _with_role(Role.ADMINISTRATOR, first_name="Alice", last_name="Admin")


@pytest.fixture
def staff_rep(db):
    return _with_role(Role.STAFF_REPRESENTATIVE, first_name="Sam", last_name="Rep")


@pytest.fixture
def assert_num_selects():
    """Like django_assert_num_queries, counting the statements that read only: on PostgreSQL an
    analytics statement also sets a planner setting, in a savepoint (engagement/sql.py)."""

    @contextmanager
    def check(expected):
        with CaptureQueriesContext(connection) as ctx:
            yield ctx
        selects = [q["sql"] for q in ctx.captured_queries if q["sql"].lstrip().startswith("SELECT")]
        assert len(selects) == expected, "\n".join(selects)

    return check
