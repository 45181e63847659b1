import io
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from engagement import dashboards, metrics
from engagement.models import Objective
from rse.accounts.models import User
from rse.accounts.roles import Role, has_role

pytestmark = pytest.mark.django_db


def test_demo_dashboards_and_exports_show_real_shapes():
    call_command("seed_demo", stdout=io.StringIO())
    today = timezone.localdate()
    since = today - timedelta(days=365)
    table = metrics.build_table(since=since, until=today, granularity="month", group_by="org_unit")
    shown = [row for row in table.rows if row[5] is not None]
    assert len({row[0] for row in shown}) >= 12  # every month of the year has figures
    assert sum(row[5] for row in shown) > 300
    assert all(row[2] >= 5 for row in shown)
    spans = metrics.periods(since, today, "month")
    nps = [r for r in dashboards.nps_rows(spans) if r["nps"] is not None]
    assert len(nps) >= 3
    assert Objective.objects.filter(community__isnull=True).count() == 2
    assert Objective.objects.filter(community__isnull=False).count() == 4
    assert has_role(User.objects.get(email="sam.leroy@demo.rse.example"), Role.STAFF_REPRESENTATIVE)
